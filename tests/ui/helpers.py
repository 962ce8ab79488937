"""Shared helpers of the UI tier: constants, waiting, tidying up, and the steps many tests take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, SignalInstance
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton, QWidget
from pytestqt.qtbot import QtBot

from hallclient.domain.catalogue import Item, Necessity
from hallclient.domain.queue import Ticket
from hallclient.services.applicants import ApplicantCheck, check_card
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.threads import BackgroundRunner
from hallclient.wiring import Wiring

PASSWORD = "Window@2026pass"
STAFF_NO = "1001"
CLERK_NAME = "张敏"
# Published sample number (GB 11643 check digit X); what the simulated reader's first card carries.
SAMPLE_ID = "11010519491231002X"
SAMPLE_ID_MASKED = "1101**********002X"


def drain(qtbot: QtBot, runner: BackgroundRunner) -> None:
    """Every background task finished and its callback run on the GUI thread."""
    assert runner.wait(10_000), "background tasks still running after 10 s"
    qtbot.waitUntil(lambda: runner.active == 0, timeout=5000)


def dispose(*widgets: QWidget) -> None:
    """Close and delete now, so no timer of theirs (review timeout, thanks page) outlives the test."""
    for w in widgets:
        w.close()
        w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def notice_item(items: list[Item]) -> tuple[Item, str]:
    """An item and one of its required, non-deferrable materials: missing it means 一次性告知."""
    for item in items:
        for m in item.materials:
            if m.necessity is Necessity.REQUIRED and not m.deferrable:
                return item, m.name
    raise AssertionError("the shipped catalogue has no item with a required, non-deferrable material")


def issue(wiring: Wiring, n: int = 1, code: str = "general") -> list[str]:
    return [wiring.queue.issue_ticket(code).number for _ in range(n)]


class Awaited:
    """What ``succeeds`` caught: ``args`` of the awaited signal."""

    args: tuple[Any, ...] = ()


@contextmanager
def succeeds(
    qtbot: QtBot, signal: SignalInstance, failed: SignalInstance, timeout: int = 10_000
) -> Iterator[Awaited]:
    """Like ``qtbot.waitSignal(signal)``, but a ``failed`` emission (operation_failed) ends the wait at once
    and fails the test with the Chinese message the clerk would have seen."""
    got = Awaited()
    fired: list[tuple[Any, ...]] = []
    errors: list[str] = []

    def on_signal(*args: Any) -> None:
        fired.append(args)

    def on_failed(message: str) -> None:
        errors.append(message)

    signal.connect(on_signal)
    failed.connect(on_failed)
    try:
        yield got
        qtbot.waitUntil(lambda: bool(fired or errors), timeout=timeout)
    finally:
        signal.disconnect(on_signal)
        failed.disconnect(on_failed)
    assert not errors, f"operation failed: {errors[0]}"
    got.args = fired[0]


TODAY = dt.date(2026, 3, 2)


def call(qtbot: QtBot, window: ClerkWindow) -> Ticket:
    with succeeds(qtbot, window.ticket_called, window.operation_failed) as blocker:
        qtbot.mouseClick(window.queue_panel.call_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def card_check(id_number: str = SAMPLE_ID) -> ApplicantCheck:
    return check_card(
        name="韩梅梅",
        id_number=id_number,
        card_type="resident",
        birth=dt.date(1949, 12, 31),
        valid_to=None,
        long_term=True,
        sex="女",
        today=TODAY,
    )


def check_box_target(box: QCheckBox) -> QPoint:
    """Where a finger lands on a check box: its label (the widget is wider than what reacts to a click)."""
    opt = QStyleOptionButton()
    box.initStyleOption(opt)
    return box.style().subElementRect(QStyle.SubElement.SE_CheckBoxClickRect, opt, box).center()
