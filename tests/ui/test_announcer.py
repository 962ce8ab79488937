"""The announcement queue: in order, never overlapping, recall replays, a missing device is reported.

The voice is the real one (shipped clips); the player is a fake that plays nothing and finishes when told,
so every step is observable. Real playback into a PulseAudio null sink is in tests/integration/voice.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtMultimedia import QAudioDevice

from devices.voice import DEFAULT_CLIP_DIR, Announcement, ClipVoice
from hallclient.config import VoiceSection
from hallclient.ui.voice import NO_AUDIO_MESSAGE, Announcer, QtAudioPlayer, start_voice_lane
from tests.fakes.audio import FakePlayer


class Log:
    """What the announcer said, in order: ("started", "A001"), ("finished", "A001"), ("dropped", …), …"""

    def __init__(self, announcer: Announcer) -> None:
        self.events: list[tuple[str, str]] = []
        self.announcements: list[Announcement] = []
        announcer.announcement_started.connect(lambda a: self._add("started", a))
        announcer.announcement_finished.connect(lambda a: self._add("finished", a))
        announcer.announcement_dropped.connect(lambda a: self._add("dropped", a))
        announcer.audio_unavailable.connect(lambda m: self.events.append(("no_audio", m)))
        announcer.voice_failed.connect(lambda m: self.events.append(("failed", m)))

    def _add(self, kind: str, a: Announcement) -> None:
        self.events.append((kind, a.ticket))
        self.announcements.append(a)


@pytest.fixture
def player() -> FakePlayer:
    return FakePlayer()


@pytest.fixture
def announcer(player: FakePlayer) -> Iterator[Announcer]:
    a = Announcer(ClipVoice, lambda: player, max_queue=3)
    yield a
    a.stop()


@pytest.fixture
def log(announcer: Announcer) -> Log:
    return Log(announcer)


def test_calls_are_announced_in_the_order_they_came(
    announcer: Announcer, player: FakePlayer, log: Log
) -> None:
    for ticket, window in [("A001", "1"), ("B002", "2"), ("A003", "12")]:
        announcer.announce(ticket, window)
    for _ in range(3):
        player.finish()
    assert [a.ticket for a in player.played] == ["A001", "B002", "A003"]
    assert [a.text for a in player.played][2] == "请A003号到12号窗口办理"
    assert log.events == [
        ("started", "A001"),
        ("finished", "A001"),
        ("started", "B002"),
        ("finished", "B002"),
        ("started", "A003"),
        ("finished", "A003"),
    ]


def test_the_next_announcement_starts_only_after_the_current_one_finished(
    announcer: Announcer, player: FakePlayer, log: Log
) -> None:
    announcer.announce("A001", "1")
    announcer.announce("A002", "2")
    assert [a.ticket for a in player.played] == ["A001"]
    assert announcer.playing is not None and announcer.playing.ticket == "A001"
    assert [a.ticket for a in announcer.waiting] == ["A002"]
    player.finish()
    assert [a.ticket for a in player.played] == ["A001", "A002"]
    assert log.events[1:3] == [("finished", "A001"), ("started", "A002")]
    assert player.overlaps == 0


def test_a_recall_replays_the_same_announcement(announcer: Announcer, player: FakePlayer) -> None:
    announcer.announce("A003", "12")
    player.finish()
    announcer.recall("A003", "12")
    player.finish()
    first, again = player.played
    assert again == first  # same text, tokens and audio, byte for byte
    assert again.wav == first.wav and again.wav


def test_a_recall_while_the_call_is_still_waiting_is_not_queued_twice(
    announcer: Announcer, player: FakePlayer
) -> None:
    announcer.announce("A001", "1")
    announcer.announce("A002", "2")
    announcer.recall("A002", "2")
    assert [a.ticket for a in announcer.waiting] == ["A002"]
    announcer.recall("A001", "1")  # the one playing now: heard again after what is waiting
    assert [a.ticket for a in announcer.waiting] == ["A002", "A001"]


def test_a_full_queue_drops_the_oldest_waiting_call_with_a_log_line(
    announcer: Announcer, player: FakePlayer, log: Log, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hallclient.ui.voice")
    for n in range(1, 6):  # one playing + max_queue (3) waiting; the 5th pushes out the oldest waiting
        announcer.announce(f"A00{n}", str(n))
    assert [a.ticket for a in announcer.waiting] == ["A003", "A004", "A005"]
    assert ("dropped", "A002") in log.events
    assert "dropped call A002 at window 2" in caplog.text
    while player.current is not None:
        player.finish()
    assert [a.ticket for a in player.played] == ["A001", "A003", "A004", "A005"]


def test_no_audio_device_is_reported_once_and_nothing_breaks() -> None:
    player = FakePlayer(available=False)
    a = Announcer(ClipVoice, lambda: player)
    log = Log(a)
    a.start()
    assert log.events == [("no_audio", NO_AUDIO_MESSAGE)]
    a.announce("A001", "1")
    a.announce("A002", "1")
    assert log.events[1:] == [("dropped", "A001"), ("dropped", "A002")]  # reported once, not per call
    player.available = True  # speakers plugged in: the next call is heard
    a.announce("A003", "1")
    assert log.events[-1] == ("started", "A003")
    a.stop()


def test_the_qt_player_reports_a_machine_without_audio_device() -> None:
    a = Announcer(ClipVoice, lambda: QtAudioPlayer(device=QAudioDevice))  # QAudioDevice(): the null device
    log = Log(a)
    a.start()
    a.announce("A001", "1")
    assert log.events == [("no_audio", "未检测到音频设备，叫号语音不可用"), ("dropped", "A001")]
    a.stop()


def test_a_missing_clip_is_reported_naming_it_and_the_queue_goes_on(
    tmp_path: Path, player: FakePlayer
) -> None:
    folder = tmp_path / "hall-voice"
    shutil.copytree(DEFAULT_CLIP_DIR, folder)
    (folder / "digit-7.wav").unlink()
    a = Announcer(lambda: ClipVoice(folder), lambda: player)
    log = Log(a)
    a.start()  # found at start-up already
    a.announce("A007", "1")
    a.announce("A001", "1")
    failures = [m for kind, m in log.events if kind == "failed"]
    assert len(failures) == 2 and all("“七”" in m and str(folder) in m for m in failures)
    assert [x.ticket for x in player.played] == ["A001"]
    a.stop()


def test_a_playback_failure_is_reported_and_the_next_call_plays(
    announcer: Announcer, player: FakePlayer, log: Log
) -> None:
    announcer.announce("A001", "1")
    announcer.announce("A002", "1")
    announcer.announce("A003", "1")
    player.finish(ok=False, message="叫号语音播放中断")  # A001 broke off: reported, A002 starts
    assert ("failed", "叫号语音播放中断") in log.events
    assert log.events[-1] == ("started", "A002")
    player.fail_next = "音频设备不支持"
    player.finish()  # A003 cannot start: reported and dropped, the queue goes on
    assert ("failed", "音频设备不支持") in log.events and ("dropped", "A003") in log.events
    announcer.announce("A004", "1")
    assert [a.ticket for a in player.played] == ["A001", "A002", "A004"]


def test_after_stop_nothing_more_is_played(announcer: Announcer, player: FakePlayer) -> None:
    announcer.announce("A001", "1")
    announcer.announce("A002", "1")
    announcer.stop()
    announcer.announce("A003", "1")
    assert announcer.waiting == () and announcer.playing is None
    assert [a.ticket for a in player.played] == ["A001"]


def test_the_voice_lane_plays_on_its_own_thread_in_order(qtbot) -> None:
    players: list[FakePlayer] = []

    def make_player() -> FakePlayer:
        players.append(FakePlayer(auto_finish=True))
        return players[-1]

    voice = start_voice_lane(VoiceSection(repeat=1), player_factory=make_player)
    assert voice is not None
    finished: list[str] = []
    voice.announcer.announcement_finished.connect(lambda a: finished.append(a.ticket))
    try:
        for ticket in ("A001", "A002", "A003"):
            voice.announcer.announce(ticket, "5")  # from the GUI thread
        qtbot.waitUntil(lambda: len(finished) == 3, timeout=5000)
    finally:
        voice.stop()
    (player,) = players
    assert finished == ["A001", "A002", "A003"]
    assert player.overlaps == 0
    assert player.threads == {voice.lane.thread}
    assert not voice.lane.thread.isRunning()


def test_a_disabled_voice_has_no_lane() -> None:
    assert start_voice_lane(VoiceSection(enabled=False)) is None
