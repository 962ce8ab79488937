"""Ticket printers (取号打印机): the kiosk's thermal slip, from an ESC/POS printer, a file, or a simulation.

``base`` holds the port (:class:`TicketPrinter`) and the slip (:class:`TicketSlip`); ``render`` draws a slip
as a 1-bit image with the shipped WenQuanYi font (so no printer code page can garble Chinese); drivers:
``escpos_printer`` (python-escpos over USB, serial, TCP or a device file; registry key ``escpos``),
``pdf_printer`` (one PDF per slip in a folder; ``pdf``) and ``simulated`` (in memory; ``simulated``).
"""

from __future__ import annotations

from devices.ticketprinter.base import PAPER_WIDTHS_MM, TicketPrinter, TicketSlip
from devices.ticketprinter.errors import (
    CoverOpen,
    PaperOut,
    PrinterFault,
    PrinterNotConnected,
    PrinterOffline,
    SlipNotSaved,
    TicketPrinterError,
)

__all__ = [
    "PAPER_WIDTHS_MM",
    "CoverOpen",
    "PaperOut",
    "PrinterFault",
    "PrinterNotConnected",
    "PrinterOffline",
    "SlipNotSaved",
    "TicketPrinter",
    "TicketPrinterError",
    "TicketSlip",
]
