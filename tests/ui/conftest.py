"""UI tier fixtures: real services on a SQLite store in tmp_path, the real BackgroundRunner, offscreen Qt.

Teardown order matters: background callbacks still queued for the GUI thread must run before the
widgets they touch are deleted, so every fixture drains the runner (``wait`` for the pool, then
``active == 0`` for the queued callbacks) before closing windows, and widgets are deleted before
the next test starts (no stray timer of one test fires in another).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from hallclient.app import Workstation, open_workstation
from hallclient.config import Config
from hallclient.services.auth import ClerkSession
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen
from hallclient.ui.style import STYLESHEET, install_fonts
from hallclient.ui.threads import BackgroundRunner
from hallclient.wiring import Wiring, build
from tests.ui.helpers import CLERK_NAME, PASSWORD, STAFF_NO, dispose, drain


@pytest.fixture(scope="session", autouse=True)
def _fonts(qapp: QApplication) -> None:
    """The app's CJK font and stylesheet, as make_qapp installs them, so screenshots look real."""
    install_fonts(qapp)
    qapp.setStyleSheet(STYLESHEET)


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    # Port 9 (discard) on loopback: nothing listens, so a sync round fails fast and reports offline.
    return Config().with_overrides(
        {"store.url": f"sqlite:///{tmp_path}/t.db", "platform.url": "http://127.0.0.1:9"}
    )


@pytest.fixture
def wiring(cfg: Config) -> Iterator[Wiring]:
    w = build(cfg)
    w.auth.add_clerk(STAFF_NO, CLERK_NAME, PASSWORD, phone="029-88886666")
    yield w
    w.close()


@pytest.fixture
def runner(qtbot: QtBot, wiring: Wiring) -> Iterator[BackgroundRunner]:
    r = BackgroundRunner()
    yield r
    drain(qtbot, r)


@pytest.fixture
def session(wiring: Wiring) -> ClerkSession:
    return wiring.auth.login(STAFF_NO, PASSWORD, "1", "test-pc")


@pytest.fixture
def customer(wiring: Wiring) -> CustomerScreen:
    # Deleted by the ``window`` fixture (the clerk window closes it, as in the application).
    return CustomerScreen(wiring.hall.name)


@pytest.fixture
def window(
    qtbot: QtBot,
    wiring: Wiring,
    session: ClerkSession,
    runner: BackgroundRunner,
    customer: CustomerScreen,
) -> Iterator[ClerkWindow]:
    win = ClerkWindow(wiring, session, runner, customer)
    customer.show()
    win.show()
    drain(qtbot, runner)  # the initial queue snapshot
    yield win
    drain(qtbot, runner)
    dispose(win, customer)
    drain(qtbot, runner)


@pytest.fixture
def station(
    qtbot: QtBot,
    wiring: Wiring,
    session: ClerkSession,
    runner: BackgroundRunner,
) -> Iterator[Workstation]:
    """The application's own composition: a ClerkWindow whose card reads go to the real DeviceWorker
    on its own thread, over the simulated reader (config devices.card_reader = "simulated")."""
    st = open_workstation(wiring, session, runner, sync=False)
    st.window.show()
    qtbot.waitUntil(lambda: "读卡器就绪" in st.window.applicant_panel.reader_state.text(), timeout=5000)
    drain(qtbot, runner)
    yield st
    drain(qtbot, runner)
    st.device_lane.stop("close")
    drain(qtbot, runner)  # queued reader signals, if any
    dispose(st.window, st.customer)
    st.shutdown()  # the device lane is already down; this is the application's path, kept idempotent
