"""Screenshots of the clerk window mid-service and of the customer screen, for a person to look at.

Saved under tmp_path (asserted non-trivial) and copied to /tmp/ui-look/ for viewing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from hallclient.domain.cases import MaterialStatus
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen
from hallclient.ui.login_dialog import LoginDialog
from hallclient.ui.threads import BackgroundRunner
from hallclient.wiring import Wiring
from tests.ui.helpers import call, card_check, dispose, issue, notice_item

LOOK = Path("/tmp/ui-look")


def shoot(widget: QWidget, tmp_path: Path, name: str) -> Path:
    QApplication.processEvents()
    path = tmp_path / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    LOOK.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, LOOK / path.name)
    return path


def test_screenshots_of_the_clerk_window_and_the_customer_screen(
    qtbot: QtBot,
    tmp_path: Path,
    wiring: Wiring,
    window: ClerkWindow,
    customer: CustomerScreen,
    runner: BackgroundRunner,
) -> None:
    issue(wiring, 3)
    call(qtbot, window)
    window.on_card_checked(card_check())
    item, material = notice_item(list(wiring.catalogue.items))
    window.case_panel.search.setText(item.name[:4])
    qtbot.waitUntil(lambda: window.case_panel.results.count() > 0, timeout=3000)
    window.case_panel.choose_item(item.key)
    window.case_panel.set_status(material, MaterialStatus.MISSING)
    qtbot.waitUntil(lambda: window.queue_panel.waiting.text() == "本窗口可叫等候人数：2", timeout=3000)

    shots = [
        shoot(window, tmp_path, "clerk-window-checklist"),
        shoot(customer, tmp_path, "customer-serving"),
    ]
    customer.invite_review()
    shots.append(shoot(customer, tmp_path, "customer-levels"))
    customer.choose_level(1)
    customer.choose_reasons(["等候时间过长", "服务态度不好"], "希望增加周末窗口")
    shots.append(shoot(customer, tmp_path, "customer-bad-reasons"))
    customer.invite_review()  # back to the levels; no review is given in this test

    login = LoginDialog(wiring.auth, runner, wiring.hall.name, "1", "test-pc")
    try:
        login.show()
        login.staff_no.setText("1001")
        login.message.setText("工号或密码错误，还可尝试4次")
        shots.append(shoot(login, tmp_path, "login"))
    finally:
        dispose(login)

    for path in shots:
        assert path.stat().st_size > 10_000, f"{path.name} is only {path.stat().st_size} bytes"
    # Chinese renders as glyphs, not empty boxes: the CJK family the app installs is in use.
    assert window.font().family() in (
        "Noto Sans CJK SC",
        "WenQuanYi Micro Hei",
        "Microsoft YaHei",
        "PingFang SC",
    )
