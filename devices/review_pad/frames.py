"""The serial review keypad's byte protocol (docs/review-pad-protocol.md): frames, checksum, parser.

    STX 'R' seq level reason* ETX BCC        a rating, pad → host
    STX 'H' ETX BCC                          heartbeat, pad → host (answered with ACK, otherwise ignored)
    ACK / NAK                                host → pad, one byte, after each frame

- ``seq``: ASCII '0'–'9', the pad's frame counter; a frame that repeats the last accepted ``seq`` is a
  resend after a lost ACK: acknowledged again, not counted again.
- ``level``: ASCII '1'–'5'. ``reason``: ASCII 'A'–'Z' = reason code 1–26, each at most once, only
  after a bad level (1–2).
- ``BCC``: XOR of every byte after STX up to and including ETX. It may take any value (even STX),
  so the parser reads exactly one byte after ETX.

Everything between STX and ETX is printable ASCII, so STX and ETX never occur inside a frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from devices.errors import FrameError
from devices.review_pad.base import MAX_REASON_CODE, PadEvent

__all__ = [
    "ACK",
    "ETX",
    "HEARTBEAT",
    "MAX_BODY",
    "NAK",
    "RATING",
    "STX",
    "Frame",
    "FrameParser",
    "bcc",
    "encode",
    "encode_rating",
]

STX, ETX, ACK, NAK = 0x02, 0x03, 0x06, 0x15
RATING, HEARTBEAT = ord("R"), ord("H")
MAX_BODY = 2 + 1 + MAX_REASON_CODE  # 'R' seq level + every reason once


@dataclass(frozen=True, slots=True)
class Frame:
    command: int
    seq: int | None = None
    event: PadEvent | None = None


def bcc(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def encode(body: bytes) -> bytes:
    """STX body ETX BCC."""
    if any(b < 0x20 or b > 0x7E for b in body):
        raise ValueError("a frame body is printable ASCII")
    tail = body + bytes([ETX])
    return bytes([STX]) + tail + bytes([bcc(tail)])


def encode_rating(seq: int, event: PadEvent) -> bytes:
    if not 0 <= seq <= 9:
        raise ValueError("seq is 0..9")
    reasons = bytes(ord("A") + c - 1 for c in event.reason_codes)
    return encode(bytes([RATING, ord("0") + seq, ord("0") + event.level]) + reasons)


def _decode_body(body: bytes) -> Frame:
    if not body:
        raise FrameError("评价器数据格式错误", detail="empty frame")
    command = body[0]
    if command == HEARTBEAT and len(body) == 1:
        return Frame(HEARTBEAT)
    if command != RATING or len(body) < 3:
        raise FrameError("评价器数据格式错误", detail=f"unknown frame {body[:3]!r}")
    seq, level = body[1] - ord("0"), body[2] - ord("0")
    if not 0 <= seq <= 9 or not 1 <= level <= 5:
        raise FrameError("评价器数据格式错误", detail=f"bad seq/level {body[1:3]!r}")
    codes = [b - ord("A") + 1 for b in body[3:]]
    if any(not 1 <= c <= MAX_REASON_CODE for c in codes) or len(set(codes)) != len(codes):
        raise FrameError("评价器数据格式错误", detail="bad reason codes")
    if codes and level > 2:
        raise FrameError("评价器数据格式错误", detail="reasons after a good level")
    return Frame(RATING, seq, PadEvent(level, tuple(codes)))


class FrameParser:
    """Bytes in, frames out. ``feed`` returns what the bytes completed: ``Frame`` or ``FrameError`` (a
    corrupted or malformed frame, to be answered with NAK). Bytes outside a frame are skipped."""

    def __init__(self) -> None:
        self._body: bytearray | None = None  # inside a frame: bytes after STX
        self._want_bcc = False

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        out: list[Frame | FrameError] = []
        for byte in data:
            if self._want_bcc:
                assert self._body is not None
                tail = bytes(self._body) + bytes([ETX])
                self._want_bcc, body, self._body = False, bytes(self._body), None
                if bcc(tail) != byte:
                    out.append(FrameError("评价器数据校验错误", detail="BCC mismatch"))
                    continue
                try:
                    out.append(_decode_body(body))
                except FrameError as exc:
                    out.append(exc)
            elif byte == STX:
                if self._body is not None:
                    out.append(FrameError("评价器数据不完整", detail="STX inside a frame"))
                self._body = bytearray()
            elif self._body is None:
                continue  # noise between frames
            elif byte == ETX:
                self._want_bcc = True
            elif len(self._body) >= MAX_BODY:
                out.append(FrameError("评价器数据过长", detail="frame longer than MAX_BODY"))
                self._body = None
            else:
                self._body.append(byte)
        return out
