"""An emulated GA 467 SAM reader on one end of a pty pair, with injectable faults.

It answers the real command sequence (``11 FF``, ``61 FF 50``, ``20 01``, ``20 02``, ``30 01``, plus reset and
SAM id) from the card currently "on the reader" (:meth:`SamReaderEmulator.place` / :meth:`lift`), and records
every command it receives. ``30 10`` (fingerprints) is answered 0x21 and recorded in ``forbidden``: tests
assert that no driver ever sends it.

Faults (:meth:`inject`), one-shot by default (``times``), or persistent with ``times=None``:

- ``NO_CARD``: find reports no card although one is placed (the reader does not see it);
- ``SAM_FAILURE``: the SAM status answers 0x60 (self-test failed);
- ``STATUS``: answer ``command`` with status ``sw3`` and no data (e.g. 0x31 authentication failure);
- ``BAD_CHECKSUM``: the response's checksum byte is wrong;
- ``TRUNCATED``: only the first half of the response is sent, then silence;
- ``SLOW``: the response is sent in ``chunks`` pieces, ``delay`` seconds apart;
- ``WRAPPER``: junk bytes before and after the response (as some USB readers wrap frames);
- ``DISCONNECT_MID_FRAME``: the first half of the response, then ``on_disconnect()`` (the fixture stops socat:
  the port vanishes, as when the cable is pulled).

Runs in a thread of the test process; ``start()`` returns once its end of the pty is open.
"""

from __future__ import annotations

import enum
import errno
import os
import select
import threading
import tty
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devices.errors import FrameError
from devices.idcard.frames import (
    FIND,
    READ_FINGERPRINT,
    READ_TEXT_PHOTO,
    SAM_ID,
    SAM_RESET,
    SAM_STATUS,
    SELECT,
    SET_MAX_RF_BYTE,
    SW3_CARD_FOUND,
    SW3_NO_CARD,
    SW3_OK,
    Command,
    FrameReader,
    build_response,
    parse_command,
)
from devices.idcard.model import IdCard
from devices.idcard.text import encode_read_data

WRAP_PREFIX = b"\x00\x02\x55\xaa\x96"  # junk that even starts like a preamble
WRAP_SUFFIX = b"\r\n\xaa"


class Fault(enum.Enum):
    NO_CARD = "no_card"
    SAM_FAILURE = "sam_failure"
    STATUS = "status"
    BAD_CHECKSUM = "bad_checksum"
    TRUNCATED = "truncated"
    SLOW = "slow"
    WRAPPER = "wrapper"
    DISCONNECT_MID_FRAME = "disconnect_mid_frame"


# Which command a fault applies to when none is given.
_DEFAULT_COMMAND = {
    Fault.NO_CARD: FIND,
    Fault.SAM_FAILURE: SAM_STATUS,
    Fault.STATUS: READ_TEXT_PHOTO,
    Fault.BAD_CHECKSUM: READ_TEXT_PHOTO,
    Fault.TRUNCATED: READ_TEXT_PHOTO,
    Fault.SLOW: READ_TEXT_PHOTO,
    Fault.DISCONNECT_MID_FRAME: READ_TEXT_PHOTO,
}


@dataclass
class _Injection:
    fault: Fault
    command: Command | None  # None: every command
    times: int | None  # None: until cleared
    sw3: int = 0x41
    delay: float = 0.0
    chunks: int = 5


class SamReaderEmulator:
    def __init__(
        self,
        path: str | Path,
        *,
        card: IdCard | None = None,
        on_disconnect: Callable[[], None] | None = None,
    ) -> None:
        self.path = str(path)
        self.on_disconnect = on_disconnect
        self._lock = threading.Lock()
        self._card = card
        self._injections: list[_Injection] = []
        self._commands: list[Command] = []
        self.forbidden: list[Command] = []
        self.reads_served = 0
        self._fd: int | None = None
        self._wake_r, self._wake_w = -1, -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the card on the reader ------------------------------------------------------------------------------

    def place(self, card: IdCard) -> None:
        with self._lock:
            self._card = card

    def lift(self) -> None:
        with self._lock:
            self._card = None

    @property
    def card(self) -> IdCard | None:
        with self._lock:
            return self._card

    # -- faults and records ----------------------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        command: Command | None = None,
        times: int | None = 1,
        sw3: int = 0x41,
        delay: float = 0.05,
        chunks: int = 5,
    ) -> None:
        target = command if command is not None else _DEFAULT_COMMAND.get(fault)
        with self._lock:
            self._injections.append(_Injection(fault, target, times, sw3, delay, chunks))

    def clear_faults(self) -> None:
        with self._lock:
            self._injections.clear()

    @property
    def commands(self) -> list[Command]:
        with self._lock:
            return list(self._commands)

    def clear_commands(self) -> None:
        with self._lock:
            self._commands.clear()

    # -- life cycle ---------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(fd)
        self._fd = fd
        self._wake_r, self._wake_w = os.pipe()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sam-emulator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            os.write(self._wake_w, b"x")
            if thread is not threading.current_thread():
                thread.join(timeout)
                if thread.is_alive():
                    raise RuntimeError("SAM reader emulator did not stop")
        for fd in (self._fd, self._wake_r, self._wake_w):
            if fd is not None and fd >= 0:
                os.close(fd)
        self._fd, self._wake_r, self._wake_w = None, -1, -1

    # -- the reader ---------------------------------------------------------------------------------------------

    def _run(self) -> None:
        assert self._fd is not None
        fd, reader = self._fd, FrameReader()
        while not self._stop.is_set():
            readable, _, _ = select.select([fd, self._wake_r], [], [])
            if self._wake_r in readable:
                return
            try:
                data = os.read(fd, 4096)
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno == errno.EIO:
                    return  # the other end is gone (socat stopped)
                raise
            if not data:
                return
            for frame in reader.feed(data):
                if not self._answer(frame):
                    return

    def _answer(self, frame: bytes) -> bool:
        """Answer one command frame; False once the line has been "disconnected"."""
        try:
            command, _data = parse_command(frame)
        except FrameError:
            return self._send(build_response(0x10), None, wrap=False)  # as a SAM reports a bad frame
        with self._lock:
            self._commands.append(command)
            card = self._card
            wrap = self._take_injection(command, wrapper=True) is not None
            injection = self._take_injection(command, wrapper=False)
        if command == READ_FINGERPRINT:
            self.forbidden.append(command)
            return self._send(build_response(0x21), None, wrap=wrap)
        if injection is not None and injection.fault is Fault.STATUS:
            return self._send(build_response(injection.sw3), injection, wrap=wrap)
        if injection is not None and injection.fault is Fault.SAM_FAILURE:
            return self._send(build_response(0x60), injection, wrap=wrap)
        if injection is not None and injection.fault is Fault.NO_CARD:
            card = None
        return self._send(self._response(command, card), injection, wrap=wrap)

    def _response(self, command: Command, card: IdCard | None) -> bytes:
        if command in (SAM_STATUS, SAM_RESET, SET_MAX_RF_BYTE):
            return build_response(SW3_OK)
        if command == SAM_ID:
            return build_response(SW3_OK, bytes(16))
        if command == FIND:
            return (
                build_response(SW3_CARD_FOUND, bytes(4)) if card is not None else build_response(SW3_NO_CARD)
            )
        if command == SELECT:
            return build_response(SW3_OK, bytes(8)) if card is not None else build_response(0x81)
        if command == READ_TEXT_PHOTO:
            if card is None:
                return build_response(0x41)
            self.reads_served += 1
            return build_response(SW3_OK, encode_read_data(card))
        return build_response(0x21)

    def _take_injection(self, command: Command, *, wrapper: bool) -> _Injection | None:
        """The first injection for ``command`` (wrappers and other faults are counted apart, so they combine)."""
        for injection in self._injections:
            if (injection.fault is Fault.WRAPPER) != wrapper:
                continue
            if injection.command is None or injection.command == command:
                if injection.times is not None:
                    injection.times -= 1
                    if injection.times <= 0:
                        self._injections.remove(injection)
                return injection
        return None

    def _send(self, response: bytes, injection: _Injection | None, *, wrap: bool) -> bool:
        fault = injection.fault if injection is not None else None
        if fault is Fault.BAD_CHECKSUM:
            response = response[:-1] + bytes([response[-1] ^ 0x5A])
        if wrap:
            response = WRAP_PREFIX + response + WRAP_SUFFIX
        if fault is Fault.TRUNCATED:
            self._write(response[: len(response) // 2])
            return True
        if fault is Fault.DISCONNECT_MID_FRAME:
            self._write(response[: len(response) // 2])
            if self.on_disconnect is not None:
                self.on_disconnect()
            return False
        if fault is Fault.SLOW and injection is not None:
            size = -(-len(response) // injection.chunks)
            for start in range(0, len(response), size):
                # The reader is slow, not the test: this pause is the behaviour being emulated.
                if start and self._stop.wait(injection.delay):
                    return False
                self._write(response[start : start + size])
            return True
        self._write(response)
        return True

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            _, writable, _ = select.select([], [self._fd], [], 1.0)
            if not writable:
                raise TimeoutError("the driver end of the pty is not draining")
            try:
                written = os.write(self._fd, view)
            except BlockingIOError:
                continue
            view = view[written:]
