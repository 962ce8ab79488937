"""The review-pad port every keypad driver implements, and the event it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["LEVELS", "MAX_REASON_CODE", "PadEvent", "ReviewPad"]

LEVELS = range(1, 6)  # 1 非常不满意 … 5 非常满意 (reviews.md §1)
MAX_REASON_CODE = 26  # reason codes are 1-based positions in the hall's configured list of reasons


@dataclass(frozen=True, slots=True)
class PadEvent:
    """One rating as the customer gave it on the pad: a level and, for a bad level, reason codes.

    Reason codes are positions (1-based) in the hall's configured list of bad-review reasons: the pad
    knows keys, the application knows the words. An empty tuple for a bad level means the pad has no
    reason keys; the application then asks on the customer screen.
    """

    level: int
    reason_codes: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be 1..5, got {self.level}")
        codes = tuple(sorted(set(self.reason_codes)))
        if any(not 1 <= c <= MAX_REASON_CODE for c in codes):
            raise ValueError(f"reason codes must be 1..{MAX_REASON_CODE}, got {self.reason_codes}")
        object.__setattr__(self, "reason_codes", codes)

    @property
    def is_bad(self) -> bool:
        return self.level <= 2


@runtime_checkable
class ReviewPad(Protocol):
    """A blocking, thread-agnostic review pad (call it from one thread: the device thread).

    Contract (checked for every driver by ``tests/contracts/review_pad.py``):

    - ``open()`` connects (raises ``DeviceError`` if it cannot) and forgets anything pressed before it;
      ``close()`` releases everything and is idempotent; ``read_rating`` before ``open()`` or after
      ``close()`` raises ``DeviceNotConnected``.
    - ``read_rating(timeout)`` blocks for at most about ``timeout`` seconds and returns the next rating
      the customer completed, or None if none was completed in that time. Each rating is returned once,
      in the order given.
    - The pad never invents a rating: no default level, nothing on a timeout.
    - Failures raise ``DeviceError`` subclasses whose ``message`` tells the clerk what to do.
    - ``describe()`` names the driver and its port in words a hall IT person understands.
    """

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read_rating(self, timeout: float) -> PadEvent | None: ...

    def describe(self) -> str: ...
