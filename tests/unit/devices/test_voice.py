"""Voice role without Qt: tokens from templates, clips joined into one WAV, errors that name what to fix."""

from __future__ import annotations

import io
import json
import shutil
import wave
from pathlib import Path

import pytest

from devices.voice import (
    CHIME,
    DEFAULT_CLIP_DIR,
    DEFAULT_TEMPLATE,
    PAUSE,
    ClipFormatMismatch,
    ClipMissing,
    ClipSet,
    ClipUnreadable,
    ClipVoice,
    SpeechVoice,
    TemplateError,
    VoiceBackend,
    VoiceError,
    render_announcement,
    spoken_tokens,
    tokens_for,
    wav_duration,
)
from devices.voice.__main__ import main as voice_main

ONCE = ("请", "A", "零", "零", "三", "号", "到", "一", "二", "号窗口办理")


def frames_of(wav: bytes) -> tuple[wave._wave_params, bytes]:
    with wave.open(io.BytesIO(wav), "rb") as w:
        return w.getparams(), w.readframes(w.getnframes())


def write_wav(path: Path, *, rate: int = 22050, channels: int = 1, width: int = 2, frames: int = 100) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"\x01" * frames * channels * width)


@pytest.fixture
def hall_dir(tmp_path: Path) -> Path:
    """A hall's own folder: a copy of the shipped clips (same names, no manifest of its own)."""
    folder = tmp_path / "hall-voice"
    shutil.copytree(DEFAULT_CLIP_DIR, folder, ignore=shutil.ignore_patterns("manifest.json"))
    return folder


# -- tokens ----------------------------------------------------------------------------------------


def test_letters_and_digits_of_ticket_and_window_are_spoken_one_by_one() -> None:
    assert tokens_for(DEFAULT_TEMPLATE, "A003", "12", repeat=1, chime=False) == ONCE


def test_announcement_is_chime_then_the_call_twice_with_a_pause_between() -> None:
    assert tokens_for(DEFAULT_TEMPLATE, "A003", "12") == (CHIME, *ONCE, PAUSE, *ONCE)
    assert tokens_for(DEFAULT_TEMPLATE, "A003", "12", repeat=3).count(PAUSE) == 2


def test_literal_text_takes_the_longest_phrase_with_a_clip() -> None:
    # "号窗口办理" is one clip, "号到" is two: the template's own text is cut by the clips that exist.
    assert spoken_tokens("号到") == ["号", "到"]
    assert spoken_tokens("号窗口办理") == ["号窗口办理"]
    assert spoken_tokens("号窗口", phrases=("号", "窗口")) == ["号", "窗口"]


def test_lower_case_full_width_and_separators_are_normalised() -> None:
    assert spoken_tokens("b-07") == ["B", "零", "七"]
    assert spoken_tokens("Ａ１０") == ["A", "一", "零"]  # typed with a Chinese input method
    assert spoken_tokens("A 1") == ["A", "一"]


def test_text_with_no_clip_becomes_single_character_tokens() -> None:
    # Rendering then fails naming "第", instead of silently skipping a word of the template.
    assert tokens_for("请{ticket}号到第{window}窗口", "A1", "3", repeat=1, chime=False) == (
        "请",
        "A",
        "一",
        "号",
        "到",
        "第",
        "三",
        "窗",
        "口",
    )


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("请{number}号", "{number}"),
        ("请{ticket:>4}号", "格式"),
        ("请{ticket号", "花括号"),
        ("请到{window}号窗口", "缺少 {ticket}"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(template: str, reason: str) -> None:
    with pytest.raises(TemplateError) as err:
        tokens_for(template, "A1", "1")
    assert reason in err.value.message
    assert template in err.value.message


def test_repeat_must_be_positive() -> None:
    with pytest.raises(ValueError, match="repeat"):
        tokens_for(DEFAULT_TEMPLATE, "A1", "1", repeat=0)


# -- shipped clips -----------------------------------------------------------------------------------


def test_shipped_clips_cover_every_letter_digit_and_the_default_template_in_one_format() -> None:
    manifest = json.loads((DEFAULT_CLIP_DIR / "manifest.json").read_text(encoding="utf-8"))
    clips = ClipSet()
    formats = {clips.clip(token).format for token in manifest["clips"]}
    assert len(formats) == 1
    (fmt,) = formats
    assert (fmt.channels, fmt.sample_width, fmt.sample_rate) == (1, 2, manifest["sample_rate"])
    ClipVoice().check()  # raises if anything the default template can say is missing


def test_shipped_clips_stay_small() -> None:
    total = sum(p.stat().st_size for p in DEFAULT_CLIP_DIR.iterdir())
    assert total < 2 * 1024 * 1024


# -- joining ---------------------------------------------------------------------------------------------


def test_joined_wav_is_the_clips_one_after_another() -> None:
    tokens = tokens_for(DEFAULT_TEMPLATE, "A003", "12")
    wav = render_announcement(tokens, DEFAULT_CLIP_DIR)
    params, frames = frames_of(wav)
    clips = ClipSet()
    assert params.nframes == sum(clips.clip(t).frame_count for t in tokens)  # pauses are clips too
    assert frames == b"".join(clips.clip(t).frames for t in tokens)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 22050)
    assert wav_duration(wav) == pytest.approx(params.nframes / 22050)


def test_clip_voice_announcement_carries_text_tokens_and_audio() -> None:
    announcement = ClipVoice().prepare("A003", "12")
    assert announcement.text == "请A003号到12号窗口办理"
    assert announcement.tokens == (CHIME, *ONCE, PAUSE, *ONCE)
    assert announcement.wav == render_announcement(announcement.tokens)
    assert announcement.duration_s == pytest.approx(wav_duration(announcement.wav))
    assert isinstance(ClipVoice(), VoiceBackend)


def test_the_same_call_renders_the_same_bytes() -> None:
    # A recall replays exactly what was announced.
    assert ClipVoice().prepare("B120", "7").wav == ClipVoice().prepare("B120", "7").wav


def test_repeat_setting_changes_the_announcement() -> None:
    once, twice = ClipVoice(repeat=1).prepare("A1", "1"), ClipVoice(repeat=2).prepare("A1", "1")
    chime, pause = ClipSet().clip(CHIME).frame_count, ClipSet().clip(PAUSE).frame_count
    speech = frames_of(once.wav)[0].nframes - chime
    assert frames_of(twice.wav)[0].nframes == chime + speech + pause + speech


# -- a hall's own recordings ---------------------------------------------------------------------------


def test_a_hall_folder_with_the_same_file_names_is_used_instead(hall_dir: Path) -> None:
    write_wav(hall_dir / "letter-a.wav", frames=777)
    clips = ClipSet(hall_dir)
    assert clips.clip("A").frame_count == 777
    assert ClipSet().clip("A").frame_count != 777


def test_a_hall_manifest_can_add_tokens_for_its_own_template(hall_dir: Path) -> None:
    table = json.loads((DEFAULT_CLIP_DIR / "manifest.json").read_text(encoding="utf-8"))
    write_wav(hall_dir / "di.wav", frames=50)
    write_wav(hall_dir / "chuangkou-banli-yewu.wav", frames=60)
    table["clips"] |= {"第": "di.wav", "窗口办理业务": "chuangkou-banli-yewu.wav"}
    (hall_dir / "manifest.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    voice = ClipVoice(hall_dir, "请{ticket}号到第{window}窗口办理业务", repeat=1)
    voice.check()
    assert voice.tokens("A1", "3")[-3:] == ("第", "三", "窗口办理业务")


def test_missing_clip_file_names_the_token_and_the_folder(hall_dir: Path) -> None:
    (hall_dir / "digit-7.wav").unlink()
    with pytest.raises(ClipMissing) as err:
        render_announcement(tokens_for(DEFAULT_TEMPLATE, "A007", "1"), hall_dir)
    assert err.value.token == "七"
    assert "“七”" in err.value.message
    assert str(hall_dir) in err.value.message
    assert "digit-7.wav" in err.value.message
    with pytest.raises(ClipMissing):
        ClipVoice(hall_dir).check()  # found at start-up, not only at the first call with a 7


def test_token_without_clip_names_the_token_and_the_folder() -> None:
    with pytest.raises(ClipMissing) as err:
        render_announcement(tokens_for("请{ticket}号到第{window}窗口", "A1", "3"))
    assert err.value.token == "第"
    assert str(DEFAULT_CLIP_DIR) in err.value.message
    assert isinstance(err.value, VoiceError)


def test_clip_in_another_format_is_refused_naming_the_file(hall_dir: Path) -> None:
    write_wav(hall_dir / "hao.wav", rate=44100)
    with pytest.raises(ClipFormatMismatch) as err:
        render_announcement(tokens_for(DEFAULT_TEMPLATE, "A1", "1"), hall_dir)
    assert err.value.path == hall_dir / "hao.wav"
    assert (
        "hao.wav" in err.value.message and "44100 Hz" in err.value.message and "22050 Hz" in err.value.message
    )


def test_stereo_clip_among_mono_ones_is_refused(hall_dir: Path) -> None:
    write_wav(hall_dir / "qing.wav", channels=2)
    with pytest.raises(ClipFormatMismatch, match="立体声"):
        ClipVoice(hall_dir).prepare("A1", "1")


def test_a_whole_folder_in_another_format_is_fine(tmp_path: Path) -> None:
    table = json.loads((DEFAULT_CLIP_DIR / "manifest.json").read_text(encoding="utf-8"))
    for name in table["clips"].values():
        write_wav(tmp_path / name, rate=44100, channels=2, frames=10)
    params, _ = frames_of(ClipVoice(tmp_path).prepare("A1", "1").wav)
    assert (params.nchannels, params.framerate) == (2, 44100)


def test_a_file_that_is_not_a_wav_is_named(hall_dir: Path) -> None:
    (hall_dir / "dao.wav").write_bytes(b"ID3 not a wav")
    with pytest.raises(ClipUnreadable, match="dao.wav"):
        ClipVoice(hall_dir).prepare("A1", "1")


def test_missing_folder_and_broken_manifest_are_reported(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="不存在"):
        ClipSet(tmp_path / "nowhere")
    (tmp_path / "manifest.json").write_text('{"clips": {"请": "../qing.wav"}}', encoding="utf-8")
    with pytest.raises(VoiceError, match="manifest.json"):
        ClipSet(tmp_path)


# -- speech backend (text only) ------------------------------------------------------------------------


def test_speech_voice_spells_the_call_for_an_engine() -> None:
    announcement = SpeechVoice().prepare("A003", "12")
    assert announcement.wav == b""
    assert announcement.text == "请A003号到12号窗口办理"
    once = "请 A 零 零 三 号 到 一 二 号窗口办理"
    assert announcement.text_for_speech == f"{once}。{once}"
    assert isinstance(SpeechVoice(), VoiceBackend)


# -- the command-line helper ----------------------------------------------------------------------------


def test_render_command_writes_the_announcement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "call.wav"
    assert voice_main(["render", "A003", "12", "-o", str(out)]) == 0
    assert out.read_bytes() == ClipVoice().prepare("A003", "12").wav


def test_check_command_reports_a_missing_clip(hall_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (hall_dir / "letter-z.wav").unlink()
    assert voice_main(["--clip-dir", str(hall_dir), "check"]) == 1
    assert "“Z”" in capsys.readouterr().err
