"""差评整改 states, table-driven: every (status, action) pair is either the listed move or refused in Chinese."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from hallclient.domain.rectifications import (
    NOTE_REQUIRED,
    OPEN,
    TERMINAL,
    CallbackResult,
    FeedbackSatisfaction,
    RectificationAction,
    RectificationError,
    RectificationStatus,
    check_callback,
    deadline,
    is_overdue,
    next_status,
)

S, A = RectificationStatus, RectificationAction

# The whole machine: 待核实 → 整改中 → 已反馈 → 已复核; 申诉 → 成立 / 驳回 (→ 整改中); 退回重改.
ALLOWED = {
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


@pytest.mark.parametrize(("status", "action"), list(itertools.product(S, A)))
def test_every_status_and_action(status: RectificationStatus, action: RectificationAction) -> None:
    if (status, action) in ALLOWED:
        assert next_status(status, action, "说明") is ALLOWED[(status, action)]
        return
    with pytest.raises(RectificationError) as caught:
        next_status(status, action, "说明")
    assert "不能" in caught.value.message and any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


@pytest.mark.parametrize("action", sorted(NOTE_REQUIRED))
def test_the_steps_that_need_words_refuse_an_empty_note(action: RectificationAction) -> None:
    status = next(s for (s, a) in ALLOWED if a is action)
    with pytest.raises(RectificationError, match="请填写"):
        next_status(status, action, "  ")


def test_a_finished_task_says_it_is_finished() -> None:
    for status in TERMINAL:
        with pytest.raises(RectificationError, match="已结束"):
            next_status(status, A.START, "x")
    assert set(S) == OPEN | TERMINAL and not OPEN & TERMINAL


@pytest.mark.parametrize(
    ("opened", "days", "due"),
    [
        (dt.date(2026, 3, 2), 15, dt.date(2026, 3, 23)),  # three plain weeks
        (dt.date(2025, 9, 30), 15, dt.date(2025, 10, 28)),  # 国庆 off, Sat 10-11 a make-up working day
        (dt.date(2026, 3, 2), 5, dt.date(2026, 3, 9)),  # 德州's five days
    ],
)
def test_the_deadline_counts_working_days_of_the_holiday_calendar(
    opened: dt.date, days: int, due: dt.date
) -> None:
    assert deadline(opened, days) == due


def test_a_deadline_needs_at_least_one_day() -> None:
    with pytest.raises(RectificationError):
        deadline(dt.date(2026, 3, 2), 0)


def test_overdue_is_an_open_task_past_its_deadline_day() -> None:
    due = dt.date(2026, 3, 23)
    assert not is_overdue(S.RECTIFYING, due, due)
    assert is_overdue(S.RECTIFYING, due, due + dt.timedelta(days=1))
    assert is_overdue(S.APPEALED, due, due + dt.timedelta(days=1))
    assert not is_overdue(S.REVIEWED, due, due + dt.timedelta(days=30))
    assert not is_overdue(S.UPHELD, due, due + dt.timedelta(days=30))


def test_a_callback_has_a_satisfaction_only_when_the_evaluator_was_reached() -> None:
    check_callback(CallbackResult.REACHED, FeedbackSatisfaction.SATISFIED)
    check_callback(CallbackResult.UNREACHABLE, None)
    with pytest.raises(RectificationError, match="满意程度"):
        check_callback(CallbackResult.REACHED, None)
    with pytest.raises(RectificationError, match="不能记录"):
        check_callback(CallbackResult.DECLINED, FeedbackSatisfaction.DISSATISFIED)
