"""A review pad without hardware, for drills, demos and tests: registry key ``simulated``.

:meth:`SimulatedReviewPad.press` (any thread) completes one rating, as a customer pressing the keys
would; ``read_rating`` returns it once. Presses made while the pad is closed are forgotten at ``open``.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable

from devices.errors import DeviceNotConnected
from devices.review_pad.base import PadEvent

__all__ = ["SimulatedReviewPad"]

_NOT_OPEN = "评价器未打开，请检查评价器设置"


class SimulatedReviewPad:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, **_ignored: object) -> None:
        # ``_ignored``: the app passes the same options (port, key map) to every driver.
        self._clock = clock
        self._cond = threading.Condition()
        self._opened = False
        self._events: collections.deque[PadEvent] = collections.deque()

    def press(self, level: int, reason_codes: Iterable[int] = ()) -> None:
        event = PadEvent(level, tuple(reason_codes))
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    # -- ReviewPad ------------------------------------------------------------------------------------

    def open(self) -> None:
        with self._cond:
            if not self._opened:
                self._events.clear()
                self._opened = True

    def close(self) -> None:
        with self._cond:
            self._opened = False
            self._cond.notify_all()

    def describe(self) -> str:
        return "模拟评价器（演练和测试用）"

    def read_rating(self, timeout: float) -> PadEvent | None:
        with self._cond:
            deadline = self._clock() + timeout
            while True:
                if not self._opened:
                    raise DeviceNotConnected(_NOT_OPEN, detail="simulated pad is not open")
                if self._events:
                    return self._events.popleft()
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
