from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hallclient.config import Config
from hallclient.wiring import Wiring, build
from tests.fakes.clock import FakeClock

PASSWORD = "Window#2026pass"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wiring(tmp_path: Path, clock: FakeClock) -> Iterator[Wiring]:
    cfg = Config().with_overrides({"store.url": f"sqlite:///{tmp_path / 'store.db'}"})
    w = build(cfg, clock)
    yield w
    w.close()


@pytest.fixture
def session(wiring: Wiring):
    wiring.auth.add_clerk("1001", "张敏", PASSWORD)
    return wiring.auth.login("1001", PASSWORD, "1", "pc-1")
