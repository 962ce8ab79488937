from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from hypothesis import strategies as st

from hallclient.sync.worker import backoff_delay
from tests.fakes.outbox import sample_record
from tests.unit.sync.conftest import OFFLINE


@given(
    failures=st.integers(min_value=1, max_value=10_000),
    base=st.floats(min_value=0.01, max_value=60),
    cap=st.floats(min_value=60, max_value=3600),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_full_jitter_stays_within_zero_and_the_capped_exponential(failures, base, cap, seed):
    delay = backoff_delay(failures, base, cap, random.Random(seed))
    assert 0.0 <= delay <= min(cap, base * 2 ** min(failures - 1, 100))


def test_no_failure_means_no_delay():
    assert backoff_delay(0, 2.0, 300.0, random.Random(1)) == 0.0


def test_the_ceiling_doubles_until_the_cap():
    class Top(random.Random):  # the largest draw, to see the ceiling
        def uniform(self, a: float, b: float) -> float:
            return b

    assert [backoff_delay(n, 2.0, 300.0, Top()) for n in range(1, 10)] == [2, 4, 8, 16, 32, 64, 128, 256, 300]


def test_delays_are_spread_out_not_synchronised():
    rng = random.Random(42)
    delays = [backoff_delay(5, 2.0, 300.0, rng) for _ in range(200)]
    assert len({round(d, 3) for d in delays}) > 150
    assert min(delays) < 8 < max(delays)  # spread over the whole [0, 32] range


def test_consecutive_failures_grow_the_retry_time_and_a_success_resets_it(make_engine, uow_factory, clock):
    record = sample_record()
    uow_factory.add(record)

    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    engine, _ = make_engine(OFFLINE, OFFLINE, OFFLINE, "accepted", OFFLINE, rng=Top())
    waits = []
    for _ in range(3):
        engine.run_once()
        retry_at = uow_factory.store.row(record.record_id).retry_at
        waits.append((retry_at - clock.now()).total_seconds())
        clock.set(retry_at)
    assert waits == [2.0, 4.0, 8.0]

    assert engine.run_once().sent == 1
    second = sample_record(ordering_key="another")
    uow_factory.add(second)
    engine.run_once()
    assert uow_factory.store.row(second.record_id).retry_at - clock.now() == dt.timedelta(seconds=2)
