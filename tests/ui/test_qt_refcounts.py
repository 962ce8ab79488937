"""Guard against the PySide6 release that dropped references to True/False/None (decisions.md §19):
a whole day at a window must not eat the interpreter's singletons."""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from hallclient.ui.clerk_window import ClerkWindow
from hallclient.wiring import Wiring
from tests.ui.helpers import call, issue


def _counts() -> tuple[int, int, int]:
    gc.collect()
    return sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)


def test_qt_calls_keep_the_singletons_references(qtbot: QtBot) -> None:
    box = QCheckBox("x")
    qtbot.addWidget(box)
    before = _counts()
    for _ in range(3000):
        box.setChecked(True)
        box.setChecked(False)
        box.isChecked()
    after = _counts()
    # 6.12.0 lost one reference per call here (and aborted the process long before 6,000)
    assert all(a - b > -100 for a, b in zip(after, before, strict=True)), (before, after)


def test_calling_and_finishing_tickets_does_not_eat_true(
    qtbot: QtBot, window: ClerkWindow, wiring: Wiring
) -> None:
    issue(wiring, 40)
    call(qtbot, window)  # warm-up: caches, first paint
    with qtbot.waitSignal(window.service_finished, timeout=10_000):
        window.finish()
    before = _counts()
    for _ in range(30):
        call(qtbot, window)
        with qtbot.waitSignal(window.service_finished, timeout=10_000):
            window.finish()
    after = _counts()
    # 6.12.0: about -12 on True per call-and-finish, i.e. -360 here
    assert after[0] - before[0] > -100, (before, after)
