"""Synthetic Linux input events: what a keyboard-type keypad writes to its /dev/input/eventN node.

``/dev/uinput`` is not available here (no uinput module in the sandbox's kernel), so tests give the
driver a FIFO instead of an event node and write ``struct input_event`` records into it, with a
recording stand-in for the EVIOCGRAB ioctl (a FIFO is not an input device).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from devices.review_pad.hid_keys import EVIOCGRAB
from devices.review_pad.keys import EV_KEY, EV_SYN, EVENT, KEY_CODES


def key_event(code: int, value: int, at: float | None = None) -> bytes:
    at = time.time() if at is None else at
    return EVENT.pack(int(at), int((at % 1) * 1_000_000), EV_KEY, code, value)


def syn(at: float | None = None) -> bytes:
    at = time.time() if at is None else at
    return EVENT.pack(int(at), int((at % 1) * 1_000_000), EV_SYN, 0, 0)


def tap(name_or_code: str | int, *, repeat: int = 0) -> bytes:
    """One key press (with optional auto-repeats) and its release, each followed by a SYN_REPORT."""
    code = KEY_CODES[name_or_code] if isinstance(name_or_code, str) else name_or_code
    out = key_event(code, 1) + syn()
    out += (key_event(code, 2) + syn()) * repeat
    return out + key_event(code, 0) + syn()


class FakeEventNode:
    """A FIFO standing in for /dev/input/eventN, held open for writing so the reader never sees EOF."""

    def __init__(self, directory: Path, name: str = "event-kbd") -> None:
        self.path = directory / name
        os.mkfifo(self.path)
        self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
        self.grabs: list[int] = []  # EVIOCGRAB arguments in order (1 grab, 0 release)

    def write(self, data: bytes) -> None:
        os.write(self._fd, data)

    def tap_keys(self, keys: Iterable[str | int]) -> None:
        self.write(b"".join(tap(k) for k in keys))

    def ioctl(self, fd: int, request: int, arg: Any = 0) -> Any:
        """Accepts the grab (recording it); the device name query fails as on a plain file."""
        if request == EVIOCGRAB:
            self.grabs.append(int(arg))
            return 0
        raise OSError(25, "Inappropriate ioctl for device")

    @property
    def grabbed(self) -> bool:
        return bool(self.grabs) and self.grabs[-1] == 1

    def close(self) -> None:
        os.close(self._fd)
