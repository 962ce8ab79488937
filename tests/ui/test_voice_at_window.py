"""[voice] at_window: a station without a board speaks its own calls, and again on a recall."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from hallclient.app import announce_at_window
from hallclient.config import VoiceSection
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.voice import start_voice_lane
from tests.fakes.audio import FakePlayer
from tests.ui.helpers import call, issue


def test_the_window_announces_its_call_and_its_recall(qtbot: QtBot, window: ClerkWindow, wiring) -> None:
    players: list[FakePlayer] = []

    def make_player() -> FakePlayer:
        players.append(FakePlayer(auto_finish=True))
        return players[-1]

    voice = start_voice_lane(VoiceSection(repeat=1), player_factory=make_player)
    assert voice is not None
    heard: list[tuple[str, str]] = []
    voice.announcer.announcement_finished.connect(lambda a: heard.append((a.ticket, a.window)))
    try:
        announce_at_window(window, voice, window.session.window_no)
        issue(wiring, 1)
        ticket = call(qtbot, window)
        qtbot.waitUntil(lambda: len(heard) == 1, timeout=5000)
        window.queue_ops.recall()  # F3 重呼
        qtbot.waitUntil(lambda: len(heard) == 2, timeout=5000)
    finally:
        voice.stop()
    assert heard == [(ticket.number, "1"), (ticket.number, "1")]
    assert players[0].overlaps == 0
