"""Records stamped before the service began are refused locally, never rewritten into the outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from hallclient.config import Config
from hallclient.domain.reviews import ReviewError
from hallclient.wiring import build
from tests.fakes.clock import FakeClock

PASSWORD = "Stamp#2026pass"


def test_a_review_stamped_before_its_service_began_is_refused_and_queues_nothing(tmp_path):
    clock = FakeClock()
    w = build(Config().with_overrides({"store.url": f"sqlite:///{tmp_path / 's.db'}"}), clock)
    try:
        w.auth.add_clerk("8001", "测试", PASSWORD)
        session = w.auth.login("8001", PASSWORD, "1", "pc-1")
        # the call was stamped by a machine whose clock is ahead (the hall server, another window)
        service_started = clock.now() + dt.timedelta(minutes=5)

        with pytest.raises(ReviewError, match="早于服务开始时间"):
            w.reviews.submit(session, "service-1", 5, [], "", service_started)

        with w.uow() as uow:
            assert uow.outbox.counts().pending == 0 and uow.cases.count("reviews") == 0
        # with the clock set right the same review goes through, stamped with the real time
        clock.advance(minutes=6)
        w.reviews.submit(session, "service-1", 5, [], "", service_started)
        with w.uow() as uow:
            (pending,) = uow.outbox.pending(10, clock.now())
        assert pending.record.created_at == clock.now()
        assert pending.record.payload["evaluated_at"] == clock.now().isoformat()
    finally:
        w.close()
