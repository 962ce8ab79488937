"""Figures of a scripted hall morning: per business, window and hour, and every roll-up."""

from __future__ import annotations

import datetime as dt

from hallclient.services.queue_figures import percentile
from tests.unit.services.queue_helpers import sign_in

# The fake clock starts at 09:00 UTC = 17:00 in the hall (Asia/Shanghai).


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(v) for v in range(1, 11)], 0.9) == 9.0
    assert percentile([float(v) for v in range(1, 101)], 0.99) == 99.0


def test_figures_per_business_window_and_hour(wiring, clock) -> None:
    w1, w3 = sign_in(wiring, "1"), sign_in(wiring, "3")
    q = wiring.queue
    a1 = q.issue_ticket("general")  # 17:00:00
    clock.advance(60)
    a2 = q.issue_ticket("general")  # 17:01
    b1 = q.issue_ticket("social")  # 17:01
    clock.advance(120)  # 17:03
    assert q.call_next(w1).id == a1.id  # waited 180 s
    assert q.call_next(w3).id == b1.id  # waited 120 s
    clock.advance(300)  # 17:08
    q.finish(w1, a1.id)  # served 300 s
    q.recall(w3, b1.id)
    q.no_show(w3, b1.id)
    assert q.call_next(w1).id == a2.id  # waited 420 s
    clock.advance(60)
    q.transfer(w1, a2.id, business_code="social")
    clock.set(dt.datetime(2026, 3, 2, 10, 0, 30, tzinfo=dt.UTC))  # 18:00:30, the next hour
    a3 = q.issue_ticket("general")
    assert q.call_next(w3).id == a2.id  # a transferred ticket: its wait counted once, at its first call
    clock.advance(100)
    q.finish(w3, a2.id)  # served 100 s at window 3, in the social queue

    f = q.figures()
    day = f.get()
    assert (day.issued, day.served, day.no_shows, day.transfers, day.recalls) == (4, 2, 1, 1, 1)
    assert day.wait_mean_s == (180 + 120 + 420) / 3
    assert day.wait_p90_s == 420
    assert day.service_mean_s == (300 + 100) / 2
    assert day.longest_wait_s == 100  # A003, issued 100 s ago, still waiting

    general_w1_17h = f.get("general", "1", 17)
    assert (general_w1_17h.served, general_w1_17h.transfers) == (1, 1)
    assert general_w1_17h.wait_mean_s == (180 + 420) / 2
    assert general_w1_17h.service_p90_s == 300
    social_w3 = f.get("social", "3")
    assert (social_w3.served, social_w3.no_shows, social_w3.recalls) == (1, 1, 1)
    assert social_w3.service_mean_s == 100
    assert f.get("general", None, 17).issued == 2 and f.get("social", None, 17).issued == 1
    assert f.get(None, None, 18).issued == 1
    assert f.get(window="1").served == 1 and f.get(window="3").served == 1
    # Window 3 serves general too: A003 waits for it; window 4 (realty only) has nobody waiting.
    assert f.get(window="3").longest_wait_s == 100
    assert f.get(window="4").longest_wait_s is None
    assert f.get("general").longest_wait_s == 100
    assert {(r.business, r.window, r.hour) for r in f.finest()} >= {
        ("general", None, 17),
        ("general", "1", 17),
        ("social", "3", 17),
        ("social", "3", 18),
        ("general", None, 18),
    }
    assert a3.number == "A003"
