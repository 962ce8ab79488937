"""ESC/POS thermal ticket printers through python-escpos: registry key ``escpos``.

The slip goes out as ``ESC @`` (reset), one raster image (``GS v 0``, drawn by :mod:`.render`), and a
partial cut (``GS V``): no text command is ever sent, so no code page is involved and Chinese cannot come
out garbled. The connection is one string (``[devices] ticket_printer_port``)::

    usb:0416:5011          USB vendor:product in hex (optionally :IN:OUT endpoints, default 82:01)
    serial:/dev/ttyUSB0    serial port, 9600 baud unless given: serial:COM3:19200 (a bare COM3 works too)
    tcp:192.168.1.50       network printer, port 9100 unless given: tcp:192.168.1.50:9100
    /dev/usb/lp0           a device file (file:/dev/usb/lp0 is the same)

Before each slip the printer is asked for its real-time status (``DLE EOT``, see :mod:`.escpos_status`)
where the connection can read answers (USB, serial, TCP): paper out, cover open, off line and printer
faults become typed errors with a message for the clerk. A printer that does not answer is asked no more
on that connection and prints as if all were well; a device file cannot be asked at all.
"""

from __future__ import annotations

import copy
import logging
import threading
from dataclasses import dataclass
from typing import Any

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import File, Network, Serial, Usb

from devices.errors import DeviceError, DeviceUnavailable
from devices.ticketprinter.base import TicketSlip
from devices.ticketprinter.errors import PrinterNotConnected
from devices.ticketprinter.escpos_status import (
    QUERY_OFFLINE_CAUSE,
    QUERY_PAPER,
    QUERY_PRINTER,
    EscposStatus,
    is_status_byte,
)
from devices.ticketprinter.render import paper_width_px, render_slip

__all__ = ["Connection", "EscposTicketPrinter", "parse_connection"]

log = logging.getLogger(__name__)

_EXAMPLES = "如 usb:0416:5011、serial:COM3、tcp:192.168.1.50:9100 或 /dev/usb/lp0"
_NOT_OPEN = "小票打印机未打开，请检查小票打印机设置"


@dataclass(frozen=True)
class Connection:
    kind: str  # "usb" | "serial" | "tcp" | "file"
    device: str = ""  # serial port or device file
    baudrate: int = 9600
    host: str = ""
    tcp_port: int = 9100
    vendor: int = 0
    product: int = 0
    in_ep: int = 0x82
    out_ep: int = 0x01

    def describe(self) -> str:
        if self.kind == "usb":
            return f"USB {self.vendor:04x}:{self.product:04x}"
        if self.kind == "serial":
            return f"串口 {self.device}，{self.baudrate} 波特"
        if self.kind == "tcp":
            return f"网络 {self.host}:{self.tcp_port}"
        return f"设备文件 {self.device}"


def _bad(port: str, why: str) -> DeviceError:
    return DeviceError(
        f"小票打印机连接设置“{port}”无效：{why}。请按格式填写（{_EXAMPLES}）",
        code="bad_printer_port",
        detail=f"ticket printer port {port!r}",
    )


def parse_connection(port: str) -> Connection:
    """The connection a ``ticket_printer_port`` string names; ``DeviceError`` saying the format if bad."""
    text = port.strip()
    if not text:
        raise DeviceError(
            f"未设置小票打印机的连接，请在设置 [devices] ticket_printer_port 中填写（{_EXAMPLES}）",
            code="bad_printer_port",
            detail="empty ticket printer port",
        )
    scheme, sep, rest = text.partition(":")
    scheme = scheme.lower() if sep else ""
    if scheme == "usb":
        parts = rest.split(":")
        if len(parts) not in (2, 4):
            raise _bad(port, "USB 应写作 usb:厂商号:产品号（十六进制）")
        try:
            numbers = [int(p, 16) for p in parts]
        except ValueError:
            raise _bad(port, "USB 厂商号和产品号应为十六进制数") from None
        endpoints = numbers[2:] or [0x82, 0x01]
        return Connection(
            "usb", vendor=numbers[0], product=numbers[1], in_ep=endpoints[0], out_ep=endpoints[1]
        )
    if scheme == "serial":
        device, baud = rest, 9600
        head, _, tail = rest.rpartition(":")
        if head and tail.isdigit():
            device, baud = head, int(tail)
        if not device:
            raise _bad(port, "缺少串口名")
        return Connection("serial", device=device, baudrate=baud)
    if scheme in ("tcp", "net", "network"):
        host, _, number = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        if not host:
            raise _bad(port, "缺少打印机的网络地址")
        if number and not number.isdigit():
            raise _bad(port, "端口应为数字")
        return Connection("tcp", host=host, tcp_port=int(number) if number else 9100)
    if scheme == "file":
        return Connection("file", device=rest)
    if text.upper().startswith("COM") and text[3:].isdigit():
        return Connection("serial", device=text)
    if text.startswith(("/", "\\\\")):
        return Connection("file", device=text)
    raise _bad(port, "无法识别的连接方式")


class EscposTicketPrinter:
    """Implements ``TicketPrinter`` for ESC/POS printers (Epson TM series and the many compatible ones).

    ``backend``: a python-escpos printer object to use instead of opening ``port`` (tests pass its
    ``Dummy``, which records the bytes). ``timeout``: seconds to wait for the connection and for each
    status answer.
    """

    def __init__(
        self,
        *,
        port: str = "",
        paper_mm: int = 80,
        profile: str = "",
        timeout: float = 3.0,
        query_status: bool = True,
        backend: Escpos | None = None,
        **_ignored: object,
    ) -> None:
        # ``_ignored``: the app passes the same options (folder, …) to every driver.
        self._connection = None if backend is not None else parse_connection(port)
        try:
            self._width = paper_width_px(paper_mm)
        except ValueError as exc:
            raise DeviceError(str(exc), code="bad_paper_width", detail=f"paper_mm={paper_mm}") from None
        self._paper_mm = paper_mm
        self._profile = profile or None
        self._timeout = timeout
        self._query_status = query_status
        self._backend = backend
        self._printer: Escpos | None = None
        self._status_answered: bool | None = None  # None: not asked yet on this connection
        self._opened = False
        self._lock = threading.Lock()

    def describe(self) -> str:
        where = self._connection.describe() if self._connection else "测试后端"
        return f"ESC/POS 热敏小票打印机（{where}，{self._paper_mm} 毫米纸）"

    # -- TicketPrinter -------------------------------------------------------------------------------

    def open(self) -> None:
        with self._lock:
            self._opened = True
            self._connect()

    def close(self) -> None:
        with self._lock:
            self._opened = False
            self._disconnect()

    def print_ticket(self, slip: TicketSlip) -> None:
        with self._lock:
            if not self._opened:
                raise PrinterNotConnected(_NOT_OPEN, detail="escpos printer is not open")
            printer = self._ready()
            image = render_slip(slip, self._width)
            try:
                printer.hw("INIT")
                printer.image(image, impl="bitImageRaster")
                printer.cut(mode="PART")
                flush = getattr(printer, "flush", None)
                if callable(flush):
                    flush()
            except (OSError, EscposError, DeviceNotFoundError) as exc:
                self._disconnect()
                raise PrinterNotConnected(detail=f"writing to {self.describe()}: {exc!r}") from exc
            except Exception as exc:  # pyusb's USBError, pyserial's SerialException: the link broke
                if not _is_link_error(exc):
                    raise
                self._disconnect()
                raise PrinterNotConnected(detail=f"writing to {self.describe()}: {exc!r}") from exc

    def _ready(self) -> Escpos:
        """Connected and, as far as it can tell, able to print. A connection kept from an earlier slip may
        have died meanwhile (the printer was switched off and on): that is found out by the status
        questions, before any of the slip is sent, so one new connection is tried then."""
        reused = self._printer is not None
        printer = self._connect()
        try:
            self._check_status(printer)
        except PrinterNotConnected:
            if not reused:
                raise
            log.info("ticket printer connection lost since the last slip: reconnecting")
            printer = self._connect()
            self._check_status(printer)
        return printer

    # -- the connection ------------------------------------------------------------------------------

    def _connect(self) -> Escpos:
        if self._printer is not None:
            return self._printer
        if self._backend is not None:
            printer = self._backend
        else:
            assert self._connection is not None
            printer = self._make(self._connection)
            try:
                printer.open()
            except DeviceNotFoundError as exc:
                raise PrinterNotConnected(detail=f"{self._connection.describe()}: {exc}") from exc
            except ValueError as exc:  # pyusb's NoBackendError: no libusb on this machine
                raise DeviceUnavailable(
                    "此电脑缺少 USB 打印所需的 libusb 组件，请联系管理员安装，或改用串口、网络连接",
                    detail=f"{self._connection.describe()}: {exc}",
                ) from exc
        self._known_width(printer)
        self._printer = printer
        self._status_answered = None
        log.info("ticket printer connected: %s", self.describe())
        return printer

    def _make(self, c: Connection) -> Escpos:
        t = self._timeout
        if c.kind == "usb":
            return Usb(
                c.vendor,
                c.product,
                timeout=int(t * 1000),
                in_ep=c.in_ep,
                out_ep=c.out_ep,
                profile=self._profile,
            )
        if c.kind == "serial":
            return Serial(c.device, baudrate=c.baudrate, timeout=t, profile=self._profile)
        if c.kind == "tcp":
            return Network(c.host, port=c.tcp_port, timeout=t, profile=self._profile)
        return File(c.device, profile=self._profile)

    def _known_width(self, printer: Escpos) -> None:
        """python-escpos prints a notice to stdout on every image when the profile's paper width is
        unknown (its default profile): give this instance a copy of the profile that knows it."""
        data = printer.profile.profile_data
        if str(data.get("media", {}).get("width", {}).get("pixels", "Unknown")) == "Unknown":
            data = copy.deepcopy(data)
            data.setdefault("media", {}).setdefault("width", {})["pixels"] = self._width
            printer.profile.profile_data = data

    def _disconnect(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None and printer is not self._backend:
            try:
                printer.close()
            except Exception:
                log.debug("closing the ticket printer failed", exc_info=True)

    # -- status ----------------------------------------------------------------------------------------

    def _check_status(self, printer: Escpos) -> None:
        if not self._query_status or self._status_answered is False:
            return
        if type(printer)._read is Escpos._read:  # a device file, the Dummy: nothing can be read back
            self._status_answered = False
            return
        self._drain(printer)
        paper = self._ask(printer, QUERY_PAPER)
        if paper is None:
            if self._status_answered is None:
                log.info("ticket printer gives no status (DLE EOT): printing without status checks")
            self._status_answered = False
            return
        self._status_answered = True
        state = self._ask(printer, QUERY_PRINTER)
        cause = self._ask(printer, QUERY_OFFLINE_CAUSE) if state is not None and state & 0x08 else None
        status = EscposStatus(state, cause, paper)
        problem = status.problem()
        if problem is not None:
            log.warning("ticket printer not ready: %s", problem)
            raise problem
        if status.paper_low:
            log.warning("ticket printer paper near its end: change the roll soon")

    def _ask(self, printer: Escpos, query: bytes) -> int | None:
        """One status byte, or None when the printer gives no (valid) answer."""
        try:
            printer._raw(query)
            answer = self._read_one(printer)
        except NotImplementedError:  # Dummy, File: nothing to read from
            return None
        except TimeoutError:
            return None
        except Exception as exc:
            if type(exc).__name__ == "USBTimeoutError":
                return None
            if isinstance(exc, OSError | EscposError) or _is_link_error(exc):
                self._disconnect()
                raise PrinterNotConnected(detail=f"status query to {self.describe()}: {exc!r}") from exc
            raise
        if not answer:
            if self._connection is not None and self._connection.kind == "tcp":
                # recv() returned nothing: the printer closed the connection (switched off, rebooted).
                self._disconnect()
                raise PrinterNotConnected(detail=f"{self.describe()} closed the connection")
            return None
        value = answer[-1]
        return value if is_status_byte(value) else None

    def _drain(self, printer: Escpos) -> None:
        """Drop bytes already waiting: a late answer, or one the printer gave to a DLE EOT that happened
        to appear inside raster data, must not be read as the answer to the next question."""
        kind = self._connection.kind if self._connection is not None else ""
        device: Any = printer.device
        try:
            if kind == "serial":
                device.reset_input_buffer()
            elif kind == "tcp":
                device.setblocking(False)
                try:
                    while device.recv(256):
                        pass
                except (BlockingIOError, InterruptedError):
                    pass
                finally:
                    device.settimeout(self._timeout)
        except OSError:
            pass  # a broken link shows in the question that follows

    def _read_one(self, printer: Escpos) -> bytes:
        if self._connection is not None and self._connection.kind == "serial":
            # Serial._read asks for 16 bytes and so always waits the whole timeout: read the one byte.
            return bytes(printer.device.read(1))  # type: ignore[union-attr]
        return bytes(printer._read())


def _is_link_error(exc: BaseException) -> bool:
    """pyusb's and pyserial's errors, recognised by name so that neither must be importable here."""
    return type(exc).__name__ in ("USBError", "USBTimeoutError", "SerialException", "SerialTimeoutException")
