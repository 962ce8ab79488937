"""首问负责制: the inquiry record's vocabularies and its referral flow (procedures.md §5).

Flow: open → answered/guided → closed, or referred/registered → awaiting reply → (accepted by the
recipient) → replied → closed by the first clerk. The first clerk (首问责任人) owns the inquiry
until it is closed; an inquiry still waiting after its due time is overdue and shown as such.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class InquiryChannel(StrEnum):
    WINDOW = "window"
    PHONE = "phone"
    LETTER = "letter"
    ONLINE = "online"


class InquiryClassification(StrEnum):
    OWN_DUTY = "own_duty"
    COLLEAGUE = "colleague"
    OTHER_WINDOW = "other_window"
    OUTSIDE_HALL = "outside_hall"


class InquiryAction(StrEnum):
    ANSWERED = "answered"
    GUIDED = "guided"
    REFERRED = "referred"
    REGISTERED = "registered"


class InquiryStatus(StrEnum):
    AWAITING_REPLY = "awaiting_reply"  # referred or registered; nobody has taken it on yet
    ACCEPTED = "accepted"  # the recipient (承办人) took it on
    REPLIED = "replied"  # the recipient reported back; the first clerk sees the answer
    CLOSED = "closed"


class InquiryEvent(StrEnum):
    ACCEPT = "accept"
    REPLY = "reply"
    CLOSE = "close"


CHANNEL_LABELS = {
    InquiryChannel.WINDOW: "窗口",
    InquiryChannel.PHONE: "电话",
    InquiryChannel.LETTER: "来信",
    InquiryChannel.ONLINE: "网络",
}
CLASSIFICATION_LABELS = {
    InquiryClassification.OWN_DUTY: "本人职责",
    InquiryClassification.COLLEAGUE: "本部门他人",
    InquiryClassification.OTHER_WINDOW: "其他窗口",
    InquiryClassification.OUTSIDE_HALL: "非本中心事项",
}
ACTION_LABELS = {
    InquiryAction.ANSWERED: "当场解答",
    InquiryAction.GUIDED: "引导办理",
    InquiryAction.REFERRED: "转办",
    InquiryAction.REGISTERED: "登记待回复",
}
STATUS_LABELS = {
    InquiryStatus.AWAITING_REPLY: "待接收",
    InquiryStatus.ACCEPTED: "办理中",
    InquiryStatus.REPLIED: "已答复",
    InquiryStatus.CLOSED: "已办结",
}
EVENT_LABELS = {InquiryEvent.ACCEPT: "接收", InquiryEvent.REPLY: "答复", InquiryEvent.CLOSE: "办结"}

# Open statuses in which the due time still matters (an answer is owed).
OWED = frozenset({InquiryStatus.AWAITING_REPLY, InquiryStatus.ACCEPTED})

_TRANSITIONS: dict[tuple[InquiryStatus, InquiryEvent], InquiryStatus] = {
    (InquiryStatus.AWAITING_REPLY, InquiryEvent.ACCEPT): InquiryStatus.ACCEPTED,
    # A registered inquiry without a recipient is answered by the first clerk directly.
    (InquiryStatus.AWAITING_REPLY, InquiryEvent.REPLY): InquiryStatus.REPLIED,
    (InquiryStatus.ACCEPTED, InquiryEvent.REPLY): InquiryStatus.REPLIED,
    (InquiryStatus.REPLIED, InquiryEvent.CLOSE): InquiryStatus.CLOSED,
}


class InquiryError(ValueError):
    """A refused step; ``message`` is the Chinese sentence the clerk sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def status_after(action: InquiryAction) -> InquiryStatus:
    if action in (InquiryAction.REFERRED, InquiryAction.REGISTERED):
        return InquiryStatus.AWAITING_REPLY
    return InquiryStatus.CLOSED


def next_status(current: str, event: InquiryEvent) -> InquiryStatus:
    """The status after ``event``; InquiryError (Chinese) when the step is not allowed from ``current``."""
    status = InquiryStatus(current)
    target = _TRANSITIONS.get((status, event))
    if target is None:
        raise InquiryError(f"首问记录当前为「{STATUS_LABELS[status]}」，不能{EVENT_LABELS[event]}")
    return target


def is_overdue(status: str, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Past its due time with an answer still owed (procedures.md §5: a reminder to the first clerk)."""
    return due_at is not None and InquiryStatus(status) in OWED and now > due_at
