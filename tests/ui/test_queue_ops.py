"""The queue operations panel of the clerk window: every operation by its keyboard shortcut."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from hallclient.domain.queue import TicketStatus
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.queue_ops import PAUSE_REASONS, SHORTCUTS
from hallclient.wiring import Wiring
from tests.ui.helpers import issue, succeeds
from tests.ui.test_shortcuts_and_sync import activate


def _call(qtbot: QtBot, window: ClerkWindow) -> str:
    with succeeds(qtbot, window.ticket_called, window.operation_failed) as called:
        qtbot.keyClick(window, Qt.Key.Key_F1)
    return called.args[0].number


# Menus pop up on the offscreen platform with two warnings about what it cannot do; harmless there.
menus = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")


def _choose(qtbot: QtBot, menu: QMenu, index: int) -> None:
    """Arrow keys and Enter in an open menu, as the clerk does after the shortcut."""
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    for _ in range(index + 1):
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    qtbot.keyClick(menu, Qt.Key.Key_Return)


def _settled(qtbot: QtBot, window: ClerkWindow) -> None:
    """The panel's own refresh (state, call-back list, figures) has come back."""
    qtbot.waitUntil(lambda: window.queue_ops.bar.figures.text() != "今日本窗口：—", timeout=5000)


def test_every_queue_operation_has_a_shortcut_on_the_window(window: ClerkWindow) -> None:
    keys = {s.key().toString() for s in window.findChildren(QShortcut)}
    for key in (*SHORTCUTS.values(), "F1", "F4"):
        assert QKeySequence(key).toString() in keys, key
    assert len(set(SHORTCUTS.values())) == len(SHORTCUTS)


def test_f3_recalls_and_announces_again(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    issue(wiring, 1)
    activate(qtbot, window)
    number = _call(qtbot, window)
    with succeeds(qtbot, window.queue_ops.ticket_recalled, window.operation_failed) as recalled:
        qtbot.keyClick(window, Qt.Key.Key_F3)
    assert recalled.args[0].number == number and recalled.args[0].recalls == 1
    assert f"已重呼 {number}（第 1 次）" in window.message_label.text()


@menus
def test_f6_holds_then_f7_calls_it_back(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    first, second = issue(wiring, 2)
    activate(qtbot, window)
    assert _call(qtbot, window) == first
    ops = window.queue_ops
    with succeeds(qtbot, ops.ticket_released, window.operation_failed) as released:
        qtbot.keyClick(window, Qt.Key.Key_F6)
    assert released.args[0].status is TicketStatus.HELD
    assert window.ticket is None and window.queue_panel.ticket.text() == "—"
    qtbot.waitUntil(lambda: len(ops.bar.call_back_menu.actions()) == 1, timeout=5000)
    held = ops.bar.call_back_menu.actions()[0]
    assert held.text().startswith(f"{first}　挂起")
    assert _call(qtbot, window) == second  # the window went on
    with succeeds(qtbot, window.service_finished, window.operation_failed):
        qtbot.keyClick(window, Qt.Key.Key_F4)
    qtbot.keyClick(window, Qt.Key.Key_F7)  # opens the list of tickets to call back
    with succeeds(qtbot, window.ticket_called, window.operation_failed) as called:
        _choose(qtbot, ops.bar.call_back_menu, 0)
    assert called.args[0].number == first
    assert window.queue_panel.ticket.text() == first


@menus
def test_f5_marks_no_show_and_f8_transfers_to_the_chosen_target(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    first, second = issue(wiring, 2)
    activate(qtbot, window)
    _call(qtbot, window)
    ops = window.queue_ops
    with succeeds(qtbot, ops.ticket_released, window.operation_failed) as released:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert released.args[0].status is TicketStatus.NO_SHOW
    assert _call(qtbot, window) == second
    targets = [a.data() for a in ops.bar.transfer_menu.actions()]
    qtbot.keyClick(window, Qt.Key.Key_F8)  # opens the transfer targets
    with succeeds(qtbot, ops.ticket_released, window.operation_failed) as released:
        _choose(qtbot, ops.bar.transfer_menu, targets.index("window:4"))
    moved = released.args[0]
    assert (moved.number, moved.target_window_no, moved.status) == (second, "4", TicketStatus.WAITING)
    assert "已转至4号窗口" in window.message_label.text()


def test_ctrl_g_calls_a_number_typed_by_the_clerk(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    _first, second = issue(wiring, 2)
    activate(qtbot, window)
    window.queue_ops.bar.number.setText(second.lower())
    with succeeds(qtbot, window.ticket_called, window.operation_failed) as called:
        qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert called.args[0].number == second
    assert window.queue_ops.bar.number.text() == ""


@menus
def test_f12_pauses_and_a_paused_window_cannot_call(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow, tmp_path: Path
) -> None:
    issue(wiring, 1)
    activate(qtbot, window)
    ops = window.queue_ops
    qtbot.keyClick(window, Qt.Key.Key_F12)  # opens the reasons
    with succeeds(qtbot, ops.window_paused, window.operation_failed) as paused:
        _choose(qtbot, ops.bar.pause_menu, PAUSE_REASONS.index("午间休息"))
    assert paused.args[0] == "午间休息"
    assert ops.bar.state.text() == "已暂停：午间休息"
    assert ops.bar.pause_button.text() == "恢复服务 F12"
    assert not window.queue_panel.call_button.isEnabled()
    activate(qtbot, window)  # offscreen, focus does not come back by itself when a menu closes
    with qtbot.waitSignal(window.operation_failed, timeout=5000) as failed:
        qtbot.keyClick(window, Qt.Key.Key_F1)
    assert "本窗口已暂停服务（午间休息）" in failed.args[0]
    _settled(qtbot, window)
    window.grab().save(str(tmp_path / "clerk-paused.png"))
    with succeeds(qtbot, ops.window_resumed, window.operation_failed):
        qtbot.keyClick(window, Qt.Key.Key_F12)
    assert _call(qtbot, window).startswith("A")
