"""GA 467 SAM_V readers on a serial or USB-serial port: registry key ``ga467-serial`` (idcard.md §2–§5, §10).

Sequence: on connecting, ``11 FF`` (SAM status must be 0x90) and ``61 FF 50`` (max RF frame byte) once; then
per card ``20 01`` find (polled) → ``20 02`` select → ``30 01`` read text + photo. ``30 10`` (fingerprints) is
never sent: :func:`~devices.idcard.frames.build_command` refuses to build it.

Lift-and-represent: after a read the driver stays in ``WAIT_REMOVED`` until a find reports no card (0x80),
so one card lying on the reader is read once, not once per poll. The state survives reconnects and
close/open, so an unplugged-and-replugged reader does not read the same card into a second case.

Hot-plug: an I/O error on the port (unplugged cable, vanished pty) closes it and raises
``DeviceNotConnected``; the next ``read_card`` reopens the port (or searches again when auto-detecting), so
the reader recovers without restarting the application. A reader that stops answering (``DeviceTimeout``) is
dropped the same way, so the next call reopens it and checks the SAM again. A corrupted or truncated frame
(``FrameError``) keeps the port; what is left of it is drained before the next command.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterable

import serial
from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from devices.errors import DeviceError, DeviceNotConnected, DeviceTimeout, FrameError
from devices.idcard.frames import (
    FIND,
    MAX_RF_BYTE,
    READ_TEXT_PHOTO,
    SAM_STATUS,
    SELECT,
    SET_MAX_RF_BYTE,
    SW3_CARD_FOUND,
    SW3_NO_CARD,
    SW3_OK,
    Command,
    Response,
    build_command,
    parse_response,
    read_frame,
    status_error,
)
from devices.idcard.model import IdCard
from devices.idcard.text import decode_read_response

__all__ = ["KNOWN_USB_IDS", "Ga467SerialReader"]

log = logging.getLogger(__name__)

# USB VID:PID of SAM readers seen in the field (idcard.md §10); probed first when auto-detecting.
KNOWN_USB_IDS = frozenset({(0x0400, 0xC35A)})

try:  # pyserial lets termios.error (not an OSError) escape from tcflush on a vanished POSIX port
    from termios import error as _TermiosError

    _IO_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, _TermiosError)
except ImportError:  # Windows
    _IO_ERRORS = (serial.SerialException, OSError)
_OPEN_ERRORS: tuple[type[BaseException], ...] = (*_IO_ERRORS, ValueError)  # ValueError: bad port settings

_NOT_OPEN = "读卡器未打开，请重新连接读卡器"
_UNPLUGGED = "读卡器未连接，请检查连接线"
_NOT_FOUND = "未找到身份证读卡器，请检查连接线；如已连接，请在设备设置中指定串口"
# A slow reader may finish a response after we gave up on it; before the next command we read until the
# line has been quiet this long, so a late frame is not taken for the next answer.
_QUIET = 0.2


class _State(enum.Enum):
    IDLE = "idle"
    WAIT_REMOVED = "wait_removed"


def _default_candidates() -> list[str]:
    """Serial ports to probe, known reader USB ids first, then other USB ports, then the rest."""

    def rank(port: ListPortInfo) -> int:
        if port.vid is not None and (port.vid, port.pid) in KNOWN_USB_IDS:
            return 0
        return 1 if port.vid is not None else 2

    return [port.device for port in sorted(list_ports.comports(), key=rank)]


class Ga467SerialReader:
    """``port=None`` auto-detects: every candidate port is asked for its SAM status and the first that
    answers 0x90 is used. Ptys (emulators) are never listed, so give their path explicitly."""

    def __init__(
        self,
        port: str | None = None,
        baudrate: int = 115200,
        timeout: float = 2.0,
        *,
        poll_interval: float = 0.25,
        probe_timeout: float = 0.5,
        candidates: Callable[[], Iterable[str]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``timeout`` bounds each command's answer; ``poll_interval`` is the pause between two finds."""
        self._port = port or None
        self._baudrate = baudrate
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._probe_timeout = probe_timeout
        self._candidates = candidates or _default_candidates
        self._clock = clock
        self._serial: serial.Serial | None = None
        self._connected_port: str | None = None
        self._wanted_open = False
        self._dirty = False  # the last exchange failed: drain late bytes before the next command
        self._state = _State.IDLE

    # -- CardReader -------------------------------------------------------------------------------------

    def open(self) -> None:
        """Connect and check the SAM. If this raises, the reader stays wanted: ``read_card`` retries."""
        self._wanted_open = True
        self._ensure_connected()

    def close(self) -> None:
        self._wanted_open = False
        self._disconnect()

    def describe(self) -> str:
        port = self._connected_port or self._port or "自动检测"
        status = "已连接" if self._serial is not None else "未连接"
        return f"GA 467 串口身份证读卡器（端口 {port}，{self._baudrate} 波特，{status}）"

    def read_card(self, timeout: float) -> IdCard | None:
        if not self._wanted_open:
            raise DeviceNotConnected(_NOT_OPEN, detail="read_card before open() or after close()")
        deadline = self._clock() + timeout
        port = self._ensure_connected()
        while True:
            present = self._find(port)
            if self._state is _State.WAIT_REMOVED:
                if not present:
                    log.debug("card left the field")
                    self._state = _State.IDLE
            elif present:
                card = self._select_and_read(port)
                self._state = _State.WAIT_REMOVED
                log.info("card read: %s", card.card_type.value)
                return card
            remaining = deadline - self._clock()
            if remaining <= 0:
                return None
            # The pause between two finds: the reader is polled, it cannot signal a card (idcard.md §10).
            time.sleep(min(self._poll_interval, remaining))

    # -- the card sequence -----------------------------------------------------------------------------------

    def _find(self, port: serial.Serial) -> bool:
        response = self._transact(port, FIND)
        if response.sw3 == SW3_CARD_FOUND:
            return True
        if response.sw3 == SW3_NO_CARD:
            return False
        raise _error_for(response, "find")

    def _select_and_read(self, port: serial.Serial) -> IdCard:
        response = self._transact(port, SELECT)
        if response.sw3 != SW3_OK:
            raise _error_for(response, "select")
        return decode_read_response(self._transact(port, READ_TEXT_PHOTO))

    # -- connection ------------------------------------------------------------------------------------------

    def _ensure_connected(self) -> serial.Serial:
        if self._serial is None:
            if self._port is not None:
                self._serial = self._connect(self._port, self._timeout)
                self._connected_port = self._port
            else:
                self._serial, self._connected_port = self._autodetect()
            log.info("ID-card reader connected on %s", self._connected_port)
        return self._serial

    def _autodetect(self) -> tuple[serial.Serial, str]:
        tried = []
        for path in self._candidates():
            tried.append(path)
            try:
                return self._connect(path, self._probe_timeout), path
            except DeviceError as exc:
                log.debug("no SAM reader on %s: %s", path, exc.detail or exc.code)
        raise DeviceNotConnected(_NOT_FOUND, detail=f"probed: {', '.join(tried) or 'no serial ports'}")

    def _connect(self, path: str, timeout: float) -> serial.Serial:
        """Open ``path`` and bring the SAM up; on any failure the port is closed again."""
        try:
            port = serial.Serial(
                port=path,
                baudrate=self._baudrate,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=0.05,  # one read() call waits at most this long; read_frame owns the deadline
                write_timeout=self._timeout,
            )
        except _OPEN_ERRORS as exc:
            raise DeviceNotConnected(_UNPLUGGED, detail=f"cannot open {path}: {exc}") from exc
        self._dirty = True  # whatever a previous user left on the line
        try:
            status = self._transact(port, SAM_STATUS, timeout=timeout)
            if status.sw3 != SW3_OK:
                raise _error_for(status, "SAM status")
            rf = self._transact(port, SET_MAX_RF_BYTE, MAX_RF_BYTE, timeout=timeout)
            if rf.sw3 != SW3_OK:
                # An optimisation some readers do not implement: not worth refusing the reader for.
                log.warning("reader on %s refused the max RF byte setting: SW3=0x%02X", path, rf.sw3)
        except BaseException:
            _close_quietly(port)
            raise
        return port

    def _disconnect(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            _close_quietly(port)
            log.info("ID-card reader on %s closed", self._connected_port)
        if self._port is None:
            self._connected_port = None

    def _transact(
        self, port: serial.Serial, command: Command, data: bytes = b"", *, timeout: float | None = None
    ) -> Response:
        """Send one command and return its response; I/O failure drops the connection."""
        try:
            if self._dirty:
                self._drain(port)
            port.reset_input_buffer()
            port.write(build_command(command.cmd, command.para, data))
            port.flush()
            frame = read_frame(port.read, self._timeout if timeout is None else timeout, self._clock)
            response = parse_response(frame)
        except serial.SerialTimeoutException as exc:
            self._drop(port)
            raise DeviceTimeout(detail=f"write timed out: {exc}") from exc
        except _IO_ERRORS as exc:
            self._drop(port)
            raise DeviceNotConnected(_UNPLUGGED, detail=f"I/O error: {exc}") from exc
        except DeviceTimeout:
            # A reader that stopped answering may have reset: reopen and re-check the SAM next time.
            self._drop(port)
            raise
        except FrameError:
            self._dirty = True  # a transmission error: drain what is left of it, keep the port
            raise
        return response

    def _drop(self, port: serial.Serial) -> None:
        """Forget a failed connection (not a port that is still being brought up: ``_connect`` closes that)."""
        if port is self._serial:
            self._disconnect()

    def _drain(self, port: serial.Serial) -> None:
        """Discard input until the line has been quiet for ``_QUIET`` s (bounded by the command timeout)."""
        deadline = self._clock() + self._timeout
        quiet_since = self._clock()
        while self._clock() < deadline and self._clock() - quiet_since < _QUIET:
            if port.read(4096):
                quiet_since = self._clock()
        self._dirty = False


def _error_for(response: Response, step: str) -> DeviceError:
    error = status_error(response.sw3)
    if error is not None:
        return error
    return FrameError(detail=f"unexpected SW3 0x{response.sw3:02X} for {step}")


def _close_quietly(port: serial.Serial) -> None:
    try:
        port.close()
    except _IO_ERRORS as exc:
        log.debug("closing the port failed: %s", exc)
