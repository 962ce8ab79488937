"""Ports of first inquiries, reviews and rectifications: their repositories and the rows they return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hallclient.domain import inquiries as inq
from hallclient.domain import rectifications as rect


@dataclass(frozen=True)
class InquiryRow:
    id: str
    register_no: str
    created_at: dt.datetime
    channel: str
    question: str
    item_code: str
    classification: str
    action: str
    status: str
    answer: str
    reply: str
    applicant_name: str
    applicant_id_masked: str
    phone: str
    clerk_id: int
    clerk_name: str
    clerk_staff_no: str
    window_id: int
    window_no: str
    referred_window_id: int | None
    referred_window_no: str
    referred_clerk_id: int | None
    referred_clerk_name: str
    due_at: dt.datetime | None
    accepted_at: dt.datetime | None
    accepted_by_name: str
    replied_at: dt.datetime | None
    replied_by_name: str
    closed_at: dt.datetime | None
    version: int

    def overdue(self, now: dt.datetime) -> bool:
        return inq.is_overdue(self.status, self.due_at, now)

    @property
    def recipient(self) -> str:
        """Who it was referred to, in words: "3号窗口 李华", "3号窗口", "李华" or ""."""
        window = f"{self.referred_window_no}号窗口" if self.referred_window_no else ""
        return " ".join(p for p in (window, self.referred_clerk_name) if p)


@dataclass(frozen=True)
class ReviewRow:
    id: str
    service_id: str
    case_id: str | None
    case_no: str
    window_id: int
    window_no: str
    clerk_id: int
    clerk_name: str
    clerk_staff_no: str
    level: int
    reasons: tuple[str, ...]
    comment: str
    channel: str
    evaluated_at: dt.datetime
    excluded: bool


@dataclass(frozen=True)
class CaseRef:
    """What a review by case number needs of the case: who handled it and when it was received."""

    id: str
    window_id: int
    clerk_id: int
    received_at: dt.datetime


@dataclass(frozen=True)
class CallbackRow:
    id: str
    rectification_id: str
    clerk_name: str
    called_at: dt.datetime
    channel: str
    result: str
    satisfaction: str
    note: str


@dataclass(frozen=True)
class RectificationRow:
    id: str
    review_id: str
    ordering_key: str
    status: str
    opened_at: dt.datetime
    deadline_date: dt.date
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    finding: str
    measures: str
    decision_note: str
    appeal_reason: str
    version: int
    review: ReviewRow
    callbacks: int

    def overdue(self, today: dt.date) -> bool:
        return rect.is_overdue(self.status, self.deadline_date, today)


class InquiryRepository(Protocol):
    def add(self, values: Mapping[str, Any]) -> None: ...
    def get(self, inquiry_id: str) -> InquiryRow:
        """LookupError if there is no such inquiry."""
        ...

    def update(self, inquiry_id: str, values: Mapping[str, Any]) -> None: ...
    def referred_to(self, window_id: int, clerk_id: int) -> list[InquiryRow]:
        """Open inquiries referred to this window or this clerk, oldest due first."""
        ...

    def raised_by(self, clerk_id: int) -> list[InquiryRow]:
        """This first clerk's inquiries still awaiting a reply or their closing, oldest first."""
        ...

    def open_inquiries(self) -> list[InquiryRow]:
        """Every inquiry not closed yet (for the manager), oldest first."""
        ...

    def referral_counts(self) -> tuple[int, int]:
        """(inquiries referred, of which answered) for figures."""
        ...


class ReviewRepository(Protocol):
    def add_review(self, values: Mapping[str, Any]) -> None: ...
    def review_exists(self, service_id: str) -> bool: ...
    def review(self, review_id: str) -> ReviewRow: ...
    def set_excluded(self, review_id: str, excluded: bool) -> None: ...
    def case_by_no(self, case_no: str) -> CaseRef | None: ...

    def add_rectification(self, values: Mapping[str, Any]) -> None: ...
    def rectification(self, rectification_id: str) -> RectificationRow:
        """LookupError if there is no such task."""
        ...

    def update_rectification(self, rectification_id: str, values: Mapping[str, Any]) -> None: ...
    def rectifications(self, *, open_only: bool = True) -> list[RectificationRow]:
        """Tasks by deadline (earliest first); only those not finished when ``open_only``."""
        ...

    def add_callback(self, values: Mapping[str, Any]) -> None: ...
    def callbacks(self, rectification_id: str) -> list[CallbackRow]: ...
    def count_rectifications(self) -> int: ...
