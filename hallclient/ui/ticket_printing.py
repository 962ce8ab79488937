"""The kiosk's ticket printer on the device thread: slips in, "printed" or "failed, because …" out.

``TicketPrinterWorker`` owns the ticket-printer driver (``devices`` role ``ticket_printer``) and lives on
the device lane with the card reader (one thread owns every driver). The kiosk asks it to print only after
the ticket is committed, and never waits for it: a printer that is out of paper, unplugged or slow delays
nothing but the slip (queue.md §6: print failure must not block issuing). Each failure is reported with the
driver's message for staff and a few words for the customer (``cause``: "缺纸").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

import devices
from devices.errors import DeviceError, DeviceNotConnected
from devices.ticketprinter import TicketSlip
from hallclient.config import Config, data_dir

log = logging.getLogger(__name__)

_UNKNOWN_CAUSE = "打印机未就绪"
_UNEXPECTED = "小票打印机出现意外错误，请联系管理员并提供日志"


def ticket_printer_factory(cfg: Config) -> Callable[[], Any]:
    """The configured driver ([devices] ticket_printer, ticket_printer_port, ticket_printer_paper_mm);
    the file driver saves into the user data directory's ``tickets`` folder unless a folder is set."""
    d = cfg.devices
    options: dict[str, Any] = {"port": d.ticket_printer_port, "paper_mm": d.ticket_printer_paper_mm}
    if d.ticket_printer == "pdf" and not d.ticket_printer_port:
        options["folder"] = str(data_dir() / "tickets")
    return lambda: devices.create(devices.TICKET_PRINTER, d.ticket_printer, **options)


class TicketPrinterWorker(QObject):
    """Lives on the device thread. ``print_requested`` may be emitted from any thread."""

    print_requested = Signal(object)  # TicketSlip
    slip_printed = Signal(str)  # ticket number
    print_failed = Signal(str, str, str)  # ticket number, cause for the customer, message for staff
    state_changed = Signal(bool, str)  # ready, text for staff

    def __init__(self, factory: Callable[[], Any]) -> None:
        super().__init__()
        self._factory = factory
        self._printer: Any = None
        self._opened = False
        self.print_requested.connect(self._on_print_requested)

    @Slot()
    def start(self) -> None:
        """Open the printer now, so a missing one is reported before the first customer comes."""
        try:
            self._ensure_open()
        except Exception as exc:
            self.state_changed.emit(False, _message(exc))

    @Slot(object)
    def _on_print_requested(self, slip: TicketSlip) -> None:
        try:
            self._ensure_open()
            self._printer.print_ticket(slip)
        except DeviceError as exc:
            if isinstance(exc, DeviceNotConnected):
                self._opened = False  # open again for the next slip
            log.warning("slip %s not printed: %s", slip.ticket_number, exc)
            self.print_failed.emit(slip.ticket_number, getattr(exc, "cause", _UNKNOWN_CAUSE), exc.message)
            self.state_changed.emit(False, exc.message)
            return
        except Exception:
            log.exception("slip %s not printed: unexpected error", slip.ticket_number)
            self.print_failed.emit(slip.ticket_number, "打印机故障", _UNEXPECTED)
            self.state_changed.emit(False, _UNEXPECTED)
            return
        log.info("slip %s printed", slip.ticket_number)
        self.slip_printed.emit(slip.ticket_number)
        self.state_changed.emit(True, f"小票打印机就绪（{self._printer.describe()}）")

    def _ensure_open(self) -> None:
        if self._printer is None:
            self._printer = self._factory()
        if not self._opened:
            self._printer.open()
            self._opened = True
            self.state_changed.emit(True, f"小票打印机就绪（{self._printer.describe()}）")

    @Slot()
    def close(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            except Exception:
                log.warning("ticket printer close failed", exc_info=True)
        self._printer = None
        self._opened = False


def _message(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) and message else _UNEXPECTED
