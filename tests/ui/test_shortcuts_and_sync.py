"""Keyboard shortcuts of the clerk window, and the sync indicator in its status bar."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hallclient.services.auth import ClerkSession
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.wiring import Wiring
from tests.ui.helpers import issue, succeeds


def activate(qtbot: QtBot, window: ClerkWindow) -> None:
    """Window shortcuts fire only in the active window (Qt.WindowShortcut)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def test_f1_calls_next_and_f4_finishes(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    first, second = issue(wiring, 2)
    activate(qtbot, window)
    with succeeds(qtbot, window.ticket_called, window.operation_failed) as called:
        qtbot.keyClick(window, Qt.Key.Key_F1)
    assert called.args[0].number == first
    assert window.queue_panel.ticket.text() == first

    with succeeds(qtbot, window.service_finished, window.operation_failed) as finished:
        qtbot.keyClick(window, Qt.Key.Key_F4)
    assert finished.args[0].number == first
    assert window.queue_panel.ticket.text() == "—"

    with succeeds(qtbot, window.ticket_called, window.operation_failed) as called:
        qtbot.keyClick(window, Qt.Key.Key_F1)
    assert called.args[0].number == second


def test_shortcuts_work_with_the_focus_in_a_text_field(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    issue(wiring, 1)
    activate(qtbot, window)
    window.case_panel.search.setFocus()
    with succeeds(qtbot, window.ticket_called, window.operation_failed):
        qtbot.keyClick(window.case_panel.search, Qt.Key.Key_F1)


def test_f1_while_serving_is_refused_in_the_status_bar(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    (first, _second) = issue(wiring, 2)
    activate(qtbot, window)
    with succeeds(qtbot, window.ticket_called, window.operation_failed):
        qtbot.keyClick(window, Qt.Key.Key_F1)
    with qtbot.waitSignal(window.operation_failed, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_F1)
    assert f"当前号码 {first} 尚未办结" in window.message_label.text()


def test_offline_status_shows_offline_and_the_pending_count(
    wiring: Wiring, session: ClerkSession, window: ClerkWindow
) -> None:
    # Two records waiting to be reported, then a real sync round against a platform that is not there.
    started = wiring.clock.now()
    wiring.reviews.submit(session, "service-1", 5, [], "", started)
    wiring.reviews.submit(session, "service-2", 4, [], "", started)
    engine = wiring.sync_engine()
    report = engine.run_once()
    assert report.online is False
    status = engine.status()

    window.on_sync_status(status)
    assert "离线" in window.sync_label.text()
    assert "联网后自动上报" in window.sync_label.text()
    assert window.pending_label.text().startswith("待上报：2 条")
    assert "最早" in window.pending_label.text()


def test_online_status_clears_the_offline_warning(wiring: Wiring, window: ClerkWindow) -> None:
    engine = wiring.sync_engine()
    engine.run_once()
    offline = engine.status()
    window.on_sync_status(offline)
    assert "离线" in window.sync_label.text()
    # What the engine reports once the platform answers again.
    online = replace(
        offline, online=True, offline_since=None, pending=0, oldest_pending_at=None, last_error=""
    )
    window.on_sync_status(online)
    assert window.sync_label.text() == "● 平台在线"
    assert window.pending_label.text().startswith("待上报：0 条")
