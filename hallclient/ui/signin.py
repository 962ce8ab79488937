"""Start-up: the QApplication, and the sign-in window shown before the store is open.

The clerk starts typing while the store, its migrations check and the services are built on a worker
thread; the password check waits for them there, never on the GUI thread. Only Qt, the style and the
login dialog are imported before the first window (DESIGN.md §9: start to a usable window).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from hallclient.services.auth import ClerkSession
from hallclient.ui.login_dialog import LoginDialog
from hallclient.ui.style import STYLESHEET, install_fonts
from hallclient.ui.threads import BackgroundRunner

log = logging.getLogger(__name__)
_QT_NOISE = ("This plugin does not support propagateSizeHints",)  # offscreen plugin, on every show()
_QT_LOG = logging.getLogger("qt")


def _qt_message(mode: QtMsgType, _context: Any, message: str) -> None:
    """Qt's own messages go to our log (with its redaction), not to stderr."""
    if any(message.startswith(n) for n in _QT_NOISE):
        return
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(mode, logging.ERROR)
    _QT_LOG.log(level, "%s", message)


def make_qapp(argv: list[str] | None = None) -> QApplication:
    if QApplication.instance() is None:
        qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("hallclient")
    app.setApplicationDisplayName("政务服务窗口工作台")
    install_fonts(app)
    app.setStyleSheet(STYLESHEET)
    return app


class PendingAuth:
    """Stands in for the AuthService until the services exist; ``login`` runs on a worker thread
    (the dialog's ``run_in_background``) and waits there for them."""

    def __init__(self, services: Future[Any]) -> None:
        self._services = services

    def login(self, *args: Any, **kwargs: Any) -> ClerkSession:
        session: ClerkSession = self._services.result().auth.login(*args, **kwargs)
        return session


def open_in_background(open_services: Callable[[], Any]) -> Future[Any]:
    """Run ``open_services`` on its own thread; its result (or its error, with a message for people)
    reaches whoever asks the future."""
    future: Future[Any] = Future()

    def work() -> None:
        try:
            future.set_result(open_services())
        except BaseException as exc:
            log.error("opening the store failed: %s", exc)
            future.set_exception(exc)

    threading.Thread(target=work, name="open-store", daemon=True).start()
    return future


def show_sign_in(
    open_services: Callable[[], Any], hall_name: str, window_no: str, host: str
) -> tuple[QApplication, BackgroundRunner, LoginDialog, Future[Any]]:
    """Paint the sign-in window first, then start opening the store (so its imports do not hold the
    GIL while the window is built)."""
    app = make_qapp()
    runner = BackgroundRunner()
    services: Future[Any] = Future()
    dialog = LoginDialog(PendingAuth(services), runner, hall_name, window_no, host)  # type: ignore[arg-type]
    dialog.show()
    app.processEvents()

    def start() -> None:
        opened = open_in_background(open_services)
        opened.add_done_callback(lambda f: _copy(f, services))

    QTimer.singleShot(0, start)
    return app, runner, dialog, services


def _copy(source: Future[Any], target: Future[Any]) -> None:
    exc = source.exception()
    if exc is not None:
        target.set_exception(exc)
    else:
        target.set_result(source.result())


def sign_in(
    open_services: Callable[[], Any], hall_name: str, window_no: str, host: str
) -> tuple[BackgroundRunner, ClerkSession | None, Future[Any]]:
    _app, runner, dialog, services = show_sign_in(open_services, hall_name, window_no, host)
    accepted = dialog.exec() == LoginDialog.DialogCode.Accepted
    return runner, dialog.session if accepted else None, services
