"""Announcements played for real: Announcer + QtAudioPlayer (QtMultimedia) into a PulseAudio null sink,
recorded from its monitor with parecord, measured with the ``wave`` module.

The player runs in a process of its own (play_announcement.py) pointed at the test's server; the expected
figures come from rendering the same calls with devices.voice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.voice import ClipVoice
from hallclient.ui.voice import NO_AUDIO_MESSAGE
from tests.integration.voice.pulse_rig import (
    PulseServer,
    Recording,
    loud_time,
    play,
    pulse_env,
    span,
)

TOLERANCE_S = 0.25  # recorded vs rendered length: 10 ms windows, resampling edges, stream start-up
SHORT = ("--template", "{ticket}", "--repeat", "1")  # chime + the ticket: ~2 s, where length does not matter


def events(report: dict[str, object]) -> list[tuple[str, str]]:
    return [(e["event"], e.get("ticket") or e.get("message", "")) for e in report["events"]]  # type: ignore[union-attr, index]


def test_an_announcement_is_recorded_at_its_full_length_and_is_not_silent(
    pulse: PulseServer, tmp_path: Path
) -> None:
    expected = span(ClipVoice().prepare("A003", "12").wav)  # chime + call + pause + call: about 10 s
    recording = Recording(pulse, tmp_path / "rec.wav")
    report = play(["A003:12"], pulse.env)
    heard = span(recording.stop())
    assert events(report) == [("started", "A003"), ("finished", "A003")], report["stderr"]
    assert heard.length_s == pytest.approx(expected.length_s, abs=TOLERANCE_S)
    assert heard.rms > 0.05  # speech at -3 dBFS peak; silence would be 0
    assert heard.rms == pytest.approx(expected.rms, rel=0.25)  # volume 1.0: as loud as rendered


def test_queued_announcements_are_played_one_after_the_other(pulse: PulseServer, tmp_path: Path) -> None:
    voice = ClipVoice(template="{ticket}", repeat=1)
    first, second = voice.prepare("A003", "12").wav, voice.prepare("B1", "2").wav
    recording = Recording(pulse, tmp_path / "rec.wav")
    report = play(["A003:12", "B1:2"], pulse.env, *SHORT)
    heard = recording.stop()
    assert events(report) == [
        ("started", "A003"),
        ("finished", "A003"),
        ("started", "B1"),
        ("finished", "B1"),
    ], report["stderr"]
    # All of both is heard, and at no moment both at once: overlapping, they would sound for less time
    # than the two together, and the whole would be shorter than the two lengths added up.
    assert loud_time(heard) == pytest.approx(loud_time(first) + loud_time(second), abs=TOLERANCE_S)
    assert span(heard).length_s >= span(first).length_s + span(second).length_s - TOLERANCE_S


def test_the_volume_setting_makes_announcements_quieter(pulse: PulseServer, tmp_path: Path) -> None:
    expected = span(ClipVoice(template="{ticket}", repeat=1).prepare("B1", "2").wav)
    recording = Recording(pulse, tmp_path / "rec.wav")
    play(["B1:2"], pulse.env, *SHORT, "--volume", "0.25")
    heard = span(recording.stop())
    assert heard.rms / expected.rms == pytest.approx(0.25, rel=0.25)


def test_a_stalled_audio_device_does_not_block_the_queue(pulse: PulseServer) -> None:
    pulse.pactl("suspend-sink", "hc_null", "1")  # the device takes no more audio
    try:
        report = play(["B1:2", "B2:2"], pulse.env, *SHORT, "--slack-ms", "500")
    finally:
        pulse.pactl("suspend-sink", "hc_null", "0")
    assert [e for e in events(report) if e[0] != "failed"] == [
        ("started", "B1"),
        ("finished", "B1"),
        ("started", "B2"),
        ("finished", "B2"),
    ]
    assert ("failed", "叫号语音播放超时，请检查音箱或耳机") in events(report)


def test_no_audio_server_is_reported_and_not_fatal(tmp_path: Path) -> None:
    env = pulse_env(tmp_path)  # a server address where nothing listens
    report = play(["A001:1"], env)
    assert events(report) == [("no_audio", NO_AUDIO_MESSAGE), ("dropped", "A001")]
