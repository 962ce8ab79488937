"""Clerk operations on a real SQLite store: each one guarded, each one in the call log."""

from __future__ import annotations

import pytest

from hallclient.domain.queue import CallAction, TicketStatus
from hallclient.services.errors import QueueError
from tests.unit.services.queue_helpers import events, sign_in, with_rules


def test_every_operation_writes_clerk_window_time_and_outcome_to_the_call_log(wiring, clock) -> None:
    w1, w4 = sign_in(wiring, "1"), sign_in(wiring, "4")
    q = wiring.queue
    t = q.issue_ticket("general")
    clock.advance(30)
    q.call_next(w1)
    q.recall(w1, t.id)
    q.hold(w1, t.id)
    q.call_back(w1, t.id)
    q.transfer(w1, t.id, window_no="4")
    q.call_next(w4)
    q.no_show(w4, t.id)
    q.call_back(w4, t.id)
    q.finish(w4, t.id)

    logged = events(wiring, t.id)
    assert [(e.action, e.outcome) for e in logged] == [
        ("issue", "waiting"),
        ("call", "called"),
        ("recall", "called"),
        ("hold", "held"),
        ("call_back", "called"),
        ("transfer", "waiting"),
        ("call", "called"),
        ("no_show", "no_show"),
        ("call_back", "called"),
        ("finish", "finished"),
    ]
    assert logged[0].window_id is None and logged[0].clerk_id is None
    assert {(e.window_id, e.clerk_id) for e in logged[1:6]} == {(w1.window_id, w1.clerk_id)}
    assert {(e.window_id, e.clerk_id) for e in logged[6:]} == {(w4.window_id, w4.clerk_id)}
    assert logged[5].detail == "to_window=4"
    general = q.waiting_by_business()  # nothing waits any more
    assert general == {}


def test_recall_stops_at_the_halls_limit_with_a_clear_message(wiring) -> None:
    w1 = sign_in(wiring, "1")
    q = with_rules(wiring, recall_limit=2)
    t = q.issue_ticket("general")
    q.call_next(w1)
    assert q.recall(w1, t.id).recalls == 1
    assert q.recall(w1, t.id).recalls == 2
    with pytest.raises(QueueError, match=r"A001 已重呼 2 次，达到本大厅的上限（2 次）"):
        q.recall(w1, t.id)
    assert [e.detail for e in events(wiring, t.id) if e.action == CallAction.RECALL] == ["1", "2"]
    q.no_show(w1, t.id)  # what the message tells the clerk to do next works


def test_call_back_only_within_the_configured_minutes(wiring, clock) -> None:
    w1 = sign_in(wiring, "1")
    q = with_rules(wiring, call_back_minutes=10)
    a, b = q.issue_ticket("general"), q.issue_ticket("general")
    q.call_next(w1)
    q.no_show(w1, a.id)
    clock.advance(minutes=9, seconds=59)
    assert [t.number for t in q.parked(w1)] == ["A001"]
    assert q.call_back(w1, a.id).status is TicketStatus.CALLED
    q.no_show(w1, a.id)  # parked again: the ten minutes start over
    q.call_next(w1)  # B
    q.finish(w1, b.id)
    clock.advance(minutes=10, seconds=1)
    assert q.parked(w1) == []
    with pytest.raises(QueueError, match="过号已超过 10 分钟，不能回呼"):
        q.call_back(w1, a.id)


def test_a_held_ticket_frees_the_window_and_only_that_window_calls_it_back(wiring) -> None:
    w1, w2 = sign_in(wiring, "1"), sign_in(wiring, "2")
    q = wiring.queue
    a, b = q.issue_ticket("general"), q.issue_ticket("general")
    q.call_next(w1)
    held = q.hold(w1, a.id)
    assert (held.status, held.window_no) == (TicketStatus.HELD, "1")
    assert q.call_next(w1).id == b.id  # the window went on with the next one
    with pytest.raises(QueueError, match="挂起在1号窗口"):
        q.call_back(w2, a.id)
    with pytest.raises(QueueError, match="尚未办结"):
        q.call_back(w1, a.id)  # one ticket at a time
    q.finish(w1, b.id)
    assert q.call_back(w1, a.id).window_no == "1"


def test_a_no_show_may_be_called_back_by_another_window_of_its_business(wiring) -> None:
    w1, w2, w4 = sign_in(wiring, "1"), sign_in(wiring, "2"), sign_in(wiring, "4")
    q = wiring.queue
    a = q.issue_ticket("general")
    q.call_next(w1)
    q.no_show(w1, a.id)
    with pytest.raises(QueueError, match="本窗口不办理该业务"):
        q.call_back(w4, a.id)
    assert q.call_back(w2, a.id).window_no == "2"
    with pytest.raises(QueueError, match="只能回呼挂起或过号的号码"):
        q.call_back(w1, a.id)


def test_transfer_to_a_business_keeps_the_number_and_the_place_in_line(wiring, clock) -> None:
    w1, w3 = sign_in(wiring, "1"), sign_in(wiring, "3")
    q = wiring.queue
    a = q.issue_ticket("general")  # 09:00:00
    clock.advance(60)
    b = q.issue_ticket("social")  # 09:01:00, later than A001
    q.call_next(w1)
    clock.advance(60)
    moved = q.transfer(w1, a.id, business_code="social")
    assert (moved.number, moved.business_code, moved.status, moved.transfers) == (
        "A001",
        "social",
        TicketStatus.WAITING,
        1,
    )
    assert moved.issued_at == a.issued_at
    # Window 3 serves social first: A001 keeps its 09:00 place ahead of B001 (09:01).
    assert q.call_next(w3).id == a.id
    q.finish(w3, a.id)
    assert q.call_next(w3).id == b.id
    logged = [e for e in events(wiring, a.id) if e.action == CallAction.TRANSFER]
    assert logged[0].detail == "to_business=social"


def test_transfer_to_a_named_window_only_that_window_calls_it(wiring) -> None:
    w1, w2, w4 = sign_in(wiring, "1"), sign_in(wiring, "2"), sign_in(wiring, "4")
    q = wiring.queue
    a = q.issue_ticket("general")
    q.call_next(w1)
    moved = q.transfer(w1, a.id, window_no="4")
    assert moved.target_window_no == "4" and moved.window_no is None
    assert q.call_next(w2) is None  # a general window does not take it
    assert q.snapshot(w4).waiting == 1
    assert q.call_next(w4).id == a.id  # window 4 serves realty only, yet it was sent here by name


def test_transfer_refuses_nonsense_with_words(wiring) -> None:
    w1 = sign_in(wiring, "1")
    q = wiring.queue
    a = q.issue_ticket("general")
    q.call_next(w1)
    with pytest.raises(QueueError, match="二选一"):
        q.transfer(w1, a.id)
    with pytest.raises(QueueError, match="不能转给本窗口"):
        q.transfer(w1, a.id, window_no="1")
    with pytest.raises(QueueError, match="没有编号为 99 的窗口"):
        q.transfer(w1, a.id, window_no="99")
    with pytest.raises(QueueError, match="已在「综合受理」队列中"):
        q.transfer(w1, a.id, business_code="general")


def test_a_paused_window_cannot_call_until_it_resumes(wiring) -> None:
    w1 = sign_in(wiring, "1")
    q = wiring.queue
    a = q.issue_ticket("general")
    with pytest.raises(QueueError, match="请填写暂停服务的原因"):
        q.pause(w1, "  ")
    state = q.pause(w1, "午间休息")
    assert state.paused and state.pause_reason == "午间休息"
    assert q.snapshot(w1).paused
    with pytest.raises(QueueError, match="本窗口已暂停服务（午间休息），请先点「恢复服务」"):
        q.call_next(w1)
    with pytest.raises(QueueError, match="暂停服务"):
        q.call_specific(w1, "A001")
    assert not q.resume(w1).paused
    assert q.call_next(w1).id == a.id
    assert [(e.action, e.outcome, e.detail) for e in events(wiring) if e.ticket_id is None] == [
        ("pause", "paused", "午间休息"),
        ("resume", "resumed", ""),
    ]


def test_pausing_while_serving_lets_the_clerk_finish_the_current_ticket(wiring) -> None:
    w1 = sign_in(wiring, "1")
    q = wiring.queue
    a = q.issue_ticket("general")
    q.issue_ticket("general")
    q.call_next(w1)
    q.pause(w1, "系统维护")
    assert q.finish(w1, a.id).status is TicketStatus.FINISHED
    with pytest.raises(QueueError, match="暂停服务"):
        q.call_next(w1)


def test_call_a_specific_number_out_of_order(wiring) -> None:
    w1, w2, w4 = sign_in(wiring, "1"), sign_in(wiring, "2"), sign_in(wiring, "4")
    q = wiring.queue
    q.issue_ticket("general")
    c = q.issue_ticket("general")
    d = q.issue_ticket("realty")
    assert q.call_specific(w1, " a002 ").id == c.id
    with pytest.raises(QueueError, match="当前办理中，不能指定呼叫"):
        q.call_specific(w2, "A002")
    with pytest.raises(QueueError, match="今天没有号码 A099"):
        q.call_specific(w2, "A099")
    with pytest.raises(QueueError, match="属于「不动产登记」，本窗口不办理该业务"):
        q.call_specific(w2, "D001")
    assert q.call_specific(w4, "D001").id == d.id
    assert [e.action for e in events(wiring, c.id)] == ["issue", "call_specific"]


def test_only_the_serving_window_finishes_holds_or_transfers(wiring) -> None:
    w1, w2 = sign_in(wiring, "1"), sign_in(wiring, "2")
    q = wiring.queue
    a = q.issue_ticket("general")
    q.call_next(w1)
    for op in (q.finish, q.hold, q.no_show, q.recall):
        with pytest.raises(QueueError, match="不在本窗口办理中"):
            op(w2, a.id)
    with pytest.raises(QueueError, match="不在本窗口办理中"):
        q.transfer(w2, a.id, business_code="social")
