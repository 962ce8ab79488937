from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import pytest

from hallclient.domain.outbox import OutboxRecord
from hallclient.services.ports import PlatformError, PlatformHealth, PushResult
from hallclient.sync.worker import SyncEngine
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeUnitOfWorkFactory

Step = Exception | Callable[[Sequence[OutboxRecord]], list[PushResult]] | str


class ScriptedClient:
    """A PlatformClient that answers from a script of steps and keeps every batch it was given.

    A step is an exception to raise, a function of the records, or a status for every record
    ("accepted", "duplicate", "rejected"). An empty script accepts everything.
    """

    def __init__(self, *steps: Step, clock: FakeClock | None = None) -> None:
        self.steps = list(steps)
        self.batches: list[list[OutboxRecord]] = []
        self.on_push: Callable[[Sequence[OutboxRecord]], None] | None = None
        self.health_answer = PlatformHealth(ok=True, server_time=clock.now() if clock else None)
        self.health_calls = 0

    def push(self, records: Sequence[OutboxRecord]) -> list[PushResult]:
        self.batches.append(list(records))
        if self.on_push:
            self.on_push(records)
        step = self.steps.pop(0) if self.steps else "accepted"
        if isinstance(step, Exception):
            raise step
        if callable(step):
            return step(records)
        return [PushResult(r.record_id, step, "原因" if step == "rejected" else "") for r in records]

    def health(self) -> PlatformHealth:
        self.health_calls += 1
        return self.health_answer

    @property
    def sent_ids(self) -> list[str]:
        return [r.record_id for batch in self.batches for r in batch]


OFFLINE = PlatformError("无法连接一体化政务服务平台（连接超时）")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def make_engine(
    uow_factory: FakeUnitOfWorkFactory, clock: FakeClock
) -> Callable[..., tuple[SyncEngine, ScriptedClient]]:
    def make(*steps: Step, **options: object) -> tuple[SyncEngine, ScriptedClient]:
        client = ScriptedClient(*steps, clock=clock)
        options.setdefault("rng", random.Random(1))
        return SyncEngine(uow_factory, client, clock, **options), client  # type: ignore[arg-type]

    return make
