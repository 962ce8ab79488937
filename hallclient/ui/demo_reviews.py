"""The demo's 首问 and 好差评 steps: a referred inquiry the other window answers, the rectification list.

Driven like the rest of the demo: through the real windows' public slots, waiting for the facts they
announce. The second window (clerk 1002 at window 2) is a real ClerkWindow over the same services.
"""

from __future__ import annotations

import logging
from typing import Any

from hallclient.domain.inquiries import InquiryAction, InquiryChannel, InquiryClassification
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen

log = logging.getLogger(__name__)


def referral_and_rectification(
    wiring: Any, win: ClerkWindow, run: Any, runner: Any, password: str, wait_for: Any, step_failed: Any
) -> None:
    """Window 1 refers a phone inquiry to window 2 (with a receipt); window 2 accepts and answers it;
    window 1 sees the answer and closes it. Then the rectification list the bad review opened."""
    win.inquiry_panel.set_values(
        "公积金提取需要哪些材料？能否委托他人办理？",
        InquiryClassification.OTHER_WINDOW,
        InquiryAction.REFERRED,
        referral="2",
        channel=InquiryChannel.PHONE,
        due_hours=2,
    )
    win.inquiry_panel.receipt.setChecked(True)
    run.shot(win, "referral-recorded")
    win.record_inquiry()
    inquiry_id = wait_for(win.inquiry_recorded, failed=win.operation_failed)
    wait_for(win.inquiry_receipt_issued, failed=win.operation_failed)

    session2 = wiring.auth.login("1002", password, "2", "demo-pc-2")
    other = ClerkWindow(wiring, session2, runner, CustomerScreen(wiring.hall.name))
    try:
        other.work_tabs.setCurrentWidget(other.referrals)
        other.show()
        panel = other.referrals
        board = _refreshed(panel, wait_for)
        if inquiry_id not in [r.id for r in board.incoming]:
            raise step_failed("2号窗口没有收到转办的首问事项")
        panel.select(inquiry_id)
        run.shot(other, "referral-recipient-inbox")
        panel.accept_selected()
        wait_for(panel.referral_changed, failed=panel.operation_failed)
        _refreshed(panel, wait_for)
        panel.select(inquiry_id)
        panel.reply_text.setText("已电话答复：携带身份证、公积金联名卡；可凭委托书和受托人身份证代办")
        panel.reply_selected()
        wait_for(panel.referral_changed, failed=panel.operation_failed)
    finally:
        other.close()
        other.customer.close()
        other.deleteLater()

    board = _refreshed(win.referrals, wait_for)
    if not any(r.id == inquiry_id and r.reply for r in board.outgoing):
        raise step_failed("首问责任人没有看到转办事项的答复")
    win.work_tabs.setCurrentWidget(win.referrals)
    win.referrals.select(inquiry_id)
    run.shot(win, "referral-answered")
    win.referrals.close_selected()
    wait_for(win.referrals.referral_changed, failed=win.referrals.operation_failed)
    win.work_tabs.setCurrentWidget(win.case_panel)

    dialog = win.open_rectifications()
    try:
        board = wait_for(dialog.board_shown, failed=dialog.operation_failed)
        if not board.rows:
            raise step_failed("差评没有生成整改任务")
        dialog.table.selectRow(0)
        run.shot(dialog, "rectifications")
    finally:
        dialog.close()
    log.info("demo: referral answered by window 2; %d rectification task(s) open", len(board.rows))


def _refreshed(panel: Any, wait_for: Any) -> Any:
    panel.refresh()
    return wait_for(panel.board_shown, failed=panel.operation_failed)


def review_counts(wiring: Any) -> dict[str, int]:
    """summary.json's 首问 and 整改 figures."""
    with wiring.uow() as uow:
        referred, answered = uow.inquiries.referral_counts()
        opened = uow.reviews.count_rectifications()
    return {"referrals": referred, "referrals_answered": answered, "rectifications_opened": opened}
