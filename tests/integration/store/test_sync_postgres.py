"""The outbox in PostgreSQL drained to the reference platform on 127.0.0.1: everything, exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hallclient import wiring as wiring_mod
from hallclient.domain.outbox import OutboxStatus
from hallclient.store import models as m
from hallclient.sync.reference_platform import ReferencePlatform
from tests.fakes.clock import FakeClock
from tests.integration.store.cycle import build, serve_one, sign_in

pytestmark = pytest.mark.postgres


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[ReferencePlatform]:
    p = ReferencePlatform(tmp_path / "platform.db").start()
    try:
        yield p
    finally:
        p.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def w(pg_url_per_test: str, platform: ReferencePlatform, clock: FakeClock) -> Iterator[wiring_mod.Wiring]:
    wiring = build(pg_url_per_test, clock, platform_url=platform.url)
    assert wiring.config.platform.url == platform.url
    try:
        yield wiring
    finally:
        wiring.close()


def run_cycle(w: wiring_mod.Wiring, clock: FakeClock) -> list[str]:
    """Two services (one with a bad review); the record ids of the outbox, oldest first."""
    session = sign_in(w, "5001", "1")
    for _ in range(3):
        w.queue.issue_ticket("general")
    for level in (5, 1):
        clock.advance(minutes=5)
        serve_one(w, session, clock, level=level)
    return outbox_ids(w)


def outbox_ids(w: wiring_mod.Wiring, status: OutboxStatus | None = None) -> list[str]:
    with w.uow() as uow:
        assert uow.session is not None
        stmt = select(m.Outbox.record_id).order_by(m.Outbox.seq)
        if status is not None:
            stmt = stmt.where(m.Outbox.status == status)
        return list(uow.session.scalars(stmt))


def test_a_drain_sends_every_outbox_record_and_a_second_drain_sends_nothing(
    w: wiring_mod.Wiring, platform: ReferencePlatform, clock: FakeClock
) -> None:
    created = run_cycle(w, clock)
    assert len(created) == 7  # per service: inquiry, case.accept, review; the bad review's rectification

    report = w.sync_engine().drain()

    assert (report.sent, report.duplicates, report.rejected, report.error) == (7, 0, 0, "")
    assert outbox_ids(w, OutboxStatus.SENT) == created
    assert platform.count() == len(created)
    assert [r["id"] for r in platform.records()] == created  # in outbox order
    answers_before = platform.stats()["answers"]

    again = w.sync_engine().drain()

    assert (again.sent, again.failed, again.pending_after) == (0, 0, 0)
    assert platform.stats()["answers"] == answers_before, "the second drain pushed records again"
    assert platform.count() == len(created)


def test_records_whose_answers_were_dropped_arrive_exactly_once(
    w: wiring_mod.Wiring, platform: ReferencePlatform, clock: FakeClock
) -> None:
    created = run_cycle(w, clock)
    engine = w.sync_engine()
    platform.set_faults("drop=1.0")

    first = engine.run_once()  # stored by the platform, but the answer never comes back

    assert first.sent == 0 and first.failed == len(created) and first.error
    assert outbox_ids(w, OutboxStatus.PENDING) == created
    assert platform.count() == len(created)

    platform.set_faults("")
    clock.advance(seconds=301)  # beyond the longest back-off
    report = engine.drain()

    assert (report.sent, report.duplicates, report.error) == (len(created), len(created), "")
    assert outbox_ids(w, OutboxStatus.SENT) == created
    arrived = Counter(r["id"] for r in platform.records())
    assert arrived == Counter(created), "a record is missing on the platform or stored twice"
    with w.uow() as uow:
        assert uow.session is not None
        assert set(uow.session.scalars(select(m.Outbox.attempts))) == {1}  # one failed try each
