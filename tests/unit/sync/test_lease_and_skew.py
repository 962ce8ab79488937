"""The engine pushes only while it holds the sync lease; clock skew becomes a warning, never a rewrite."""

from __future__ import annotations

import datetime as dt

import pytest

from hallclient.services.ports import PlatformError, PlatformHealth
from hallclient.sync import contract
from hallclient.sync.client import DeferredPlatformClient
from hallclient.sync.worker import SyncEngine, SyncStatus
from tests.fakes.outbox import sample_record
from tests.unit.sync.conftest import ScriptedClient


class SwitchLease:
    def __init__(self, held: bool) -> None:
        self.held = held
        self.released = 0

    def acquire(self) -> bool:
        return self.held

    def release(self) -> None:
        self.released += 1


def test_without_the_lease_nothing_is_pushed_but_health_and_counts_still_show(make_engine, uow_factory):
    uow_factory.add(sample_record(ordering_key="a"), sample_record(ordering_key="b"))
    lease = SwitchLease(held=False)
    engine, client = make_engine(lease=lease)

    report = engine.run_once()

    assert client.batches == []
    assert (report.lease_held, report.pending_after, report.online) == (False, 2, True)
    assert client.health_calls == 1  # every window still shows online/offline and skew
    assert engine.status().lease_held is False

    lease.held = True  # the holder died; this client takes over
    assert engine.drain().sent == 2
    assert engine.status().lease_held is True


def test_closing_the_engine_gives_the_lease_up(make_engine):
    lease = SwitchLease(held=True)
    engine, _ = make_engine(lease=lease)
    engine.close()
    assert lease.released == 1


@pytest.mark.parametrize(
    ("skew", "warning"),
    [
        (None, ""),
        (30.0, ""),
        (120.0, ""),
        (121.4, "本机时间与平台相差 121 秒，请校准时钟"),
        (-3600.0, "本机时间与平台相差 3600 秒，请校准时钟"),
    ],
)
def test_a_clock_off_by_more_than_two_minutes_is_a_warning(skew, warning):
    status = SyncStatus(True, None, 0, None, "", skew)
    assert status.clock_warning() == warning


def test_measured_skew_reaches_the_status_and_record_times_stay_as_stamped(make_engine, uow_factory, clock):
    record = sample_record(created_at=clock.now())
    uow_factory.add(record)
    engine, client = make_engine()
    client.health_answer = PlatformHealth(ok=True, server_time=clock.now() + dt.timedelta(minutes=10))

    engine.check_health()
    engine.run_once()

    assert engine.status().clock_warning() == "本机时间与平台相差 600 秒，请校准时钟"
    (sent,) = client.sent_ids
    assert sent == record.record_id
    # never silently rewritten: the device time on the wire is the time the window stamped
    assert contract.record_to_wire(client.batches[0][0])["device_time"] == contract.rfc3339(record.created_at)


def test_a_client_that_cannot_be_built_is_offline_with_the_reason_and_is_tried_again(uow_factory, clock):
    attempts: list[int] = []
    real = ScriptedClient(clock=clock)

    def build():
        attempts.append(1)
        if len(attempts) == 1:
            raise PlatformError("未配置本窗口的平台令牌", retryable=False)
        return real

    uow_factory.add(sample_record())
    engine = SyncEngine(uow_factory, DeferredPlatformClient(build), clock)

    first = engine.run_once()
    assert (first.online, first.error, first.pending_after) == (False, "未配置本窗口的平台令牌", 1)
    assert engine.status().online is False

    clock.advance(minutes=10)  # e.g. hall IT ran `sync token set` meanwhile
    assert engine.run_once().sent == 1
    assert len(attempts) == 2


def test_a_bad_address_becomes_a_platform_error_not_a_crash(clock, uow_factory):
    from hallclient.sync.client import HttpPlatformClient

    engine = SyncEngine(
        uow_factory, DeferredPlatformClient(lambda: HttpPlatformClient("ftp://x", "t")), clock
    )
    health = engine.check_health()
    assert health.ok is False and "平台地址无效" in health.detail
