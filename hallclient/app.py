"""Composition root for the Qt faces: builds the application, the lanes and the windows."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import sys
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

import devices
from hallclient.config import Config
from hallclient.domain.queue import business_date
from hallclient.services.auth import ClerkSession
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen
from hallclient.ui.login_dialog import LoginDialog
from hallclient.ui.style import STYLESHEET, install_fonts
from hallclient.ui.threads import BackgroundRunner
from hallclient.ui.workers import DeviceWorker, Lane, SyncWorker
from hallclient.wiring import Wiring

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


def reader_factory(cfg: Config) -> Any:
    options: dict[str, Any] = {}
    if cfg.devices.card_reader_port:
        options["port"] = cfg.devices.card_reader_port
    return lambda: devices.create(devices.CARD_READER, cfg.devices.card_reader, **options)


@dataclass
class Workstation:
    """One signed-in clerk's running faces and lanes; ``shutdown`` stops everything in order."""

    wiring: Wiring
    session: ClerkSession
    runner: BackgroundRunner
    window: ClerkWindow
    customer: CustomerScreen
    device_lane: Lane
    sync_lane: Lane | None

    def shutdown(self) -> None:
        log.info("shutting down workstation")
        if self.sync_lane is not None:
            self.sync_lane.stop("stop")
        self.device_lane.stop("close")
        self.runner.wait(10_000)


def open_workstation(
    wiring: Wiring, session: ClerkSession, runner: BackgroundRunner, *, sync: bool = True
) -> Workstation:
    cfg = wiring.config
    customer = CustomerScreen(wiring.hall.name)
    window = ClerkWindow(wiring, session, runner, customer)
    tz = wiring.hall.timezone
    worker = DeviceWorker(reader_factory(cfg), lambda: business_date(dt.datetime.now(dt.UTC), tz))
    device_lane = Lane("device", worker)
    worker.card_checked.connect(window.on_card_checked)
    worker.state_changed.connect(window.on_reader_state)
    window.card_read_requested.connect(worker.read_once)
    device_lane.start(worker.open)
    sync_lane = None
    if sync:
        sync_worker = SyncWorker(wiring.sync_engine(), cfg.platform.sync_interval_s)
        sync_lane = Lane("sync", sync_worker)
        sync_worker.status_changed.connect(window.on_sync_status)
        window.sync_requested.connect(sync_worker.sync_now)
        sync_lane.start(sync_worker.start)
    place_customer_screen(customer)
    return Workstation(wiring, session, runner, window, customer, device_lane, sync_lane)


def place_customer_screen(customer: CustomerScreen) -> None:
    """On the second monitor when there is one (the counter's customer-facing screen)."""
    screens = QApplication.screens()
    if len(screens) > 1:
        geo = screens[1].geometry()
        customer.move(geo.topLeft())
        customer.showFullScreen()
    else:
        customer.show()


def run_gui(wiring: Wiring) -> int:
    app = make_qapp()
    runner = BackgroundRunner()
    dialog = LoginDialog(
        wiring.auth, runner, wiring.hall.name, wiring.config.window.number, socket.gethostname()
    )
    if dialog.exec() != LoginDialog.DialogCode.Accepted or dialog.session is None:
        return 1
    station = open_workstation(wiring, dialog.session, runner)
    station.window.show()
    try:
        return app.exec()
    finally:
        station.shutdown()
