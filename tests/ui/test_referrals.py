"""首问 in the clerk window: record with a channel and a referral, the recipient's inbox in the other
window (accept, reply), the first clerk sees the answer and closes; overdue rows stand out; receipt."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from hallclient.config import Config
from hallclient.domain.inquiries import InquiryAction, InquiryChannel, InquiryClassification
from hallclient.domain.outbox import RecordKind
from hallclient.services.auth import ClerkSession
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen
from hallclient.ui.referrals import OVERDUE_BRUSH
from hallclient.ui.threads import BackgroundRunner
from hallclient.wiring import Wiring, build
from tests.fakes.clock import FakeClock
from tests.ui.helpers import CLERK_NAME, PASSWORD, STAFF_NO, dispose, drain, succeeds

LOOK = Path("/tmp/ui-look")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture
def wiring(cfg: Config, clock: FakeClock) -> Iterator[Wiring]:
    w = build(cfg, clock)
    w.auth.add_clerk(STAFF_NO, CLERK_NAME, PASSWORD)
    w.auth.add_clerk("1002", "李华", PASSWORD)
    yield w
    w.close()


@pytest.fixture
def window2(qtbot: QtBot, wiring: Wiring, runner: BackgroundRunner) -> Iterator[ClerkWindow]:
    session = wiring.auth.login("1002", PASSWORD, "2", "pc-2")
    customer = CustomerScreen(wiring.hall.name)
    win = ClerkWindow(wiring, session, runner, customer)
    win.show()
    drain(qtbot, runner)
    yield win
    drain(qtbot, runner)
    dispose(win, customer)
    drain(qtbot, runner)


def refreshed(qtbot: QtBot, win: ClerkWindow):
    with qtbot.waitSignal(win.referrals.board_shown, timeout=5000) as shown:
        win.referrals.refresh()
    return shown.args[0]


def shoot(widget, name: str) -> None:
    QApplication.processEvents()
    LOOK.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(LOOK / f"{name}.png"))


def refer(qtbot: QtBot, window: ClerkWindow, *, due_hours: float = 2, receipt: bool = False) -> str:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # from anywhere: Ctrl+I
    assert window.inquiry_panel.question.hasFocus()
    window.inquiry_panel.set_values(
        "公积金提取需要哪些材料",
        InquiryClassification.OTHER_WINDOW,
        InquiryAction.REFERRED,
        referral="2",
        channel=InquiryChannel.PHONE,
        due_hours=due_hours,
    )
    window.inquiry_panel.receipt.setChecked(receipt)
    with succeeds(qtbot, window.inquiry_recorded, window.operation_failed) as recorded:
        qtbot.mouseClick(window.inquiry_panel.record_button, Qt.MouseButton.LeftButton)
    return recorded.args[0]


def test_referral_fields_are_only_open_for_a_referral(window: ClerkWindow) -> None:
    p = window.inquiry_panel
    p.set_values("x", InquiryClassification.OWN_DUTY, InquiryAction.ANSWERED)
    assert not p.referral.isEnabled() and not p.referred_staff.isEnabled() and not p.due_hours.isEnabled()
    p.set_values("x", InquiryClassification.OTHER_WINDOW, InquiryAction.REFERRED)
    assert p.referral.isEnabled() and p.referred_staff.isEnabled() and p.due_hours.isEnabled()
    assert [p.channel.itemText(i) for i in range(p.channel.count())] == ["窗口", "电话", "来信", "网络"]


def test_a_referral_travels_to_the_other_window_and_its_answer_back(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow, window2: ClerkWindow, session: ClerkSession
) -> None:
    inquiry_id = refer(qtbot, window)
    assert window.ticket is None  # without a ticket: a phone call
    assert "已登记" in window.inquiry_panel.result.text()

    board = refreshed(qtbot, window2)  # what the 5-second poll brings
    assert [r.id for r in board.incoming] == [inquiry_id]
    assert "待接收 1" in window2.work_tabs.tabText(window2.work_tabs.indexOf(window2.referrals))
    incoming = window2.referrals.incoming
    assert incoming.item(0, 3).text() == "公积金提取需要哪些材料"
    assert incoming.item(0, 2).text() == "电话" and "1号窗口 张敏" in incoming.item(0, 1).text()
    window2.work_tabs.setCurrentWidget(window2.referrals)
    shoot(window2, "referrals-recipient-inbox")

    incoming.selectRow(0)
    with succeeds(qtbot, window2.referrals.referral_changed, window2.referrals.operation_failed):
        qtbot.mouseClick(window2.referrals.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "办理中" in (incoming.item(0, 5).text() if incoming.rowCount() else ""), timeout=5000
    )
    incoming.selectRow(0)
    window2.referrals.reply_text.setText("已电话告知：身份证、公积金联名卡")
    with succeeds(qtbot, window2.referrals.referral_changed, window2.referrals.operation_failed):
        qtbot.mouseClick(window2.referrals.reply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: incoming.rowCount() == 0, timeout=5000)

    board = refreshed(qtbot, window)
    (mine,) = board.outgoing
    outgoing = window.referrals.outgoing
    assert outgoing.item(0, 4).text() == "已答复" and outgoing.item(0, 5).text() == mine.reply
    assert outgoing.item(0, 1).text() == "2号窗口"
    window.work_tabs.setCurrentWidget(window.referrals)
    shoot(window, "referrals-first-clerk-sees-the-answer")
    outgoing.selectRow(0)
    with succeeds(qtbot, window.referrals.referral_changed, window.referrals.operation_failed):
        qtbot.mouseClick(window.referrals.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: outgoing.rowCount() == 0, timeout=5000)

    with wiring.uow() as uow:
        records = [p.record for p in uow.outbox.pending(50, wiring.clock.now())]
    inquiry = [
        (r.operation, r.payload["status"], r.payload["channel"])
        for r in records
        if r.kind == RecordKind.INQUIRY
    ]
    assert inquiry == [
        ("I", "awaiting_reply", "phone"),
        ("U", "accepted", "phone"),
        ("U", "replied", "phone"),
        ("U", "closed", "phone"),
    ]


def test_an_overdue_referral_is_highlighted_in_both_windows(
    qtbot: QtBot, clock: FakeClock, window: ClerkWindow, window2: ClerkWindow
) -> None:
    refer(qtbot, window, due_hours=0.5)
    assert not refreshed(qtbot, window2).overdue
    clock.advance(minutes=31)
    for win, table in ((window2, window2.referrals.incoming), (window, window.referrals.outgoing)):
        assert refreshed(qtbot, win).overdue == 1
        assert table.item(0, 0).background() == OVERDUE_BRUSH
        assert any("已超时" in table.item(0, c).text() for c in range(table.columnCount()))
        index = win.work_tabs.indexOf(win.referrals)
        assert "超时 1" in win.work_tabs.tabText(index)
        assert win.work_tabs.tabBar().tabTextColor(index).name() == "#b3261e"
    window.work_tabs.setCurrentWidget(window.referrals)
    shoot(window, "referrals-overdue")


def test_the_wrong_window_cannot_accept_and_is_told_why(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow, window2: ClerkWindow
) -> None:
    inquiry_id = refer(qtbot, window)
    with qtbot.waitSignal(window.operation_failed, timeout=5000) as failed:
        window.referrals._act(lambda: wiring.inquiries.accept(window.session, inquiry_id))
    assert "已转办给2号窗口" in failed.args[0]
    assert "已转办给2号窗口" in window.message_label.text()


def test_a_receipt_is_issued_and_archived_when_asked_for(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    with succeeds(qtbot, window.inquiry_receipt_issued, window.operation_failed) as issued:
        refer(qtbot, window, receipt=True)
    doc = issued.args[0]
    assert doc.pdf.startswith(b"%PDF")
    assert [d.doc_no for d in wiring.cases.archive()] == [doc.doc_no]
    assert doc.doc_no in window.inquiry_panel.result.text()
    LOOK.mkdir(parents=True, exist_ok=True)
    (LOOK / "inquiry-receipt.pdf").write_bytes(doc.pdf)
    if shutil.which("pdftoppm") is None:
        return
