"""The queue's SQL statements, built once: constructing a statement costs more than running it.

Tables are used at the Core level (``T`` ticket, ``E`` call_event, ``W`` window, ``WB`` window_business,
``B`` business, ``PC`` priority_class); parameters are bound by name at execution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from hallclient.domain.queue import Ticket, TicketStatus
from hallclient.store import models as m

T = m.Ticket.__table__
E = m.CallEvent.__table__
W = m.Window.__table__
WB = m.WindowBusiness.__table__
B = m.Business.__table__
PC = m.PriorityClass.__table__

# Tickets a transfer targets at a named window go before the window's own businesses.
TARGETED_PRIORITY = 1_000_000
# queue_version: max(id) * VERSION_BASE + rows among the last VERSION_TAIL ids (see queue_version).
VERSION_TAIL, VERSION_BASE = 4000, 4096
VERSION_SQL = (
    f"SELECT top.m, (SELECT count(*) FROM call_event WHERE id > top.m - {VERSION_TAIL}) "
    "FROM (SELECT coalesce(max(id), 0) AS m FROM call_event) AS top"
)


def version_from_row(row: Sequence[Any]) -> int:
    return int(row[0]) * VERSION_BASE + int(row[1])


def queue_business(t: Any = T) -> ColumnElement[int]:
    """The business whose queue a ticket waits in: the transfer target, else the issuing one."""
    return func.coalesce(t.c.target_business_id, t.c.business_id)


def _ticket_select() -> Any:
    qb, w, tw = B.alias("qb"), W.alias("w"), W.alias("tw")
    return select(
        T.c.id,
        T.c.number,
        qb.c.code,
        qb.c.name,
        T.c.business_date,
        T.c.status,
        T.c.issued_at,
        w.c.number,
        T.c.called_at,
        T.c.finished_at,
        T.c.priority_code,
        func.coalesce(PC.c.label, ""),
        T.c.recalls,
        T.c.transfers,
        tw.c.number,
        T.c.parked_at,
        T.c.first_called_at,
    ).select_from(
        T.join(qb, qb.c.id == queue_business())
        .outerjoin(w, w.c.id == T.c.window_id)
        .outerjoin(tw, tw.c.id == T.c.target_window_id)
        .outerjoin(PC, PC.c.code == T.c.priority_code)
    )


TICKET_SELECT = _ticket_select()
TICKET_BY_ID = TICKET_SELECT.where(T.c.id == bindparam("tid"))


def ticket_from_row(row: Any) -> Ticket:
    return Ticket(
        id=row[0],
        number=row[1],
        business_code=row[2],
        business_name=row[3],
        business_date=row[4],
        status=TicketStatus(row[5]),
        issued_at=row[6],
        window_no=row[7],
        called_at=row[8],
        finished_at=row[9],
        priority_code=row[10],
        priority_label=row[11],
        recalls=row[12],
        transfers=row[13],
        target_window_no=row[14],
        parked_at=row[15],
        first_called_at=row[16],
    )


def _window_state_statement() -> Any:
    cur = T.alias("cur")
    return (
        select(W.c.id, W.c.number, W.c.paused_at, W.c.pause_reason, W.c.normal_streak, cur.c.id, cur.c.number)
        .select_from(W.outerjoin(cur, and_(cur.c.window_id == W.c.id, cur.c.status == TicketStatus.CALLED)))
        .where(W.c.id == bindparam("w_id"))
        .limit(1)
    )


WINDOW_STATE = _window_state_statement()
_NOW = bindparam("now", type_=T.c.called_at.type)


def _returning_ticket() -> list[Any]:
    """RETURNING columns that make a whole Ticket (same order as TICKET_SELECT): no read afterwards."""

    def one(column: Any, where: Any) -> Any:
        return select(column).where(where).scalar_subquery()

    return [
        T.c.id,
        T.c.number,
        one(B.c.code, B.c.id == queue_business()),
        one(B.c.name, B.c.id == queue_business()),
        T.c.business_date,
        T.c.status,
        T.c.issued_at,
        one(W.c.number, W.c.id == T.c.window_id),
        T.c.called_at,
        T.c.finished_at,
        T.c.priority_code,
        func.coalesce(one(PC.c.label, PC.c.code == T.c.priority_code), ""),
        T.c.recalls,
        T.c.transfers,
        one(W.c.number, W.c.id == T.c.target_window_id),
        T.c.parked_at,
        T.c.first_called_at,
    ]


RETURNING_TICKET = _returning_ticket()
_CALLED = {
    "status": TicketStatus.CALLED,
    "window_id": bindparam("w_id"),
    "clerk_id": bindparam("c_id"),
    "called_at": _NOW,
    "first_called_at": func.coalesce(T.c.first_called_at, _NOW),
    "parked_at": None,
}


def claim_next_statement(postgres: bool) -> Any:
    """One statement: UPDATE the best waiting ticket for the window to called, RETURNING it whole.

    Order: the policy's group, the priority class rank, tickets sent to this window by name, the
    window's priority for the ticket's business, then the original issue time — a transferred ticket
    keeps its place. The group: with ``streak_n`` = 0 priority tickets come first; with N > 0 they
    come first only once the window made N normal calls since its last priority call (interleave).
    The window must not be paused nor serving a ticket: checked in the same statement.
    Built once per dialect: constructing it costs more than running it.
    """
    cand, wb, busy, win = T.alias("cand"), WB.alias("wb"), T.alias("busy"), W.alias("win")
    window = bindparam("w_id")
    streak = select(win.c.normal_streak).where(win.c.id == window).scalar_subquery()
    priority_turn = streak >= bindparam("streak_n")
    group = case(((cand.c.priority_rank > 0) == priority_turn, literal(0)), else_=literal(1))
    business_priority = case(
        (cand.c.target_window_id.is_not(None), literal(TARGETED_PRIORITY)), else_=wb.c.priority
    )
    pick = (
        select(cand.c.id)
        .select_from(
            cand.outerjoin(wb, and_(wb.c.window_id == window, wb.c.business_id == queue_business(cand)))
        )
        .where(
            cand.c.status == TicketStatus.WAITING,
            cand.c.business_date == bindparam("day", type_=T.c.business_date.type),
            or_(
                cand.c.target_window_id == window,
                and_(cand.c.target_window_id.is_(None), wb.c.window_id.is_not(None)),
            ),
        )
        .order_by(group, cand.c.priority_rank, business_priority.desc(), cand.c.issued_at, cand.c.seq)
        .limit(1)
    )
    if postgres:
        pick = pick.with_for_update(of=cand, skip_locked=True)
    paused = select(win.c.id).where(win.c.id == window, win.c.paused_at.is_not(None)).exists()
    serving = (
        select(busy.c.id).where(busy.c.window_id == window, busy.c.status == TicketStatus.CALLED).exists()
    )
    return (
        update(T)
        .where(T.c.id == pick.scalar_subquery(), T.c.status == TicketStatus.WAITING, ~paused, ~serving)
        .values(**_CALLED)
        .returning(*RETURNING_TICKET)
    )


def _guarded(where: Any, **values: Any) -> Any:
    return update(T).where(T.c.id == bindparam("tid"), where).values(**values).returning(*RETURNING_TICKET)


_SERVING_HERE = and_(T.c.status == TicketStatus.CALLED, T.c.window_id == bindparam("w_id"))
# Call a given ticket (a number, a call back) from one of the statuses the window saw.
CLAIM = _guarded(T.c.status.in_(bindparam("from_statuses", expanding=True)), **_CALLED)
RECALL = _guarded(and_(_SERVING_HERE, T.c.recalls < bindparam("max_recalls")), recalls=T.c.recalls + 1)
PARK = _guarded(_SERVING_HERE, status=bindparam("new_status"), parked_at=_NOW)
FINISH = _guarded(_SERVING_HERE, status=TicketStatus.FINISHED, finished_at=_NOW)
# Transfer: back to waiting in another queue or for a named window; issued_at stays.
REQUEUE = _guarded(
    _SERVING_HERE,
    status=TicketStatus.WAITING,
    window_id=None,
    clerk_id=None,
    called_at=None,
    recalls=0,
    transfers=T.c.transfers + 1,
    target_business_id=func.coalesce(bindparam("to_business", type_=T.c.business_id.type), queue_business()),
    target_window_id=bindparam("to_window", type_=T.c.business_id.type),
)
BUMP_STREAK = (
    update(W)
    .where(W.c.id == bindparam("w_id"))
    .values(
        normal_streak=case(
            (bindparam("was_priority", type_=Boolean), literal(0)), else_=W.c.normal_streak + 1
        )
    )
)


def counter_statement(dialect: str) -> Any:
    """Take the next value of a per-day counter in one statement (1 on a new day).

    INSERT … ON CONFLICT DO UPDATE … RETURNING: the row is locked from here to the commit, so two
    kiosks issuing for one business queue behind each other on it and never get the same number.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    C = m.Counter.__table__
    stmt = dialect_insert(C).values(name=bindparam("name"), business_date=bindparam("day"), value=1)
    same_day = C.c.business_date == stmt.excluded.business_date
    return stmt.on_conflict_do_update(
        index_elements=[C.c.name],
        set_={
            "value": case((same_day, C.c.value + 1), else_=literal(1)),
            "business_date": stmt.excluded.business_date,
        },
    ).returning(C.c.value)


# The event carries the queue the ticket is in at this moment: a subquery, not a round trip.
ADD_EVENT = insert(E).values(
    ticket_id=bindparam("tid"),
    window_id=bindparam("w_id"),
    clerk_id=bindparam("c_id"),
    action=bindparam("act"),
    at=bindparam("now", type_=E.c.at.type),
    detail=bindparam("dtl"),
    outcome=bindparam("outc"),
    business_id=select(queue_business()).where(T.c.id == bindparam("tid")).scalar_subquery(),
)
