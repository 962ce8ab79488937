"""A USB keypad that presents itself as a keyboard, read through evdev: registry key ``hid-keys`` (Linux).

The keypad's own event node (``/dev/input/by-id/usb-…-event-kbd``, configured, never guessed: guessing
could pick the clerk's keyboard) is opened alone and grabbed exclusively (``EVIOCGRAB``): while the pad
is open its keys reach nobody else, so a customer's press never types into the clerk's form, and the
clerk's typing, which comes from another device, never reaches the pad. Events are ``struct
input_event`` records read with ``os.read``; see docs/decisions.md for why not the ``evdev`` package.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import time
from collections.abc import Callable, Mapping
from typing import Any

from devices.errors import DeviceError, DeviceNotConnected, DeviceUnavailable
from devices.review_pad.base import PadEvent
from devices.review_pad.keys import EVENT, KeyDecoder, KeyMapError, parse_key_map

__all__ = ["EVIOCGRAB", "HidKeysReviewPad", "eviocgname"]

log = logging.getLogger(__name__)

_IOC_WRITE, _IOC_READ = 1, 2


def _ioc(direction: int, nr: int, size: int) -> int:
    return (direction << 30) | (size << 16) | (ord("E") << 8) | nr


EVIOCGRAB = _ioc(_IOC_WRITE, 0x90, 4)  # _IOW('E', 0x90, int)


def eviocgname(length: int = 256) -> int:
    return _ioc(_IOC_READ, 0x06, length)  # _IOC(_IOC_READ, 'E', 0x06, len)


_NOT_OPEN = "评价键盘未打开，请检查评价器设置"
_NO_PORT = "未设置评价键盘的设备路径，请在设备设置中填写（如 /dev/input/by-id/…-event-kbd）"
_UNPLUGGED = "评价键盘未连接，请检查连接线"


class HidKeysReviewPad:
    """``port``: the keypad's event node. ``key_map``: see :func:`devices.review_pad.keys.parse_key_map`.
    ``ioctl`` is replaceable so that tests can feed recorded events through a FIFO."""

    def __init__(
        self,
        port: str = "",
        key_map: str | Mapping[str | int, str | int] = "",
        *,
        ioctl: Callable[..., Any] = fcntl.ioctl,
        clock: Callable[[], float] = time.monotonic,
        **_ignored: object,
    ) -> None:
        try:
            self._decoder = KeyDecoder(parse_key_map(key_map))
        except KeyMapError as exc:
            raise DeviceError(exc.message, code="bad_key_map") from exc
        self._port = port
        self._ioctl = ioctl
        self._clock = clock
        self._fd: int | None = None
        self._name = ""
        self._buffer = bytearray()

    # -- ReviewPad ------------------------------------------------------------------------------------

    def open(self) -> None:
        if self._fd is not None:
            return
        if not self._port:
            raise DeviceNotConnected(_NO_PORT, detail="hid-keys without a port")
        try:
            fd = os.open(self._port, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError as exc:
            raise DeviceNotConnected(_UNPLUGGED, detail=f"{self._port}: {exc.strerror}") from exc
        except PermissionError as exc:
            raise DeviceUnavailable(
                "没有读取评价键盘的权限，请联系管理员把当前用户加入 input 组",
                detail=f"{self._port}: {exc.strerror}",
            ) from exc
        try:
            self._grab(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._name = self._device_name(fd)
        self._drain()  # what was pressed before the pad was opened is not a rating
        self._decoder.reset()
        log.info("review keypad opened and grabbed: %s", self._port)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            self._ioctl(fd, EVIOCGRAB, 0)
        except OSError:
            pass  # a vanished device has released its grab with it
        os.close(fd)
        self._buffer.clear()
        self._decoder.reset()

    def describe(self) -> str:
        name = f"“{self._name}”" if self._name else ""
        status = "已连接并独占" if self._fd is not None else "未连接"
        return f"USB 评价键盘{name}（设备 {self._port or '未设置'}，{status}）"

    def read_rating(self, timeout: float) -> PadEvent | None:
        if self._fd is None:
            raise DeviceNotConnected(_NOT_OPEN, detail="read_rating before open() or after close()")
        deadline = self._clock() + timeout
        while True:
            event = self._decode_buffer()
            if event is not None:
                return event
            # With no time left this still polls once: a rating already waiting is returned.
            remaining = max(deadline - self._clock(), 0.0)
            ready, _, _ = select.select([self._fd], [], [], remaining)
            if not ready:
                return None
            self._read_available()

    # -- helpers -------------------------------------------------------------------------------------

    def _grab(self, fd: int) -> None:
        try:
            self._ioctl(fd, EVIOCGRAB, 1)
        except OSError as exc:
            if exc.errno == errno.EBUSY:
                raise DeviceError(
                    "评价键盘正被其他程序独占，请关闭其他评价程序后重试",
                    code="busy",
                    detail=f"{self._port}: EVIOCGRAB EBUSY",
                ) from exc
            raise DeviceError(
                "设置的评价键盘路径不是输入设备，请在设备设置中选择评价键盘的 event 设备",
                code="not_an_input_device",
                detail=f"{self._port}: EVIOCGRAB {errno.errorcode.get(exc.errno or 0, exc.errno)}",
            ) from exc

    def _device_name(self, fd: int) -> str:
        try:
            raw = self._ioctl(fd, eviocgname(), bytes(256))
        except OSError:
            return ""
        return bytes(raw).split(b"\0", 1)[0].decode("utf-8", "replace") if isinstance(raw, bytes) else ""

    def _read_available(self) -> None:
        assert self._fd is not None
        try:
            chunk = os.read(self._fd, EVENT.size * 64)
        except BlockingIOError:
            return
        except OSError as exc:  # ENODEV: unplugged
            self.close()
            raise DeviceNotConnected(_UNPLUGGED, detail=f"{self._port}: {exc.strerror}") from exc
        if not chunk:
            self.close()
            raise DeviceNotConnected(_UNPLUGGED, detail=f"{self._port}: end of file")
        self._buffer.extend(chunk)

    def _drain(self) -> None:
        while True:
            try:
                if not os.read(self._fd or -1, EVENT.size * 64):
                    break
            except (BlockingIOError, OSError):
                break
        self._buffer.clear()

    def _decode_buffer(self) -> PadEvent | None:
        while len(self._buffer) >= EVENT.size:
            _sec, _usec, ev_type, code, value = EVENT.unpack_from(self._buffer)
            del self._buffer[: EVENT.size]
            event = self._decoder.feed(ev_type, code, value)
            if event is not None:
                return event
        return None
