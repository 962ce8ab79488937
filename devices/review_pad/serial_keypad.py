"""A review keypad on a serial or USB-serial port speaking :mod:`devices.review_pad.frames`:
registry key ``serial-keypad``.

Each frame is answered at once: ACK for a good one (also for a resent one, which is not counted
twice), NAK for a corrupted one (the pad resends). Input waiting at ``open`` is discarded. An I/O
error closes the port and raises ``DeviceNotConnected``; the next ``read_rating`` reopens it.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

import serial

from devices.errors import DeviceNotConnected, FrameError
from devices.review_pad.base import PadEvent
from devices.review_pad.frames import ACK, NAK, RATING, FrameParser

__all__ = ["SerialKeypadReviewPad"]

log = logging.getLogger(__name__)

_NOT_OPEN = "评价器未打开，请检查评价器设置"
_NO_PORT = "未设置评价器串口，请在设备设置中填写（如 COM3 或 /dev/ttyUSB0）"
_UNPLUGGED = "评价器未连接，请检查连接线"

try:  # pyserial lets termios.error (not an OSError) escape on a vanished POSIX port
    from termios import error as _TermiosError

    _IO_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, _TermiosError)
except ImportError:  # Windows
    _IO_ERRORS = (serial.SerialException, OSError)


class SerialKeypadReviewPad:
    def __init__(
        self,
        port: str = "",
        baudrate: int = 9600,
        *,
        clock: Callable[[], float] = time.monotonic,
        **_ignored: object,
    ) -> None:
        self._port = port
        self._baudrate = baudrate
        self._clock = clock
        self._serial: serial.Serial | None = None
        self._wanted_open = False
        self._parser = FrameParser()
        self._ready: deque[PadEvent] = deque()
        self._last_seq: int | None = None
        self.frame_errors = 0  # for hall IT (doctor): a noisy line shows here

    # -- ReviewPad ------------------------------------------------------------------------------------

    def open(self) -> None:
        self._wanted_open = True
        self._connect()

    def close(self) -> None:
        self._wanted_open = False
        self._disconnect()

    def describe(self) -> str:
        status = "已连接" if self._serial is not None else "未连接"
        return f"串口评价器（端口 {self._port or '未设置'}，{self._baudrate} 波特，{status}）"

    def read_rating(self, timeout: float) -> PadEvent | None:
        if not self._wanted_open:
            raise DeviceNotConnected(_NOT_OPEN, detail="read_rating before open() or after close()")
        port = self._connect()
        deadline = self._clock() + timeout
        while not self._ready:
            remaining = deadline - self._clock()
            try:
                port.timeout = max(min(remaining, 0.2), 0.0)
                first = port.read(1)
                data = first + (port.read(port.in_waiting) if first and port.in_waiting else b"")
            except _IO_ERRORS as exc:
                self._disconnect()
                raise DeviceNotConnected(_UNPLUGGED, detail=f"{self._port}: {exc}") from exc
            if data:
                self._handle(port, data)
            elif remaining <= 0:
                return None
        return self._ready.popleft()

    # -- helpers -------------------------------------------------------------------------------------

    def _handle(self, port: serial.Serial, data: bytes) -> None:
        for item in self._parser.feed(data):
            if isinstance(item, FrameError):
                self.frame_errors += 1
                log.warning("review pad frame refused: %s", item.detail)
                self._write(port, NAK)
                continue
            self._write(port, ACK)
            if item.command != RATING or item.event is None:
                continue
            if item.seq == self._last_seq:
                log.info("review pad resent frame %s: acknowledged again, not counted", item.seq)
                continue
            self._last_seq = item.seq
            self._ready.append(item.event)

    def _write(self, port: serial.Serial, byte: int) -> None:
        try:
            port.write(bytes([byte]))
            port.flush()
        except _IO_ERRORS as exc:
            self._disconnect()
            raise DeviceNotConnected(_UNPLUGGED, detail=f"{self._port}: {exc}") from exc

    def _connect(self) -> serial.Serial:
        if self._serial is not None:
            return self._serial
        if not self._port:
            raise DeviceNotConnected(_NO_PORT, detail="serial-keypad without a port")
        try:
            port = serial.Serial(port=self._port, baudrate=self._baudrate, timeout=0.2, write_timeout=1.0)
            port.reset_input_buffer()  # what was pressed before the pad was opened is not a rating
        except (*_IO_ERRORS, ValueError) as exc:
            raise DeviceNotConnected(_UNPLUGGED, detail=f"{self._port}: {exc}") from exc
        self._serial = port
        self._parser = FrameParser()
        self._ready.clear()
        self._last_seq = None
        log.info("review keypad connected on %s", self._port)
        return port

    def _disconnect(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except _IO_ERRORS:
                pass
