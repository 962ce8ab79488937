"""The sync engine (over the fake outbox) against the reference platform with injected faults."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from hallclient.domain.outbox import OutboxRecord, OutboxStatus, RecordKind
from tests.emulators.waiting import wait_until
from tests.fakes.outbox import sample_record
from tests.integration.sync.conftest import make_client

LATER = 400  # seconds: past the longest backoff (max_delay 300 s)


def test_a_batch_stored_but_unanswered_ends_up_on_the_platform_exactly_once(
    start_platform, make_engine, uow_factory, clock
):
    platform = start_platform(faults="drop=1.0")
    records = [sample_record(ordering_key=f"case-{i}") for i in range(20)]
    uow_factory.add(*records)
    engine = make_engine(platform)

    first = engine.run_once()
    assert (first.failed, first.pending_after, first.online) == (20, 20, False)
    assert platform.count() == 20  # stored: the answer was what got lost

    platform.set_faults("drop=0")
    clock.advance(LATER)
    report = engine.drain()

    assert (report.sent, report.duplicates, report.pending_after, report.error) == (20, 20, 0, "")
    assert sorted(r["id"] for r in platform.records()) == sorted(r.record_id for r in records)
    assert platform.stats()["answers"]["duplicate"] == 20


def test_errors_and_rejections_converge_to_every_valid_record_stored_once(
    start_platform, make_engine, uow_factory, clock
):
    platform = start_platform(faults="error=0.3,seed=7")
    incomplete = (5, 44)  # these lack a required field: the platform rejects them

    def record(i: int) -> OutboxRecord:
        kind = RecordKind.CASE_ACCEPT if i % 3 == 0 else RecordKind.CASE_PROCESS
        return sample_record(kind, f"case-{i % 6}", **({"project_no": None} if i in incomplete else {}))

    records = [record(i) for i in range(60)]
    chosen = {records[i].record_id for i in incomplete}
    # a parked record holds back the later records of its case (they must not overtake it)
    held = {
        r.record_id
        for i, r in enumerate(records)
        if any(r.ordering_key == records[j].ordering_key and i > j for j in incomplete)
    }
    uow_factory.add(*records)
    engine = make_engine(platform, batch_size=7)

    errors = 0
    for _ in range(200):  # bounded: each round either makes progress or waits for the next retry time
        report = engine.run_once()
        errors += bool(report.error)
        if report.pending_after == len(held) and not report.error and not report.progressed:
            break
        clock.advance(LATER)
    assert engine.status().pending == len(held) > 0
    assert errors > 0 and platform.stats()["faults"]["error"] == errors  # the faults really happened

    stored = platform.records()
    valid = [r.record_id for r in records if r.record_id not in chosen | held]
    assert sorted(r["id"] for r in stored) == sorted(valid)  # each exactly once
    for rid in chosen:
        row = uow_factory.store.row(rid)
        assert row.status is OutboxStatus.REJECTED and row.last_error == "缺少必填字段：project_no"
    for rid in held:
        assert uow_factory.store.row(rid).status is OutboxStatus.PENDING
    by_key: dict[str, list[str]] = defaultdict(list)
    for r in stored:
        by_key[r["ordering_key"]].append(r["id"])
    for key, ids in by_key.items():  # arrival order per case = creation order
        assert ids == [r.record_id for r in records if r.ordering_key == key and r.record_id in valid]


def test_a_rejected_record_put_back_after_correction_releases_its_case_in_order(
    start_platform, make_engine, uow_factory, clock
):
    platform = start_platform(faults="reject=1.0")  # e.g. a code the platform's tables lacked
    a = [
        sample_record(k, "case-a")
        for k in (RecordKind.CASE_ACCEPT, RecordKind.CASE_PROCESS, RecordKind.CASE_RESULT)
    ]
    uow_factory.add(*a)
    engine = make_engine(platform, batch_size=1)

    assert engine.drain().rejected == 1  # the first is parked, the other two wait behind it
    assert platform.count() == 0 and engine.status().pending == 2

    platform.set_faults("")  # corrected on the platform side (the mapping was added)
    with uow_factory() as uow:
        assert uow.outbox.retry_rejected() == 1
        uow.commit()
    assert engine.drain().sent == 3
    assert [r["id"] for r in platform.records()] == [r.record_id for r in a]


def test_a_down_period_then_drain(start_platform, make_engine, uow_factory, clock):
    platform = start_platform(faults="down=0.5")
    uow_factory.add(*[sample_record(ordering_key=f"case-{i}") for i in range(5)])
    engine = make_engine(platform)

    report = engine.run_once()
    assert report.failed == 5 and "HTTP 503" in report.error
    assert engine.status().online is False

    client = make_client(platform)
    wait_until(lambda: client.health().ok, timeout=10, interval=0.05, what="the platform to come back")
    clock.advance(LATER)
    report = engine.drain()

    assert (report.sent, report.pending_after, report.online) == (5, 0, True)
    assert platform.count() == 5 and engine.status().offline_since is None


@pytest.mark.timeout(20)
def test_a_timeout_leaves_the_records_pending(start_platform, make_engine, uow_factory):
    platform = start_platform(faults="latency_ms=2000")
    record = sample_record()
    uow_factory.add(record)
    engine = make_engine(platform, timeout=(1.0, 0.2))

    report = engine.run_once()

    assert report.failed == 1 and "超时" in report.error
    assert uow_factory.store.row(record.record_id).status is OutboxStatus.PENDING


def test_an_idle_engine_measures_the_clock_skew(platform, make_engine, clock):
    clock.set(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))  # this window's clock is an hour behind
    engine = make_engine(platform)

    report = engine.run_once()

    assert report.online and report.error == ""
    status = engine.status()
    assert status.online is True
    assert status.clock_skew_seconds == pytest.approx(3600, abs=60)
