"""The ticket-printer port every driver implements, and the slip it prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["PAPER_WIDTHS_MM", "TicketPrinter", "TicketSlip"]

PAPER_WIDTHS_MM = (58, 80)  # thermal roll widths halls use; 80 mm is the usual kiosk roll


@dataclass(frozen=True, slots=True)
class TicketSlip:
    """What one printed ticket (取号小票) says. It never carries a name or an ID number (privacy.md §2).

    ``issued_at`` is printed as given: pass it in the hall's local time. ``qr_text``, when set, is printed as
    a QR code (e.g. a link where the customer follows the queue); ``footer`` lines are printed last, wrapped.
    """

    hall_name: str
    business_name: str
    ticket_number: str
    waiting_ahead: int
    issued_at: dt.datetime
    qr_text: str | None = None
    footer: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.ticket_number.strip():
            raise ValueError("a slip needs a ticket number")
        if self.waiting_ahead < 0:
            raise ValueError(f"waiting_ahead must be >= 0, got {self.waiting_ahead}")
        object.__setattr__(self, "footer", tuple(line for line in self.footer if line.strip()))


@runtime_checkable
class TicketPrinter(Protocol):
    """A blocking, thread-agnostic ticket printer (call it from one thread: the device thread).

    Contract (checked for every driver by ``tests/contracts/ticket_printer.py``):

    - ``open()`` gets ready to print (raises ``DeviceError`` if it cannot); ``close()`` releases everything
      and is idempotent; ``print_ticket`` before ``open()`` or after ``close()`` raises ``DeviceNotConnected``.
    - ``print_ticket(slip)`` prints one slip and returns when it has been handed to the printer, or raises a
      ``TicketPrinterError`` (paper out, cover open, offline, …) whose ``message`` tells the clerk what to do
      and whose ``cause`` is a few words for the customer ("缺纸"). A slip that raised was not printed.
    - A driver that lost its connection reconnects on the next ``print_ticket`` (no re-open needed).
    - ``describe()`` names the driver and its connection in words a hall IT person understands.
    """

    def open(self) -> None: ...

    def close(self) -> None: ...

    def print_ticket(self, slip: TicketSlip) -> None: ...

    def describe(self) -> str: ...
