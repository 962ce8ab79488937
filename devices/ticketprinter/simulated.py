"""A ticket printer without hardware, for drills, demos and tests: registry key ``simulated``.

It keeps the slips it printed (``slips``, any thread). ``set_fault("paper_out")`` (or the ``fault`` option:
``paper_out``, ``cover_open``, ``offline``, ``not_connected``, ``fault``) makes every print fail with that
printer error until ``set_fault(None)``, so a drill can show what the kiosk does when the roll runs out.
"""

from __future__ import annotations

import threading

from devices.errors import DeviceError
from devices.ticketprinter.base import TicketSlip
from devices.ticketprinter.errors import (
    CoverOpen,
    PaperOut,
    PrinterFault,
    PrinterNotConnected,
    PrinterOffline,
    TicketPrinterError,
)

__all__ = ["FAULTS", "SimulatedTicketPrinter"]

FAULTS: dict[str, type[TicketPrinterError]] = {
    "paper_out": PaperOut,
    "cover_open": CoverOpen,
    "offline": PrinterOffline,
    "not_connected": PrinterNotConnected,
    "fault": PrinterFault,
}


class SimulatedTicketPrinter:
    def __init__(self, *, fault: str = "", **_ignored: object) -> None:
        # ``_ignored``: the app passes the same options (port, paper width) to every driver.
        self._lock = threading.Lock()
        self._opened = False
        self._slips: list[TicketSlip] = []
        self._fault: str | None = None
        self.set_fault(fault or None)

    @property
    def slips(self) -> list[TicketSlip]:
        with self._lock:
            return list(self._slips)

    def set_fault(self, fault: str | None) -> None:
        if fault is not None and fault not in FAULTS:
            known = "、".join(FAULTS)
            raise DeviceError(f"模拟小票打印机没有故障“{fault}”，可选：{known}", code="bad_fault")
        with self._lock:
            self._fault = fault

    # -- TicketPrinter -----------------------------------------------------------------------------

    def describe(self) -> str:
        return "模拟小票打印机（演练和测试用）"

    def open(self) -> None:
        with self._lock:
            self._opened = True

    def close(self) -> None:
        with self._lock:
            self._opened = False

    def print_ticket(self, slip: TicketSlip) -> None:
        with self._lock:
            if not self._opened:
                raise PrinterNotConnected(
                    "小票打印机未打开，请检查小票打印机设置", detail="simulated, not open"
                )
            if self._fault is not None:
                raise FAULTS[self._fault](detail=f"simulated {self._fault}")
            self._slips.append(slip)
