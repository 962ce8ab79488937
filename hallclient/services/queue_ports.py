"""Ports of the queue: its repository, the change notifications, and the facts figures are made of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from hallclient.domain.queue import Business, PriorityClass, Ticket, TicketStatus, WindowQueueState


@dataclass(frozen=True)
class TicketFact:
    id: str
    issued_business: str  # business code the ticket was issued for
    queue_business: str  # business code of the queue it is in now
    status: TicketStatus
    issued_at: dt.datetime
    first_called_at: dt.datetime | None


@dataclass(frozen=True)
class EventFact:
    id: int
    ticket_id: str
    action: str
    at: dt.datetime
    window_no: str | None
    business: str | None  # the ticket's queue when the event happened


class QueueRepository(Protocol):
    def businesses(self) -> list[Business]: ...
    def business_by_code(self, code: str) -> Business | None: ...
    def add_business(self, code: str, name: str, prefix: str) -> int: ...
    def window_businesses(self, window_id: int) -> dict[int, int]:
        """business id → the window's priority for it (higher is served first)."""
        ...

    def set_window_businesses(self, window_id: int, priorities: Mapping[int, int]) -> None: ...
    def window_id_by_number(self, number: str) -> int | None: ...
    def window_business_codes(self) -> dict[str, frozenset[str]]: ...
    def priority_classes(self, active_only: bool = True) -> list[PriorityClass]: ...
    def save_priority_class(self, pc: PriorityClass) -> None: ...
    def next_counter(self, name: str, business_date: dt.date) -> int:
        """Atomically take the next value of a per-day counter (1 on a new day)."""
        ...

    def add_ticket(
        self, ticket_id: str, business_id: int, business_date: dt.date, seq: int, number: str, at: dt.datetime
    ) -> None: ...
    def set_priority(
        self, ticket_id: str, pc: PriorityClass, verifier_id: int | None, document_type: str
    ) -> None: ...
    def ticket(self, ticket_id: str) -> Ticket: ...
    def tickets_by_number(self, number: str, business_date: dt.date) -> list[Ticket]: ...
    def current_ticket(self, window_id: int) -> Ticket | None: ...
    def waiting_count(
        self, business_ids: Sequence[int], business_date: dt.date, window_id: int | None = None
    ) -> int: ...
    def waiting_by_business(self, business_date: dt.date) -> dict[str, int]: ...
    def parked_tickets(self, window_id: int, business_date: dt.date, since: dt.datetime) -> list[Ticket]: ...
    def window_state(self, window_id: int) -> WindowQueueState: ...
    def set_pause(self, window_id: int, paused_at: dt.datetime | None, reason: str) -> None: ...
    def claim_next(
        self, window_id: int, clerk_id: int, business_date: dt.date, at: dt.datetime, *, streak_n: int = 0
    ) -> Ticket | None:
        """Claim the next ticket for a window, atomic across windows and processes. None when none
        waits for it, or the window is paused or still serving a ticket. ``streak_n``: 0 serves
        priority tickets first; N > 0 serves one after every N normal calls of the window."""
        ...

    def bump_streak(self, window_id: int, was_priority: bool) -> None: ...

    # Guarded transitions: the ticket as it is afterwards, or None when it was not in the state the
    # window saw (another window got there first, or it is not this window's ticket).
    def claim(
        self,
        ticket_id: str,
        window_id: int,
        clerk_id: int,
        at: dt.datetime,
        from_statuses: Sequence[TicketStatus],
    ) -> Ticket | None: ...
    def count_recall(self, ticket_id: str, window_id: int, limit: int) -> Ticket | None: ...
    def park(
        self, ticket_id: str, window_id: int, status: TicketStatus, at: dt.datetime
    ) -> Ticket | None: ...
    def finish(self, ticket_id: str, window_id: int, at: dt.datetime) -> Ticket | None: ...
    def requeue(
        self, ticket_id: str, window_id: int, target_business_id: int | None, target_window_id: int | None
    ) -> Ticket | None: ...
    def add_event(
        self,
        ticket_id: str | None,
        window_id: int | None,
        clerk_id: int | None,
        action: str,
        at: dt.datetime,
        detail: str = "",
        *,
        outcome: str = "",
    ) -> None: ...
    def queue_version(self) -> int: ...
    def day_tickets(self, business_date: dt.date) -> list[TicketFact]: ...
    def day_events(self, business_date: dt.date) -> list[EventFact]: ...


class QueueEvents(Protocol):
    """Change notification for kiosks, boards and clerk windows; call it from a worker thread.

    ``wait_for_change`` blocks until the queue version differs from ``last_version`` or ``timeout``
    seconds have passed, and returns the current version (equal to ``last_version`` on a timeout).
    """

    def current_version(self) -> int: ...
    def wait_for_change(self, last_version: int, timeout: float) -> int: ...
    def close(self) -> None: ...
