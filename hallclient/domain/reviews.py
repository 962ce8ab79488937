"""好差评: five levels; 1–2 are bad reviews and need a reason; never stamped before the service began."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import IntEnum
from urllib.parse import parse_qs, quote, urlsplit


class RatingLevel(IntEnum):
    VERY_DISSATISFIED = 1
    DISSATISFIED = 2
    BASICALLY_SATISFIED = 3
    SATISFIED = 4
    VERY_SATISFIED = 5

    @property
    def label(self) -> str:
        return RATING_LABELS[self]

    @property
    def is_bad(self) -> bool:
        return self <= RatingLevel.DISSATISFIED


RATING_LABELS = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASICALLY_SATISFIED: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}

# A configurable default; the province's versioned list replaces it (reviews.md §3).
DEFAULT_BAD_REASONS = (
    "等候时间过长",
    "服务态度不好",
    "办事效率低",
    "一次性告知不清楚",
    "要求提供不必要的材料",
    "办事指南与实际不符",
    "其他",
)


class ReviewError(ValueError):
    """A refused review; ``message`` is the Chinese sentence the UI shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def validate_review(
    level: int,
    reasons: Sequence[str],
    evaluated_at: dt.datetime,
    service_started_at: dt.datetime,
) -> RatingLevel:
    try:
        rating = RatingLevel(level)
    except ValueError:
        raise ReviewError("评价等级无效") from None
    if rating.is_bad and not [r for r in reasons if r.strip()]:
        raise ReviewError("选择「不满意」或「非常不满意」时，请至少选择一项原因")
    if evaluated_at < service_started_at:
        raise ReviewError("评价时间早于服务开始时间，已拒绝（请检查本机时钟）")
    return rating


# The QR on an acceptance notice invites a review of that case (一事一评). Without a configured
# evaluation page it carries the case number and query code as before (review.url_template).
DEFAULT_REVIEW_URL_TEMPLATE = "case={case_no};q={query_code}"


def review_url(template: str, case_no: str, query_code: str) -> str:
    """The invitation for one case: ``template`` with ``{case_no}`` and ``{query_code}`` filled (URL-safe)."""
    return (template or DEFAULT_REVIEW_URL_TEMPLATE).format(
        case_no=quote(case_no, safe=""), query_code=quote(query_code, safe="")
    )


def invitation_case_no(text: str) -> str:
    """The case number an invitation (a review URL or the plain ``case=…;q=…`` form) refers to; "" if none."""
    parts = urlsplit(text.strip())
    query = parts.query if parts.query else text.strip()
    for sep in (";", "&"):
        for pair in query.split(sep):
            key, _, value = pair.partition("=")
            if key.strip() == "case" and value.strip():
                return parse_qs(f"case={value.strip()}").get("case", [""])[0]
    return ""
