"""ESC/POS real-time status (``DLE EOT n``) read into one of the typed errors, or nothing wrong.

Three one-byte answers matter (Epson ESC/POS reference, DLE EOT; the same bits on the Chinese clones):

- ``DLE EOT 1`` printer status: bit 3 set = off line.
- ``DLE EOT 2`` off-line cause: bit 2 cover open, bit 5 printing stopped by paper end, bit 6 error.
- ``DLE EOT 4`` roll paper sensor: bits 2-3 paper near its end, bits 5-6 paper end.

Every answer has bit 1 and bit 4 set and bits 0 and 7 clear; a byte that does not is not a status (a
printer that ignores DLE EOT, or a late answer to something else) and is treated as no answer.
python-escpos's own ``paper_status`` masks do not follow these bits, hence this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.ticketprinter.errors import CoverOpen, PaperOut, PrinterFault, PrinterOffline, TicketPrinterError

__all__ = ["QUERY_OFFLINE_CAUSE", "QUERY_PAPER", "QUERY_PRINTER", "EscposStatus", "is_status_byte"]

QUERY_PRINTER = b"\x10\x04\x01"
QUERY_OFFLINE_CAUSE = b"\x10\x04\x02"
QUERY_PAPER = b"\x10\x04\x04"

_FIXED_MASK, _FIXED_BITS = 0x93, 0x12


def is_status_byte(value: int) -> bool:
    return value & _FIXED_MASK == _FIXED_BITS


@dataclass(frozen=True)
class EscposStatus:
    """The three answers; None where the printer gave none."""

    printer: int | None
    offline_cause: int | None
    paper: int | None

    @property
    def known(self) -> bool:
        return self.printer is not None or self.paper is not None

    @property
    def offline(self) -> bool:
        return self.printer is not None and bool(self.printer & 0x08)

    @property
    def cover_open(self) -> bool:
        return self.offline_cause is not None and bool(self.offline_cause & 0x04)

    @property
    def paper_out(self) -> bool:
        by_sensor = self.paper is not None and bool(self.paper & 0x60)
        stopped = self.offline_cause is not None and bool(self.offline_cause & 0x20)
        return by_sensor or stopped

    @property
    def paper_low(self) -> bool:
        return self.paper is not None and bool(self.paper & 0x0C)

    @property
    def error(self) -> bool:
        return self.offline_cause is not None and bool(self.offline_cause & 0x40)

    def problem(self) -> TicketPrinterError | None:
        """The error that stops printing, or None. A cover left open is named first: with the cover open
        many printers also report no paper, and closing it is the first thing to do anyway."""
        detail = f"DLE EOT 1/2/4 = {_hex(self.printer)}/{_hex(self.offline_cause)}/{_hex(self.paper)}"
        if self.cover_open:
            return CoverOpen(detail=detail)
        if self.paper_out:
            return PaperOut(detail=detail)
        if self.error:
            return PrinterFault(detail=detail)
        if self.offline:
            return PrinterOffline(detail=detail)
        return None


def _hex(value: int | None) -> str:
    return "-" if value is None else f"{value:02x}"
