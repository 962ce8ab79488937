"""Windows race for tickets while kiosks issue them: no double call, no lost ticket, no gap in numbers.

Every window and every kiosk is its own wiring (engine, pool, sessions), as separate PCs in a hall
would be. A kiosk hands a token to the windows after each commit; a window that holds a token must
find a ticket to call (with N tokens taken there are at least N committed, unclaimed tickets).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hallclient import wiring as wiring_mod
from hallclient.domain.queue import CallAction, TicketStatus, format_ticket_number
from hallclient.services.auth import ClerkSession
from hallclient.services.setup import DEFAULT_BUSINESSES, WindowSpec
from hallclient.store import models as m
from tests.fakes.clock import FakeClock
from tests.integration.store.cycle import build, sign_in

BUSINESSES = ("general", "social")
DEADLINE_S = 120.0


@dataclass
class Race:
    issued: list[str] = field(default_factory=list)
    called: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    empty_claims: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _guarded(race: Race, name: str, body: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            body()
        except BaseException as exc:  # report every thread's failure, not only the first
            with race.lock:
                race.errors.append(f"{name}: {type(exc).__name__}: {exc}")

    return run


def run_race(url: str, *, windows: int, kiosks: int, tickets: int) -> None:
    """Run the race on the store at ``url`` and check what the store holds afterwards."""
    clock = FakeClock()
    main = build(url, clock)
    specs = [
        WindowSpec(str(20 + i), f"并发测试{i}号窗", BUSINESSES if i % 2 == 0 else BUSINESSES[::-1])
        for i in range(windows)
    ]
    main.setup.ensure(main.hall, DEFAULT_BUSINESSES, specs)
    stations: list[tuple[wiring_mod.Wiring, ClerkSession]] = []
    kiosk_wirings: list[wiring_mod.Wiring] = []
    try:
        for i, spec in enumerate(specs):
            w = build(url, clock)
            stations.append((w, sign_in(w, f"3{i:03d}", spec.number)))
        kiosk_wirings = [build(url, clock) for _ in range(kiosks)]
        race = Race()
        tokens: queue.Queue[str | None] = queue.Queue()
        start = threading.Barrier(windows + kiosks)
        deadline = time.monotonic() + DEADLINE_S

        def kiosk(w: wiring_mod.Wiring, k: int) -> None:
            start.wait(timeout=30)
            for n in range(tickets // kiosks):
                ticket = w.queue.issue_ticket(BUSINESSES[(k + n) % len(BUSINESSES)])
                with race.lock:
                    race.issued.append(ticket.id)
                tokens.put(ticket.id)

        def window(w: wiring_mod.Wiring, session: ClerkSession) -> None:
            start.wait(timeout=30)
            while True:
                token = tokens.get(timeout=max(0.1, deadline - time.monotonic()))
                if token is None:
                    return
                ticket = w.queue.call_next(session)
                if ticket is None:  # a committed ticket was waiting, yet this window found none
                    with race.lock:
                        race.empty_claims.append(session.window_no)
                    continue
                w.queue.finish(session, ticket.id)
                with race.lock:
                    race.called[session.window_no].append(ticket.id)

        kiosk_threads = [
            threading.Thread(target=_guarded(race, f"kiosk {k}", lambda w=w, k=k: kiosk(w, k)), daemon=True)
            for k, w in enumerate(kiosk_wirings)
        ]
        window_threads = [
            threading.Thread(
                target=_guarded(race, f"window {s.window_no}", lambda w=w, s=s: window(w, s)), daemon=True
            )
            for w, s in stations
        ]
        for t in kiosk_threads + window_threads:
            t.start()
        for t in kiosk_threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))
        for _ in window_threads:
            tokens.put(None)  # after every ticket token: each window drains the queue, then stops
        for t in window_threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))
        alive = [t.name for t in kiosk_threads + window_threads if t.is_alive()]
        assert not alive, f"threads still running after {DEADLINE_S:.0f} s: {alive}"
        assert race.errors == []
        assert race.empty_claims == [], "windows found no ticket while tickets were waiting"
        _check_race(main, race, tickets)
    finally:
        main.close()
        for w, _ in stations:
            w.close()
        for w in kiosk_wirings:
            w.close()


def _check_race(main: wiring_mod.Wiring, race: Race, tickets: int) -> None:
    assert len(race.issued) == tickets
    all_called = [t for ids in race.called.values() for t in ids]
    assert Counter(all_called).most_common(1)[0][1] == 1, "a ticket was called by two windows"
    assert set(all_called) == set(race.issued), "issued tickets were never called"
    assert len(race.called) > 1, "only one window ever got a ticket: there was no race"
    with main.uow() as uow:
        s = uow.session
        assert s is not None
        calls = dict(
            s.execute(
                select(m.CallEvent.ticket_id, func.count())
                .where(m.CallEvent.action == CallAction.CALL)
                .group_by(m.CallEvent.ticket_id)
            ).all()
        )
        assert set(calls) == set(race.issued)
        assert set(calls.values()) == {1}, "a ticket has more than one CALL event"
        statuses = Counter(s.scalars(select(m.Ticket.status)).all())
        assert statuses == {TicketStatus.FINISHED: tickets}, "a ticket was left waiting or in service"
        rows = s.execute(
            select(
                m.Business.code, m.Business.prefix, m.Ticket.business_date, m.Ticket.seq, m.Ticket.number
            ).join(m.Business, m.Business.id == m.Ticket.business_id)
        ).all()
        by_day: dict[tuple[str, object], list[tuple[int, str, str]]] = defaultdict(list)
        for code, prefix, day, seq, number in rows:
            by_day[(code, day)].append((seq, number, prefix))
        assert {code for code, _ in by_day} == set(BUSINESSES)
        for key, entries in by_day.items():
            seqs = sorted(seq for seq, _, _ in entries)
            assert seqs == list(range(1, len(entries) + 1)), f"{key}: numbers not contiguous from 1"
            assert all(number == format_ticket_number(prefix, seq) for seq, number, prefix in entries)
            assert len({number for _, number, _ in entries}) == len(entries)
        assert sum(len(e) for e in by_day.values()) == tickets


@pytest.mark.postgres
def test_eight_windows_and_four_kiosks_race_on_postgres(pg_url: str) -> None:
    run_race(pg_url, windows=8, kiosks=4, tickets=400)


def test_four_windows_and_two_kiosks_race_on_sqlite(tmp_path: Path) -> None:
    run_race(f"sqlite:///{tmp_path / 'hall.db'}", windows=4, kiosks=2, tickets=80)
