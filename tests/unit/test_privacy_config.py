"""The [privacy] section and the card reader keys of [devices] (docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallclient.config import Config, ConfigError, load_config


def test_defaults() -> None:
    cfg = Config()
    assert cfg.privacy.reveal_seconds == 30
    assert (cfg.devices.card_reader_poll_ms, cfg.devices.card_reader_library) == (400, "")


def test_the_keys_load_from_a_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[devices]\ncard_reader = "vendor-sdk"\ncard_reader_library = "C:/CVR/termb.dll"\n'
        "card_reader_poll_ms = 0\n[privacy]\nreveal_seconds = 60\n",
        encoding="utf-8",
    )
    cfg = load_config(path, env={"HALLCLIENT_PRIVACY_REVEAL_SECONDS": "15"})
    assert (cfg.devices.card_reader_library, cfg.devices.card_reader_poll_ms) == ("C:/CVR/termb.dll", 0)
    assert cfg.privacy.reveal_seconds == 15


@pytest.mark.parametrize("seconds", [0, 601])
def test_a_reveal_time_out_of_range_is_refused_with_the_key(seconds: int) -> None:
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({"privacy.reveal_seconds": seconds})
    assert "[privacy] reveal_seconds" in caught.value.message
