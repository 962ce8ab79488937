"""The SAM_V frame protocol spoken by GA 467 ID-card readers (idcard.md §2–§5).

::

    command : AA AA AA 96 69 | LEN_H LEN_L | CMD PARA [DATA]   | CHK
    response: AA AA AA 96 69 | LEN_H LEN_L | SW1 SW2 SW3 [DATA] | CHK

LEN counts the bytes from CMD (or SW1) through CHK; CHK is the XOR of ``frame[5:-1]``.

Pure byte handling, no I/O besides the ``read`` callable given to :func:`read_frame`. Every failure is a
:class:`~devices.errors.DeviceError` subclass. The fingerprint read (``30 10``) cannot be encoded here at all:
fingerprints are never read (privacy.md §3).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from devices.errors import (
    CardReadFailed,
    DeviceError,
    DeviceTimeout,
    FrameError,
    NoCard,
    SamError,
)

__all__ = [
    "FIND",
    "MAX_FRAME_SIZE",
    "MAX_RF_BYTE",
    "PREAMBLE",
    "READ_EXTRA_ADDRESS",
    "READ_FINGERPRINT",
    "READ_TEXT_PHOTO",
    "SAM_ID",
    "SAM_RESET",
    "SAM_STATUS",
    "SELECT",
    "SET_MAX_RF_BYTE",
    "SW3_CARD_FOUND",
    "SW3_NO_CARD",
    "SW3_OK",
    "Command",
    "FrameReader",
    "Response",
    "build_command",
    "build_response",
    "checksum",
    "parse_command",
    "parse_response",
    "read_frame",
    "status_error",
]

PREAMBLE: Final = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE: Final = 7  # preamble + LEN_H LEN_L
MIN_COMMAND_LEN: Final = 3  # CMD PARA CHK
MIN_RESPONSE_LEN: Final = 4  # SW1 SW2 SW3 CHK
# A 30 01 response is 1295 bytes and the (never requested) 30 10 one 2321; anything far larger is a false
# preamble inside garbage, so the reader resynchronises instead of waiting for it.
MAX_FRAME_SIZE: Final = 4096


class Command(NamedTuple):
    cmd: int
    para: int


SAM_RESET: Final = Command(0x10, 0xFF)
SAM_STATUS: Final = Command(0x11, 0xFF)
SAM_ID: Final = Command(0x12, 0xFF)
FIND: Final = Command(0x20, 0x01)
SELECT: Final = Command(0x20, 0x02)
READ_TEXT_PHOTO: Final = Command(0x30, 0x01)
READ_EXTRA_ADDRESS: Final = Command(0x30, 0x03)
SET_MAX_RF_BYTE: Final = Command(0x61, 0xFF)
MAX_RF_BYTE: Final = b"\x50"  # data byte sent with SET_MAX_RF_BYTE
READ_FINGERPRINT: Final = Command(0x30, 0x10)
"""Text + photo + fingerprints. Defined only so that it can be refused: never sent (privacy.md §3)."""

SW3_OK: Final = 0x90
SW3_CARD_FOUND: Final = 0x9F
SW3_NO_CARD: Final = 0x80


def checksum(body: bytes) -> int:
    """XOR of all bytes of ``body`` (= ``frame[5:-1]``: LEN_H, LEN_L and the payload)."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def _frame(payload: bytes) -> bytes:
    size = len(payload) + 1
    if size > 0xFFFF:
        raise ValueError(f"payload too long for one frame: {len(payload)} bytes")
    body = size.to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


def build_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    """One command frame. Refuses the fingerprint read with ``ValueError``."""
    if not (0 <= cmd <= 0xFF and 0 <= para <= 0xFF):
        raise ValueError(f"CMD and PARA are single bytes, got {cmd!r}, {para!r}")
    if (cmd, para) == READ_FINGERPRINT:
        raise ValueError("refusing to build 30 10: fingerprints are never read (privacy.md §3)")
    return _frame(bytes((cmd, para)) + bytes(data))


def build_response(sw3: int, data: bytes = b"", *, sw1: int = 0x00, sw2: int = 0x00) -> bytes:
    """One response frame (for emulators and tests)."""
    return _frame(bytes((sw1, sw2, sw3)) + bytes(data))


@dataclass(frozen=True, slots=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    # Card data can be in here: keep it out of repr (and therefore out of logs and tracebacks).
    data: bytes = field(default=b"", repr=False)

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW3_OK, SW3_CARD_FOUND)

    def __repr__(self) -> str:
        return f"Response(sw1=0x{self.sw1:02X}, sw2=0x{self.sw2:02X}, sw3=0x{self.sw3:02X}, data=<{len(self.data)} bytes>)"


def _check_frame(buf: bytes, min_len: int) -> bytes:
    """Validate one complete frame; return its payload (between LEN and CHK)."""
    if len(buf) < HEADER_SIZE + min_len:
        raise FrameError(detail=f"frame too short: {len(buf)} bytes")
    if buf[:5] != PREAMBLE:
        raise FrameError(detail=f"bad preamble {buf[:5].hex(' ')}")
    length = int.from_bytes(buf[5:7], "big")
    if length < min_len:
        raise FrameError(detail=f"length field {length} below minimum {min_len}")
    if len(buf) != HEADER_SIZE + length:
        kind = "truncated" if len(buf) < HEADER_SIZE + length else "overlong"
        raise FrameError(
            detail=f"{kind} frame: length field says {HEADER_SIZE + length} bytes, got {len(buf)}"
        )
    expected = checksum(buf[5:-1])
    if buf[-1] != expected:
        raise FrameError(detail=f"bad checksum: 0x{buf[-1]:02X}, computed 0x{expected:02X}")
    return bytes(buf[7:-1])


def parse_response(buf: bytes) -> Response:
    """Parse exactly one complete response frame; ``FrameError`` if it is malformed in any way."""
    payload = _check_frame(buf, MIN_RESPONSE_LEN)
    return Response(payload[0], payload[1], payload[2], payload[3:])


def parse_command(buf: bytes) -> tuple[Command, bytes]:
    """Parse exactly one complete command frame (for emulators): ``(Command(cmd, para), data)``."""
    payload = _check_frame(buf, MIN_COMMAND_LEN)
    return Command(payload[0], payload[1]), payload[2:]


class FrameReader:
    """Incremental framer: ``feed`` it bytes as they arrive and get back the complete frames.

    Bytes before a preamble are dropped, so garbage on the line and the extra bytes some readers wrap
    around each frame (a report id before, CR LF after) are skipped. A frame is cut by its length field
    only; checksums are left to :func:`parse_response`, so a corrupted frame surfaces as a ``FrameError``
    rather than silently vanishing. A length field that cannot be real (below the minimum or above
    ``MAX_FRAME_SIZE``) marks a false preamble: the reader skips one byte and searches again.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held that belong to an incomplete frame (after garbage is dropped)."""
        return len(self._buf)

    @property
    def in_frame(self) -> bool:
        """True once a preamble has been seen and the frame it starts is not complete yet."""
        return self._buf.startswith(PREAMBLE)

    def clear(self) -> None:
        self._buf.clear()

    def bytes_wanted(self) -> int:
        """How many more bytes could complete the current frame (at least 1): lets a reader never over-read."""
        self._sync()
        buf = self._buf
        if len(buf) < HEADER_SIZE:
            return HEADER_SIZE - len(buf)
        return max(1, HEADER_SIZE + int.from_bytes(buf[5:7], "big") - len(buf))

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        frames: list[bytes] = []
        while True:
            self._sync()
            buf = self._buf
            if len(buf) < HEADER_SIZE:
                return frames
            size = HEADER_SIZE + int.from_bytes(buf[5:7], "big")
            if len(buf) < size:
                return frames
            frames.append(bytes(buf[:size]))
            del buf[:size]

    def _sync(self) -> None:
        """Drop bytes until the buffer starts with a plausible frame header (or a possible preamble prefix)."""
        buf = self._buf
        while buf:
            start = buf.find(PREAMBLE)
            if start < 0:
                # Keep a tail that may be the start of a preamble split across two reads.
                del buf[: len(buf) - _preamble_prefix_at_end(buf)]
                return
            del buf[:start]
            if len(buf) < HEADER_SIZE:
                return
            size = HEADER_SIZE + int.from_bytes(buf[5:7], "big")
            if HEADER_SIZE + MIN_COMMAND_LEN <= size <= MAX_FRAME_SIZE:
                return
            del buf[:1]  # a false preamble: search again from the next byte


def _preamble_prefix_at_end(buf: bytearray) -> int:
    """Length of the longest tail of ``buf`` that is a proper prefix of the preamble."""
    for size in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if PREAMBLE.startswith(buf[-size:]):
            return size
    return 0


def read_frame(
    read: Callable[[int], bytes], timeout: float, clock: Callable[[], float] = time.monotonic
) -> bytes:
    """Read one frame from a transport within ``timeout`` seconds.

    ``read(n)`` returns up to ``n`` bytes and must itself return within a short bound (a pyserial port with a
    small ``timeout``), so this never hangs. Silence → ``DeviceTimeout``; bytes but no complete frame by the
    deadline → ``FrameError``. Reads only as many bytes as the frame needs, so anything after it (a wrapper's
    trailer) stays in the transport for the next call to skip.
    """
    deadline = clock() + timeout
    reader = FrameReader()
    received = 0
    while True:
        chunk = read(reader.bytes_wanted())
        if chunk:
            received += len(chunk)
            frames = reader.feed(chunk)
            if frames:
                return frames[0]
        if clock() >= deadline:
            if reader.in_frame:
                raise FrameError(
                    detail=f"truncated frame: {reader.pending} bytes, then silence for {timeout:g} s"
                )
            if received:
                raise FrameError(detail=f"{received} bytes without a frame preamble within {timeout:g} s")
            raise DeviceTimeout(detail=f"no answer within {timeout:g} s")


_COMM_RETRY = "，请重新放置身份证；如反复出现请检查连接线或重新插拔读卡器"
_CALL_ADMIN = "，请拔下读卡器后重新插上；如仍失败请联系管理员"

# SW3 → (error class, clerk-facing message, English meaning for logs). 0x90, 0x9F are successes.
_STATUS: Final[dict[int, tuple[type[DeviceError], str, str]]] = {
    0x91: (CardReadFailed, "证件中没有该项内容，请重新放置身份证", "item empty"),
    0x10: (SamError, "读卡器通信校验出错" + _COMM_RETRY, "checksum error reported by SAM"),
    0x11: (SamError, "读卡器通信长度出错" + _COMM_RETRY, "length error reported by SAM"),
    0x21: (SamError, "读卡器不支持该命令，请联系管理员检查读卡器型号和设置", "bad command or parameter"),
    0x23: (SamError, "读卡器拒绝了该操作（越权操作），请联系管理员", "operation not permitted"),
    0x24: (SamError, "读卡器发生无法识别的错误" + _CALL_ADMIN, "unrecognised error"),
    0x31: (CardReadFailed, "卡片认证失败，请重新放置身份证", "card failed to authenticate the SAM"),
    0x32: (
        CardReadFailed,
        "卡片认证失败，请重新放置身份证；如反复失败，证件可能已损坏",
        "SAM failed to authenticate the card",
    ),
    0x33: (CardReadFailed, "证件信息验证失败，请重新放置身份证", "information verification error"),
    0x40: (
        CardReadFailed,
        "无法识别的卡片类型，请放置居民身份证、居住证或永久居留身份证",
        "unrecognised card type",
    ),
    0x41: (CardReadFailed, "读取证件失败，请重新放置身份证，放稳后不要移动", "read failed"),
    0x47: (CardReadFailed, "卡片认证失败（取随机数失败），请重新放置身份证", "get challenge failed"),
    0x60: (SamError, "读卡器安全模块自检失败" + _CALL_ADMIN, "SAM_V self-test failed"),
    0x66: (SamError, "读卡器安全模块未经授权，请联系管理员更换读卡器", "SAM_V not authorised"),
    0x80: (NoCard, "未检测到身份证，请将身份证平放在读卡器上", "no card found"),
    0x81: (CardReadFailed, "选取证件失败，请重新放置身份证，放稳后不要移动", "select failed"),
}


def status_error(sw3: int) -> DeviceError | None:
    """The error a status byte stands for, or None for 0x90 (OK) and 0x9F (card found)."""
    if sw3 in (SW3_OK, SW3_CARD_FOUND):
        return None
    code = f"sw3_{sw3:02x}"
    known = _STATUS.get(sw3)
    if known is None:
        return SamError(
            sw3, f"读卡器返回未知状态（0x{sw3:02X}）" + _CALL_ADMIN, code=code, detail="unknown status"
        )
    cls, message, meaning = known
    detail = f"SW3=0x{sw3:02X} {meaning}"
    if cls is SamError:
        return SamError(sw3, message, code=code, detail=detail)
    if cls is CardReadFailed:
        return CardReadFailed(message, code=code, detail=detail, sw3=sw3)
    return cls(message, code=code, detail=detail)
