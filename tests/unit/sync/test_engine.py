from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence

import pytest

from hallclient.domain.outbox import OutboxRecord, OutboxStatus, RecordKind
from hallclient.services.ports import PlatformError, PlatformHealth, PushResult
from hallclient.sync.worker import NO_ANSWER, SyncEngine, SyncReport
from tests.fakes.outbox import FakeUnitOfWorkFactory, sample_record
from tests.unit.sync.conftest import OFFLINE, ScriptedClient


def test_accepted_and_duplicate_records_are_both_marked_sent(make_engine, uow_factory):
    a, b = sample_record(ordering_key="a"), sample_record(ordering_key="b")
    uow_factory.add(a, b)
    engine, _ = make_engine(
        lambda rs: [PushResult(rs[0].record_id, "accepted"), PushResult(rs[1].record_id, "duplicate")]
    )

    report = engine.run_once()

    assert report == SyncReport(sent=2, duplicates=1, pending_after=0, online=True)
    assert [r.record.record_id for r in uow_factory.store.by_status(OutboxStatus.SENT)] == [
        a.record_id,
        b.record_id,
    ]


def test_a_rejected_record_is_parked_with_the_platform_reason_and_the_rest_is_sent(make_engine, uow_factory):
    good, bad = sample_record(ordering_key="a"), sample_record(ordering_key="b")
    uow_factory.add(good, bad)
    engine, _ = make_engine(
        lambda rs: [
            PushResult(good.record_id, "accepted"),
            PushResult(bad.record_id, "rejected", "缺少必填字段：project_no"),
        ]
    )

    report = engine.run_once()

    assert (report.sent, report.rejected, report.error) == (1, 1, "")
    row = uow_factory.store.row(bad.record_id)
    assert row.status is OutboxStatus.REJECTED
    assert row.last_error == "缺少必填字段：project_no"
    assert engine.status().rejected == 1
    # parked, not lost: a person can put it back after correcting it
    with uow_factory() as uow:
        assert uow.outbox.retry_rejected([bad.record_id]) == 1


def test_a_rejection_without_a_reason_still_gets_one(make_engine, uow_factory):
    record = sample_record()
    uow_factory.add(record)
    engine, _ = make_engine(lambda rs: [PushResult(record.record_id, "rejected", "")])

    engine.run_once()

    assert uow_factory.store.row(record.record_id).last_error


def test_a_platform_error_leaves_the_whole_batch_pending_with_a_retry_time(make_engine, uow_factory, clock):
    records = [sample_record(ordering_key=f"case-{i}") for i in range(3)]
    uow_factory.add(*records)
    engine, _ = make_engine(OFFLINE)

    report = engine.run_once()

    assert report == SyncReport(failed=3, pending_after=3, online=False, error=OFFLINE.message)
    for record in records:
        row = uow_factory.store.row(record.record_id)
        assert row.status is OutboxStatus.PENDING
        assert row.attempts == 1 and row.last_error == OFFLINE.message
        assert clock.now() <= row.retry_at <= clock.now() + dt.timedelta(seconds=2)
    assert len(uow_factory.store.rows) == 3  # nothing deleted


def test_a_non_retryable_error_keeps_the_records_and_waits_longest(make_engine, uow_factory, clock):
    record = sample_record()
    uow_factory.add(record)
    engine, _ = make_engine(PlatformError("平台拒绝了本窗口的令牌，请联系大厅IT", retryable=False))

    report = engine.run_once()

    assert report.failed == 1 and report.pending_after == 1
    assert engine.status().last_error == "平台拒绝了本窗口的令牌，请联系大厅IT"
    # it will not mend itself in seconds: the next try waits the longest delay
    assert uow_factory.store.row(record.record_id).retry_at == clock.now() + dt.timedelta(seconds=300)


def test_nothing_is_marked_before_the_platform_answered(make_engine, uow_factory):
    records = [sample_record(ordering_key=f"case-{i}") for i in range(3)]
    uow_factory.add(*records)
    engine, client = make_engine()
    seen: list[tuple[OutboxStatus, int]] = []
    client.on_push = lambda rs: seen.extend(
        (uow_factory.store.row(r.record_id).status, uow_factory.store.row(r.record_id).attempts) for r in rs
    )

    engine.run_once()

    assert seen == [(OutboxStatus.PENDING, 0)] * 3
    assert all(row.status is OutboxStatus.SENT for row in uow_factory.store.rows.values())


def test_records_without_an_answer_stay_pending(make_engine, uow_factory):
    answered, unanswered = sample_record(ordering_key="a"), sample_record(ordering_key="b")
    uow_factory.add(answered, unanswered)
    engine, _ = make_engine(lambda rs: [PushResult(answered.record_id, "accepted")])

    report = engine.run_once()

    assert (report.sent, report.failed, report.error) == (1, 1, NO_ANSWER)
    assert uow_factory.store.row(unanswered.record_id).status is OutboxStatus.PENDING
    assert uow_factory.store.row(unanswered.record_id).retry_at is not None


def test_order_per_key_holds_when_an_earlier_record_waits_for_its_retry(make_engine, uow_factory, clock):
    a1 = sample_record(ordering_key="A")
    a2 = sample_record(RecordKind.CASE_PROCESS, ordering_key="A")
    b1 = sample_record(ordering_key="B")
    uow_factory.add(a1, a2, b1)
    engine, client = make_engine(OFFLINE, batch_size=1)

    assert engine.run_once().failed == 1  # a1 fails and waits for its retry time
    assert engine.run_once().sent == 1  # a2 must wait behind a1; b1 may go
    assert engine.run_once().sent == 0  # nothing else is due yet
    clock.advance(minutes=10)
    assert engine.drain().sent == 2

    assert client.sent_ids == [
        a1.record_id,
        b1.record_id,
        a1.record_id,
        a2.record_id,
    ]


def test_a_batch_keeps_the_repository_order(make_engine, uow_factory):
    records = [sample_record(ordering_key=f"k{i % 3}") for i in range(9)]
    uow_factory.add(*records)
    engine, client = make_engine(batch_size=4)

    report = engine.drain()

    assert report.sent == 9 and report.pending_after == 0
    assert [len(b) for b in client.batches] == [4, 4, 1]
    assert client.sent_ids == [r.record_id for r in records]


def test_drain_stops_at_the_first_error(make_engine, uow_factory):
    uow_factory.add(*[sample_record(ordering_key=f"k{i}") for i in range(5)])
    engine, client = make_engine("accepted", OFFLINE, batch_size=2)

    report = engine.drain(max_rounds=50)

    assert (report.sent, report.failed, report.pending_after) == (2, 2, 3)
    assert report.error == OFFLINE.message
    assert len(client.batches) == 2


def test_drain_is_bounded(make_engine, uow_factory):
    uow_factory.add(*[sample_record(ordering_key=f"k{i}") for i in range(5)])
    engine, client = make_engine(batch_size=1)

    assert engine.drain(max_rounds=2).sent == 2
    assert len(client.batches) == 2


def test_status_tracks_offline_since_and_clears_on_success(make_engine, uow_factory, clock):
    record = sample_record(created_at=clock.now())
    uow_factory.add(record)
    engine, _ = make_engine(OFFLINE, OFFLINE, "accepted")
    assert engine.status().online is None

    went_offline = clock.now()
    engine.run_once()
    clock.advance(minutes=10)
    engine.run_once()
    status = engine.status()
    assert (status.online, status.offline_since, status.pending) == (False, went_offline, 1)
    assert status.oldest_pending_at == record.created_at
    assert status.last_error == OFFLINE.message

    clock.advance(minutes=10)
    engine.run_once()
    status = engine.status()
    assert (status.online, status.offline_since, status.pending, status.last_error) == (True, None, 0, "")


def test_an_idle_round_probes_health_and_measures_clock_skew(make_engine, clock):
    engine, client = make_engine(health_interval=60)
    client.health_answer = PlatformHealth(ok=True, server_time=clock.now() + dt.timedelta(seconds=90))

    report = engine.run_once()
    engine.run_once()  # within the health interval: no second probe

    assert report == SyncReport(online=True)
    assert client.health_calls == 1
    assert engine.status().clock_skew_seconds == pytest.approx(90)
    clock.advance(61)
    engine.run_once()
    assert client.health_calls == 2


def test_a_failed_probe_reports_offline(make_engine):
    engine, client = make_engine()
    client.health_answer = PlatformHealth(
        ok=False, server_time=None, detail="无法连接一体化政务服务平台（连接超时）"
    )

    report = engine.run_once()

    assert (report.online, report.error) == (False, "无法连接一体化政务服务平台（连接超时）")
    assert engine.status().online is False


def test_run_forever_drains_and_stops_when_told(make_engine, uow_factory):
    uow_factory.add(*[sample_record(ordering_key=f"k{i}") for i in range(5)])
    engine, client = make_engine(batch_size=2)
    stop = threading.Event()

    def stop_when_drained(records: Sequence[OutboxRecord]) -> None:
        if len(client.sent_ids) == 5:
            stop.set()

    client.on_push = stop_when_drained
    rounds = engine.run_forever(stop, idle_interval=0.01)

    assert rounds == 3
    assert engine.status().pending == 0


def test_run_forever_survives_a_store_failure_without_logging_its_message(clock, caplog):
    id_number = "110105" + "19491231002X"  # split so that the traceback's source line does not show it

    class BrokenFactory(FakeUnitOfWorkFactory):
        def __call__(self):
            stop.set()
            raise RuntimeError(f"INSERT ... parameters ({id_number!r},)")

    stop = threading.Event()
    engine = SyncEngine(BrokenFactory(), ScriptedClient(), clock)
    with caplog.at_level(logging.DEBUG, logger="hallclient.sync"):
        assert engine.run_forever(stop, idle_interval=0.01) == 1
    assert "RuntimeError" in caplog.text
    assert id_number not in caplog.text


def test_logs_never_carry_payload_contents(make_engine, uow_factory, caplog, clock):
    record = sample_record(applyer_name="王小测", applyer_page_code="11010519491231002X")
    uow_factory.add(record)
    engine, _ = make_engine(OFFLINE, lambda rs: [PushResult(rs[0].record_id, "rejected", "证件号码校验失败")])
    with caplog.at_level(logging.DEBUG, logger="hallclient.sync"):
        engine.run_once()
        clock.advance(minutes=10)
        engine.run_once()
    assert record.record_id in caplog.text
    assert "王小测" not in caplog.text and "11010519491231002X" not in caplog.text


def test_construction_refuses_nonsense_settings(uow_factory, clock):
    with pytest.raises(ValueError):
        SyncEngine(uow_factory, ScriptedClient(), clock, batch_size=0)
    with pytest.raises(ValueError):
        SyncEngine(uow_factory, ScriptedClient(), clock, base_delay=10, max_delay=1)


@pytest.mark.timeout(10)
def test_run_forever_wakes_up_early_when_asked(uow_factory, clock):
    stop, wake = threading.Event(), threading.Event()

    class Client(ScriptedClient):
        def health(self) -> PlatformHealth:
            health = super().health()
            if self.health_calls == 2:
                stop.set()  # the documented order: stop first, then wake
                wake.set()
            return health

    wake.set()  # e.g. a use case just committed an outbox record
    engine = SyncEngine(uow_factory, Client(clock=clock), clock, health_interval=0)

    assert engine.run_forever(stop, idle_interval=60, wake_event=wake) == 2
