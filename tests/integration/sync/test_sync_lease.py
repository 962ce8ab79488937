"""Hall mode: one hall outbox in PostgreSQL, two clients; only the holder of the sync lease pushes, and
when the holder's database session dies the other client takes over."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from hallclient.store.db import make_engine, upgrade
from hallclient.store.lease import SYNC_LOCK_KEY, PostgresAdvisoryLease, lease_for
from hallclient.store.uow import SqlUnitOfWorkFactory
from hallclient.sync.reference_platform import ReferencePlatform
from hallclient.sync.worker import SyncEngine
from tests.emulators.waiting import wait_until
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import sample_record
from tests.integration.sync.conftest import make_client

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(pg_url_per_test: str) -> Iterator[SqlUnitOfWorkFactory]:
    engine = make_engine(pg_url_per_test)
    upgrade(engine)
    yield SqlUnitOfWorkFactory(engine)
    engine.dispose()


def add(uows: SqlUnitOfWorkFactory, n: int, prefix: str) -> list[str]:
    records = [sample_record(ordering_key=f"{prefix}-{i}") for i in range(n)]
    with uows() as uow:
        for r in records:
            uow.outbox.add(r)
        uow.commit()
    return [r.record_id for r in records]


def lease_holders(uows: SqlUnitOfWorkFactory) -> list[int]:
    """Backend pids holding the sync lock (an advisory lock on a bigint: classid/objid halves)."""
    with uows.engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND classid = :hi AND objid = :lo AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                ),
                {"hi": SYNC_LOCK_KEY >> 32, "lo": SYNC_LOCK_KEY & 0xFFFFFFFF},
            ).scalars()
        )


def test_on_postgresql_the_lease_is_an_advisory_lock(store):
    lease = lease_for(store.engine)
    assert isinstance(lease, PostgresAdvisoryLease)
    assert lease.acquire() and lease_holders(store) != []
    lease.release()
    assert lease_holders(store) == []


def test_only_the_holder_pushes_and_the_other_takes_over_when_the_holder_dies(
    store, platform: ReferencePlatform
):
    clock = FakeClock()
    first_ids = add(store, 5, "first")
    engines = []
    for _ in range(2):
        lease = PostgresAdvisoryLease(store.engine)
        engines.append((SyncEngine(store, make_client(platform), clock, lease=lease), lease))
    (a, lease_a), (b, lease_b) = engines
    try:
        report_a = a.run_once()
        report_b = b.run_once()

        assert (report_a.lease_held, report_a.sent) == (True, 5)
        assert (report_b.lease_held, report_b.sent) == (False, 0)
        assert b.status().lease_held is False
        add(store, 3, "second")
        assert b.run_once().sent == 0  # still not b's turn
        assert a.run_once().sent == 3
        (holder,) = lease_holders(store)

        # The holder's database session dies (killed backend, cable pulled, PC off).
        with store.engine.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder}).scalar()
        wait_until(lambda: holder not in lease_holders(store), timeout=10)
        third_ids = add(store, 4, "third")

        report_b = b.run_once()
        assert (report_b.lease_held, report_b.sent) == (True, 4)
        report_a = a.run_once()  # the old holder notices it lost the lease and stands by
        assert (report_a.lease_held, report_a.sent) == (False, 0)
        assert lease_a.held is False and lease_b.held is True

        stored = [r["id"] for r in platform.records()]
        assert stored[:5] == first_ids and stored[-4:] == third_ids and len(stored) == len(set(stored)) == 12
    finally:
        a.close()
        b.close()


def test_closing_the_holder_hands_the_lease_over_at_once(store, platform: ReferencePlatform):
    clock = FakeClock()
    a = SyncEngine(store, make_client(platform), clock, lease=PostgresAdvisoryLease(store.engine))
    b = SyncEngine(store, make_client(platform), clock, lease=PostgresAdvisoryLease(store.engine))
    try:
        assert a.run_once().lease_held and not b.run_once().lease_held
        a.close()
        add(store, 2, "after")
        assert b.run_once().sent == 2
    finally:
        a.close()
        b.close()
