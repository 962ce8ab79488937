"""Plain data that a window document is rendered from.

Callers build these values from their own records; printing never looks anything up. Personal
data arrives already masked (privacy.md §2: printouts show the ID number as first 6 + last 4,
and a masked phone); the checks below only catch a caller that forgot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

__all__ = ["DocumentData", "DocumentKind", "HallInfo", "MaterialLine"]

# Second-generation (18) and first-generation (15) resident ID numbers, possibly with spaces.
_FULL_ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}")
# A mainland mobile number in clear; landlines are the hall's own and are never personal here.
_FULL_MOBILE_NUMBER = re.compile(r"(?:\+?86)?1[3-9]\d{9}")


class DocumentKind(StrEnum):
    """The documents a window issues (procedures.md §2); values are the keys of templates.json."""

    ONE_TIME_NOTICE = "one_time_notice"  # 一次性告知书 / 补正材料通知书
    ACCEPTANCE_NOTICE = "acceptance_notice"  # 受理通知书
    DEFERRED_ACCEPTANCE_NOTICE = "deferred_acceptance_notice"  # 容缺受理通知书 + 承诺书
    REJECTION = "rejection"  # 不予受理决定书
    RECEIPT = "receipt"  # 收件凭证
    INQUIRY_RECEIPT = "inquiry_receipt"  # 首问登记回执


@dataclass(frozen=True, slots=True)
class HallInfo:
    name: str
    address: str
    phone: str


@dataclass(frozen=True, slots=True)
class MaterialLine:
    """One row of a material list.

    ``problem`` is "缺失", "不符合法定形式", "需补充" … for notices and "" for received lines;
    ``requirement`` says form and count, e.g. "原件1份，复印件1份".
    """

    name: str
    problem: str
    requirement: str
    source: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class DocumentData:
    """Everything one document shows.

    ``deadline_days``/``deadline_date`` mean what the kind needs: the 补正 period of a one-time
    notice, the processing limit of an acceptance, the 补齐 date of a deferred acceptance, the
    decision date on a receipt, the reply date of an inquiry. A template line that refers to an
    absent value (None or "") is left out, so kinds without a deadline simply pass None.
    """

    kind: DocumentKind
    doc_no: str
    hall: HallInfo
    item_name: str
    item_code: str
    applicant_name: str
    applicant_id_masked: str
    applicant_phone_masked: str
    received_at: datetime
    issued_on: date
    materials: tuple[MaterialLine, ...]
    legal_basis: tuple[str, ...]
    deadline_days: int | None
    deadline_date: date | None
    promised_days: int | None
    window_no: str
    clerk_name: str
    clerk_staff_no: str
    case_no: str
    query_code: str
    reason: str = ""
    watermark: str | None = None
    copies: int = 1
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The body whose seal the document bears (e.g. a bureau's 行政审批专用章); the hall by default.
    issuer: str = ""

    def __post_init__(self) -> None:
        # Tuples and a read-only copy of ``extra`` keep the value safe to hand to another thread.
        object.__setattr__(self, "kind", DocumentKind(self.kind))
        object.__setattr__(self, "materials", tuple(self.materials))
        object.__setattr__(self, "legal_basis", tuple(self.legal_basis))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        if _looks_like_full_id_number(self.applicant_id_masked):
            raise ValueError(
                "applicant_id_masked holds a full ID number; printouts take the masked form "
                "(first 6 + last 4, privacy.md §2)"
            )
        if _FULL_MOBILE_NUMBER.fullmatch(_compact(self.applicant_phone_masked)):
            raise ValueError("applicant_phone_masked holds a full mobile number; mask it first")
        if self.copies < 1:
            raise ValueError(f"copies must be at least 1, got {self.copies}")
        if self.deadline_days is not None and self.deadline_days < 0:
            raise ValueError(f"deadline_days must not be negative, got {self.deadline_days}")
        if self.kind is DocumentKind.REJECTION and not self.reason.strip():
            # A refusal without reasons is unlawful (procedures.md §1); fail before paper is wasted.
            raise ValueError("a rejection needs its reason")

    @property
    def issuer_name(self) -> str:
        return self.issuer or self.hall.name


def _compact(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def _looks_like_full_id_number(text: str) -> bool:
    return _FULL_ID_NUMBER.fullmatch(_compact(text)) is not None
