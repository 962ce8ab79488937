"""Queue, case, inquiry and review use cases over a real SQLite store: each change with its outbox record."""

from __future__ import annotations

import datetime as dt

import pytest

from hallclient.domain.cases import Decision, MaterialCheck, MaterialStatus
from hallclient.domain.inquiries import InquiryAction, InquiryChannel, InquiryClassification
from hallclient.domain.outbox import RecordKind
from hallclient.domain.reviews import ReviewError
from hallclient.services.applicants import manual_applicant
from hallclient.services.errors import CaseError, QueueError, ServiceError
from hallclient.services.inquiries import InquiryDraft

TODAY = dt.date(2026, 3, 2)


def _pending_kinds(wiring) -> list[str]:
    with wiring.uow() as uow:
        return [p.record.kind for p in uow.outbox.pending(100, wiring.clock.now())]


def test_ticket_numbers_per_business_and_call_order(wiring, session, clock) -> None:
    a1 = wiring.queue.issue_ticket("general")
    clock.advance(1)
    c1 = wiring.queue.issue_ticket("enterprise")
    clock.advance(1)
    a2 = wiring.queue.issue_ticket("general")
    assert (a1.number, c1.number, a2.number) == ("A001", "C001", "A002")
    assert a2.waiting_ahead == 1
    # window 1 serves general first (its first business), then enterprise
    first = wiring.queue.call_next(session)
    assert first.number == "A001"
    with pytest.raises(QueueError, match="尚未办结"):
        wiring.queue.call_next(session)
    wiring.queue.finish(session, first.id)
    assert wiring.queue.call_next(session).number == "A002"


def test_daily_sequence_restarts_at_hall_midnight(wiring, session, clock) -> None:
    clock.set(dt.datetime(2026, 3, 2, 15, 59, tzinfo=dt.UTC))  # 23:59 in Xi'an
    assert wiring.queue.issue_ticket("general").number == "A001"
    clock.set(dt.datetime(2026, 3, 2, 16, 1, tzinfo=dt.UTC))  # 00:01 next day in Xi'an
    t = wiring.queue.issue_ticket("general")
    assert (t.number, t.business_date) == ("A001", dt.date(2026, 3, 3))


def test_empty_queue_and_unknown_business(wiring, session) -> None:
    assert wiring.queue.call_next(session) is None
    with pytest.raises(QueueError):
        wiring.queue.issue_ticket("nope")


def _item_with_deferrable(wiring):
    return next(i for i in wiring.catalogue.items if i.allows_deferred and i.deferrable_materials)


def test_accept_writes_case_document_and_outbox_together(wiring, session) -> None:
    item = wiring.catalogue.items[0]
    applicant = manual_applicant("张三", "11010519491231002X", "13812341234", TODAY)
    checks = [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
    out = wiring.cases.submit(session, item, applicant, checks)
    assert out.decision is Decision.ACCEPT
    assert out.document.pdf.startswith(b"%PDF")
    assert out.deadline_date is not None and out.deadline_date > TODAY
    assert out.case_no.startswith("610113-001-20260302-")
    assert _pending_kinds(wiring) == [RecordKind.CASE_ACCEPT]
    assert [d.sha256 for d in wiring.cases.archive(out.case_id)] == [out.document.sha256]


def test_defer_and_notice_follow_the_materials(wiring, session) -> None:
    item = _item_with_deferrable(wiring)
    deferrable = item.deferrable_materials[0].name
    applicant = manual_applicant("张三", "11010519491231002X", "", TODAY)
    checks = [
        MaterialCheck(m.name, MaterialStatus.MISSING if m.name == deferrable else MaterialStatus.PRESENT)
        for m in item.materials
    ]
    deferred = wiring.cases.submit(session, item, applicant, checks)
    assert deferred.decision is Decision.DEFER
    limit = item.promised_limit.days
    assert deferred.deadline_date is not None
    required = [m for m in item.materials if str(m.necessity) == "required" and not m.deferrable]
    checks = [
        MaterialCheck(m.name, MaterialStatus.MISSING if m is required[0] else MaterialStatus.PRESENT)
        for m in item.materials
    ]
    notice = wiring.cases.submit(session, item, applicant, checks)
    assert notice.decision is Decision.NOTICE
    assert notice.case_no != deferred.case_no
    assert limit >= 0


def test_override_needs_a_reason_and_reject_needs_one_too(wiring, session) -> None:
    item = wiring.catalogue.items[0]
    applicant = manual_applicant("张三", "11010519491231002X", "", TODAY)
    checks = [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
    with pytest.raises(CaseError, match="必须填写理由"):
        wiring.cases.submit(session, item, applicant, checks, override=Decision.REJECT)
    out = wiring.cases.submit(
        session, item, applicant, checks, override=Decision.REJECT, override_reason="不属于本机关职权范围"
    )
    assert out.decision is Decision.REJECT
    assert _pending_kinds(wiring) == [RecordKind.CASE_RESULT]


def test_a_renderer_failure_leaves_nothing_behind(wiring, session) -> None:
    class Broken:
        def render(self, kind, data):
            raise RuntimeError("printer driver exploded")

    wiring.cases._renderer = Broken()
    item = wiring.catalogue.items[0]
    applicant = manual_applicant("张三", "11010519491231002X", "", TODAY)
    with pytest.raises(RuntimeError):
        wiring.cases.submit(session, item, applicant, [])
    with wiring.uow() as uow:
        assert uow.cases.count("cases") == 0
        assert uow.cases.count("documents") == 0
        assert uow.outbox.counts().pending == 0


def test_inquiry_rules_and_record(wiring, session) -> None:
    draft = InquiryDraft(
        InquiryChannel.WINDOW, "", InquiryClassification.OWN_DUTY, InquiryAction.ANSWERED, "x"
    )
    with pytest.raises(ServiceError, match="请填写"):
        wiring.inquiries.record(session, draft)
    referred = InquiryDraft(
        InquiryChannel.PHONE,
        "公积金提取",
        InquiryClassification.OTHER_WINDOW,
        InquiryAction.REFERRED,
        referred_window_no="3",
    )
    wiring.inquiries.record(session, referred)
    assert _pending_kinds(wiring) == [RecordKind.INQUIRY]


def test_one_review_per_service(wiring, session, clock) -> None:
    ticket = wiring.queue.issue_ticket("general")
    called = wiring.queue.call_next(session)
    clock.advance(60)
    wiring.reviews.submit(session, ticket.id, 5, [], "", called.called_at)
    with pytest.raises(ReviewError, match="已评价"):
        wiring.reviews.submit(session, ticket.id, 1, ["其他"], "", called.called_at)
    with wiring.uow() as uow:
        assert uow.cases.count("reviews") == 1
