"""Tickets: numbering, business date, states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    HELD = "held"
    TRANSFERRED = "transferred"


class CallAction(StrEnum):
    ISSUE = "issue"
    CALL = "call"
    RECALL = "recall"
    NO_SHOW = "no_show"
    HOLD = "hold"
    CALL_BACK = "call_back"
    TRANSFER = "transfer"
    FINISH = "finish"
    PAUSE = "pause"
    RESUME = "resume"


STATUS_LABELS = {
    TicketStatus.WAITING: "等候中",
    TicketStatus.CALLED: "办理中",
    TicketStatus.FINISHED: "已完成",
    TicketStatus.NO_SHOW: "过号",
    TicketStatus.HELD: "挂起",
    TicketStatus.TRANSFERRED: "已转移",
}


def format_ticket_number(prefix: str, seq: int, width: int = 3) -> str:
    return f"{prefix}{seq:0{width}d}"


def business_date(at: dt.datetime, tz: str) -> dt.date:
    """The hall-local date of an instant: the daily sequence restarts at the hall's midnight, not UTC's."""
    if at.tzinfo is None:
        raise ValueError("business_date needs an aware datetime")
    return at.astimezone(ZoneInfo(tz)).date()


@dataclass(frozen=True)
class Business:
    id: int
    code: str
    name: str
    prefix: str


@dataclass(frozen=True)
class Ticket:
    id: str
    number: str
    business_code: str
    business_name: str
    business_date: dt.date
    status: TicketStatus
    issued_at: dt.datetime
    window_no: str | None = None
    called_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    waiting_ahead: int = 0
