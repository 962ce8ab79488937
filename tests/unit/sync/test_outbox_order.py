"""Per ordering key, a parked (rejected) or exported record holds back every later record of its key.

The same promises of the OutboxRepository port, checked on the SQL repository (a SQLite file,
migrated like the real store) and on the shared fake that the engine's unit tests rely on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.services.ports import PushResult
from hallclient.store.db import make_engine, upgrade
from hallclient.store.uow import SqlUnitOfWorkFactory
from tests.fakes.outbox import FakeUnitOfWorkFactory, sample_record
from tests.unit.sync.conftest import ScriptedClient

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(params=["sql", "fake"])
def uows(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "fake":
        yield FakeUnitOfWorkFactory()
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    upgrade(engine)
    yield SqlUnitOfWorkFactory(engine)
    engine.dispose()


def add(uows: Any, *records: OutboxRecord) -> None:
    with uows() as uow:
        for r in records:
            uow.outbox.add(r)
        uow.commit()


def pending_ids(uows: Any, now: dt.datetime = NOW) -> list[str]:
    with uows() as uow:
        return [p.record.record_id for p in uow.outbox.pending(100, now)]


def three_of_case_a_and_one_of_b() -> tuple[OutboxRecord, ...]:
    a1 = sample_record(ordering_key="A")
    a2 = sample_record(RecordKind.CASE_PROCESS, ordering_key="A")
    b1 = sample_record(ordering_key="B")
    a3 = sample_record(RecordKind.CASE_RESULT, ordering_key="A")
    return a1, a2, b1, a3


def test_a_rejected_record_holds_back_the_later_records_of_its_key_only(uows):
    a1, a2, b1, a3 = three_of_case_a_and_one_of_b()
    add(uows, a1, a2, b1, a3)
    with uows() as uow:
        uow.outbox.mark_sent([a1.record_id], NOW)
        uow.outbox.mark_rejected(a2.record_id, "缺少必填字段：process_name", NOW)
        uow.commit()

    assert pending_ids(uows) == [b1.record_id]  # a3 must not overtake the parked a2


def test_retrying_the_rejected_record_releases_its_key_in_order(uows):
    a1, a2, b1, a3 = three_of_case_a_and_one_of_b()
    add(uows, a1, a2, b1, a3)
    with uows() as uow:
        uow.outbox.mark_rejected(a1.record_id, "代码表没有对应代码", NOW)
        uow.commit()
    assert pending_ids(uows) == [b1.record_id]

    with uows() as uow:
        assert uow.outbox.retry_rejected([a1.record_id]) == 1
        uow.commit()

    assert pending_ids(uows) == [a1.record_id, a2.record_id, b1.record_id, a3.record_id]


def test_a_record_waiting_for_its_retry_time_still_holds_back_its_key(uows):
    a1, a2, b1, a3 = three_of_case_a_and_one_of_b()
    add(uows, a1, a2, b1, a3)
    with uows() as uow:
        uow.outbox.mark_failed([a1.record_id], "超时", NOW + dt.timedelta(minutes=1))
        uow.commit()

    assert pending_ids(uows) == [b1.record_id]
    assert pending_ids(uows, NOW + dt.timedelta(minutes=2)) == [
        a1.record_id,
        a2.record_id,
        b1.record_id,
        a3.record_id,
    ]


def test_held_records_beyond_the_first_rows_do_not_starve_other_keys(uows):
    """Hundreds of held records of one case in front must not hide a due record behind them."""
    head = sample_record(ordering_key="BIG")
    held = [sample_record(RecordKind.CASE_PROCESS, ordering_key="BIG") for _ in range(300)]
    other = sample_record(ordering_key="OTHER")
    add(uows, head, *held, other)
    with uows() as uow:
        uow.outbox.mark_rejected(head.record_id, "原因", NOW)
        uow.commit()

    with uows() as uow:
        assert [p.record.record_id for p in uow.outbox.pending(10, NOW)] == [other.record_id]


def test_exported_records_are_not_pending_but_counted_and_hold_back_their_key(uows):
    a1, a2, b1, a3 = three_of_case_a_and_one_of_b()
    add(uows, a1, a2, b1)
    with uows() as uow:
        assert [r.record_id for r in uow.outbox.exportable()] == [a1.record_id, a2.record_id, b1.record_id]
        assert uow.outbox.mark_exported([a1.record_id, a2.record_id]) == 2
        uow.commit()
    add(uows, a3)  # the case goes on here after its first records left on a USB stick

    assert pending_ids(uows) == [b1.record_id]
    with uows() as uow:
        counts = uow.outbox.counts()
        assert (counts.pending, counts.exported) == (2, 2)
        # a3 waits behind its exported predecessors: not exportable either (it would overtake them)
        assert [r.record_id for r in uow.outbox.exportable()] == [b1.record_id]
        assert uow.outbox.release_exported() == 2
        uow.commit()
    assert pending_ids(uows) == [a1.record_id, a2.record_id, b1.record_id, a3.record_id]


def test_records_behind_a_rejected_record_are_not_exported(uows):
    a1, a2, b1, _ = three_of_case_a_and_one_of_b()
    add(uows, a1, a2, b1)
    with uows() as uow:
        uow.outbox.mark_rejected(a1.record_id, "原因", NOW)
        uow.commit()
    with uows() as uow:
        assert [r.record_id for r in uow.outbox.exportable()] == [b1.record_id]


def test_mark_exported_leaves_records_that_were_sent_meanwhile_alone(uows):
    a1, _, b1, _ = three_of_case_a_and_one_of_b()
    add(uows, a1, b1)
    with uows() as uow:
        uow.outbox.mark_sent([a1.record_id], NOW)
        uow.commit()
    with uows() as uow:
        assert uow.outbox.mark_exported([a1.record_id, b1.record_id]) == 1
        uow.commit()
        counts = uow.outbox.counts()
    assert (counts.sent, counts.exported, counts.pending) == (1, 1, 0)


def test_import_keeps_record_ids_and_skips_records_already_there(uows):
    a1, a2, b1, _ = three_of_case_a_and_one_of_b()
    add(uows, a1)
    with uows() as uow:
        assert uow.outbox.import_records([a1, a2, b1]) == 2
        uow.commit()
    with uows() as uow:
        assert uow.outbox.import_records([a1, a2, b1]) == 0  # a second import adds nothing
        uow.commit()
    assert pending_ids(uows) == [a1.record_id, a2.record_id, b1.record_id]


def test_the_engine_does_not_send_a_later_record_of_a_rejected_case_until_retried(make_engine, uow_factory):
    a1 = sample_record(ordering_key="A")
    a2 = sample_record(RecordKind.CASE_PROCESS, ordering_key="A")
    b1 = sample_record(ordering_key="B")
    uow_factory.add(a1, a2, b1)
    engine, client = make_engine(
        lambda rs: [PushResult(r.record_id, "rejected" if r is rs[0] else "accepted", "原因") for r in rs],
        batch_size=1,
    )

    engine.drain()  # a1 is rejected; a2 must wait; b1 goes

    assert client.sent_ids == [a1.record_id, b1.record_id]
    assert engine.status().pending == 1
    with uow_factory() as uow:
        uow.outbox.retry_rejected()
        uow.commit()
    engine.drain()
    assert client.sent_ids[2:] == [a1.record_id, a2.record_id]
    assert isinstance(client, ScriptedClient) and engine.status().pending == 0
