"""A serial review keypad on the far end of a pty pair, speaking docs/review-pad-protocol.md.

``press(level, codes)`` sends one rating frame and waits for the driver's ACK, resending on NAK (as the
keypad firmware does). ``send_raw`` puts any bytes on the line (noise, corrupted frames, resends).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import serial

from devices.review_pad.base import PadEvent
from devices.review_pad.frames import ACK, NAK, encode_rating


class SerialKeypadEmulator:
    def __init__(self, path: Path, *, ack_timeout: float = 3.0) -> None:
        self._port = serial.Serial(str(path), 9600, timeout=ack_timeout)
        self._seq = 0
        self._lock = threading.Lock()
        self.answers: list[int] = []  # every ACK/NAK byte the driver sent, in order

    def next_frame(self, level: int, codes: Sequence[int] = ()) -> bytes:
        self._seq = (self._seq + 1) % 10
        return encode_rating(self._seq, PadEvent(level, tuple(codes)))

    def press(self, level: int, codes: Sequence[int] = (), *, tries: int = 3) -> None:
        frame = self.next_frame(level, codes)
        with self._lock:
            for _ in range(tries):
                self._port.write(frame)
                answer = self._port.read(1)
                if answer:
                    self.answers.append(answer[0])
                if answer == bytes([ACK]):
                    return
                if answer != bytes([NAK]):
                    break
        raise TimeoutError(f"the driver did not acknowledge {frame!r}")

    def send_raw(self, data: bytes) -> None:
        with self._lock:
            self._port.write(data)

    def read_answer(self) -> int | None:
        with self._lock:
            answer = self._port.read(1)
        if answer:
            self.answers.append(answer[0])
            return answer[0]
        return None

    def close(self) -> None:
        self._port.close()
