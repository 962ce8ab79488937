"""Configuration: a TOML file in the user config directory, overridden by environment and CLI flags.

Precedence (later wins): built-in defaults < config file < ``HALLCLIENT_<SECTION>_<KEY>`` environment
variables < command-line flags. Every key is documented in docs/configuration.md.
"""

from __future__ import annotations

import os
import re
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
    # The vendor-sdk driver's library: a path or a name; empty: look for termb, then sdtapi.
    card_reader_library: str = ""
    # How often the device thread looks for a card (hot-plug too); 0: only when the clerk presses 读卡 (F2).
    card_reader_poll_ms: int = 400
    ticket_printer: str = "pdf"  # escpos | pdf | simulated (the kiosk's slip printer)
    # escpos: the connection, "usb:0416:5011", "serial:COM3", "tcp:192.168.1.50:9100" or "/dev/usb/lp0";
    # pdf: the folder slips are saved in (empty: user data dir/tickets).
    ticket_printer_port: str = ""
    ticket_printer_paper_mm: int = 80  # 80 or 58
    review_pad: str = "screen"
    # The review pad's device: an evdev node (hid-keys, e.g. /dev/input/by-id/…-event-kbd) or a serial
    # port (serial-keypad); and hid-keys' key map, "KEY_KP5=5,KEY_KP1=1,KEY_A=r1,KEY_KPENTER=ok" (empty: default).
    review_pad_port: str = ""
    review_pad_keys: str = ""


@dataclass(frozen=True)
class PrinterSection:
    name: str = ""  # a system printer; empty: the system default; "none": archive only


@dataclass(frozen=True)
class CasesSection:
    supplement_working_days: int = 20
    deferred_working_days: int = 10
    case_no_format: str = "{hall}-{window:0>3}-{date:%Y%m%d}-{seq:04d}"
    notice_working_days: int = 5  # 行政许可法 §32: one-time notice within 5 days of receipt
    issue_receipt: bool = False  # also print a 收件凭证 when deciding on the spot
    review_authority: str = ""  # 行政复议机关 named on 不予受理决定书


@dataclass(frozen=True)
class VoiceSection:
    enabled: bool = True
    # The board speaks every call (one set of hall speakers). A station with no board — a township
    # office with one window — sets this so the clerk's own PC announces its calls and recalls.
    at_window: bool = False
    template: str = "请{ticket}号到{window}号窗口办理"
    repeat: int = 2
    clip_dir: str = ""  # empty: the shipped Mandarin clips (resources/voice/default)
    volume: float = 1.0
    max_queue: int = 10

    def __post_init__(self) -> None:
        if not 0.0 <= self.volume <= 1.0:
            raise ConfigError(f"[voice] volume 的值 {self.volume} 无效，应在 0 到 1 之间")
        if self.repeat < 1 or self.max_queue < 1:
            raise ConfigError("[voice] repeat 和 max_queue 应为正整数")
        # Imported here: only a [voice] section needs the devices package, at the moment it is built.
        from devices.voice.errors import TemplateError
        from devices.voice.tokens import check_template

        try:
            check_template(self.template)
        except TemplateError as exc:
            raise ConfigError(f"[voice] template：{exc.message}") from exc


@dataclass(frozen=True)
class QueueSection:
    recall_limit: int = 3  # recalls (重呼) per ticket
    call_back_minutes: int = 30  # a held or no-show ticket may be called back within this time
    priority_policy: str = "priority_first"  # or "interleave": 1 priority ticket per interleave_n normal
    interleave_n: int = 3

    def __post_init__(self) -> None:
        if self.priority_policy not in ("priority_first", "interleave"):
            raise ConfigError(
                f"[queue] priority_policy 的值 {self.priority_policy!r} 无效，应为 priority_first 或 interleave"
            )
        if self.recall_limit < 0 or self.call_back_minutes < 0 or self.interleave_n < 1:
            raise ConfigError("[queue] recall_limit、call_back_minutes 不能为负数，interleave_n 至少为 1")


@dataclass(frozen=True)
class ReviewSection:
    """好差评 and rectification (reviews.md): the customer screen, the reasons, the deadline, the QR."""

    screen: int = -1  # which monitor shows the customer screen; -1: the second one if there is one
    timeout_s: int = 90  # an unanswered invitation leaves the service unreviewed
    bad_reasons: tuple[str, ...] = (
        "等候时间过长",
        "服务态度不好",
        "办事效率低",
        "一次性告知不清楚",
        "要求提供不必要的材料",
        "办事指南与实际不符",
        "其他",
    )
    rectification_days: int = 15  # working days, holiday calendar aware
    # The QR on acceptance notices; {case_no} and {query_code} are filled in.
    url_template: str = "case={case_no};q={query_code}"
    # The clerk's photo on the customer screen, e.g. "D:/hall/photos/{staff_no}.jpg"; empty: a silhouette.
    photo: str = ""

    def __post_init__(self) -> None:
        if self.timeout_s < 5:
            raise ConfigError(f"[review] timeout_s 的值 {self.timeout_s} 太小，应至少为5秒")
        if self.rectification_days < 1:
            raise ConfigError("[review] rectification_days 应为正整数（工作日）")
        if not [r for r in self.bad_reasons if r.strip()]:
            raise ConfigError("[review] bad_reasons 至少需要一项差评原因")
        for key in ("case_no", "query_code"):
            if "{" + key + "}" not in self.url_template:
                raise ConfigError(f"[review] url_template 中缺少 {{{key}}}")


@dataclass(frozen=True)
class PrivacySection:
    # How long a full ID number stays shown after an audited reveal (it is masked again earlier if the
    # service finishes).
    reveal_seconds: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.reveal_seconds <= 600:
            raise ConfigError(
                f"[privacy] reveal_seconds 的值 {self.reveal_seconds} 无效，应在 1 到 600 秒之间"
            )


@dataclass(frozen=True)
class KioskSection:
    """The ticket kiosk (取号机, ``hallclient kiosk``)."""

    businesses: tuple[str, ...] = ()  # business codes offered, in this order; empty: every active business
    id_card: bool = False  # read an ID card before issuing (greets the person masked; nothing is stored)
    footer: tuple[str, ...] = ("请在等候区留意叫号屏和语音提示", "本票当日有效")
    qr_template: str = ""  # a QR on the slip, {ticket} and {date} filled in; empty: no QR
    result_seconds: int = 15  # how long "您的号码 A012" stays on screen
    fullscreen: bool = True

    def __post_init__(self) -> None:
        if not 3 <= self.result_seconds <= 300:
            raise ConfigError(f"[kiosk] result_seconds 的值 {self.result_seconds} 无效，应在 3 到 300 秒之间")
        try:
            self.qr_template.format(ticket="A001", date="2026-03-02")
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"[kiosk] qr_template 只能使用 {{ticket}} 和 {{date}}：{exc}") from None


@dataclass(frozen=True)
class BoardSection:
    """The hall display (叫号屏, ``hallclient board``)."""

    last_n: int = 4  # recent calls listed
    flash_seconds: float = 5.0  # a new call flashes this long
    windows: tuple[str, ...] = ()  # window numbers shown; empty: every window
    fullscreen: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.last_n <= 20:
            raise ConfigError(f"[board] last_n 的值 {self.last_n} 无效，应在 1 到 20 之间")
        if not 0 <= self.flash_seconds <= 60:
            raise ConfigError(f"[board] flash_seconds 的值 {self.flash_seconds} 无效，应在 0 到 60 秒之间")


@dataclass(frozen=True)
class Config:
    hall: HallSection = field(default_factory=HallSection)
    window: WindowSection = field(default_factory=WindowSection)
    store: StoreSection = field(default_factory=StoreSection)
    platform: PlatformSection = field(default_factory=PlatformSection)
    devices: DevicesSection = field(default_factory=DevicesSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    cases: CasesSection = field(default_factory=CasesSection)
    queue: QueueSection = field(default_factory=QueueSection)
    voice: VoiceSection = field(default_factory=VoiceSection)
    review: ReviewSection = field(default_factory=ReviewSection)
    privacy: PrivacySection = field(default_factory=PrivacySection)
    kiosk: KioskSection = field(default_factory=KioskSection)
    board: BoardSection = field(default_factory=BoardSection)
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
        if kind is tuple:
            # A TOML array of strings, or one string separated by "," or "、" (environment variables).
            items = raw.replace("、", ",").split(",") if isinstance(raw, str) else raw
            if isinstance(items, list | tuple) and all(isinstance(i, str) for i in items):
                return tuple(i.strip() for i in items if i.strip())
    except (TypeError, ValueError):
        pass
    expected = {bool: "true 或 false", int: "整数", float: "数字", str: "字符串", tuple: "字符串列表"}[kind]
    raise ConfigError(f"{where} 的值 {raw!r} 无效，应为{expected}")


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    explicit = path or (Path(env["HALLCLIENT_CONFIG"]) if env.get("HALLCLIENT_CONFIG") else None)
    if explicit is not None and not explicit.exists():
        # A file somebody named on purpose and mistyped must not silently become the defaults.
        raise ConfigError(f"找不到配置文件 {explicit}。请检查 --config 或 HALLCLIENT_CONFIG 指定的路径。")
    path = explicit or default_config_path()
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


def mask_url_password(url: str) -> str:
    """``postgresql+psycopg://hall:secret@host/db`` → ``postgresql+psycopg://hall:******@host/db``."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1******@", url)


def describe(cfg: Config) -> list[tuple[str, str]]:
    """Effective values as (key, value) lines, secrets masked (the token, a store password)."""
    out: list[tuple[str, str]] = [("config_file", cfg.source)]
    for section in _sections():
        sec = getattr(cfg, section)
        for f in fields(sec):
            value = getattr(sec, f.name)
            if (section, f.name) in SECRET_KEYS and value:
                value = "******"
            if (section, f.name) == ("store", "url"):
                value = mask_url_password(value)
            if isinstance(value, tuple):
                value = "、".join(value)
            out.append((f"{section}.{f.name}", str(value)))
    out.append(("store.effective_url", mask_url_password(cfg.store_url)))
    return out
