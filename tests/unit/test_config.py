from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hallclient.config import Config, ConfigError, describe, load_config
from hallclient.logs import RedactingFilter


def test_no_config_file_at_the_default_place_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("HALLCLIENT_CONFIG", raising=False)
    cfg = load_config(None, env={})
    assert cfg.window.number == "1" and cfg.source == "(defaults)"


def test_file_env_and_flags_in_that_order(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[window]\nnumber = "5"\n[platform]\ntoken = "s3cret"\ntimeout_s = 4\n', encoding="utf-8")
    cfg = load_config(path, env={"HALLCLIENT_WINDOW_NUMBER": "7"})
    assert cfg.window.number == "7" and cfg.platform.timeout_s == 4.0
    cfg = cfg.with_overrides({"window.number": "9", "store.url": None})
    assert cfg.window.number == "9"
    shown = dict(describe(cfg))
    assert shown["platform.token"] == "******" and "s3cret" not in str(shown)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[window\nnumber = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_config(path, env={})


def test_unknown_key_and_wrong_type_name_the_key_and_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[window]\nnumbr = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="没有配置项 numbr"):
        load_config(path, env={})
    path.write_text('[platform]\ntimeout_s = "soon"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="timeout_s.*应为数字"):
        load_config(path, env={})
    with pytest.raises(ConfigError, match="未知的配置节"):
        Config().with_overrides({"bogus.key": "x"})


def test_log_filter_scrubs_full_id_numbers(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("card %s read", "11010519491231002X")
    assert "11010519491231002X" not in caplog.text
    assert "1101**********002X" in caplog.text


def test_a_named_config_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_config(tmp_path / "typo.toml", env={})
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_config(None, env={"HALLCLIENT_CONFIG": str(tmp_path / "typo.toml")})


def test_config_show_masks_a_store_password() -> None:
    cfg = Config().with_overrides({"store.url": "postgresql+psycopg://hall:s3cret@db.local/hall"})
    shown = dict(describe(cfg))
    assert "s3cret" not in str(shown)
    assert shown["store.url"] == "postgresql+psycopg://hall:******@db.local/hall"


def test_tracebacks_in_logs_are_scrubbed_too() -> None:
    from hallclient.logs import RedactingFormatter

    try:
        raise ValueError("bad card 11010519491231002X")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = RedactingFormatter("%(message)s").format(record)
    assert "11010519491231002X" not in text and "1101**********002X" in text
