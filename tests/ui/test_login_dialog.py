"""The sign-in dialog over the real AuthService (scrypt, lockout) on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hallclient.services.auth import AuthService, ClerkSession
from hallclient.ui.login_dialog import LoginDialog
from hallclient.ui.threads import BackgroundRunner
from hallclient.wiring import Wiring
from tests.ui.helpers import CLERK_NAME, PASSWORD, STAFF_NO, dispose, drain


class SpyAuth:
    """The real AuthService, counting the login attempts that reach it."""

    def __init__(self, real: AuthService) -> None:
        self._real = real
        self.logins = 0

    def login(self, *args: Any, **kwargs: Any) -> ClerkSession:
        self.logins += 1
        return self._real.login(*args, **kwargs)


@pytest.fixture
def auth(wiring: Wiring) -> SpyAuth:
    return SpyAuth(wiring.auth)


@pytest.fixture
def dialog(qtbot: QtBot, wiring: Wiring, runner: BackgroundRunner, auth: SpyAuth) -> Iterator[LoginDialog]:
    d = LoginDialog(auth, runner, wiring.hall.name, "1", "test-pc")  # type: ignore[arg-type]
    d.show()
    yield d
    drain(qtbot, runner)
    dispose(d)


def attempt(qtbot: QtBot, dialog: LoginDialog, password: str, staff_no: str = STAFF_NO) -> str:
    """Type and click 登录 as a clerk would; returns the message once the check has come back."""
    dialog.staff_no.setText(staff_no)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.ok.isEnabled()  # no second click while the check runs
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=5000)
    return dialog.message.text()


def test_wrong_password_says_how_many_tries_are_left(
    qtbot: QtBot, dialog: LoginDialog, auth: SpyAuth
) -> None:
    assert attempt(qtbot, dialog, "not-the-password") == "工号或密码错误，还可尝试4次"
    assert attempt(qtbot, dialog, "still-not-it") == "工号或密码错误，还可尝试3次"
    assert dialog.password.text() == ""  # cleared for the next try
    assert dialog.isVisible()
    assert auth.logins == 2


def test_unknown_staff_number_gets_the_same_words_as_a_wrong_password(
    qtbot: QtBot, dialog: LoginDialog
) -> None:
    assert attempt(qtbot, dialog, PASSWORD, staff_no="9999") == "工号或密码错误"


def test_five_wrong_passwords_lock_the_account(qtbot: QtBot, dialog: LoginDialog) -> None:
    for left in (4, 3, 2, 1):
        assert attempt(qtbot, dialog, f"wrong-{left}") == f"工号或密码错误，还可尝试{left}次"
    assert attempt(qtbot, dialog, "wrong-5") == "连续输错密码5次，账号已锁定15分钟"
    # Locked: even the right password is refused now.
    locked = attempt(qtbot, dialog, PASSWORD)
    assert locked.startswith("连续输错密码次数过多，账号已锁定至")
    assert "联系大厅管理员" in locked


def test_right_password_emits_signed_in_with_the_session(qtbot: QtBot, dialog: LoginDialog) -> None:
    dialog.staff_no.setText(STAFF_NO)
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=5000) as blocker:
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    session = blocker.args[0]
    assert isinstance(session, ClerkSession)
    assert (session.staff_no, session.name, session.window_no) == (STAFF_NO, CLERK_NAME, "1")
    assert dialog.session == session
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    assert dialog.password.text() == ""  # the password does not linger in the widget


@pytest.mark.parametrize(
    ("staff_no", "password"), [("", ""), (STAFF_NO, ""), ("", PASSWORD), ("   ", PASSWORD)]
)
def test_empty_fields_are_refused_without_asking_the_service(
    qtbot: QtBot,
    dialog: LoginDialog,
    runner: BackgroundRunner,
    auth: SpyAuth,
    staff_no: str,
    password: str,
) -> None:
    dialog.staff_no.setText(staff_no)
    dialog.password.setText(password)
    with qtbot.assertNotEmitted(dialog.signed_in):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "请输入工号和密码"
    assert dialog.ok.isEnabled()
    drain(qtbot, runner)
    assert auth.logins == 0
