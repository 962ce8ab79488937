"""Wait for a condition with a deadline instead of sleeping for a guessed time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01, what: str = ""
) -> None:
    """Return as soon as ``condition()`` is true; ``TimeoutError`` if it is still false after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what or condition!r}")
        time.sleep(interval)
