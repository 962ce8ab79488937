"""Sign-in first: the window appears before the store is open; the password check waits for it."""

from __future__ import annotations

import threading
from typing import Any

from pytestqt.qtbot import QtBot

from hallclient.services.errors import ServiceError
from hallclient.ui.signin import show_sign_in
from hallclient.wiring import Wiring
from tests.ui.helpers import PASSWORD, STAFF_NO, drain


def test_the_sign_in_window_is_up_before_the_store_is_open(qtbot: QtBot, wiring: Wiring) -> None:
    release = threading.Event()
    opened: list[str] = []

    def open_services() -> Wiring:
        release.wait(10)  # a slow disk, a migration: the clerk is already typing
        opened.append("store")
        return wiring

    _app, runner, dialog, services = show_sign_in(open_services, "示例大厅", "1", "pc")
    try:
        assert dialog.isVisible() and not services.done() and opened == []
        dialog.staff_no.setText(STAFF_NO)
        dialog.password.setText(PASSWORD)
        dialog.submit()  # waits on a worker thread, not on the GUI thread
        qtbot.wait(50)
        assert dialog.session is None and dialog.isVisible()
        with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signed:
            release.set()
        assert signed.args[0].staff_no == STAFF_NO
        assert services.result() is wiring
    finally:
        release.set()
        dialog.close()
        drain(qtbot, runner)


def test_a_store_that_cannot_open_is_told_in_the_sign_in_window(qtbot: QtBot) -> None:
    def open_services() -> Any:
        raise ServiceError("数据库无法打开：磁盘已满")

    _app, runner, dialog, services = show_sign_in(open_services, "示例大厅", "1", "pc")
    try:
        qtbot.waitUntil(services.done, timeout=5000)
        dialog.staff_no.setText(STAFF_NO)
        dialog.password.setText(PASSWORD)
        dialog.submit()
        qtbot.waitUntil(lambda: "磁盘已满" in dialog.message.text(), timeout=5000)
        assert dialog.session is None
    finally:
        dialog.close()
        drain(qtbot, runner)
