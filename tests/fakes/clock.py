"""A clock that moves only when a test says so."""

from __future__ import annotations

import datetime as dt
import threading

DEFAULT_START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday morning


class FakeClock:
    """Implements the Clock port: aware UTC datetimes; ``advance`` moves it forward."""

    def __init__(self, start: dt.datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start time")
        self._now = start.astimezone(dt.UTC)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, **delta: float) -> dt.datetime:
        """Move forward by ``seconds`` plus any ``timedelta`` keywords (minutes=, hours=, days=)."""
        step = dt.timedelta(seconds=seconds, **delta)
        if step < dt.timedelta(0):
            raise ValueError("a clock does not go back; use set() for that")
        with self._lock:
            self._now += step
            return self._now

    def set(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs aware datetimes")
        with self._lock:
            self._now = moment.astimezone(dt.UTC)
