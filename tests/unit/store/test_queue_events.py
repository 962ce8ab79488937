"""The queue version and the polling change listener on SQLite (PostgreSQL: tests/integration/queue)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallclient.config import Config
from hallclient.store.queue_events import PollingQueueEvents
from hallclient.wiring import Wiring, build
from tests.fakes.clock import FakeClock


@pytest.fixture
def wiring(tmp_path: Path) -> Iterator[Wiring]:
    w = build(Config().with_overrides({"store.url": f"sqlite:///{tmp_path / 'store.db'}"}), FakeClock())
    yield w
    w.close()


def test_the_version_grows_with_every_change(wiring: Wiring) -> None:
    seen = [wiring.queue.version()]
    for _ in range(3):
        wiring.queue.issue_ticket("general")
        seen.append(wiring.queue.version())
    assert seen == sorted(set(seen)), "each change gives a new, larger version"


def test_wait_for_change_returns_at_once_when_the_caller_is_behind(wiring: Wiring) -> None:
    events = wiring.queue_events(poll_interval=60)
    try:
        before = events.current_version()
        wiring.queue.issue_ticket("general")
        assert events.wait_for_change(before, timeout=60) > before  # no poll interval to wait out
        now = events.current_version()
        assert events.wait_for_change(now, timeout=0) == now  # nothing new: the same version back
    finally:
        events.close()


def test_a_change_from_another_thread_wakes_a_polling_waiter(wiring: Wiring) -> None:
    events = PollingQueueEvents(wiring.engine, poll_interval=0.02)
    try:
        before = events.current_version()
        issuer = threading.Thread(target=lambda: wiring.queue.issue_ticket("social"))
        issuer.start()
        assert events.wait_for_change(before, timeout=30) > before
        issuer.join(timeout=30)
    finally:
        events.close()


def test_close_releases_a_waiter(wiring: Wiring) -> None:
    events = PollingQueueEvents(wiring.engine, poll_interval=60)
    version = events.current_version()
    result: list[int] = []
    waiter = threading.Thread(target=lambda: result.append(events.wait_for_change(version, timeout=60)))
    waiter.start()
    events.close()
    waiter.join(timeout=30)
    assert not waiter.is_alive() and result == [version]
