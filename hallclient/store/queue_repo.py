"""The queue's SQL: tickets, priority classes, window queue state, the call log and its version.

Every state change is one status-guarded UPDATE … RETURNING the whole ticket (queue_sql.py): a window
changes a ticket only from the state it saw, so two windows (or two processes) can never both win,
and nothing is read before or after. Call-next claims in a single statement:
``UPDATE ticket … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) AND status = 'waiting'`` on
PostgreSQL; on SQLite the same statement runs inside BEGIN IMMEDIATE (decisions.md §4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from hallclient.domain.queue import (
    Business,
    PriorityClass,
    Ticket,
    TicketStatus,
    WindowQueueState,
)
from hallclient.services.queue_ports import EventFact, TicketFact
from hallclient.store import models as m
from hallclient.store.queue_sql import (
    ADD_EVENT,
    BUMP_STREAK,
    CLAIM,
    FINISH,
    PARK,
    PC,
    RECALL,
    REQUEUE,
    TICKET_BY_ID,
    TICKET_SELECT,
    VERSION_SQL,
    WB,
    WINDOW_STATE,
    B,
    E,
    T,
    W,
    claim_next_statement,
    counter_statement,
    queue_business,
    ticket_from_row,
    version_from_row,
)

_CLAIM_NEXT: dict[bool, Any] = {}
_COUNTER: dict[str, Any] = {}


class SqlQueueRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    @property
    def _postgres(self) -> bool:
        return self.s.get_bind().dialect.name == "postgresql"

    # ---- businesses and windows ------------------------------------------------------------------
    def businesses(self) -> list[Business]:
        rows = self.s.scalars(select(m.Business).where(m.Business.active).order_by(m.Business.prefix))
        return [Business(r.id, r.code, r.name, r.prefix) for r in rows]

    def business_by_code(self, code: str) -> Business | None:
        r = self.s.scalars(select(m.Business).where(m.Business.code == code)).first()
        return Business(r.id, r.code, r.name, r.prefix) if r else None

    def add_business(self, code: str, name: str, prefix: str) -> int:
        row = m.Business(code=code, name=name, prefix=prefix)
        self.s.add(row)
        self.s.flush()
        return row.id

    def window_businesses(self, window_id: int) -> dict[int, int]:
        rows = self.s.execute(select(WB.c.business_id, WB.c.priority).where(WB.c.window_id == window_id))
        return {bid: prio for bid, prio in rows}

    def set_window_businesses(self, window_id: int, priorities: Mapping[int, int]) -> None:
        self.s.execute(delete(WB).where(WB.c.window_id == window_id))
        for business_id, priority in priorities.items():
            self.s.execute(insert(WB).values(window_id=window_id, business_id=business_id, priority=priority))

    def window_id_by_number(self, number: str) -> int | None:
        return self.s.scalar(select(W.c.id).where(W.c.number == number))

    def window_business_codes(self) -> dict[str, frozenset[str]]:
        rows = self.s.execute(
            select(W.c.number, B.c.code)
            .join(WB, WB.c.window_id == W.c.id)
            .join(B, B.c.id == WB.c.business_id)
        ).all()
        out: dict[str, set[str]] = {}
        for window_no, code in rows:
            out.setdefault(window_no, set()).add(code)
        return {k: frozenset(v) for k, v in out.items()}

    # ---- priority classes ------------------------------------------------------------------------
    def priority_classes(self, active_only: bool = True) -> list[PriorityClass]:
        stmt = select(PC).order_by(PC.c.rank, PC.c.code)
        if active_only:
            stmt = stmt.where(PC.c.active)
        return [
            PriorityClass(r.code, r.label, r.rank, r.needs_verification, r.active)
            for r in self.s.execute(stmt)
        ]

    def save_priority_class(self, pc: PriorityClass) -> None:
        values = {
            "label": pc.label,
            "rank": pc.rank,
            "needs_verification": pc.needs_verification,
            "active": pc.active,
        }
        if self.s.execute(update(PC).where(PC.c.code == pc.code).values(**values)).rowcount == 0:
            self.s.execute(insert(PC).values(code=pc.code, **values))

    # ---- issuing ---------------------------------------------------------------------------------
    def next_counter(self, name: str, business_date: dt.date) -> int:
        dialect = self.s.get_bind().dialect.name
        stmt = _COUNTER.get(dialect)
        if stmt is None:
            stmt = _COUNTER[dialect] = counter_statement(dialect)
        value = self.s.execute(stmt, {"name": name, "day": business_date}).scalar_one()
        return int(value)

    def add_ticket(
        self, ticket_id: str, business_id: int, business_date: dt.date, seq: int, number: str, at: dt.datetime
    ) -> None:
        self.s.execute(
            insert(T).values(
                id=ticket_id,
                business_id=business_id,
                business_date=business_date,
                seq=seq,
                number=number,
                status=TicketStatus.WAITING,
                issued_at=at,
            )
        )

    def set_priority(
        self, ticket_id: str, pc: PriorityClass, verifier_id: int | None, document_type: str
    ) -> None:
        self.s.execute(
            update(T)
            .where(T.c.id == ticket_id)
            .values(
                priority_code=pc.code,
                priority_rank=pc.rank,
                priority_verifier_id=verifier_id,
                priority_document_type=document_type,
            )
        )

    # ---- reading tickets -------------------------------------------------------------------------
    def ticket(self, ticket_id: str) -> Ticket:
        return ticket_from_row(self.s.execute(TICKET_BY_ID, {"tid": ticket_id}).one())

    def tickets_by_number(self, number: str, business_date: dt.date) -> list[Ticket]:
        rows = self.s.execute(TICKET_SELECT.where(T.c.number == number, T.c.business_date == business_date))
        return [ticket_from_row(r) for r in rows]

    def current_ticket(self, window_id: int) -> Ticket | None:
        row = self.s.execute(
            TICKET_SELECT.where(T.c.window_id == window_id, T.c.status == TicketStatus.CALLED)
            .order_by(T.c.called_at.desc())
            .limit(1)
        ).first()
        return ticket_from_row(row) if row else None

    def _callable_by(self, window_id: int, t: Any = T) -> ColumnElement[bool]:
        """A window may call a ticket sent to it by name, or one in a queue of its businesses."""
        serves = select(WB.c.business_id).where(WB.c.window_id == window_id)
        return or_(
            t.c.target_window_id == window_id,
            and_(t.c.target_window_id.is_(None), queue_business(t).in_(serves)),
        )

    def waiting_count(
        self, business_ids: Sequence[int], business_date: dt.date, window_id: int | None = None
    ) -> int:
        """Waiting in the queues of ``business_ids``; with ``window_id``: waiting for that window instead."""
        cond = self._callable_by(window_id) if window_id is not None else queue_business().in_(business_ids)
        stmt = (
            select(func.count())
            .select_from(T)
            .where(T.c.status == TicketStatus.WAITING, T.c.business_date == business_date, cond)
        )
        return self.s.scalar(stmt) or 0

    def waiting_by_business(self, business_date: dt.date) -> dict[str, int]:
        rows = self.s.execute(
            select(B.c.code, func.count())
            .select_from(T.join(B, B.c.id == queue_business()))
            .where(T.c.status == TicketStatus.WAITING, T.c.business_date == business_date)
            .group_by(B.c.code)
        ).all()
        return {code: n for code, n in rows}

    def parked_tickets(self, window_id: int, business_date: dt.date, since: dt.datetime) -> list[Ticket]:
        """Tickets this window may call back: held here, or no-show at a window serving their queue."""
        held_here = and_(T.c.status == TicketStatus.HELD, T.c.window_id == window_id)
        no_show = and_(
            T.c.status == TicketStatus.NO_SHOW, or_(T.c.window_id == window_id, self._callable_by(window_id))
        )
        rows = self.s.execute(
            TICKET_SELECT.where(
                T.c.business_date == business_date, T.c.parked_at >= since, or_(held_here, no_show)
            ).order_by(T.c.parked_at.desc())
        )
        return [ticket_from_row(r) for r in rows]

    # ---- window queue state ----------------------------------------------------------------------
    def window_state(self, window_id: int) -> WindowQueueState:
        return WindowQueueState(*self.s.execute(WINDOW_STATE, {"w_id": window_id}).one())

    def set_pause(self, window_id: int, paused_at: dt.datetime | None, reason: str) -> None:
        self.s.execute(update(W).where(W.c.id == window_id).values(paused_at=paused_at, pause_reason=reason))

    def claim_next(
        self, window_id: int, clerk_id: int, business_date: dt.date, at: dt.datetime, *, streak_n: int = 0
    ) -> Ticket | None:
        """Claim the ticket this window should serve next (queue_sql.claim_next_statement), or None
        when none waits for it — or the window is paused or still serving one."""
        stmt = _CLAIM_NEXT.get(self._postgres)
        if stmt is None:
            stmt = _CLAIM_NEXT[self._postgres] = claim_next_statement(self._postgres)
        params = {"w_id": window_id, "c_id": clerk_id, "day": business_date, "now": at, "streak_n": streak_n}
        return self._one(stmt, params)

    def _one(self, stmt: Any, params: dict[str, Any]) -> Ticket | None:
        row = self.s.execute(stmt, params).first()
        return ticket_from_row(row) if row else None

    def bump_streak(self, window_id: int, was_priority: bool) -> None:
        self.s.execute(BUMP_STREAK, {"w_id": window_id, "was_priority": was_priority})

    def claim(
        self,
        ticket_id: str,
        window_id: int,
        clerk_id: int,
        at: dt.datetime,
        from_statuses: Sequence[TicketStatus],
    ) -> Ticket | None:
        params = {"tid": ticket_id, "w_id": window_id, "c_id": clerk_id, "now": at}
        return self._one(CLAIM, {**params, "from_statuses": [str(s) for s in from_statuses]})

    def count_recall(self, ticket_id: str, window_id: int, limit: int) -> Ticket | None:
        return self._one(RECALL, {"tid": ticket_id, "w_id": window_id, "max_recalls": limit})

    def park(self, ticket_id: str, window_id: int, status: TicketStatus, at: dt.datetime) -> Ticket | None:
        return self._one(PARK, {"tid": ticket_id, "w_id": window_id, "new_status": str(status), "now": at})

    def finish(self, ticket_id: str, window_id: int, at: dt.datetime) -> Ticket | None:
        return self._one(FINISH, {"tid": ticket_id, "w_id": window_id, "now": at})

    def requeue(
        self, ticket_id: str, window_id: int, target_business_id: int | None, target_window_id: int | None
    ) -> Ticket | None:
        """Transfer: back to waiting in another queue or for a named window; issued_at is untouched."""
        params = {"tid": ticket_id, "w_id": window_id, "to_business": target_business_id}
        return self._one(REQUEUE, {**params, "to_window": target_window_id})

    # ---- the call log ----------------------------------------------------------------------------
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
    ) -> None:
        """Append to the call log; the event carries the queue the ticket is in at this moment."""
        self.s.execute(
            ADD_EVENT,
            {
                "tid": ticket_id,
                "w_id": window_id,
                "c_id": clerk_id,
                "act": str(action),
                "now": at,
                "dtl": detail[:200],
                "outc": str(outcome),
            },
        )

    def queue_version(self) -> int:
        """A number that grows whenever a call event commits.

        ``max(id)`` alone is not enough on PostgreSQL: ids come from a sequence when a row is
        inserted, not when it commits, so a transaction holding id 100 may commit after another
        committed 101 — a poller that saw 101 would never notice 100. Counting the rows among the
        last VERSION_TAIL ids catches such a late commit (rows are never deleted, so the count only
        grows while max(id) stays); max(id) * VERSION_BASE keeps the whole monotonic.
        """
        return version_from_row(self.s.execute(text(VERSION_SQL)).one())

    # ---- facts for the figures -------------------------------------------------------------------
    def day_tickets(self, business_date: dt.date) -> list[TicketFact]:
        ib, qb = B.alias("ib"), B.alias("qb")
        rows = self.s.execute(
            select(T.c.id, ib.c.code, qb.c.code, T.c.status, T.c.issued_at, T.c.first_called_at)
            .select_from(T.join(ib, ib.c.id == T.c.business_id).join(qb, qb.c.id == queue_business()))
            .where(T.c.business_date == business_date)
        )
        return [TicketFact(r[0], r[1], r[2], TicketStatus(r[3]), r[4], r[5]) for r in rows]

    def day_events(self, business_date: dt.date) -> list[EventFact]:
        """The day's ticket events, oldest first (pause/resume carry no ticket and are left out)."""
        rows = self.s.execute(
            select(E.c.id, E.c.ticket_id, E.c.action, E.c.at, W.c.number, B.c.code)
            .select_from(
                E.join(T, T.c.id == E.c.ticket_id)
                .outerjoin(W, W.c.id == E.c.window_id)
                .outerjoin(B, B.c.id == E.c.business_id)
            )
            .where(T.c.business_date == business_date)
            .order_by(E.c.id)
        )
        return [EventFact(*r) for r in rows]
