"""差评整改: the task a bad review opens, its states, its appeal branch and the callback (reviews.md §3).

States (reviews.md §3, work-order states [I]):

    待核实 verifying ──start──▶ 整改中 rectifying ──feed_back──▶ 已反馈 fed_back ──review──▶ 已复核 reviewed
        │                         ▲   │                              │
        │                         │   └───────appeal──┐               └──return──▶ 整改中 (feedback not good enough)
        └──────appeal──▶ 申诉中 appealed ◀─────────────┘
                               ├──uphold──▶ 申诉成立 upheld (the review is excluded: 误评 / 恶意差评)
                               └──dismiss─▶ 申诉驳回 dismissed ──start──▶ 整改中

A transition table, not a chain of ifs: anything not in the table is refused with a Chinese reason.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from hallclient.domain.workdays import add_working_days

DEFAULT_RECTIFICATION_DAYS = 15  # Sichuan's rule; configurable per hall (review.rectification_days)


class RectificationStatus(StrEnum):
    VERIFYING = "verifying"
    RECTIFYING = "rectifying"
    FED_BACK = "fed_back"
    REVIEWED = "reviewed"
    APPEALED = "appealed"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class RectificationAction(StrEnum):
    START = "start"
    FEED_BACK = "feed_back"
    REVIEW = "review"
    RETURN = "return"
    APPEAL = "appeal"
    UPHOLD = "uphold"
    DISMISS = "dismiss"


class CallbackChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    VISIT = "visit"
    ONLINE = "online"


class CallbackResult(StrEnum):
    REACHED = "reached"
    UNREACHABLE = "unreachable"
    DECLINED = "declined"


class FeedbackSatisfaction(StrEnum):
    """The evaluator's view of the feedback (reviews.md §3: 满意 / 基本满意 / 不满意)."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


STATUS_LABELS = {
    RectificationStatus.VERIFYING: "待核实",
    RectificationStatus.RECTIFYING: "整改中",
    RectificationStatus.FED_BACK: "已反馈",
    RectificationStatus.REVIEWED: "已复核",
    RectificationStatus.APPEALED: "申诉中",
    RectificationStatus.UPHELD: "申诉成立",
    RectificationStatus.DISMISSED: "申诉驳回",
}
ACTION_LABELS = {
    RectificationAction.START: "开始整改",
    RectificationAction.FEED_BACK: "反馈整改结果",
    RectificationAction.REVIEW: "复核",
    RectificationAction.RETURN: "退回重新整改",
    RectificationAction.APPEAL: "申诉",
    RectificationAction.UPHOLD: "申诉成立",
    RectificationAction.DISMISS: "驳回申诉",
}
CHANNEL_LABELS = {
    CallbackChannel.PHONE: "电话",
    CallbackChannel.SMS: "短信",
    CallbackChannel.VISIT: "当面",
    CallbackChannel.ONLINE: "网络",
}
RESULT_LABELS = {
    CallbackResult.REACHED: "已联系",
    CallbackResult.UNREACHABLE: "未联系上",
    CallbackResult.DECLINED: "拒绝回访",
}
SATISFACTION_LABELS = {
    FeedbackSatisfaction.SATISFIED: "满意",
    FeedbackSatisfaction.BASICALLY_SATISFIED: "基本满意",
    FeedbackSatisfaction.DISSATISFIED: "不满意",
}

S, A = RectificationStatus, RectificationAction
TRANSITIONS: dict[tuple[RectificationStatus, RectificationAction], RectificationStatus] = {
    (S.VERIFYING, A.START): S.RECTIFYING,
    (S.VERIFYING, A.APPEAL): S.APPEALED,
    (S.RECTIFYING, A.FEED_BACK): S.FED_BACK,
    (S.RECTIFYING, A.APPEAL): S.APPEALED,
    (S.FED_BACK, A.REVIEW): S.REVIEWED,
    (S.FED_BACK, A.RETURN): S.RECTIFYING,
    (S.APPEALED, A.UPHOLD): S.UPHELD,
    (S.APPEALED, A.DISMISS): S.DISMISSED,
    (S.DISMISSED, A.START): S.RECTIFYING,
}
TERMINAL = frozenset({S.REVIEWED, S.UPHELD})
OPEN = frozenset(set(S) - TERMINAL)

# What a person must write for each step (the record of 核实 / 整改 / 复核 / 申诉).
NOTE_REQUIRED = {
    A.START: "请填写核实情况",
    A.FEED_BACK: "请填写整改措施及向评价人反馈的内容",
    A.RETURN: "请填写退回理由",
    A.APPEAL: "请填写申诉理由（误评、恶意差评等）",
    A.UPHOLD: "请填写申诉审核意见",
    A.DISMISS: "请填写申诉审核意见",
}
# Steps a supervisor takes: never by the clerk whose service was rated (谁办理、谁负责 — not who judges).
DECISIONS = frozenset({A.REVIEW, A.RETURN, A.UPHOLD, A.DISMISS})


class RectificationError(ValueError):
    """A refused step; ``message`` is the Chinese sentence the UI shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def next_status(current: str, action: RectificationAction, note: str = "") -> RectificationStatus:
    """The status after ``action``, or RectificationError saying why it is not allowed."""
    status = RectificationStatus(current)
    target = TRANSITIONS.get((status, action))
    if target is None:
        allowed = "、".join(ACTION_LABELS[a] for (s, a) in TRANSITIONS if s is status)
        hint = f"；当前可以：{allowed}" if allowed else "；该整改任务已结束"
        raise RectificationError(
            f"整改任务当前为「{STATUS_LABELS[status]}」，不能「{ACTION_LABELS[action]}」{hint}"
        )
    if action in NOTE_REQUIRED and not note.strip():
        raise RectificationError(NOTE_REQUIRED[action])
    return target


def deadline(opened_on: dt.date, working_days: int) -> dt.date:
    """The rectification deadline: ``working_days`` working days after the hall-local opening date."""
    if working_days < 1:
        raise RectificationError("整改期限应至少为1个工作日")
    return add_working_days(opened_on, working_days)


def is_overdue(status: str, deadline_date: dt.date, today: dt.date) -> bool:
    return RectificationStatus(status) in OPEN and today > deadline_date


def check_callback(result: CallbackResult, satisfaction: FeedbackSatisfaction | None) -> None:
    """A satisfaction only from someone who was reached; someone reached is asked for one."""
    if result is CallbackResult.REACHED and satisfaction is None:
        raise RectificationError("已联系上评价人时，请记录其对整改反馈的满意程度")
    if result is not CallbackResult.REACHED and satisfaction is not None:
        raise RectificationError("未联系上评价人时，不能记录满意程度")
