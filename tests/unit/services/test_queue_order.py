"""Who is called next: priority classes by the hall's policy, the window's business priorities, time."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hallclient.domain.queue import CallAction, PriorityClass, PriorityPolicy, QueueRules
from hallclient.services.errors import QueueError
from hallclient.services.setup import WindowSpec
from hallclient.store import models as m
from tests.unit.services.queue_helpers import events, sign_in, with_rules


def _mark(q, ticket_id: str, code: str, session) -> None:
    q.mark_priority(session, ticket_id, code, "居民身份证")


def _call_all(q, session) -> list[str]:
    out = []
    while (t := q.call_next(session)) is not None:
        out.append(t.number + ("*" if t.priority_code else ""))
        q.finish(session, t.id)
    return out


def _issue_plan(q, clock, desk, plan: str) -> None:
    for kind in plan.split():
        t = q.issue_ticket("general")
        if kind != "N":
            _mark(q, t.id, {"P": "elderly", "G": "green"}[kind], desk)
        clock.advance(1)


def test_priority_first_serves_every_priority_ticket_before_normal_ones(wiring, clock) -> None:
    w2 = sign_in(wiring, "2")
    q = with_rules(wiring, priority_policy=PriorityPolicy.PRIORITY_FIRST)
    _issue_plan(q, clock, w2, "N N P N P")
    assert _call_all(q, w2) == ["A003*", "A005*", "A001", "A002", "A004"]


def test_interleave_calls_one_priority_after_every_n_normal_calls(wiring, clock) -> None:
    w2 = sign_in(wiring, "2")
    q = with_rules(wiring, priority_policy=PriorityPolicy.INTERLEAVE, interleave_n=2)
    _issue_plan(q, clock, w2, "P P N N N N N")
    # 2 normal, 1 priority, 2 normal, 1 priority, then whatever is left.
    assert _call_all(q, w2) == ["A003", "A004", "A001*", "A005", "A006", "A002*", "A007"]


def test_interleave_takes_a_priority_ticket_when_no_normal_one_waits(wiring, clock) -> None:
    w2 = sign_in(wiring, "2")
    q = with_rules(wiring, priority_policy="interleave", interleave_n=3)
    _issue_plan(q, clock, w2, "P N")
    assert _call_all(q, w2) == ["A002", "A001*"]


def test_priority_classes_are_ranked_by_their_data(wiring, clock) -> None:
    w2 = sign_in(wiring, "2")
    q = wiring.queue
    _issue_plan(q, clock, w2, "P G")
    assert _call_all(q, w2) == ["A002*", "A001*"]  # green (rank 1) before elderly (rank 4)
    wiring.setup.save_priority_classes(
        [PriorityClass("elderly", "老年人", 1), PriorityClass("green", "绿色通道", 2)]
    )
    _issue_plan(q, clock, w2, "G P")
    assert _call_all(q, w2) == ["A004*", "A003*"]
    with pytest.raises(QueueError, match="顺位应为正整数"):
        wiring.setup.save_priority_classes([PriorityClass("x", "x", 0)])


def test_a_priority_class_needs_a_verifier_and_a_document_type_never_its_number(wiring) -> None:
    w2 = sign_in(wiring, "2")
    q = wiring.queue
    t = q.issue_ticket("general")
    with pytest.raises(QueueError, match="需由工作人员核验证件"):
        q.issue_ticket("general", priority_code="military")
    with pytest.raises(QueueError, match="不要填写证件号码"):
        q.mark_priority(w2, t.id, "disabled", "残疾人证 11010519491231002X")
    with pytest.raises(QueueError, match="没有优先类别"):
        q.mark_priority(w2, t.id, "vip", "居民身份证")
    marked = q.mark_priority(w2, t.id, "disabled", "残疾人证")
    assert (marked.priority_code, marked.priority_label) == ("disabled", "残疾人")
    with wiring.uow() as uow:
        row = uow.session.get_one(m.Ticket, t.id)
        assert (row.priority_verifier_id, row.priority_document_type) == (w2.clerk_id, "残疾人证")
    assert [e.detail for e in events(wiring, t.id) if e.action == CallAction.PRIORITY] == [
        "disabled 残疾人证"
    ]
    # An appointment check-in at the kiosk needs no clerk: the class says so.
    booked = q.issue_ticket("general", priority_code="appointment")
    assert booked.priority_label == "预约"
    assert [p.code for p in q.priority_classes()][:2] == ["green", "military"]


def test_a_window_calls_its_higher_priority_business_first(wiring, clock) -> None:
    w3 = sign_in(wiring, "3")  # social first, then general
    q = wiring.queue
    q.issue_ticket("general")
    clock.advance(1)
    q.issue_ticket("social")
    assert _call_all(q, w3) == ["B001", "A001"]
    wiring.setup.configure_window(WindowSpec("3", "社保医保窗", ("social", "general"), priorities=(1, 5)))
    q.issue_ticket("social")
    clock.advance(1)
    q.issue_ticket("general")
    assert _call_all(q, w3) == ["A002", "B002"]
    with wiring.uow() as uow:
        prios = dict(
            uow.session.execute(
                select(m.WindowBusiness.business_id, m.WindowBusiness.priority).where(
                    m.WindowBusiness.window_id == w3.window_id
                )
            ).all()
        )
    assert sorted(prios.values()) == [1, 5]


def test_rules_refuse_bad_values() -> None:
    with pytest.raises(ValueError):
        QueueRules(priority_policy="vip_first")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        QueueRules(interleave_n=0)
