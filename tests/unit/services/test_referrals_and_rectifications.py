"""首问转办, 好差评 and 差评整改 over a real SQLite store: each step with its outbox record, every rule enforced."""

from __future__ import annotations

import datetime as dt

import pytest

from hallclient.domain.cases import MaterialCheck, MaterialStatus
from hallclient.domain.inquiries import (
    InquiryAction,
    InquiryChannel,
    InquiryClassification,
    InquiryError,
    InquiryStatus,
)
from hallclient.domain.outbox import RecordKind
from hallclient.domain.rectifications import (
    CallbackChannel,
    CallbackResult,
    FeedbackSatisfaction,
    RectificationAction,
    RectificationError,
    RectificationStatus,
)
from hallclient.domain.reviews import ReviewError
from hallclient.services.applicants import manual_applicant
from hallclient.services.errors import ServiceError
from hallclient.services.inquiries import InquiryDraft
from hallclient.sync.contract import record_to_wire
from hallclient.sync.platform_rules import check_record
from tests.unit.services.conftest import PASSWORD

A = RectificationAction


@pytest.fixture
def colleague(wiring):
    wiring.auth.add_clerk("1002", "李华", PASSWORD)
    return wiring.auth.login("1002", PASSWORD, "2", "pc-2")


@pytest.fixture
def manager(wiring):
    wiring.auth.add_clerk("9001", "王主任", PASSWORD, role="manager")
    return wiring.auth.login("9001", PASSWORD, "4", "pc-4")


def _records(wiring, kind: RecordKind):
    with wiring.uow() as uow:
        return [p.record for p in uow.outbox.pending(500, wiring.clock.now()) if p.record.kind == kind]


def _referral(**overrides) -> InquiryDraft:
    values = {
        "channel": InquiryChannel.PHONE,
        "question": "公积金提取需要哪些材料",
        "classification": InquiryClassification.OTHER_WINDOW,
        "action": InquiryAction.REFERRED,
        "referred_window_no": "2",
        "due_hours": 2,
        "applicant_name": "韩梅梅",
        "phone": "13812341234",
    }
    return InquiryDraft(**(values | overrides))


# -- first inquiry: the referral flow ------------------------------------------------------------------


def test_a_referral_is_accepted_and_answered_by_the_recipient_and_closed_by_the_first_clerk(
    wiring, session, colleague, clock
) -> None:
    inquiry_id = wiring.inquiries.record(session, _referral())
    incoming = wiring.inquiries.board(colleague).incoming
    assert [r.id for r in incoming] == [inquiry_id]
    assert incoming[0].register_no.startswith("610113-SW001-20260302-")
    assert wiring.inquiries.board(session).incoming == ()  # not referred to the first clerk

    clock.advance(minutes=10)
    accepted = wiring.inquiries.accept(colleague, inquiry_id)
    assert (accepted.status, accepted.accepted_by_name) == (InquiryStatus.ACCEPTED, "李华")
    replied = wiring.inquiries.reply(colleague, inquiry_id, "已电话告知：身份证、公积金联名卡")
    assert replied.status == InquiryStatus.REPLIED
    assert wiring.inquiries.board(colleague).incoming == ()  # answered: off the recipient's list

    (mine,) = wiring.inquiries.board(session).outgoing  # the first clerk sees the outcome
    assert (mine.status, mine.reply) == (InquiryStatus.REPLIED, "已电话告知：身份证、公积金联名卡")
    closed = wiring.inquiries.close(session, inquiry_id)
    assert closed.status == InquiryStatus.CLOSED and closed.closed_at is not None
    assert wiring.inquiries.board(session).outgoing == ()

    records = _records(wiring, RecordKind.INQUIRY)
    assert [(r.operation, r.version, r.payload["status"]) for r in records] == [
        ("I", 1, "awaiting_reply"),
        ("U", 2, "accepted"),
        ("U", 3, "replied"),
        ("U", 4, "closed"),
    ]
    assert {r.ordering_key for r in records} == {inquiry_id}
    assert records[-1].payload["reply"] == "已电话告知：身份证、公积金联名卡"
    assert all(check_record(record_to_wire(r)) is None for r in records)
    # No visitor data leaves in the inquiry record.
    assert not any("13812341234" in str(r.payload) or "韩梅梅" in str(r.payload) for r in records)


def test_only_the_recipient_may_accept_or_answer_and_only_the_first_clerk_close(
    wiring, session, colleague, manager
) -> None:
    inquiry_id = wiring.inquiries.record(session, _referral())
    for who in (session, manager):
        with pytest.raises(InquiryError, match="已转办给2号窗口"):
            wiring.inquiries.accept(who, inquiry_id)
        with pytest.raises(InquiryError, match="不能接收或答复"):
            wiring.inquiries.reply(who, inquiry_id, "答复")
    wiring.inquiries.reply(colleague, inquiry_id, "已答复")  # answering directly also accepts it
    with pytest.raises(InquiryError, match="只有首问责任人（张敏）"):
        wiring.inquiries.close(colleague, inquiry_id)
    with pytest.raises(InquiryError, match="不能接收"):
        wiring.inquiries.accept(colleague, inquiry_id)  # already answered
    with pytest.raises(InquiryError, match="请填写答复内容"):
        wiring.inquiries.reply(colleague, inquiry_id, "  ")


def test_a_referral_to_a_clerk_reaches_that_clerk_at_whatever_window(wiring, session, colleague) -> None:
    inquiry_id = wiring.inquiries.record(session, _referral(referred_window_no="", referred_staff_no="1002"))
    (row,) = wiring.inquiries.board(colleague).incoming
    assert row.id == inquiry_id and row.recipient == "李华"
    with pytest.raises(ServiceError, match="没有工号为 7777"):
        wiring.inquiries.record(session, _referral(referred_window_no="", referred_staff_no="7777"))
    with pytest.raises(ServiceError, match="接收窗口或接收人"):
        wiring.inquiries.record(session, _referral(referred_window_no=""))


def test_an_inquiry_registered_for_a_reply_is_answered_by_the_first_clerk(wiring, session, colleague) -> None:
    draft = _referral(action=InquiryAction.REGISTERED, referred_window_no="", due_hours=24)
    inquiry_id = wiring.inquiries.record(session, draft)
    with pytest.raises(InquiryError, match="由首问责任人答复"):
        wiring.inquiries.reply(colleague, inquiry_id, "x")
    assert wiring.inquiries.reply(session, inquiry_id, "已书面答复").status == InquiryStatus.REPLIED


def test_an_inquiry_past_its_due_time_is_overdue_for_both_sides_until_answered(
    wiring, session, colleague, clock
) -> None:
    inquiry_id = wiring.inquiries.record(session, _referral(due_hours=2))
    answered = wiring.inquiries.record(session, _referral(action=InquiryAction.ANSWERED, answer="已告知"))
    clock.advance(hours=1)
    assert wiring.inquiries.board(session).overdue == 0
    clock.advance(hours=1, seconds=1)
    assert wiring.inquiries.board(session).overdue == 1
    assert wiring.inquiries.board(colleague).overdue == 1
    assert [r.id for r in wiring.inquiries.overdue()] == [inquiry_id]
    wiring.inquiries.reply(colleague, inquiry_id, "迟到的答复")
    assert wiring.inquiries.overdue() == [] and answered


def test_the_receipt_is_archived_with_the_inquiry(wiring, session) -> None:
    inquiry_id = wiring.inquiries.record(session, _referral())
    doc = wiring.inquiries.issue_receipt(session, inquiry_id)
    assert doc.pdf.startswith(b"%PDF") and doc.doc_no.startswith("610113-20260302-")
    assert [d.doc_no for d in wiring.cases.archive()] == [doc.doc_no]


# -- reviews --------------------------------------------------------------------------------------------


def _served(wiring, session, clock):
    wiring.queue.issue_ticket("general")
    ticket = wiring.queue.call_next(session)
    clock.advance(minutes=5)
    return ticket


def test_a_bad_review_opens_its_rectification_in_the_same_transaction(wiring, session, clock) -> None:
    ticket = _served(wiring, session, clock)
    review_id = wiring.reviews.submit(session, ticket.id, 2, ["办事效率低"], "排队太久", ticket.called_at)
    (task,) = wiring.rectifications.board().rows
    assert task.review_id == review_id and task.status == RectificationStatus.VERIFYING
    assert task.deadline_date == dt.date(2026, 3, 23)  # 15 working days after Monday 2 March
    assert task.review.reasons == ("办事效率低",) and task.review.clerk_name == "张敏"
    with wiring.uow() as uow:
        kinds = [p.record.kind for p in uow.outbox.pending(50, clock.now())]
    assert kinds == [RecordKind.REVIEW, RecordKind.RECTIFICATION]
    (opened,) = _records(wiring, RecordKind.RECTIFICATION)
    assert opened.ordering_key == _records(wiring, RecordKind.REVIEW)[0].ordering_key
    assert check_record(record_to_wire(opened)) is None


def test_a_good_review_opens_nothing(wiring, session, clock) -> None:
    ticket = _served(wiring, session, clock)
    wiring.reviews.submit(session, ticket.id, 3, [], "", ticket.called_at)
    assert wiring.rectifications.board().rows == ()


def test_when_the_rectification_cannot_be_written_the_bad_review_is_not_written_either(
    wiring, session, clock, monkeypatch
) -> None:
    from hallclient.store.review_repo import SqlReviewRepository

    def broken(self, values):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlReviewRepository, "add_rectification", broken)
    ticket = _served(wiring, session, clock)
    with pytest.raises(RuntimeError):
        wiring.reviews.submit(session, ticket.id, 1, ["其他"], "", ticket.called_at)
    with wiring.uow() as uow:
        assert uow.cases.count("reviews") == 0
        assert uow.outbox.counts().pending == 0


def test_the_rectification_deadline_follows_the_hall_setting(wiring, session, clock) -> None:
    wiring.reviews._days = 5  # review.rectification_days = 5 (德州)
    ticket = _served(wiring, session, clock)
    wiring.reviews.submit(session, ticket.id, 1, ["其他"], "", ticket.called_at)
    assert wiring.rectifications.board().rows[0].deadline_date == dt.date(2026, 3, 9)


def test_a_review_stamped_before_the_service_began_is_refused(wiring, session, clock) -> None:
    ticket = _served(wiring, session, clock)
    with pytest.raises(ReviewError, match="早于服务开始"):
        wiring.reviews.submit(session, ticket.id, 5, [], "", clock.now() + dt.timedelta(minutes=1))
    with wiring.uow() as uow:
        assert uow.cases.count("reviews") == 0


def _case(wiring, session):
    item = wiring.catalogue.items[0]
    applicant = manual_applicant("张三", "11010519491231002X", "", dt.date(2026, 3, 2))
    checks = [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
    return wiring.cases.submit(session, item, applicant, checks)


def test_a_review_that_comes_back_by_case_number_links_to_the_case_once(wiring, session, clock) -> None:
    case = _case(wiring, session)
    clock.advance(days=3)
    review_id = wiring.reviews.submit_for_case(case.case_no, 1, ["办事效率低"], "", channel="qr")
    task = wiring.rectifications.board().rows[0]
    assert task.review_id == review_id
    assert (task.review.case_id, task.review.case_no, task.review.channel) == (
        case.case_id,
        case.case_no,
        "qr",
    )
    assert task.review.clerk_name == "张敏" and task.review.window_no == "1"
    with pytest.raises(ReviewError, match="已评价"):
        wiring.reviews.submit_for_case(case.case_no, 5, [], "")
    with pytest.raises(ReviewError, match="找不到办件编号"):
        wiring.reviews.submit_for_case("610113-001-20990101-0001", 5, [], "")
    (review,) = _records(wiring, RecordKind.REVIEW)
    assert review.payload["project_no"] == case.case_no and review.ordering_key == case.case_no


def test_the_acceptance_notice_qr_carries_the_review_invitation(wiring, session, monkeypatch) -> None:
    import printing
    from hallclient import printouts
    from printing.templates import default_template, fill, placeholder_values

    rendered = []
    real_render = printing.render
    monkeypatch.setattr(printing, "render", lambda data: rendered.append(data) or real_render(data))
    wiring.cases._renderer = printouts.PdfDocumentRenderer(
        review_url_template="https://hcp.example.gov.cn/r?case={case_no}&q={query_code}"
    )
    case = _case(wiring, session)
    (data,) = rendered
    template = default_template(data.kind)
    qr = fill(template.qr_content, placeholder_values(data, template), data.extra)
    assert qr == f"https://hcp.example.gov.cn/r?case={case.case_no}&q={data.query_code}"


def test_without_a_configured_page_the_qr_keeps_case_and_query_code(wiring, session, monkeypatch) -> None:
    import printing
    from printing.templates import default_template, fill, placeholder_values

    rendered = []
    real_render = printing.render
    monkeypatch.setattr(printing, "render", lambda data: rendered.append(data) or real_render(data))
    case = _case(wiring, session)
    (data,) = rendered
    template = default_template(data.kind)
    qr = fill(template.qr_content, placeholder_values(data, template), data.extra)
    assert qr == f"case={case.case_no};q={data.query_code}"


# -- rectification steps ---------------------------------------------------------------------------------


@pytest.fixture
def task(wiring, session, clock):
    ticket = _served(wiring, session, clock)
    wiring.reviews.submit(session, ticket.id, 1, ["服务态度不好"], "", ticket.called_at)
    return wiring.rectifications.board().rows[0]


def test_the_full_loop_verify_rectify_feed_back_callback_review(wiring, session, manager, task) -> None:
    r = wiring.rectifications
    assert r.act(session, task.id, A.START, "经调取录像，情况属实").status == RectificationStatus.RECTIFYING
    assert r.act(session, task.id, A.FEED_BACK, "已批评教育并向群众致歉").measures == "已批评教育并向群众致歉"
    with pytest.raises(RectificationError, match="回访"):
        r.act(manager, task.id, A.REVIEW, "整改到位")
    after = r.record_callback(
        manager, task.id, CallbackChannel.PHONE, CallbackResult.REACHED, FeedbackSatisfaction.SATISFIED
    )
    assert after.callbacks == 1
    (cb,) = r.callbacks(task.id)
    assert (cb.clerk_name, cb.channel, cb.result, cb.satisfaction) == (
        "王主任",
        "phone",
        "reached",
        "satisfied",
    )
    done = r.act(manager, task.id, A.REVIEW, "整改到位")
    assert done.status == RectificationStatus.REVIEWED and done.closed_at is not None
    assert r.board().rows == () and len(r.board(open_only=False).rows) == 1

    records = _records(wiring, RecordKind.RECTIFICATION)
    assert [(x.operation, x.version, x.payload["action"]) for x in records] == [
        ("I", 1, "open"),
        ("U", 2, "start"),
        ("U", 3, "feed_back"),
        ("U", 4, "callback"),
        ("U", 5, "review"),
    ]
    assert records[3].payload["callback"]["satisfaction"] == "satisfied"
    assert all(check_record(record_to_wire(x)) is None for x in records)


def test_the_rated_clerk_cannot_judge_their_own_task(wiring, session, manager, task) -> None:
    wiring.rectifications.act(session, task.id, A.APPEAL, "群众误按")
    for action in (A.UPHOLD, A.DISMISS):
        with pytest.raises(RectificationError, match="本人"):
            wiring.rectifications.act(session, task.id, action, "意见")


def test_an_upheld_appeal_closes_the_task_and_excludes_the_review(wiring, session, manager, task) -> None:
    wiring.rectifications.act(session, task.id, A.APPEAL, "录像显示群众误按")
    upheld = wiring.rectifications.act(manager, task.id, A.UPHOLD, "确属误评")
    assert upheld.status == RectificationStatus.UPHELD and upheld.review.excluded
    with pytest.raises(RectificationError, match="不再回访"):
        wiring.rectifications.record_callback(
            manager, task.id, CallbackChannel.PHONE, CallbackResult.UNREACHABLE
        )


def test_a_dismissed_appeal_goes_back_to_rectifying(wiring, session, manager, task) -> None:
    wiring.rectifications.act(session, task.id, A.APPEAL, "认为评价不实")
    wiring.rectifications.act(manager, task.id, A.DISMISS, "经核实评价属实")
    assert not wiring.rectifications.get(task.id).review.excluded
    assert (
        wiring.rectifications.act(session, task.id, A.START, "开始整改").status
        == RectificationStatus.RECTIFYING
    )


def test_illegal_steps_are_refused_in_chinese_and_change_nothing(wiring, session, manager, task) -> None:
    with pytest.raises(RectificationError, match="待核实.*不能「复核」"):
        wiring.rectifications.act(manager, task.id, A.REVIEW, "x")
    with pytest.raises(RectificationError, match="请填写核实情况"):
        wiring.rectifications.act(session, task.id, A.START, "")
    assert wiring.rectifications.get(task.id).version == 1
    assert len(_records(wiring, RecordKind.RECTIFICATION)) == 1


def test_overdue_tasks_are_listed_for_the_manager(wiring, session, task, clock) -> None:
    assert wiring.rectifications.overdue() == ()
    clock.set(dt.datetime(2026, 3, 24, 1, 0, tzinfo=dt.UTC))  # the day after the deadline, in Xi'an
    assert [t.id for t in wiring.rectifications.overdue()] == [task.id]
