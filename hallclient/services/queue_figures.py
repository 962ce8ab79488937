"""Queue figures of one hall day, from its tickets and its call log (queue.md §5).

wait = first call − issue; service = finish − the call that started that service (a call, a number
called out of order, or a call back). Counts and times are attributed to the business whose queue
the ticket was in, the window that acted and the hall-local hour of the event; issued tickets to
the issuing business and the hour of issue (no window). Every roll-up is present: a row whose
business, window or hour is None covers all of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from hallclient.domain.queue import CALLING_ACTIONS, CallAction, TicketStatus
from hallclient.services.queue_ports import EventFact, TicketFact

Key = tuple[str | None, str | None, int | None]  # business, window, hour


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Figures:
    business: str | None
    window: str | None
    hour: int | None
    issued: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    recalls: int = 0
    wait_mean_s: float | None = None
    wait_p90_s: float | None = None
    service_mean_s: float | None = None
    service_p90_s: float | None = None
    longest_wait_s: float | None = None  # of tickets waiting now; only in whole-day rows (hour None)


@dataclass(frozen=True)
class QueueFigures:
    day: dt.date
    at: dt.datetime
    rows: tuple[Figures, ...]

    def get(self, business: str | None = None, window: str | None = None, hour: int | None = None) -> Figures:
        for row in self.rows:
            if (row.business, row.window, row.hour) == (business, window, hour):
                return row
        return Figures(business, window, hour)

    def finest(self) -> list[Figures]:
        """Rows per business × window × hour (issued rows have no window)."""
        return [r for r in self.rows if r.business is not None and r.hour is not None]


@dataclass
class _Acc:
    issued: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    recalls: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    longest: float | None = None


class _Table:
    def __init__(self) -> None:
        self.acc: dict[Key, _Acc] = {}

    def add(self, business: str | None, window: str | None, hour: int | None, **what: float) -> None:
        keys = {
            (business if keep[0] else None, window if keep[1] else None, hour if keep[2] else None)
            for keep in itertools.product((True, False), repeat=3)
        }
        for key in keys:
            acc = self.acc.setdefault(key, _Acc())
            for name, value in what.items():
                if name == "wait":
                    acc.waits.append(value)
                elif name == "service":
                    acc.services.append(value)
                else:
                    setattr(acc, name, getattr(acc, name) + int(value))

    def longest(self, key: Key, seconds: float) -> None:
        acc = self.acc.setdefault(key, _Acc())
        acc.longest = seconds if acc.longest is None else max(acc.longest, seconds)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def compute_figures(
    day: dt.date,
    now: dt.datetime,
    timezone: str,
    tickets: Iterable[TicketFact],
    events: Iterable[EventFact],
    serves: Mapping[str, frozenset[str]],
) -> QueueFigures:
    """``serves``: window number → business codes it serves (for the longest wait per window)."""
    tz = ZoneInfo(timezone)

    def hour(at: dt.datetime) -> int:
        return at.astimezone(tz).hour

    table = _Table()
    tickets = list(tickets)
    issued_at = {t.id: t.issued_at for t in tickets}
    for t in tickets:
        table.add(t.issued_business, None, hour(t.issued_at), issued=1)

    started: dict[str, dt.datetime] = {}  # ticket → start of its open service segment
    called_once: set[str] = set()
    for e in events:
        where = (e.business, e.window_no, hour(e.at))
        action = CallAction(e.action)
        if action in CALLING_ACTIONS:
            started[e.ticket_id] = e.at
            if e.ticket_id not in called_once and e.ticket_id in issued_at:
                called_once.add(e.ticket_id)
                table.add(*where, wait=(e.at - issued_at[e.ticket_id]).total_seconds())
        elif action is CallAction.FINISH:
            start = started.pop(e.ticket_id, None)
            extra = {"service": (e.at - start).total_seconds()} if start is not None else {}
            table.add(*where, served=1, **extra)
        elif action is CallAction.NO_SHOW:
            started.pop(e.ticket_id, None)
            table.add(*where, no_shows=1)
        elif action is CallAction.HOLD:
            started.pop(e.ticket_id, None)
        elif action is CallAction.TRANSFER:
            started.pop(e.ticket_id, None)
            table.add(*where, transfers=1)
        elif action is CallAction.RECALL:
            table.add(*where, recalls=1)

    if day == now.astimezone(tz).date():
        for t in tickets:
            if t.status is not TicketStatus.WAITING:
                continue
            waited = (now - t.issued_at).total_seconds()
            table.longest((t.queue_business, None, None), waited)
            table.longest((None, None, None), waited)
            for window_no, codes in serves.items():
                if t.queue_business in codes:
                    table.longest((t.queue_business, window_no, None), waited)
                    table.longest((None, window_no, None), waited)

    rows = tuple(
        Figures(
            *key,
            issued=a.issued,
            served=a.served,
            no_shows=a.no_shows,
            transfers=a.transfers,
            recalls=a.recalls,
            wait_mean_s=_mean(a.waits),
            wait_p90_s=percentile(a.waits, 0.9),
            service_mean_s=_mean(a.services),
            service_p90_s=percentile(a.services, 0.9),
            longest_wait_s=a.longest,
        )
        for key, a in sorted(table.acc.items(), key=lambda kv: tuple((k is None, k or 0) for k in kv[0]))
    )
    return QueueFigures(day, now, rows)
