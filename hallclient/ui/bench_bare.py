"""The child processes that `hallclient bench start` times (DESIGN.md §9).

``python -m hallclient.ui.bench_bare`` is the yardstick: a bare PySide6 window, nothing of ours
imported. ``clerk_window_child`` does what `hallclient` does: prints LOGIN once the sign-in window is
painted, READY once the clerk window is (after the store opened in the background and the password
check that a person's typing would hide).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QLabel


def clerk_window_child(open_services: Callable[[], Any], staff_no: str, password: str) -> None:
    from hallclient.ui.signin import show_sign_in

    app, runner, dialog, services = show_sign_in(open_services, "bench", "1", "bench")
    print("LOGIN", flush=True)
    loop = QEventLoop()
    dialog.signed_in.connect(lambda _s: loop.quit())
    dialog.staff_no.setText(staff_no)
    dialog.password.setText(password)
    dialog.submit()
    loop.exec()
    dialog.close()
    wiring = services.result()
    from hallclient.ui.clerk_window import ClerkWindow
    from hallclient.ui.customer_screen import CustomerScreen

    window = ClerkWindow(wiring, dialog.session, runner, CustomerScreen(wiring.hall.name))
    window.show()
    app.processEvents()
    print("READY", flush=True)
    runner.wait()
    wiring.close()


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    label = QLabel("hello")
    label.show()
    app.processEvents()
    print("READY", flush=True)
