"""The [voice] configuration section: defaults, overrides, and values refused at load time."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallclient.config import Config, ConfigError, describe, load_config


def test_defaults_announce_with_the_shipped_clips() -> None:
    voice = Config().voice
    assert voice.enabled is True
    assert voice.template == "请{ticket}号到{window}号窗口办理"
    assert (voice.repeat, voice.clip_dir, voice.volume, voice.max_queue) == (2, "", 1.0, 10)
    assert ("voice.template", voice.template) in describe(Config())


def test_file_and_environment_set_voice_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[voice]\ntemplate = "请{ticket}号到第{window}窗口办理业务"\nvolume = 0.6\n', encoding="utf-8"
    )
    cfg = load_config(
        path, env={"HALLCLIENT_VOICE_CLIP_DIR": "D:/hall-voice", "HALLCLIENT_VOICE_ENABLED": "no"}
    )
    assert cfg.voice.template == "请{ticket}号到第{window}窗口办理业务"
    assert cfg.voice.volume == 0.6
    assert cfg.voice.clip_dir == "D:/hall-voice"
    assert cfg.voice.enabled is False


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("voice.volume", "1.5", "0 到 1"),
        ("voice.repeat", "0", "正整数"),
        ("voice.max_queue", "0", "正整数"),
        ("voice.template", "请{number}号", "{number}"),
    ],
)
def test_bad_voice_values_are_refused_when_loaded(key: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config().with_overrides({key: value})
    assert words in err.value.message and "[voice]" in err.value.message
