"""What the kiosk and the board read: waiting per business, who is served where, the last calls, and
which calls are new (each exactly once, a recall again)."""

from __future__ import annotations

import re

from hallclient.services.hall_display import HallDisplay
from hallclient.wiring import Wiring
from tests.fakes.clock import FakeClock
from tests.unit.services.queue_helpers import sign_in


def display(wiring: Wiring) -> HallDisplay:
    return HallDisplay(wiring.uow, wiring.clock, wiring.hall.timezone)


def test_businesses_with_their_waiting_counts_in_the_configured_order(wiring: Wiring) -> None:
    for code in ("general", "general", "social"):
        wiring.queue.issue_ticket(code)
    shown = display(wiring).businesses(["social", "general", "nonexistent"])
    assert [(b.code, b.name, b.prefix, b.waiting) for b in shown] == [
        ("social", "社保医保", "B", 1),
        ("general", "综合受理", "A", 2),
    ]
    assert [b.code for b in display(wiring).businesses()] == ["general", "social", "enterprise", "realty"]


def test_the_board_shows_who_is_served_at_each_window_and_the_last_calls(wiring: Wiring) -> None:
    w1, w3 = sign_in(wiring, "1"), sign_in(wiring, "3")
    for _ in range(3):
        wiring.queue.issue_ticket("general")
    a1 = wiring.queue.call_next(w1)
    a2 = wiring.queue.call_next(w3)
    assert a1 is not None and a2 is not None
    board = display(wiring).board(last_n=4)
    served = {w.window_no: w.serving for w in board.windows}
    assert served == {"1": "A001", "2": None, "3": "A002", "4": None}
    assert [(c.ticket_number, c.window_no, c.business_name) for c in board.recent] == [
        ("A002", "3", "综合受理"),
        ("A001", "1", "综合受理"),
    ]
    assert board.waiting_total == 1
    wiring.queue.finish(w1, a1.id)
    assert {w.window_no: w.serving for w in display(wiring).board(4).windows}["1"] is None


def test_the_last_n_calls_newest_first_and_a_recall_moves_up_without_a_second_row(wiring: Wiring) -> None:
    w1 = sign_in(wiring, "1")
    for _ in range(5):
        wiring.queue.issue_ticket("general")
    called = []
    for _ in range(4):
        t = wiring.queue.call_next(w1)
        assert t is not None
        called.append(t)
        wiring.queue.finish(w1, t.id)
    board = display(wiring).board(last_n=3)
    assert [c.ticket_number for c in board.recent] == ["A004", "A003", "A002"]
    t5 = wiring.queue.call_next(w1)
    assert t5 is not None
    wiring.queue.recall(w1, t5.id)
    recent = display(wiring).board(last_n=3).recent
    assert [(c.ticket_number, c.recall) for c in recent] == [("A005", True), ("A004", False), ("A003", False)]


def test_new_calls_are_reported_once_and_a_recall_again(wiring: Wiring) -> None:
    d = display(wiring)
    w1 = sign_in(wiring, "1")
    wiring.queue.issue_ticket("general")
    wiring.queue.issue_ticket("general")
    old = wiring.queue.call_next(w1)
    assert old is not None
    first = d.board(4)
    assert first.new_calls == ()  # a board that starts announces nothing from before
    wiring.queue.finish(w1, old.id)
    t = wiring.queue.call_next(w1)
    assert t is not None
    second = d.board(4, first.call_ids)
    assert [(c.ticket_number, c.window_no, c.recall) for c in second.new_calls] == [("A002", "1", False)]
    third = d.board(4, second.call_ids)
    assert third.new_calls == ()
    wiring.queue.recall(w1, t.id)
    fourth = d.board(4, third.call_ids)
    assert [(c.ticket_number, c.recall) for c in fourth.new_calls] == [("A002", True)]


def test_a_call_committed_late_with_a_lower_id_is_still_new(wiring: Wiring) -> None:
    # PostgreSQL hands out ids at insert, so a board may see id 101 before id 100 commits.
    w1 = sign_in(wiring, "1")
    wiring.queue.issue_ticket("general")
    t = wiring.queue.call_next(w1)
    assert t is not None
    board = display(wiring).board(4, seen=frozenset())
    (call,) = board.new_calls
    pretend_seen_later_one = frozenset({call.event_id + 1})
    again = display(wiring).board(4, pretend_seen_later_one)
    assert [c.ticket_number for c in again.new_calls] == ["A001"]


def test_only_the_configured_windows_in_number_order(wiring: Wiring) -> None:
    board = display(wiring).board(4, windows=["4", "2"])
    assert [w.window_no for w in board.windows] == ["2", "4"]


def test_a_board_for_some_windows_lists_and_reports_only_their_calls(wiring: Wiring) -> None:
    w1, w2 = sign_in(wiring, "1"), sign_in(wiring, "2")
    for _ in range(2):
        wiring.queue.issue_ticket("general")
    d = display(wiring)
    first = d.board(4, windows=["2"])
    wiring.queue.call_next(w1)
    wiring.queue.call_next(w2)
    board = d.board(4, first.call_ids, windows=["2"])
    assert [(c.ticket_number, c.window_no) for c in board.recent] == [("A002", "2")]
    assert [(c.ticket_number, c.window_no) for c in board.new_calls] == [("A002", "2")]


def test_a_window_still_serving_a_ticket_called_long_ago_shows_it(wiring: Wiring) -> None:
    w4, w1 = sign_in(wiring, "4"), sign_in(wiring, "1")
    wiring.queue.issue_ticket("realty")
    wiring.queue.call_next(w4)  # D001, a long service
    for _ in range(4):  # more calls elsewhere than the display remembers ids of
        wiring.queue.issue_ticket("general")
        t = wiring.queue.call_next(w1)
        assert t is not None
        wiring.queue.finish(w1, t.id)
    d = HallDisplay(wiring.uow, wiring.clock, wiring.hall.timezone, call_id_tail=2)
    assert {w.window_no: w.serving for w in d.board(2).windows}["4"] == "D001"


def test_nothing_on_the_board_is_a_name_or_an_id_number(wiring: Wiring, clock: FakeClock) -> None:
    w1 = sign_in(wiring, "1")
    wiring.queue.issue_ticket("general")
    wiring.queue.call_next(w1)
    board = display(wiring).board(4)
    text = repr(board)
    assert "窗口1工作人员" not in text and "张敏" not in text
    assert not re.search(r"\d{6,}", re.sub(r"datetime\.datetime\([^)]*\)", "", text))
