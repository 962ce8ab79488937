"""What the hall's public faces show: the kiosk's businesses with their waiting counts, and the board.

Only ticket numbers, window numbers, business names and counts leave here: never a name, an ID number or
a clerk (privacy.md §2: the hall display shows no names by default). Reads only; called from a worker
thread of the kiosk or the board whenever the queue changes.

The board's calls come from the append-only call log. ``new_calls`` are the calls the board has not seen:
the caller passes back the ``call_ids`` of its previous snapshot. A set rather than a "highest id seen",
because on PostgreSQL event ids are taken when a row is inserted, not when it commits: a call holding id
100 may commit just after one holding 101, and a high-water mark would skip it for ever.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from hallclient.domain.queue import CALLING_ACTIONS, CallAction, TicketStatus, business_date
from hallclient.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from hallclient.services.queue_ports import EventFact

__all__ = ["BoardSnapshot", "BusinessWaiting", "CallShown", "HallDisplay", "WindowShown"]

_SHOWN_ACTIONS = frozenset({*CALLING_ACTIONS, CallAction.RECALL})
_CALL_ID_TAIL = 200  # call ids remembered between snapshots: far more than can commit out of order


@dataclass(frozen=True)
class BusinessWaiting:
    code: str
    name: str
    prefix: str
    waiting: int


@dataclass(frozen=True)
class CallShown:
    event_id: int
    ticket_number: str
    window_no: str
    business_name: str
    at: dt.datetime
    recall: bool = False


@dataclass(frozen=True)
class WindowShown:
    window_no: str
    serving: str | None  # the ticket number being served there now, None when the window is free


@dataclass(frozen=True)
class BoardSnapshot:
    windows: tuple[WindowShown, ...]
    recent: tuple[CallShown, ...]  # newest first; one row per ticket and window (a recall moves it up)
    new_calls: tuple[CallShown, ...]  # not in the caller's ``seen``, oldest first; () on a first read
    call_ids: frozenset[int]  # pass back as ``seen`` next time
    waiting: tuple[BusinessWaiting, ...]

    @property
    def waiting_total(self) -> int:
        return sum(b.waiting for b in self.waiting)


class HallDisplay:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, timezone: str, *, call_id_tail: int = _CALL_ID_TAIL
    ) -> None:
        self._uow = uow
        self._tail = call_id_tail
        self._clock = clock
        self._tz = timezone
        self._numbers: dict[str, str] = {}  # ticket id → number: a ticket's number never changes
        self._lock = threading.Lock()

    def _today(self) -> dt.date:
        return business_date(self._clock.now(), self._tz)

    def businesses(self, codes: Sequence[str] = ()) -> tuple[BusinessWaiting, ...]:
        """The active businesses (those of ``codes`` only, in that order, if given) with today's waiting."""
        day = self._today()
        with self._uow() as uow:
            all_ = uow.queue.businesses()
            waiting = uow.queue.waiting_by_business(day)
        if codes:
            by_code = {b.code: b for b in all_}
            all_ = [by_code[c] for c in codes if c in by_code]
        return tuple(BusinessWaiting(b.code, b.name, b.prefix, waiting.get(b.code, 0)) for b in all_)

    def board(
        self, last_n: int, seen: frozenset[int] | None = None, windows: Sequence[str] = ()
    ) -> BoardSnapshot:
        """The board: who is being served at each window, the last ``last_n`` calls, the calls not in
        ``seen`` (None: a first read, nothing is new), and the waiting counts. With ``windows`` (a board
        for one floor or area) only those windows and the calls made at them."""
        day = self._today()
        with self._uow() as uow:
            businesses = uow.queue.businesses()
            waiting = uow.queue.waiting_by_business(day)
            all_windows = [w.number for w in uow.staff.windows()]
            status = {t.id: t.status for t in uow.queue.day_tickets(day)}
            calls = [e for e in uow.queue.day_events(day) if e.action in _SHOWN_ACTIONS and e.window_no]

            # Where each ticket was last called, and which ticket each window called last (over all
            # windows: a ticket called again elsewhere is no longer at the first one).
            last_window_of: dict[str, str] = {}
            last_ticket_at: dict[str, str] = {}
            for e in calls:
                last_window_of[e.ticket_id] = e.window_no or ""
                last_ticket_at[e.window_no or ""] = e.ticket_id
            chosen = set(windows) if windows else set(all_windows)
            serving_ids = {
                w: tid
                for w, tid in last_ticket_at.items()
                if w in chosen and status.get(tid) is TicketStatus.CALLED and last_window_of.get(tid) == w
            }
            here = [e for e in calls if e.window_no in chosen]
            recent_events: list[EventFact] = []
            pairs: set[tuple[str, str]] = set()
            for e in reversed(here):
                key = (e.ticket_id, e.window_no or "")
                if key not in pairs:
                    pairs.add(key)
                    recent_events.append(e)
                    if len(recent_events) >= last_n:
                        break
            tail = here[-self._tail :]
            new_events = [] if seen is None else [e for e in tail if e.id not in seen]
            needed = {e.ticket_id for e in (*recent_events, *new_events)} | set(serving_ids.values())
            numbers = self._numbers_of(uow, needed)
        names = {b.code: b.name for b in businesses}

        def shown(e: EventFact) -> CallShown:
            return CallShown(
                e.id,
                numbers.get(e.ticket_id, "?"),
                e.window_no or "",
                names.get(e.business or "", ""),
                e.at,
                e.action == CallAction.RECALL,
            )

        return BoardSnapshot(
            windows=tuple(
                WindowShown(w, numbers.get(serving_ids[w]) if w in serving_ids else None)
                for w in sorted((w for w in all_windows if w in chosen), key=_window_order)
            ),
            recent=tuple(shown(e) for e in recent_events),
            new_calls=tuple(shown(e) for e in new_events),
            call_ids=frozenset(e.id for e in tail),
            waiting=tuple(
                BusinessWaiting(b.code, b.name, b.prefix, waiting.get(b.code, 0)) for b in businesses
            ),
        )

    def _numbers_of(self, uow: UnitOfWork, ticket_ids: set[str]) -> dict[str, str]:
        with self._lock:
            missing = [tid for tid in ticket_ids if tid not in self._numbers]
        found = {tid: uow.queue.ticket(tid).number for tid in missing}
        with self._lock:
            self._numbers.update(found)
            if len(self._numbers) > 20_000:  # a new day: forget the old numbers
                self._numbers = dict(found)
            return {tid: self._numbers[tid] for tid in ticket_ids if tid in self._numbers}


def _window_order(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (1 << 30, number)
