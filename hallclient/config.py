"""Configuration: a TOML file in the user config directory, overridden by environment and CLI flags.

Precedence (later wins): built-in defaults < config file < ``HALLCLIENT_<SECTION>_<KEY>`` environment
variables < command-line flags. Every key is documented in docs/configuration.md.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

APP = "hallclient"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def default_config_path() -> Path:
    return Path(os.environ.get("HALLCLIENT_CONFIG") or config_dir() / "config.toml")


class ConfigError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HallSection:
    code: str = "610113"
    name: str = "西安市雁塔区政务服务中心"
    address: str = "西安市雁塔区政务服务中心一楼大厅"
    phone: str = "029-12345678"
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class WindowSection:
    number: str = "1"


@dataclass(frozen=True)
class StoreSection:
    url: str = ""  # empty: SQLite file in the user data directory


@dataclass(frozen=True)
class PlatformSection:
    url: str = "http://127.0.0.1:8765"
    token: str = ""
    timeout_s: float = 10.0
    ca_bundle: str = ""
    sync_interval_s: float = 5.0
    # Where secrets go when no OS keyring is usable; empty: user config dir/secrets.
    secret_dir: str = ""


@dataclass(frozen=True)
class DevicesSection:
    card_reader: str = "simulated"
    card_reader_port: str = ""
    ticket_printer: str = "pdf"
    review_pad: str = "screen"


@dataclass(frozen=True)
class PrinterSection:
    name: str = ""  # a system printer; empty: the system default; "none": archive only


@dataclass(frozen=True)
class CasesSection:
    supplement_working_days: int = 20
    deferred_working_days: int = 10
    case_no_format: str = "{hall}-{window:0>3}-{date:%Y%m%d}-{seq:04d}"


@dataclass(frozen=True)
class Config:
    hall: HallSection = field(default_factory=HallSection)
    window: WindowSection = field(default_factory=WindowSection)
    store: StoreSection = field(default_factory=StoreSection)
    platform: PlatformSection = field(default_factory=PlatformSection)
    devices: DevicesSection = field(default_factory=DevicesSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    cases: CasesSection = field(default_factory=CasesSection)
    source: str = "(defaults)"

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{data_dir() / 'hallclient.db'}"

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        """Apply ``{"section.key": value}`` overrides (None values are ignored)."""
        cfg = self
        for dotted, value in overrides.items():
            if value is None:
                continue
            section, key = dotted.split(".", 1)
            cfg = _set(cfg, section, key, value, f"命令行参数 {dotted}")
        return cfg


SECRET_KEYS = {("platform", "token")}


def _sections() -> dict[str, type]:
    return {f.name: type(getattr(Config(), f.name)) for f in fields(Config) if f.name != "source"}


def _set(cfg: Config, section: str, key: str, raw: Any, origin: str) -> Config:
    sections = _sections()
    if section not in sections:
        raise ConfigError(f"{origin}：未知的配置节 [{section}]，可用的节：{', '.join(sections)}")
    sec = getattr(cfg, section)
    types = {f.name: f.type for f in fields(sec)}
    if key not in types:
        raise ConfigError(f"{origin}：[{section}] 中没有配置项 {key}，可用的项：{', '.join(types)}")
    default = getattr(type(sec)(), key)
    value = _coerce(raw, default, f"{origin}：[{section}] {key}")
    return replace(cfg, **{section: replace(sec, **{key: value})})


def _coerce(raw: Any, default: Any, where: str) -> Any:
    kind = type(default)
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("1", "true", "yes", "on"):
                return True
            if str(raw).lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind is int and not isinstance(raw, bool):
            return int(raw)
        if kind is float and not isinstance(raw, bool):
            return float(raw)
        if kind is str and isinstance(raw, str | int | float) and not isinstance(raw, bool):
            return str(raw)
    except (TypeError, ValueError):
        pass
    expected = {bool: "true 或 false", int: "整数", float: "数字", str: "字符串"}[kind]
    raise ConfigError(f"{where} 的值 {raw!r} 无效，应为{expected}")


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    path = path or default_config_path()
    env = os.environ if env is None else env
    cfg = Config()
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"配置文件 {path} 格式错误：{exc}。请按 TOML 格式修改，或删除该文件以使用默认配置。"
            ) from exc
        for section, values in data.items():
            if not isinstance(values, dict):
                raise ConfigError(f"配置文件 {path}：{section} 应为一个配置节 [{section}]")
            for key, value in values.items():
                cfg = _set(cfg, section, key, value, f"配置文件 {path}")
        cfg = replace(cfg, source=str(path))
    for name, value in env.items():
        if not name.startswith("HALLCLIENT_") or name == "HALLCLIENT_CONFIG" or name.count("_") < 2:
            continue
        section, _, key = name[len("HALLCLIENT_") :].lower().partition("_")
        if section in _sections():
            cfg = _set(cfg, section, key, value, f"环境变量 {name}")
    return cfg


def describe(cfg: Config) -> list[tuple[str, str]]:
    """Effective values as (key, value) lines, secrets masked."""
    out: list[tuple[str, str]] = [("config_file", cfg.source)]
    for section in _sections():
        sec = getattr(cfg, section)
        for f in fields(sec):
            value = getattr(sec, f.name)
            if (section, f.name) in SECRET_KEYS and value:
                value = "******"
            out.append((f"{section}.{f.name}", str(value)))
    out.append(("store.effective_url", cfg.store_url))
    return out
