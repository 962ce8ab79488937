"""Queue operations on a real PostgreSQL: windows racing with every operation, LISTEN/NOTIFY and its
polling fallback, the queue version under out-of-order commits, hall-local hours in the figures.

Numbering across midnight and the first call of a new day are in test_day_rollover.py; plain
call-and-finish races on both back ends in test_concurrent_calls.py.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import insert, text

from hallclient import wiring as wiring_mod
from hallclient.bench.queue import QueueBench
from hallclient.services.auth import ClerkSession
from hallclient.services.errors import QueueError
from hallclient.store import models as m
from hallclient.store.queue_events import CHANNEL, PgQueueEvents
from tests.fakes.clock import FakeClock
from tests.integration.store.cycle import build, make_config, sign_in

pytestmark = pytest.mark.postgres
UTC = dt.UTC


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # Monday 09:00 in the hall


@pytest.fixture
def w(pg_url_per_test: str, clock: FakeClock) -> Iterator[wiring_mod.Wiring]:
    wiring = build(pg_url_per_test, clock)
    try:
        yield wiring
    finally:
        wiring.close()


def _race(n: int, body: Callable[[int], Any]) -> list[Any]:
    """Run ``body(i)`` in ``n`` threads released together; each result or exception, in order."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        start.wait(timeout=30)
        try:
            results[i] = body(i)
        except Exception as exc:  # the losers' errors are part of the result
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_many_windows_with_every_operation_never_double_call_lose_or_duplicate(pg_url_per_test: str) -> None:
    # The benchmark driver is the racing harness: 16 windows, 3 kiosks, calls, recalls, no-shows,
    # holds and call backs, transfers to businesses and to windows, pauses; then the store check.
    bench = QueueBench(pg_url_per_test, windows=16, tickets=480, kiosks=3, median_service_ms=3.0)
    figures = bench.run(deadline_s=240).figures
    assert figures["errors"] == []
    assert (figures["double_calls"], figures["lost_tickets"], figures["duplicate_numbers"]) == (0, 0, 0)
    assert figures["number_gaps"] == 0
    ops = figures["ops"]
    assert ops["call"] >= 480 and min(ops["transfer"], ops["hold"], ops["call_back"], ops["no_show"]) > 0


def test_a_number_called_by_twelve_clients_at_once_goes_to_exactly_one(w: wiring_mod.Wiring) -> None:
    others = [build(w.config.store_url, w.clock) for _ in range(12)]
    try:
        sessions = [sign_in(o, f"51{i:02d}", str(1 + i % 3)) for i, o in enumerate(others[:3])]
        ticket = w.queue.issue_ticket("general")
        # Windows 1-3 all serve general; twelve clients, each with its own connection, ask for A001
        # together (four per window: the window's own "one ticket at a time" rule is raced too).
        results = _race(12, lambda i: others[i].queue.call_specific(sessions[i % 3], ticket.number))
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, QueueError)]
        assert len(winners) == 1 and winners[0].id == ticket.id
        assert len(losers) == 11, [r for r in results if isinstance(r, Exception) and r not in losers]
    finally:
        for o in others:
            o.close()


def test_two_windows_calling_back_one_no_show_give_it_to_one(w: wiring_mod.Wiring) -> None:
    w2 = build(w.config.store_url, w.clock)
    try:
        s1, s2 = sign_in(w, "5201", "1"), sign_in(w2, "5202", "2")
        ticket = w.queue.issue_ticket("general")
        w.queue.call_next(s1)
        w.queue.no_show(s1, ticket.id)
        pairs: list[tuple[wiring_mod.Wiring, ClerkSession]] = [(w, s1), (w2, s2)]
        results = _race(2, lambda i: pairs[i][0].queue.call_back(pairs[i][1], ticket.id))
        winners = [r for r in results if not isinstance(r, Exception)]
        assert len(winners) == 1 and winners[0].id == ticket.id
        assert sum(isinstance(r, QueueError) for r in results) == 1
    finally:
        w2.close()


# ---- change notification ------------------------------------------------------------------------


def _raw(url: str) -> psycopg.Connection:
    from sqlalchemy.engine import make_url

    return psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    )


def test_a_change_is_notified_on_commit_with_its_event_and_never_before(w: wiring_mod.Wiring) -> None:
    with _raw(w.config.store_url) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        with w.engine.connect() as conn:  # an uncommitted event: nobody hears of it
            conn.execute(insert(m.CallEvent).values(action="pause", at=w.clock.now(), detail="", outcome=""))
            assert list(listener.notifies(timeout=0.3)) == []
            conn.rollback()
        assert list(listener.notifies(timeout=0.3)) == []

        ticket = w.queue.issue_ticket("general")
        got = list(listener.notifies(timeout=1.0, stop_after=1))
    assert len(got) == 1 and got[0].channel == CHANNEL
    payload = json.loads(got[0].payload)
    assert (payload["action"], payload["ticket"]) == ("issue", ticket.id)


class _ObservedEvents(PgQueueEvents):
    """Tells the test when the waiter has taken its first look at the version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.first_read = threading.Event()
        super().__init__(*args, **kwargs)

    def current_version(self) -> int:
        version = super().current_version()
        self.first_read.set()
        return version


def test_listen_notify_wakes_a_waiter_within_a_second(w: wiring_mod.Wiring) -> None:
    # Polling once an hour: only the notification can wake the waiter inside its one second.
    events = _ObservedEvents(w.engine, poll_interval=3600)
    try:
        assert events.listening.wait(timeout=10)
        before = w.queue.version()
        kiosk = build(w.config.store_url, w.clock)
        try:

            def issue_after_first_read() -> None:
                assert events.first_read.wait(timeout=10)
                kiosk.queue.issue_ticket("social")

            issuer = threading.Thread(target=issue_after_first_read, daemon=True)
            issuer.start()
            after = events.wait_for_change(before, timeout=1.0)
            issuer.join(timeout=10)
        finally:
            kiosk.close()
        assert after > before
        assert events.notifications >= 1
    finally:
        events.close()


def test_polling_finds_a_change_whose_notification_was_lost(w: wiring_mod.Wiring) -> None:
    events = PgQueueEvents(w.engine, poll_interval=0.05)
    try:
        assert events.listening.wait(timeout=10)
        with _raw(w.config.store_url) as admin:
            # Kill the listening connection: the next change notifies nobody.
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%%' AND datname = current_database()"
            ).fetchall()
        assert killed and all(row[0] for row in killed)
        before = w.queue.version()
        w.queue.issue_ticket("general")
        assert events.wait_for_change(before, timeout=30) > before
    finally:
        events.close()


def test_polling_alone_keeps_working_without_any_listener(w: wiring_mod.Wiring) -> None:
    events = PgQueueEvents(w.engine, poll_interval=0.05, listen=False)
    try:
        before = events.current_version()
        issuer = threading.Thread(target=lambda: w.queue.issue_ticket("general"), daemon=True)
        issuer.start()
        assert events.wait_for_change(before, timeout=30) > before
        issuer.join(timeout=10)
        assert events.notifications == 0
    finally:
        events.close()


def test_the_version_sees_a_change_that_commits_after_a_later_one(w: wiring_mod.Wiring) -> None:
    # Sequence ids are handed out at insert, not at commit: the slow transaction gets the lower id.
    with w.engine.connect() as slow:
        slow.execute(insert(m.CallEvent).values(action="pause", at=w.clock.now(), detail="", outcome=""))
        w.queue.issue_ticket("general")  # a higher id, committed first
        seen = w.queue.version()
        slow.commit()
    assert w.queue.version() > seen, "a poller that saw the later commit must still notice the earlier id"


# ---- the hall's day and hours -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "hour"),
    [("Asia/Shanghai", 23), ("Asia/Urumqi", 21), ("UTC", 15)],
)
def test_figures_count_in_the_halls_own_hours_and_day(
    pg_url_per_test: str, clock: FakeClock, timezone: str, hour: int
) -> None:
    cfg = make_config(pg_url_per_test).with_overrides({"hall.timezone": timezone})
    w = wiring_mod.build(cfg, clock)
    try:
        session = sign_in(w, "5301", "1")
        clock.set(dt.datetime(2026, 3, 2, 15, 30, tzinfo=UTC))
        t = w.queue.issue_ticket("general")
        w.queue.call_next(session)
        clock.advance(minutes=5)
        w.queue.finish(session, t.id)
        local_day = dt.datetime(2026, 3, 2, 15, 30, tzinfo=UTC).astimezone(ZoneInfo(timezone))
        figures = w.queue.figures(local_day.date())
        assert figures.get("general", None, hour).issued == 1
        assert figures.get("general", "1", hour).served == 1
        assert figures.get().service_mean_s == 300
        assert w.queue.figures(local_day.date() + dt.timedelta(days=1)).get().issued == 0
        with w.engine.connect() as conn:
            stored_day = conn.execute(text("SELECT business_date FROM ticket")).scalar_one()
        assert stored_day == local_day.date()
    finally:
        w.close()


def test_interleave_and_priority_ranks_order_calls_on_postgres(
    pg_url_per_test: str, clock: FakeClock
) -> None:
    cfg = make_config(pg_url_per_test).with_overrides(
        {"queue.priority_policy": "interleave", "queue.interleave_n": 2}
    )
    w = wiring_mod.build(cfg, clock)
    try:
        desk = sign_in(w, "5401", "2")
        for kind in "PGNNNNN":
            t = w.queue.issue_ticket("general")
            if kind != "N":
                w.queue.mark_priority(desk, t.id, {"P": "elderly", "G": "green"}[kind], "居民身份证")
            clock.advance(1)
        order = []
        while (t := w.queue.call_next(desk)) is not None:
            order.append(t.number)
            w.queue.finish(desk, t.id)
        # Two normal calls, then the best-ranked priority ticket (green A002 before elderly A001).
        assert order == ["A003", "A004", "A002", "A005", "A006", "A001", "A007"]
    finally:
        w.close()


def test_a_ticket_held_before_the_halls_midnight_is_not_called_back_after_it(
    w: wiring_mod.Wiring, clock: FakeClock
) -> None:
    session = sign_in(w, "5501", "1")
    clock.set(dt.datetime(2026, 3, 2, 15, 55, tzinfo=UTC))  # Monday 23:55 in the hall
    late = w.queue.issue_ticket("general")
    w.queue.call_next(session)
    w.queue.hold(session, late.id)
    assert [t.number for t in w.queue.parked(session)] == ["A001"]
    clock.set(dt.datetime(2026, 3, 2, 16, 5, tzinfo=UTC))  # Tuesday 00:05: ten minutes, another day
    assert w.queue.parked(session) == []
    with pytest.raises(QueueError, match="是 03月02日 的号码，不能回呼，请重新取号"):
        w.queue.call_back(session, late.id)
    tuesday = w.queue.issue_ticket("general")
    assert (tuesday.number, tuesday.waiting_ahead) == ("A001", 0)
    assert w.queue.waiting_by_business() == {"general": 1}
    assert w.queue.call_next(session).id == tuesday.id
