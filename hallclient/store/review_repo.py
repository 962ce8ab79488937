"""Repositories of first inquiries, reviews and rectifications. They return frozen rows, never ORM objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hallclient.domain.inquiries import InquiryAction, InquiryStatus
from hallclient.domain.rectifications import OPEN
from hallclient.services.review_ports import CallbackRow, CaseRef, InquiryRow, RectificationRow, ReviewRow
from hallclient.store import models as m


class _Names:
    """Window numbers and clerk names by id, looked up once per repository call."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._windows: dict[int, str] = {}
        self._clerks: dict[int, tuple[str, str]] = {}

    def window(self, window_id: int | None) -> str:
        if window_id is None:
            return ""
        if window_id not in self._windows:
            row = self.s.get(m.Window, window_id)
            self._windows[window_id] = row.number if row else ""
        return self._windows[window_id]

    def clerk(self, clerk_id: int | None) -> tuple[str, str]:
        """(name, staff number)."""
        if clerk_id is None:
            return "", ""
        if clerk_id not in self._clerks:
            row = self.s.get(m.Clerk, clerk_id)
            self._clerks[clerk_id] = (row.name, row.staff_no) if row else ("", "")
        return self._clerks[clerk_id]


class SqlInquiryRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, values: Mapping[str, Any]) -> None:
        self.s.add(m.Inquiry(**values))
        self.s.flush()

    def get(self, inquiry_id: str) -> InquiryRow:
        row = self.s.get(m.Inquiry, inquiry_id, populate_existing=True)
        if row is None:
            raise LookupError(inquiry_id)
        return _inquiry(row, _Names(self.s))

    def update(self, inquiry_id: str, values: Mapping[str, Any]) -> None:
        self.s.execute(update(m.Inquiry).where(m.Inquiry.id == inquiry_id).values(**values))

    def _rows(self, *where: Any) -> list[InquiryRow]:
        names = _Names(self.s)
        rows = self.s.scalars(
            select(m.Inquiry)
            .where(*where)
            .order_by(m.Inquiry.due_at.is_(None), m.Inquiry.due_at, m.Inquiry.created_at)
        )
        return [_inquiry(r, names) for r in rows]

    def referred_to(self, window_id: int, clerk_id: int) -> list[InquiryRow]:
        return self._rows(
            or_(m.Inquiry.referred_window_id == window_id, m.Inquiry.referred_clerk_id == clerk_id),
            m.Inquiry.status.in_([InquiryStatus.AWAITING_REPLY, InquiryStatus.ACCEPTED]),
        )

    def raised_by(self, clerk_id: int) -> list[InquiryRow]:
        return self._rows(m.Inquiry.clerk_id == clerk_id, m.Inquiry.status != InquiryStatus.CLOSED)

    def open_inquiries(self) -> list[InquiryRow]:
        return self._rows(m.Inquiry.status != InquiryStatus.CLOSED)

    def referral_counts(self) -> tuple[int, int]:
        referred = m.Inquiry.action == InquiryAction.REFERRED
        total = self.s.scalar(select(func.count()).select_from(m.Inquiry).where(referred)) or 0
        answered = (
            self.s.scalar(
                select(func.count()).select_from(m.Inquiry).where(referred, m.Inquiry.replied_at.is_not(None))
            )
            or 0
        )
        return total, answered


def _inquiry(r: m.Inquiry, names: _Names) -> InquiryRow:
    clerk_name, staff_no = names.clerk(r.clerk_id)
    return InquiryRow(
        id=r.id,
        register_no=r.register_no or "",
        created_at=r.created_at,
        channel=r.channel,
        question=r.question,
        item_code=r.item_code,
        classification=r.classification,
        action=r.action,
        status=r.status,
        answer=r.answer,
        reply=r.reply,
        applicant_name=r.applicant_name,
        applicant_id_masked=r.applicant_id_masked,
        phone=r.phone,
        clerk_id=r.clerk_id,
        clerk_name=clerk_name,
        clerk_staff_no=staff_no,
        window_id=r.window_id,
        window_no=names.window(r.window_id),
        referred_window_id=r.referred_window_id,
        referred_window_no=names.window(r.referred_window_id),
        referred_clerk_id=r.referred_clerk_id,
        referred_clerk_name=names.clerk(r.referred_clerk_id)[0],
        due_at=r.due_at,
        accepted_at=r.accepted_at,
        accepted_by_name=names.clerk(r.accepted_by_id)[0],
        replied_at=r.replied_at,
        replied_by_name=names.clerk(r.replied_by_id)[0],
        closed_at=r.closed_at,
        version=r.version,
    )


class SqlReviewRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- reviews ------------------------------------------------------------------------------------
    def add_review(self, values: Mapping[str, Any]) -> None:
        self.s.add(m.Review(**values))
        self.s.flush()

    def review_exists(self, service_id: str) -> bool:
        n = self.s.scalar(select(func.count()).select_from(m.Review).where(m.Review.service_id == service_id))
        return bool(n)

    def review(self, review_id: str) -> ReviewRow:
        return self._review(self.s.get_one(m.Review, review_id, populate_existing=True), _Names(self.s))

    def _review(self, r: m.Review, names: _Names) -> ReviewRow:
        clerk_name, staff_no = names.clerk(r.clerk_id)
        case_no = self.s.scalar(select(m.Case.case_no).where(m.Case.id == r.case_id)) if r.case_id else None
        return ReviewRow(
            id=r.id,
            service_id=r.service_id,
            case_id=r.case_id,
            case_no=case_no or "",
            window_id=r.window_id,
            window_no=names.window(r.window_id),
            clerk_id=r.clerk_id,
            clerk_name=clerk_name,
            clerk_staff_no=staff_no,
            level=r.level,
            reasons=tuple(r.reasons or ()),
            comment=r.comment,
            channel=r.channel,
            evaluated_at=r.evaluated_at,
            excluded=r.excluded,
        )

    def set_excluded(self, review_id: str, excluded: bool) -> None:
        self.s.execute(update(m.Review).where(m.Review.id == review_id).values(excluded=excluded))

    def case_by_no(self, case_no: str) -> CaseRef | None:
        row = self.s.scalars(select(m.Case).where(m.Case.case_no == case_no)).first()
        return CaseRef(row.id, row.window_id, row.clerk_id, row.received_at) if row else None

    # -- rectifications -------------------------------------------------------------------------------
    def add_rectification(self, values: Mapping[str, Any]) -> None:
        self.s.add(m.Rectification(**values))
        self.s.flush()

    def rectification(self, rectification_id: str) -> RectificationRow:
        row = self.s.get(m.Rectification, rectification_id, populate_existing=True)
        if row is None:
            raise LookupError(rectification_id)
        return self._rectification(row, _Names(self.s))

    def update_rectification(self, rectification_id: str, values: Mapping[str, Any]) -> None:
        self.s.execute(update(m.Rectification).where(m.Rectification.id == rectification_id).values(**values))

    def rectifications(self, *, open_only: bool = True) -> list[RectificationRow]:
        stmt = select(m.Rectification).order_by(m.Rectification.deadline_date, m.Rectification.opened_at)
        if open_only:
            stmt = stmt.where(m.Rectification.status.in_([str(s) for s in OPEN]))
        names = _Names(self.s)
        return [self._rectification(r, names) for r in self.s.scalars(stmt)]

    def _rectification(self, r: m.Rectification, names: _Names) -> RectificationRow:
        callbacks = self.s.scalar(
            select(func.count())
            .select_from(m.RectificationCallback)
            .where(m.RectificationCallback.rectification_id == r.id)
        )
        return RectificationRow(
            id=r.id,
            review_id=r.review_id,
            ordering_key=r.ordering_key,
            status=r.status,
            opened_at=r.opened_at,
            deadline_date=r.deadline_date,
            updated_at=r.updated_at,
            closed_at=r.closed_at,
            finding=r.finding,
            measures=r.measures,
            decision_note=r.decision_note,
            appeal_reason=r.appeal_reason,
            version=r.version,
            review=self._review(self.s.get_one(m.Review, r.review_id), names),
            callbacks=callbacks or 0,
        )

    def add_callback(self, values: Mapping[str, Any]) -> None:
        self.s.add(m.RectificationCallback(**values))
        self.s.flush()

    def callbacks(self, rectification_id: str) -> list[CallbackRow]:
        names = _Names(self.s)
        rows = self.s.scalars(
            select(m.RectificationCallback)
            .where(m.RectificationCallback.rectification_id == rectification_id)
            .order_by(m.RectificationCallback.called_at)
        )
        return [
            CallbackRow(
                c.id,
                c.rectification_id,
                names.clerk(c.clerk_id)[0],
                c.called_at,
                c.channel,
                c.result,
                c.satisfaction,
                c.note,
            )
            for c in rows
        ]

    def count_rectifications(self) -> int:
        return self.s.scalar(select(func.count()).select_from(m.Rectification)) or 0
