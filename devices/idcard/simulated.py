"""A card reader without hardware, for drills, demos and tests: registry key ``simulated``.

Scripted mode: each card of ``cards`` (default: the synthetic :data:`~devices.idcard.sample_cards.SAMPLE_CARDS`,
or a scenario file, see :mod:`devices.idcard.scenario`) is placed ``present_after`` seconds after the previous
one was lifted (or after ``open``), read once, and lifted by the next ``read_card`` call, which returns None:
that is the lift-and-represent rule a real reader imposes. With ``cycle`` the script starts again at the end.

Manual mode (any thread, e.g. a drill panel): :meth:`place` puts a card on the reader until :meth:`lift`;
:meth:`inject_error` makes the next ``read_card`` raise, to rehearse what the clerk sees on a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from devices.errors import DeviceError, DeviceNotConnected
from devices.idcard.model import IdCard
from devices.idcard.sample_cards import SAMPLE_CARDS

__all__ = ["SimulatedCardReader"]

_NOT_OPEN = "读卡器未打开，请重新连接读卡器"


class SimulatedCardReader:
    def __init__(
        self,
        cards: Sequence[IdCard] | None = None,
        *,
        present_after: float = 0.0,
        cycle: bool = True,
        scenario: str | Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if scenario is not None:
            if cards is not None:
                raise ValueError("give either cards or a scenario file, not both")
            cards = _load(scenario)
        if present_after < 0:
            raise ValueError("present_after must be >= 0")
        self._script: tuple[IdCard, ...] = tuple(SAMPLE_CARDS if cards is None else cards)
        self._present_after = present_after
        self._cycle = cycle
        self._clock = clock
        self._cond = threading.Condition()
        self._opened = False
        self._position = 0  # index of the next scripted card
        self._next_at = 0.0  # when the next scripted card lands on the reader
        self._field: IdCard | None = None
        self._field_scripted = False
        self._field_read = False
        self._error: DeviceError | None = None

    @property
    def on_demand(self) -> bool:
        """True when a scripted card lands the moment a read asks for it (``present_after`` 0): such a reader
        must be read on request (读卡, F2), not polled, or every other poll would read another card."""
        return bool(self._script) and self._present_after == 0

    # -- CardReader -------------------------------------------------------------------------------------

    def open(self) -> None:
        with self._cond:
            if not self._opened:
                self._opened = True
                if self._field is None:
                    self._next_at = self._clock() + self._present_after

    def close(self) -> None:
        with self._cond:
            self._opened = False
            self._cond.notify_all()

    def describe(self) -> str:
        mode = "循环" if self._cycle else "不循环"
        return f"模拟读卡器（演练用，{len(self._script)} 张合成证件，{mode}）"

    def read_card(self, timeout: float) -> IdCard | None:
        with self._cond:
            deadline = self._clock() + timeout
            while True:
                if not self._opened:
                    raise DeviceNotConnected(_NOT_OPEN, detail="simulated reader is not open")
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                now = self._clock()
                if self._field is not None:
                    if not self._field_read:
                        self._field_read = True
                        return self._field
                    if self._field_scripted:
                        self._lift_locked(now)
                        return None
                elif self._has_next() and now >= self._next_at:
                    self._place_locked(self._script[self._position % len(self._script)], scripted=True)
                    self._position += 1
                    continue
                remaining = deadline - now
                if remaining <= 0:
                    return None
                if self._field is None and self._has_next():
                    remaining = min(remaining, max(0.0, self._next_at - now))
                self._cond.wait(remaining)

    # -- manual control (thread-safe) --------------------------------------------------------------------

    def place(self, card: IdCard) -> None:
        """Put ``card`` on the reader (replacing whatever lies there) until :meth:`lift`."""
        with self._cond:
            self._place_locked(card, scripted=False)
            self._cond.notify_all()

    def lift(self) -> None:
        """Take the card off the reader; the script (if any) resumes ``present_after`` seconds later."""
        with self._cond:
            self._lift_locked(self._clock())
            self._cond.notify_all()

    def inject_error(self, error: DeviceError) -> None:
        """Make the next ``read_card`` raise ``error`` (once)."""
        with self._cond:
            self._error = error
            self._cond.notify_all()

    # -- internals ----------------------------------------------------------------------------------------

    def _has_next(self) -> bool:
        return bool(self._script) and (self._cycle or self._position < len(self._script))

    def _place_locked(self, card: IdCard, *, scripted: bool) -> None:
        self._field = card
        self._field_scripted = scripted
        self._field_read = False

    def _lift_locked(self, now: float) -> None:
        self._field = None
        self._field_read = False
        self._next_at = now + self._present_after


def _load(scenario: str | Path) -> list[IdCard]:
    from devices.idcard.scenario import load_scenario

    try:
        return load_scenario(scenario)
    except (OSError, ValueError) as exc:
        raise DeviceError(
            f"模拟读卡器的场景文件无法使用（{exc}），请检查设备设置",
            code="bad_scenario",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
