from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest
import requests

from hallclient.sync.client import HttpPlatformClient
from hallclient.sync.reference_platform import ReferencePlatform
from hallclient.sync.worker import SyncEngine
from tests.fakes.clock import FakeClock
from tests.fakes.outbox import FakeUnitOfWorkFactory

TOKEN = "window-07-token"


@pytest.fixture
def start_platform(tmp_path) -> Iterator[Callable[..., ReferencePlatform]]:
    """Start reference platforms on 127.0.0.1 (each with its own SQLite file); all stopped at the end."""
    started: list[ReferencePlatform] = []

    def start(faults: str = "", token: str | None = None) -> ReferencePlatform:
        db = tmp_path / f"platform-{len(started)}.db"
        platform = ReferencePlatform(db, faults=faults, token=token).start()
        started.append(platform)
        return platform

    yield start
    for platform in started:
        platform.stop()


@pytest.fixture
def platform(start_platform) -> ReferencePlatform:
    return start_platform()


def make_client(
    platform: ReferencePlatform, token: str = TOKEN, timeout: tuple[float, float] = (2.0, 5.0)
) -> HttpPlatformClient:
    session = requests.Session()
    session.trust_env = False  # loopback only: never through a proxy from the environment
    return HttpPlatformClient(platform.url, token, timeout=timeout, session=session)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def make_engine(uow_factory, clock) -> Iterator[Callable[..., SyncEngine]]:
    clients: list[HttpPlatformClient] = []

    def make(
        platform: ReferencePlatform, timeout: tuple[float, float] = (2.0, 5.0), **options: object
    ) -> SyncEngine:
        client = make_client(platform, timeout=timeout)
        clients.append(client)
        options.setdefault("rng", random.Random(3))
        return SyncEngine(uow_factory, client, clock, **options)  # type: ignore[arg-type]

    yield make
    for client in clients:
        client.close()
