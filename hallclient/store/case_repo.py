"""The case repository: cases, their materials and archived documents (plus inquiries and reviews,
which share the case tables' session). SQL lives here and nowhere else; values out are frozen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hallclient.services.ports import CaseRecord, CaseRow, DocumentRow
from hallclient.store import models as m


class SqlCaseRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_case(self, values: Mapping[str, Any], materials: Sequence[Mapping[str, Any]]) -> None:
        self.s.add(m.Case(**values))
        self.s.flush()
        for pos, mat in enumerate(materials):
            self.s.add(m.CaseMaterial(case_id=values["id"], position=pos, **mat))
        self.s.flush()

    def set_status(self, case_id: str, status: str, at: dt.datetime, **values: Any) -> None:
        self.s.execute(
            update(m.Case).where(m.Case.id == case_id).values(status=status, updated_at=at, **values)
        )

    def cases_for_window(self, window_id: int, since: dt.datetime) -> list[CaseRow]:
        rows = self.s.execute(
            select(m.Case, m.Window.number, m.Clerk.name)
            .join(m.Window, m.Window.id == m.Case.window_id)
            .join(m.Clerk, m.Clerk.id == m.Case.clerk_id)
            .where(m.Case.window_id == window_id, m.Case.received_at >= since)
            .order_by(m.Case.received_at.desc())
        ).all()
        return [
            CaseRow(
                c.id,
                c.case_no,
                c.status,
                c.item_code,
                c.item_name,
                c.applicant_name,
                c.applicant_id_masked,
                c.received_at,
                c.deadline_date,
                wno,
                cname,
            )
            for c, wno, cname in rows
        ]

    def add_document(
        self,
        doc_id: str,
        kind: str,
        doc_no: str,
        pdf: bytes,
        sha256: str,
        at: dt.datetime,
        case_id: str | None = None,
        inquiry_id: str | None = None,
    ) -> None:
        self.s.add(
            m.Document(
                id=doc_id,
                kind=kind,
                doc_no=doc_no,
                pdf=pdf,
                sha256=sha256,
                created_at=at,
                case_id=case_id,
                inquiry_id=inquiry_id,
            )
        )
        self.s.flush()

    def document_pdf(self, doc_id: str) -> bytes:
        return self.s.get_one(m.Document, doc_id).pdf

    def document_exists(self, doc_no: str) -> bool:
        return self.s.scalar(select(m.Document.id).where(m.Document.doc_no == doc_no)) is not None

    def documents(self, case_id: str | None = None) -> list[DocumentRow]:
        stmt = select(m.Document).order_by(m.Document.created_at, m.Document.doc_no)
        if case_id is not None:
            stmt = stmt.where(m.Document.case_id == case_id)
        rows = self.s.scalars(stmt)
        return [DocumentRow(d.id, d.kind, d.doc_no, d.sha256, d.created_at, d.case_id) for d in rows]

    _COUNTS: Mapping[str, Any] = {
        "tickets": select(func.count()).select_from(m.Ticket),
        "tickets_called": select(func.count()).select_from(m.Ticket).where(m.Ticket.called_at.is_not(None)),
        "cases": select(func.count()).select_from(m.Case),
        "cases_accepted": select(func.count())
        .select_from(m.Case)
        .where(m.Case.status.in_(["accepted", "deferred"])),
        "notices": select(func.count()).select_from(m.Case).where(m.Case.status == "awaiting_supplement"),
        "documents": select(func.count()).select_from(m.Document),
        "inquiries": select(func.count()).select_from(m.Inquiry),
        "reviews": select(func.count()).select_from(m.Review),
        "bad_reviews": select(func.count()).select_from(m.Review).where(m.Review.level <= 2),
    }

    def count(self, what: str) -> int:
        return self.s.scalar(self._COUNTS[what]) or 0

    # -- the lifecycle (0003_cases) ---------------------------------------------------------------
    def case(self, case_id: str) -> CaseRecord:
        # Locked on PostgreSQL: two windows must not move the same case at once (SQLite's
        # BEGIN IMMEDIATE already serialises writers).
        c = self.s.get(m.Case, case_id, with_for_update=True, populate_existing=True)
        if c is None:
            raise LookupError(f"no case {case_id}")
        materials = self.s.execute(
            select(m.CaseMaterial.name, m.CaseMaterial.status, m.CaseMaterial.note)
            .where(m.CaseMaterial.case_id == case_id)
            .order_by(m.CaseMaterial.position)
        ).all()
        return CaseRecord(
            id=c.id,
            case_no=c.case_no,
            status=c.status,
            item_key=c.item_key or c.item_code,
            item_code=c.item_code,
            item_name=c.item_name,
            window_id=c.window_id,
            clerk_id=c.clerk_id,
            ticket_id=c.ticket_id,
            applicant_type=c.applicant_type,
            applicant_name=c.applicant_name,
            applicant_id_type=c.applicant_id_type,
            applicant_id_number=c.applicant_id_number,
            applicant_id_masked=c.applicant_id_masked,
            applicant_phone=c.applicant_phone,
            applicant_credit_code=c.applicant_credit_code,
            legal_representative=c.legal_representative,
            agent_name=c.agent_name,
            agent_id_number=c.agent_id_number,
            agent_id_masked=c.agent_id_masked,
            agent_phone=c.agent_phone,
            received_at=c.received_at,
            accepted_at=c.accepted_at,
            deadline_date=c.deadline_date,
            supplement_count=c.supplement_count,
            result=c.result,
            materials=tuple((name, status, note) for name, status, note in materials),
        )

    def case_id_by_no(self, case_no: str) -> str | None:
        return self.s.scalar(select(m.Case.id).where(m.Case.case_no == case_no))

    def update_materials(self, case_id: str, materials: Sequence[Mapping[str, Any]]) -> None:
        self.s.execute(delete(m.CaseMaterial).where(m.CaseMaterial.case_id == case_id))
        for pos, mat in enumerate(materials):
            self.s.add(m.CaseMaterial(case_id=case_id, position=pos, **mat))
        self.s.flush()

    def watched_cases(
        self, statuses: Sequence[str], window_id: int | None = None, due_before: dt.date | None = None
    ) -> list[CaseRow]:
        stmt = (
            select(m.Case, m.Window.number, m.Clerk.name)
            .join(m.Window, m.Window.id == m.Case.window_id)
            .join(m.Clerk, m.Clerk.id == m.Case.clerk_id)
            .where(m.Case.status.in_(list(statuses)))
        )
        if window_id is not None:
            stmt = stmt.where(m.Case.window_id == window_id)
        if due_before is not None:
            stmt = stmt.where(m.Case.deadline_date.is_not(None), m.Case.deadline_date < due_before)
        rows = self.s.execute(stmt.order_by(m.Case.deadline_date, m.Case.received_at)).all()
        return [_case_row(c, wno, cname) for c, wno, cname in rows]


def _case_row(c: m.Case, window_no: str, clerk_name: str) -> CaseRow:
    return CaseRow(
        c.id,
        c.case_no,
        c.status,
        c.item_code,
        c.item_name,
        c.applicant_name,
        c.applicant_id_masked,
        c.received_at,
        c.deadline_date,
        window_no,
        clerk_name,
    )
