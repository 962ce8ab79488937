"""The outage test: the platform is down for a (simulated) weekend while hundreds of cases are
accepted through the real services; the indicator shows offline, the pending count and the age of
the oldest record; on Monday everything drains, exactly once and in order."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from hallclient.config import Config
from hallclient.domain.cases import MaterialCheck, MaterialStatus
from hallclient.domain.queue import business_date
from hallclient.services.applicants import manual_applicant
from hallclient.store import models as m
from hallclient.sync.client import HttpPlatformClient
from hallclient.sync.reference_platform import ReferencePlatform
from hallclient.sync.worker import SyncEngine
from hallclient.wiring import Wiring, build
from tests.fakes.clock import FakeClock

CASES = 240
PASSWORD = "Weekend#2026pass"
SATURDAY_MORNING = dt.datetime(2026, 3, 7, 1, 0, tzinfo=dt.UTC)  # 09:00 in Xi'an


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SATURDAY_MORNING)


@pytest.fixture
def w(tmp_path, clock: FakeClock, platform: ReferencePlatform) -> Iterator[Wiring]:
    cfg = Config().with_overrides(
        {
            "store.url": f"sqlite:///{tmp_path / 'duty.db'}",
            "platform.url": platform.url,
            "platform.token": "duty-1",
        }
    )
    wiring = build(cfg, clock)
    yield wiring
    wiring.close()


@pytest.mark.timeout(240)
def test_a_weekend_outage_then_everything_drains_exactly_once(w: Wiring, platform: ReferencePlatform, clock):
    session_http = requests.Session()
    session_http.trust_env = False
    client = HttpPlatformClient(platform.url, "duty-1", timeout=(2.0, 5.0), session=session_http)
    engine = SyncEngine(w.uow, client, clock, rng=random.Random(5))
    platform.set_faults("down=100000")  # 503 to everything until we say otherwise

    w.auth.add_clerk("7001", "周末值班", PASSWORD)
    session = w.auth.login("7001", PASSWORD, "1", "duty-pc")
    item = next(i for i in w.catalogue.items if i.materials)
    checks = [MaterialCheck(mat.name, MaterialStatus.PRESENT) for mat in item.materials]
    applicant = manual_applicant(
        "测试申请人", "11010519491231002X", "", business_date(clock.now(), w.hall.timezone)
    )
    went_down = clock.now()
    for i in range(CASES):
        clock.advance(minutes=12)  # 240 cases over two days of duty
        started = clock.now()
        outcome = w.cases.submit(session, item, applicant, checks)
        clock.advance(minutes=1)
        w.reviews.submit(session, str(uuid.uuid4()), 5, [], "", started, case_no=outcome.case_no)
        if i % 10 == 0:
            report = engine.run_once()  # the sync thread keeps trying, with back-off
            assert report.online is False and report.sent == 0

    status = engine.status()
    assert status.online is False and status.offline_since is not None
    assert went_down <= status.offline_since <= clock.now()
    assert status.pending == 2 * CASES
    assert status.oldest_pending_at is not None
    assert clock.now() - status.oldest_pending_at > dt.timedelta(days=1)  # the age shows the weekend
    assert platform.count() == 0 and platform.stats()["faults"]["down"] > 0

    platform.set_faults("")  # Monday morning
    clock.advance(hours=12)  # past every back-off
    for _ in range(100):
        if engine.drain().pending_after == 0:
            break
        clock.advance(minutes=10)

    status = engine.status()
    assert (status.online, status.pending, status.rejected) == (True, 0, 0)
    with w.uow() as uow:
        assert uow.session is not None
        local = uow.session.execute(
            select(m.Outbox.record_id, m.Outbox.ordering_key).order_by(m.Outbox.seq)
        ).all()
        cases = list(uow.session.scalars(select(m.Case.case_no)))
    stored = platform.records()
    assert Counter(r["id"] for r in stored) == Counter(rid for rid, _ in local)  # exactly once each
    assert sorted(r["payload"]["project_no"] for r in stored if r["kind"] == "case.accept") == sorted(cases)
    created: dict[str, list[str]] = defaultdict(list)
    for rid, key in local:
        created[key].append(rid)
    arrived: dict[str, list[str]] = defaultdict(list)
    for r in stored:
        arrived[r["ordering_key"]].append(r["id"])
    assert arrived == created  # per case: accept before review
