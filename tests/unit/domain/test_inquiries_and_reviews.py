"""首问 referral states and the review rules' vocabulary: table-driven, no store."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from hallclient.domain.inquiries import (
    InquiryAction,
    InquiryError,
    InquiryEvent,
    InquiryStatus,
    is_overdue,
    next_status,
    status_after,
)
from hallclient.domain.reviews import ReviewError, invitation_case_no, review_url, validate_review

St, E = InquiryStatus, InquiryEvent
ALLOWED = {
    (St.AWAITING_REPLY, E.ACCEPT): St.ACCEPTED,
    (St.AWAITING_REPLY, E.REPLY): St.REPLIED,
    (St.ACCEPTED, E.REPLY): St.REPLIED,
    (St.REPLIED, E.CLOSE): St.CLOSED,
}
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("status", "event"), list(itertools.product(St, E)))
def test_every_inquiry_status_and_event(status: InquiryStatus, event: InquiryEvent) -> None:
    if (status, event) in ALLOWED:
        assert next_status(status, event) is ALLOWED[(status, event)]
    else:
        with pytest.raises(InquiryError, match="不能"):
            next_status(status, event)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (InquiryAction.ANSWERED, St.CLOSED),
        (InquiryAction.GUIDED, St.CLOSED),
        (InquiryAction.REFERRED, St.AWAITING_REPLY),
        (InquiryAction.REGISTERED, St.AWAITING_REPLY),
    ],
)
def test_what_an_action_leaves_behind(action: InquiryAction, status: InquiryStatus) -> None:
    assert status_after(action) is status


def test_overdue_only_while_an_answer_is_owed() -> None:
    due = NOW + dt.timedelta(hours=2)
    later = due + dt.timedelta(minutes=1)
    assert not is_overdue(St.AWAITING_REPLY, due, NOW)
    assert is_overdue(St.AWAITING_REPLY, due, later) and is_overdue(St.ACCEPTED, due, later)
    assert not is_overdue(St.REPLIED, due, later) and not is_overdue(St.CLOSED, due, later)
    assert not is_overdue(St.AWAITING_REPLY, None, later)


def test_review_errors_carry_the_chinese_message_the_clerk_sees() -> None:
    with pytest.raises(ReviewError) as caught:
        validate_review(2, [" "], NOW, NOW)
    assert caught.value.message.startswith("选择「不满意」")
    with pytest.raises(ReviewError, match="早于服务开始"):
        validate_review(5, [], NOW - dt.timedelta(seconds=1), NOW)
    with pytest.raises(ReviewError, match="无效"):
        validate_review(0, [], NOW, NOW)


@pytest.mark.parametrize(
    "template",
    [
        "https://hcp.example.gov.cn/r?case={case_no}&q={query_code}",
        "case={case_no};q={query_code}",
        "https://x.example.gov.cn/eval/{query_code}?source=notice&case={case_no}",
    ],
)
def test_a_review_invitation_names_its_case_and_the_case_can_be_read_back(template: str) -> None:
    url = review_url(template, "610113-001-20260302-0001", "A1B2C3")
    assert "A1B2C3" in url
    assert invitation_case_no(url) == "610113-001-20260302-0001"


def test_an_invitation_without_a_case_number_names_none() -> None:
    assert invitation_case_no("https://hcp.example.gov.cn/r?q=ABC") == ""
