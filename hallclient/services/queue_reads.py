"""Queue reads: a window's snapshot and state, tickets it may call back, counts, version, figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallclient.domain.queue import PriorityClass, QueueRules, Ticket, WindowQueueState, business_date
from hallclient.services.auth import ClerkSession
from hallclient.services.ports import Clock, UnitOfWorkFactory
from hallclient.services.queue_figures import QueueFigures, compute_figures


@dataclass(frozen=True)
class QueueSnapshot:
    waiting: int
    current: Ticket | None
    paused: bool = False
    pause_reason: str = ""


class QueueReads:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, timezone: str, rules: QueueRules | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._tz = timezone
        self.rules = rules or QueueRules()

    def _today(self, now: dt.datetime | None = None) -> dt.date:
        return business_date(now or self._clock.now(), self._tz)

    def priority_classes(self) -> list[PriorityClass]:
        with self._uow() as uow:
            return uow.queue.priority_classes()

    def window_state(self, session: ClerkSession) -> WindowQueueState:
        with self._uow() as uow:
            return uow.queue.window_state(session.window_id)

    def parked(self, session: ClerkSession) -> list[Ticket]:
        """Held and no-show tickets this window may still call back, most recent first."""
        now = self._clock.now()
        since = now - dt.timedelta(minutes=self.rules.call_back_minutes)
        with self._uow() as uow:
            return uow.queue.parked_tickets(session.window_id, self._today(now), since)

    def snapshot(self, session: ClerkSession) -> QueueSnapshot:
        day = self._today()
        with self._uow() as uow:
            state = uow.queue.window_state(session.window_id)
            return QueueSnapshot(
                uow.queue.waiting_count((), day, window_id=session.window_id),
                uow.queue.current_ticket(session.window_id),
                state.paused,
                state.pause_reason,
            )

    def waiting_by_business(self) -> dict[str, int]:
        """Waiting tickets per business code today (kiosk and board counts)."""
        with self._uow() as uow:
            return uow.queue.waiting_by_business(self._today())

    def version(self) -> int:
        with self._uow() as uow:
            return uow.queue.queue_version()

    def figures(self, day: dt.date | None = None) -> QueueFigures:
        """Per business, window and hour (and every roll-up): see services/queue_figures.py."""
        now = self._clock.now()
        day = day or self._today(now)
        with self._uow() as uow:
            tickets = uow.queue.day_tickets(day)
            events = uow.queue.day_events(day)
            serves = uow.queue.window_business_codes()
        return compute_figures(day, now, self._tz, tickets, events, serves)
