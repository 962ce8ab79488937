"""After ``bench queue``: what the store holds for the run's businesses, checked against what happened.

- double calls: replaying each ticket's call log, a call that found the ticket not waiting (or a call
  back that found it neither held nor no-show) — two windows had it at once;
- lost tickets: issued by a kiosk but not in the store, in the store but never issued, left waiting,
  in service or held at the end, or no-show although no window left it so;
- duplicate numbers: the same number (or sequence) twice for one business on one day; gaps in the
  sequence are reported apart (the counter row is taken under a lock in the issuing transaction,
  so there should be none either).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select

from hallclient import wiring as wiring_mod
from hallclient.domain.queue import CallAction, TicketStatus
from hallclient.store import models as m

_AFTER = {
    CallAction.ISSUE: TicketStatus.WAITING,
    CallAction.CALL: TicketStatus.CALLED,
    CallAction.CALL_SPECIFIC: TicketStatus.CALLED,
    CallAction.CALL_BACK: TicketStatus.CALLED,
    CallAction.NO_SHOW: TicketStatus.NO_SHOW,
    CallAction.HOLD: TicketStatus.HELD,
    CallAction.TRANSFER: TicketStatus.WAITING,
    CallAction.FINISH: TicketStatus.FINISHED,
}
_CALLABLE_FROM = {
    CallAction.CALL: {TicketStatus.WAITING},
    CallAction.CALL_SPECIFIC: {TicketStatus.WAITING},
    CallAction.CALL_BACK: {TicketStatus.HELD, TicketStatus.NO_SHOW},
}


def check_store(
    main: wiring_mod.Wiring, codes: Sequence[str], issued: Collection[str], left_no_show: Collection[str]
) -> dict[str, Any]:
    with main.uow() as uow:
        s = uow.session
        assert s is not None
        business_ids = s.scalars(select(m.Business.id).where(m.Business.code.in_(codes))).all()
        tickets = s.execute(
            select(
                m.Ticket.id,
                m.Ticket.business_id,
                m.Ticket.business_date,
                m.Ticket.seq,
                m.Ticket.number,
                m.Ticket.status,
            ).where(m.Ticket.business_id.in_(business_ids))
        ).all()
        run_tickets = select(m.Ticket.id).where(m.Ticket.business_id.in_(business_ids))
        events = s.execute(
            select(m.CallEvent.ticket_id, m.CallEvent.action)
            .where(m.CallEvent.ticket_id.in_(run_tickets))
            .order_by(m.CallEvent.id)
        ).all()

    by_day: dict[tuple[int, Any], list[tuple[int, str]]] = defaultdict(list)
    for _id, business_id, day, seq, number, _status in tickets:
        by_day[(business_id, day)].append((seq, number))
    duplicates = gaps = 0
    for entries in by_day.values():
        seqs = [seq for seq, _ in entries]
        nums = [number for _, number in entries]
        duplicates += (len(nums) - len(set(nums))) + (len(seqs) - len(set(seqs)))
        gaps += max(seqs) - len(set(seqs))

    stored = {t[0] for t in tickets}
    issued_set = set(issued)
    statuses = Counter(str(t[5]) for t in tickets)
    unfinished = [t[0] for t in tickets if t[5] not in (TicketStatus.FINISHED, TicketStatus.NO_SHOW)]
    stray_no_show = [t[0] for t in tickets if t[5] == TicketStatus.NO_SHOW and t[0] not in left_no_show]
    lost = len(issued_set - stored) + len(stored - issued_set) + len(unfinished) + len(stray_no_show)

    state: dict[str, TicketStatus] = {}
    double = 0
    for ticket_id, action in events:
        act = CallAction(action)
        allowed = _CALLABLE_FROM.get(act)
        if allowed is not None and state.get(ticket_id) not in allowed:
            double += 1
        if act in _AFTER:
            state[ticket_id] = _AFTER[act]
    return {
        "double_calls": double,
        "lost_tickets": lost,
        "duplicate_numbers": duplicates,
        "number_gaps": gaps,
        "statuses": dict(sorted(statuses.items())),
    }
