"""Tickets: numbering, business date, states, priority classes and the hall's calling rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    HELD = "held"
    TRANSFERRED = "transferred"  # kept for old rows: a transfer now puts the ticket back to waiting


class CallAction(StrEnum):
    ISSUE = "issue"
    PRIORITY = "priority"
    CALL = "call"
    CALL_SPECIFIC = "call_specific"
    RECALL = "recall"
    NO_SHOW = "no_show"
    HOLD = "hold"
    CALL_BACK = "call_back"
    TRANSFER = "transfer"
    FINISH = "finish"
    PAUSE = "pause"
    RESUME = "resume"


# Actions that put a ticket in front of a window (the start of a service segment).
CALLING_ACTIONS = frozenset({CallAction.CALL, CallAction.CALL_SPECIFIC, CallAction.CALL_BACK})

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
    business_code: str  # the queue the ticket is in now (a transfer may change it)
    business_name: str
    business_date: dt.date
    status: TicketStatus
    issued_at: dt.datetime
    window_no: str | None = None
    called_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    waiting_ahead: int = 0
    priority_code: str | None = None
    priority_label: str = ""
    recalls: int = 0
    transfers: int = 0
    target_window_no: str | None = None  # transferred to a named window: only that window calls it
    parked_at: dt.datetime | None = None  # when it was held or marked no-show
    first_called_at: dt.datetime | None = None


# ---- priority classes (data, not code: the hall edits the table) ----------------------------------


@dataclass(frozen=True)
class PriorityClass:
    """绿色通道 / 优先: served before normal tickets by the hall's policy; lower rank goes first."""

    code: str
    label: str
    rank: int
    needs_verification: bool = True  # a clerk checks a document; an appointment check-in needs none
    active: bool = True


DEFAULT_PRIORITY_CLASSES = (
    PriorityClass("green", "绿色通道", 1),
    PriorityClass("military", "军人优先", 2),
    PriorityClass("disabled", "残疾人", 3),
    PriorityClass("elderly", "老年人", 4),
    PriorityClass("pregnant", "孕妇及重病患者", 5),
    PriorityClass("appointment", "预约", 6, needs_verification=False),
)

# A document *type* ("居民身份证", "军官证", "111") is recorded, never the number or an image.
_LOOKS_LIKE_A_NUMBER = re.compile(r"\d{6,}|[A-Za-z]\d{5,}")


def document_type_problem(text: str) -> str | None:
    """Why ``text`` may not be stored as the verifying document's type, or None if it may."""
    if len(text) > 40:
        return "证件类型过长：只记录证件类型（如“残疾人证”），不要填写证件号码或其他内容"
    if _LOOKS_LIKE_A_NUMBER.search(text):
        return "只记录证件类型（如“残疾人证”），不要填写证件号码"
    return None


# ---- the hall's calling rules ---------------------------------------------------------------------


class PriorityPolicy(StrEnum):
    PRIORITY_FIRST = "priority_first"  # every waiting priority ticket before any normal one
    INTERLEAVE = "interleave"  # 1 priority ticket after every N normal calls at a window


@dataclass(frozen=True)
class QueueRules:
    recall_limit: int = 3
    call_back_minutes: int = 30
    priority_policy: PriorityPolicy = PriorityPolicy.PRIORITY_FIRST
    interleave_n: int = 3

    def __post_init__(self) -> None:
        if self.recall_limit < 0:
            raise ValueError("recall_limit 不能小于 0")
        if self.call_back_minutes < 0:
            raise ValueError("call_back_minutes 不能小于 0")
        if self.interleave_n < 1:
            raise ValueError("interleave_n 至少为 1")
        object.__setattr__(self, "priority_policy", PriorityPolicy(self.priority_policy))

    def priority_goes_first(self, normal_streak: int) -> bool:
        """Whether a window that made ``normal_streak`` normal calls since its last priority call
        should now prefer a priority ticket (it takes a normal one when none is waiting, and the
        other way round)."""
        if self.priority_policy is PriorityPolicy.PRIORITY_FIRST:
            return True
        return normal_streak >= self.interleave_n

    def may_call_back(self, parked_at: dt.datetime, now: dt.datetime) -> bool:
        return now - parked_at <= dt.timedelta(minutes=self.call_back_minutes)


@dataclass(frozen=True)
class WindowQueueState:
    window_id: int
    window_no: str
    paused_at: dt.datetime | None
    pause_reason: str
    normal_streak: int
    current_ticket_id: str | None
    current_number: str | None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None
