"""The contract every ticket-printer driver passes (``devices.ticketprinter.base.TicketPrinter``).

A test module provides a ``printer_rig`` fixture (parametrised over drivers) returning a
:class:`PrinterRig` and subclasses :class:`TicketPrinterContract`. A rig builds an unopened printer, counts
the slips that reached paper (or a file), and, where the driver can tell, makes the printer run out of
paper or opens its cover.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from devices.errors import DeviceNotConnected
from devices.ticketprinter import CoverOpen, PaperOut, TicketPrinter, TicketPrinterError, TicketSlip


@dataclass
class PrinterRig:
    make_printer: Callable[[], TicketPrinter]
    """A new, unopened printer."""
    printed: Callable[[], int]
    """Slips that reached paper (or a file) so far."""
    set_fault: Callable[[str | None], None] | None = None
    """"paper_out", "cover_open" or None (all well); None when the driver cannot know (a file)."""

    def wait_printed(self, count: int, timeout: float = 3.0) -> int:
        """The count once it reaches ``count`` (a network printer receives a little after the send)."""
        deadline = time.monotonic() + timeout
        while (n := self.printed()) < count and time.monotonic() < deadline:
            time.sleep(0.01)  # polling a count with a deadline, not a wait for time to pass
        return n


def slip(number: str = "A012", waiting: int = 3) -> TicketSlip:
    return TicketSlip(
        hall_name="西安市雁塔区政务服务中心",
        business_name="综合业务",
        ticket_number=number,
        waiting_ahead=waiting,
        issued_at=dt.datetime(2026, 3, 2, 9, 15),
        footer=("请留意叫号屏和语音提示",),
    )


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class TicketPrinterContract:
    """Behaviours every driver must have. Each test opens its own printer and closes it."""

    @pytest.fixture
    def printer(self, printer_rig: PrinterRig) -> Iterator[TicketPrinter]:
        p = printer_rig.make_printer()
        yield p
        p.close()

    def test_is_a_ticket_printer(self, printer: TicketPrinter) -> None:
        assert isinstance(printer, TicketPrinter)

    def test_describe_is_chinese_before_and_after_open(self, printer: TicketPrinter) -> None:
        assert _chinese(printer.describe())
        printer.open()
        assert _chinese(printer.describe())

    def test_close_is_idempotent(self, printer: TicketPrinter) -> None:
        printer.close()
        printer.open()
        printer.close()
        printer.close()

    def test_print_before_open_raises_not_connected_in_chinese(
        self, printer_rig: PrinterRig, printer: TicketPrinter
    ) -> None:
        with pytest.raises(DeviceNotConnected) as caught:
            printer.print_ticket(slip())
        assert _chinese(caught.value.message)
        assert printer_rig.printed() == 0

    def test_print_after_close_raises_not_connected(self, printer: TicketPrinter) -> None:
        printer.open()
        printer.close()
        with pytest.raises(DeviceNotConnected):
            printer.print_ticket(slip())

    def test_each_slip_is_printed_once(self, printer_rig: PrinterRig, printer: TicketPrinter) -> None:
        printer.open()
        printer.print_ticket(slip("A001"))
        printer.print_ticket(slip("A002"))
        assert printer_rig.wait_printed(2) == 2

    def test_prints_again_after_reopening(self, printer_rig: PrinterRig, printer: TicketPrinter) -> None:
        printer.open()
        printer.close()
        printer.open()
        printer.print_ticket(slip())
        assert printer_rig.wait_printed(1) == 1

    @pytest.mark.parametrize(
        ("fault", "error", "words"),
        [("paper_out", PaperOut, "缺纸"), ("cover_open", CoverOpen, "盖")],
    )
    def test_a_fault_is_a_typed_error_with_words_for_clerk_and_customer(
        self,
        printer_rig: PrinterRig,
        printer: TicketPrinter,
        fault: str,
        error: type[TicketPrinterError],
        words: str,
    ) -> None:
        if printer_rig.set_fault is None:
            pytest.skip("this driver has no paper and no cover")
        printer.open()
        printer_rig.set_fault(fault)
        with pytest.raises(error) as caught:
            printer.print_ticket(slip("A001"))
        assert words in caught.value.message and _chinese(caught.value.cause)
        # Fixed (a new roll, the cover closed): the next slip prints without re-opening, and the failed
        # one never reached the paper.
        printer_rig.set_fault(None)
        printer.print_ticket(slip("A002"))
        assert printer_rig.wait_printed(1) == 1
