"""One service cycle in the clerk window over real services: call, applicant, checklist, case, finish, review."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from hallclient.app import Workstation
from hallclient.domain.cases import MaterialStatus
from hallclient.domain.outbox import RecordKind
from hallclient.domain.reviews import RATING_LABELS
from hallclient.services.auth import ClerkSession
from hallclient.services.cases import CaseOutcome
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen
from hallclient.ui.threads import BackgroundRunner
from hallclient.wiring import Wiring
from tests.ui.helpers import (
    SAMPLE_ID,
    SAMPLE_ID_MASKED,
    call,
    card_check,
    check_box_target,
    dispose,
    drain,
    issue,
    notice_item,
    succeeds,
)


def choose_by_search(qtbot: QtBot, window: ClerkWindow, text: str, key: str) -> None:
    """Type in the search box, wait for the debounced results, click the wanted row."""
    panel = window.case_panel
    panel.search.setText(text)  # Chinese comes through an IME; QTest.keyClicks aborts on non-Latin-1
    qtbot.waitUntil(lambda: panel.results.count() > 0, timeout=3000)
    rows = [panel.results.item(i) for i in range(panel.results.count())]
    row = next(r for r in rows if r.data(Qt.ItemDataRole.UserRole) == key)
    rect = panel.results.visualItemRect(row)
    qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.item is not None and panel.item.key == key


def visible_texts(window: ClerkWindow) -> list[str]:
    return [label.text() for label in window.findChildren(QLabel)] + [window.windowTitle()]


# -- queue ----------------------------------------------------------------------------------------------


def test_call_next_shows_the_number_on_the_queue_panel_and_the_customer_screen(
    qtbot: QtBot,
    wiring: Wiring,
    window: ClerkWindow,
    customer: CustomerScreen,
) -> None:
    first, _second = issue(wiring, 2)
    ticket = call(qtbot, window)
    assert ticket.number == first
    assert window.queue_panel.ticket.text() == first
    assert "综合受理" in window.queue_panel.business.text()
    assert customer.ticket_label.text() == f"正在为 {first} 号办理"
    assert customer.stack.currentIndex() == 0
    assert window.queue_panel.finish_button.isEnabled()
    assert not window.queue_panel.call_button.isEnabled()
    qtbot.waitUntil(lambda: window.queue_panel.waiting.text() == "本窗口可叫等候人数：1", timeout=3000)


def test_calling_again_while_serving_shows_an_error_in_the_status_bar(
    qtbot: QtBot,
    wiring: Wiring,
    window: ClerkWindow,
) -> None:
    first, _second = issue(wiring, 2)
    call(qtbot, window)
    with (
        qtbot.waitSignal(window.operation_failed, timeout=3000) as failed,
        qtbot.assertNotEmitted(window.ticket_called),
    ):
        window.call_next()
    assert f"当前号码 {first} 尚未办结" in failed.args[0]
    assert f"当前号码 {first} 尚未办结" in window.message_label.text()
    assert window.queue_panel.ticket.text() == first


def test_a_restarted_window_picks_up_the_ticket_it_was_serving(
    qtbot: QtBot,
    wiring: Wiring,
    window: ClerkWindow,
    session: ClerkSession,
    runner: BackgroundRunner,
) -> None:
    (first,) = issue(wiring, 1)
    call(qtbot, window)
    other = CustomerScreen(wiring.hall.name)
    again = ClerkWindow(wiring, session, runner, other)
    try:
        qtbot.waitUntil(lambda: again.queue_panel.ticket.text() == first, timeout=3000)
        assert again.ticket is not None and again.ticket.number == first
    finally:
        drain(qtbot, runner)
        dispose(again, other)


def test_an_empty_queue_says_so(qtbot: QtBot, window: ClerkWindow) -> None:
    with qtbot.waitSignal(window.queue_empty, timeout=3000):
        window.call_next()
    assert window.message_label.text() == "当前没有等候的号码"
    assert window.queue_panel.ticket.text() == "—"


# -- applicant --------------------------------------------------------------------------------------------


def test_a_card_read_on_the_device_thread_fills_the_applicant_with_a_masked_number(
    qtbot: QtBot,
    station: Workstation,
) -> None:
    win = station.window
    assert win.applicant_panel.reader_state.text().startswith("读卡器：读卡器就绪（模拟读卡器")
    with succeeds(qtbot, win.applicant_filled, win.operation_failed) as blocker:
        qtbot.mouseClick(win.applicant_panel.read_button, Qt.MouseButton.LeftButton)
    applicant = blocker.args[0]
    assert applicant.id_masked == SAMPLE_ID_MASKED
    panel = win.applicant_panel
    assert panel.name.text() == "韩梅梅"
    assert panel.id_number.text() == SAMPLE_ID_MASKED
    assert panel.card_type.text() == "居民身份证"
    assert panel.validity.text() == "长期"
    assert panel.details.text() == "女　1949-12-31"
    qtbot.waitUntil(lambda: panel.reader_state.text() == "读卡器：读卡成功", timeout=3000)
    assert all(SAMPLE_ID not in t for t in visible_texts(win))  # the full number is nowhere on screen


def test_a_checked_card_shows_the_id_number_masked_4_plus_4(qtbot: QtBot, window: ClerkWindow) -> None:
    with succeeds(qtbot, window.applicant_filled, window.operation_failed):
        window.on_card_checked(card_check())
    assert window.applicant_panel.id_number.text() == SAMPLE_ID_MASKED
    assert all(SAMPLE_ID not in t for t in visible_texts(window))


def test_a_card_with_a_bad_check_digit_is_not_taken(qtbot: QtBot, window: ClerkWindow) -> None:
    with (
        qtbot.waitSignal(window.operation_failed, timeout=1000) as failed,
        qtbot.assertNotEmitted(window.applicant_filled),
    ):
        window.on_card_checked(card_check("110105194912310021"))
    assert failed.args[0] == "证件号码校验未通过：身份证号码校验位不正确，请逐位核对"
    assert window.applicant is None
    assert window.applicant_panel.warnings.text() == failed.args[0]
    assert window.applicant_panel.name.text() == "—"


def manual_button(window: ClerkWindow) -> QPushButton:
    return next(b for b in window.applicant_panel.findChildren(QPushButton) if b.text() == "手工录入")


def test_manual_entry_with_a_bad_check_digit_shows_the_error_and_fills_nothing(
    qtbot: QtBot,
    window: ClerkWindow,
) -> None:
    panel = window.applicant_panel
    panel.manual_name.setText("韩梅梅")  # typed through an IME; QTest.keyClicks aborts on non-Latin-1
    qtbot.keyClicks(panel.manual_id, "110105194912310021")  # the right check digit is X
    with (
        qtbot.waitSignal(window.operation_failed, timeout=1000) as failed,
        qtbot.assertNotEmitted(window.applicant_filled),
    ):
        qtbot.mouseClick(manual_button(window), Qt.MouseButton.LeftButton)
    assert failed.args[0] == "身份证号码校验位不正确，请逐位核对"
    assert window.message_label.text() == "身份证号码校验位不正确，请逐位核对"
    assert window.applicant is None
    assert panel.name.text() == "—"
    assert panel.id_number.text() == "—"


def test_manual_entry_with_a_good_number_fills_the_applicant_masked(
    qtbot: QtBot, window: ClerkWindow
) -> None:
    panel = window.applicant_panel
    panel.manual_name.setText("韩梅梅")  # typed through an IME; QTest.keyClicks aborts on non-Latin-1
    qtbot.keyClicks(panel.manual_id, SAMPLE_ID.lower())  # a lower-case x is accepted
    qtbot.keyClicks(panel.manual_phone, "13800000000")
    with succeeds(qtbot, window.applicant_filled, window.operation_failed) as blocker:
        qtbot.mouseClick(manual_button(window), Qt.MouseButton.LeftButton)
    assert blocker.args[0].phone == "13800000000"
    assert panel.id_number.text() == SAMPLE_ID_MASKED
    assert panel.card_type.text() == "居民身份证（手工录入）"


# -- checklist and case -----------------------------------------------------------------------------------


def test_a_missing_required_material_makes_the_decision_a_one_time_notice_listing_the_gap(
    qtbot: QtBot,
    wiring: Wiring,
    window: ClerkWindow,
) -> None:
    item, material = notice_item(list(wiring.catalogue.items))
    choose_by_search(qtbot, window, item.name[:5], item.key)
    panel = window.case_panel
    assert panel.decision.text().startswith("系统判定：受理")  # all required materials present by default
    with qtbot.waitSignal(panel.decision_changed, timeout=1000) as changed:
        panel.set_status(material, MaterialStatus.MISSING)
    assert changed.args[0].label == "一次性告知"
    assert "一次性告知" in panel.decision.text()
    assert f"缺项：{material}" in panel.decision.text()
    assert panel.submit_button.text() == "一次性告知并出具文书 (F9)"


def test_submitting_without_an_applicant_is_refused(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    item, _material = notice_item(list(wiring.catalogue.items))
    window.case_panel.choose_item(item.key)
    with (
        qtbot.waitSignal(window.operation_failed, timeout=1000) as failed,
        qtbot.assertNotEmitted(window.case_decided),
    ):
        qtbot.mouseClick(window.case_panel.submit_button, Qt.MouseButton.LeftButton)
    assert failed.args[0] == "请先读取身份证或手工录入申请人"


def test_submit_writes_the_case_and_archives_its_pdf(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    window.on_card_checked(card_check())
    item, material = notice_item(list(wiring.catalogue.items))
    window.case_panel.choose_item(item.key)
    window.case_panel.set_status(material, MaterialStatus.MISSING)
    with succeeds(qtbot, window.case_decided, window.operation_failed) as decided:
        qtbot.mouseClick(window.case_panel.submit_button, Qt.MouseButton.LeftButton)
    outcome: CaseOutcome = decided.args[0]
    assert str(outcome.decision) == "notice"
    assert outcome.document.pdf.startswith(b"%PDF")
    assert outcome.document.kind == "one_time_notice"
    assert outcome.case_no in window.case_panel.document.text()
    assert window.case_panel.document.text().startswith("已出具一次性告知书")
    assert window.message_label.text() == f"办件 {outcome.case_no} 已保存，文书已归档"
    archived = {d.doc_no: d for d in wiring.cases.archive()}
    assert archived[outcome.document.doc_no].pdf == outcome.document.pdf
    with wiring.uow() as uow:
        assert uow.cases.count("notices") == 1


# -- finish and review ----------------------------------------------------------------------------------------


def test_finish_invites_the_review_and_the_clerk_never_sees_the_level(
    qtbot: QtBot,
    wiring: Wiring,
    window: ClerkWindow,
    customer: CustomerScreen,
) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    window.on_card_checked(card_check())
    item, _material = notice_item(list(wiring.catalogue.items))
    window.case_panel.choose_item(item.key)
    with succeeds(qtbot, window.case_decided, window.operation_failed) as decided:
        window.submit_case()
    with succeeds(qtbot, window.service_finished, window.operation_failed):
        qtbot.mouseClick(window.queue_panel.finish_button, Qt.MouseButton.LeftButton)

    assert customer.awaiting_review
    assert customer.stack.currentIndex() == 1
    assert [customer.level_buttons[lv].text() for lv in (5, 4, 3, 2, 1)] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert all(b.isVisible() for b in customer.level_buttons.values())
    assert window.review_state.text() == "评价：评价中…"
    assert window.queue_panel.ticket.text() == "—"
    assert window.applicant_panel.name.text() == "—"  # the next applicant starts clean

    with succeeds(qtbot, window.review_recorded, window.operation_failed):
        qtbot.mouseClick(customer.level_buttons[5], Qt.MouseButton.LeftButton)
    assert window.review_state.text() == "评价：已评价"
    texts = visible_texts(window)
    for label in RATING_LABELS.values():
        assert all(label not in t for t in texts), f"the clerk window shows the level {label!r}"
    with wiring.uow() as uow:
        assert uow.cases.count("reviews") == 1
        assert uow.cases.count("bad_reviews") == 0
        reviews = [r for r in uow.outbox.exportable() if r.kind is RecordKind.REVIEW]
    # The level goes to the platform, tied to the case just decided; only the clerk does not see it.
    assert [(r.payload["level"], r.payload["project_no"]) for r in reviews] == [
        ("5", decided.args[0].case_no)
    ]


def test_a_bad_review_is_recorded_with_its_reasons(
    qtbot: QtBot,
    wiring: Wiring,
    window: ClerkWindow,
    customer: CustomerScreen,
) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    with succeeds(qtbot, window.service_finished, window.operation_failed):
        window.finish()
    qtbot.mouseClick(customer.level_buttons[2], Qt.MouseButton.LeftButton)
    assert customer.stack.currentIndex() == 2
    box = next(b for b in customer.reason_boxes if b.text() == "等候时间过长")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=check_box_target(box))
    with succeeds(qtbot, window.review_recorded, window.operation_failed):
        qtbot.mouseClick(customer.submit_button, Qt.MouseButton.LeftButton)
    assert window.review_state.text() == "评价：已评价"
    assert all("不满意" not in t for t in visible_texts(window))
    with wiring.uow() as uow:
        assert uow.cases.count("bad_reviews") == 1


def test_a_review_timeout_is_shown_to_the_clerk_and_records_nothing(
    qtbot: QtBot,
    wiring: Wiring,
    session: ClerkSession,
    runner: BackgroundRunner,
) -> None:
    customer = CustomerScreen(wiring.hall.name, timeout_s=1)
    window = ClerkWindow(wiring, session, runner, customer)
    try:
        issue(wiring, 1)
        with qtbot.waitSignal(window.ticket_called, timeout=5000):
            window.call_next()
        with succeeds(qtbot, window.service_finished, window.operation_failed):
            window.finish()
        drain(qtbot, runner)
        with wiring.uow() as uow:
            pending_before = uow.outbox.counts().pending
        with (
            qtbot.assertNotEmitted(window.review_recorded, wait=200),  # checked after the timeout
            qtbot.assertNotEmitted(customer.review_given),
            qtbot.waitSignal(customer.review_timed_out, timeout=5000),
        ):
            pass
        assert window.review_state.text() == "评价：超时未评价（不计为好评）"
        drain(qtbot, runner)
        with wiring.uow() as uow:
            assert uow.cases.count("reviews") == 0
            assert uow.outbox.counts().pending == pending_before  # no default good review to report
    finally:
        drain(qtbot, runner)
        dispose(window, customer)
