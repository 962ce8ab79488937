"""Queue use cases: issue a ticket, call next, finish. Each writes its call event in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hallclient.domain.queue import CallAction, Ticket, TicketStatus, business_date, format_ticket_number
from hallclient.services.auth import ClerkSession
from hallclient.services.errors import QueueError
from hallclient.services.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True)
class QueueSnapshot:
    waiting: int
    current: Ticket | None


class QueueService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, timezone: str) -> None:
        self._uow = uow
        self._clock = clock
        self._tz = timezone

    def issue_ticket(self, business_code: str) -> Ticket:
        now = self._clock.now()
        day = business_date(now, self._tz)
        with self._uow() as uow:
            business = uow.queue.business_by_code(business_code)
            if business is None:
                raise QueueError(f"没有业务类型 {business_code}")
            seq = uow.queue.next_counter(f"ticket:{business.code}", day)
            ticket_id = str(uuid.uuid4())
            number = format_ticket_number(business.prefix, seq)
            uow.queue.add_ticket(ticket_id, business.id, day, seq, number, now)
            uow.queue.add_event(ticket_id, None, None, CallAction.ISSUE, now)
            waiting = uow.queue.waiting_count([business.id], day) - 1
            ticket = uow.queue.ticket(ticket_id)
            uow.commit()
        return Ticket(**{**ticket.__dict__, "waiting_ahead": max(0, waiting)})

    def call_next(self, session: ClerkSession) -> Ticket | None:
        now = self._clock.now()
        day = business_date(now, self._tz)
        with self._uow() as uow:
            current = uow.queue.current_ticket(session.window_id)
            if current is not None:
                raise QueueError(f"当前号码 {current.number} 尚未办结，请先点「办结」或「过号」")
            ticket_id = uow.queue.claim_next(session.window_id, session.business_ids, day)
            if ticket_id is None:
                uow.rollback()
                return None
            uow.queue.set_status(ticket_id, TicketStatus.CALLED, now, session.window_id, session.clerk_id)
            uow.queue.add_event(ticket_id, session.window_id, session.clerk_id, CallAction.CALL, now)
            ticket = uow.queue.ticket(ticket_id)
            uow.commit()
        return ticket

    def finish(self, session: ClerkSession, ticket_id: str) -> Ticket:
        now = self._clock.now()
        with self._uow() as uow:
            ticket = uow.queue.ticket(ticket_id)
            if ticket.status is not TicketStatus.CALLED:
                raise QueueError(f"号码 {ticket.number} 当前不在办理中，无法办结")
            uow.queue.set_status(ticket_id, TicketStatus.FINISHED, now)
            uow.queue.add_event(ticket_id, session.window_id, session.clerk_id, CallAction.FINISH, now)
            ticket = uow.queue.ticket(ticket_id)
            uow.commit()
        return ticket

    def snapshot(self, session: ClerkSession) -> QueueSnapshot:
        day = business_date(self._clock.now(), self._tz)
        with self._uow() as uow:
            return QueueSnapshot(
                uow.queue.waiting_count(session.business_ids, day),
                uow.queue.current_ticket(session.window_id),
            )
