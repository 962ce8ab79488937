"""Repositories: SQL lives here and nowhere else. They return frozen domain values, never ORM rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hallclient.domain.catalogue import Item
from hallclient.domain.outbox import OutboxCounts, OutboxRecord, OutboxStatus, PendingRecord, RecordKind
from hallclient.domain.queue import Business, Ticket, TicketStatus
from hallclient.services.ports import CaseRow, ClerkRecord, DocumentRow, HallInfo, WindowInfo
from hallclient.store import models as m
from hallclient.store.catalogue_rows import item_from_row, item_to_rows


class SqlStaffRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def hall(self) -> HallInfo:
        row = self.s.scalars(select(m.Hall).limit(1)).first()
        if row is None:
            raise LookupError("hall not configured")
        return HallInfo(row.code, row.name, row.address, row.phone, row.timezone)

    def save_hall(self, hall: HallInfo) -> None:
        row = self.s.scalars(select(m.Hall).limit(1)).first() or m.Hall()
        row.code, row.name, row.address, row.phone, row.timezone = (
            hall.code,
            hall.name,
            hall.address,
            hall.phone,
            hall.timezone,
        )
        self.s.add(row)
        self.s.flush()

    @staticmethod
    def _clerk(row: m.Clerk) -> ClerkRecord:
        return ClerkRecord(
            row.id,
            row.staff_no,
            row.name,
            row.role,
            row.password_hash,
            row.failed_attempts,
            row.locked_until,
            row.active,
            row.phone,
        )

    def clerk_by_staff_no(self, staff_no: str) -> ClerkRecord | None:
        row = self.s.scalars(select(m.Clerk).where(m.Clerk.staff_no == staff_no)).first()
        return self._clerk(row) if row else None

    def clerk(self, clerk_id: int) -> ClerkRecord:
        return self._clerk(self.s.get_one(m.Clerk, clerk_id))

    def add_clerk(self, staff_no: str, name: str, role: str, password_hash: str, phone: str = "") -> int:
        row = m.Clerk(staff_no=staff_no, name=name, role=role, password_hash=password_hash, phone=phone)
        self.s.add(row)
        self.s.flush()
        return row.id

    def record_login_result(self, clerk_id: int, failures: int, locked_until: dt.datetime | None) -> None:
        self.s.execute(
            update(m.Clerk)
            .where(m.Clerk.id == clerk_id)
            .values(failed_attempts=failures, locked_until=locked_until)
        )

    def _window(self, row: m.Window) -> WindowInfo:
        ids = self.s.scalars(
            select(m.WindowBusiness.business_id)
            .where(m.WindowBusiness.window_id == row.id)
            .order_by(m.WindowBusiness.priority.desc(), m.WindowBusiness.business_id)
        ).all()
        return WindowInfo(
            row.id, row.number, row.name, tuple(ids), row.signed_in_clerk_id, row.signed_in_host
        )

    def windows(self) -> list[WindowInfo]:
        return [self._window(r) for r in self.s.scalars(select(m.Window).order_by(m.Window.id))]

    def window_by_number(self, number: str) -> WindowInfo | None:
        row = self.s.scalars(select(m.Window).where(m.Window.number == number)).first()
        return self._window(row) if row else None

    def add_window(self, number: str, name: str, business_ids: Sequence[int]) -> int:
        row = m.Window(number=number, name=name)
        self.s.add(row)
        self.s.flush()
        for prio, bid in enumerate(reversed(business_ids)):
            self.s.add(m.WindowBusiness(window_id=row.id, business_id=bid, priority=prio))
        self.s.flush()
        return row.id

    def sign_in(self, window_id: int, clerk_id: int | None, host: str, at: dt.datetime) -> None:
        self.s.execute(
            update(m.Window)
            .where(m.Window.id == window_id)
            .values(signed_in_clerk_id=clerk_id, signed_in_host=host, signed_in_at=at)
        )


class SqlQueueRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def businesses(self) -> list[Business]:
        rows = self.s.scalars(select(m.Business).where(m.Business.active).order_by(m.Business.prefix))
        return [Business(r.id, r.code, r.name, r.prefix) for r in rows]

    def business_by_code(self, code: str) -> Business | None:
        r = self.s.scalars(select(m.Business).where(m.Business.code == code)).first()
        return Business(r.id, r.code, r.name, r.prefix) if r else None

    def add_business(self, code: str, name: str, prefix: str) -> int:
        row = m.Business(code=code, name=name, prefix=prefix)
        self.s.add(row)
        self.s.flush()
        return row.id

    def next_counter(self, name: str, business_date: dt.date) -> int:
        dialect = self.s.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            # Make sure the row exists, then lock it and read-modify-write under the lock.
            self.s.execute(
                pg_insert(m.Counter)
                .values(name=name, business_date=business_date, value=0)
                .on_conflict_do_nothing(index_elements=[m.Counter.name])
            )
            row = self.s.scalars(
                select(m.Counter)
                .where(m.Counter.name == name)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).one()
        else:
            # SQLite: the unit of work runs under BEGIN IMMEDIATE, so this read-modify-write is serialised.
            row = self.s.get(m.Counter, name)
            if row is None:
                row = m.Counter(name=name, business_date=business_date, value=0)
                self.s.add(row)
        if row.business_date != business_date:
            row.business_date, row.value = business_date, 0
        row.value += 1
        self.s.flush()
        return row.value

    def add_ticket(
        self, ticket_id: str, business_id: int, business_date: dt.date, seq: int, number: str, at: dt.datetime
    ) -> None:
        self.s.add(
            m.Ticket(
                id=ticket_id,
                business_id=business_id,
                business_date=business_date,
                seq=seq,
                number=number,
                status=TicketStatus.WAITING,
                issued_at=at,
            )
        )
        self.s.flush()

    def claim_next(self, window_id: int, business_ids: Sequence[int], business_date: dt.date) -> str | None:
        if not business_ids:
            return None
        prio = (
            select(m.WindowBusiness.priority)
            .where(
                m.WindowBusiness.window_id == window_id, m.WindowBusiness.business_id == m.Ticket.business_id
            )
            .scalar_subquery()
        )
        stmt = (
            select(m.Ticket.id)
            .where(
                m.Ticket.status == TicketStatus.WAITING,
                m.Ticket.business_date == business_date,
                m.Ticket.business_id.in_(business_ids),
            )
            .order_by(prio.desc(), m.Ticket.issued_at, m.Ticket.seq)
            .limit(1)
        )
        if self.s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=m.Ticket)
        ticket_id = self.s.scalars(stmt).first()
        if ticket_id is None:
            return None
        # The status guard makes the claim safe even if a back end ignored the row lock.
        res = self.s.execute(
            update(m.Ticket)
            .where(m.Ticket.id == ticket_id, m.Ticket.status == TicketStatus.WAITING)
            .values(status=TicketStatus.CALLED, window_id=window_id)
        )
        return ticket_id if res.rowcount == 1 else None

    def set_status(
        self,
        ticket_id: str,
        status: TicketStatus,
        at: dt.datetime,
        window_id: int | None = None,
        clerk_id: int | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status}
        if status is TicketStatus.CALLED:
            values["called_at"] = at
        if status is TicketStatus.FINISHED:
            values["finished_at"] = at
        if window_id is not None:
            values["window_id"] = window_id
        if clerk_id is not None:
            values["clerk_id"] = clerk_id
        self.s.execute(update(m.Ticket).where(m.Ticket.id == ticket_id).values(**values))

    def _ticket(self, t: m.Ticket) -> Ticket:
        b = self.s.get_one(m.Business, t.business_id)
        w = self.s.get(m.Window, t.window_id) if t.window_id else None
        return Ticket(
            t.id,
            t.number,
            b.code,
            b.name,
            t.business_date,
            TicketStatus(t.status),
            t.issued_at,
            w.number if w else None,
            t.called_at,
            t.finished_at,
        )

    def ticket(self, ticket_id: str) -> Ticket:
        return self._ticket(self.s.get_one(m.Ticket, ticket_id))

    def current_ticket(self, window_id: int) -> Ticket | None:
        t = self.s.scalars(
            select(m.Ticket)
            .where(m.Ticket.window_id == window_id, m.Ticket.status == TicketStatus.CALLED)
            .order_by(m.Ticket.called_at.desc())
        ).first()
        return self._ticket(t) if t else None

    def waiting_count(self, business_ids: Sequence[int], business_date: dt.date) -> int:
        return (
            self.s.scalar(
                select(func.count())
                .select_from(m.Ticket)
                .where(
                    m.Ticket.status == TicketStatus.WAITING,
                    m.Ticket.business_date == business_date,
                    m.Ticket.business_id.in_(business_ids),
                )
            )
            or 0
        )

    def add_event(
        self,
        ticket_id: str | None,
        window_id: int | None,
        clerk_id: int | None,
        action: str,
        at: dt.datetime,
        detail: str = "",
    ) -> None:
        self.s.add(
            m.CallEvent(
                ticket_id=ticket_id,
                window_id=window_id,
                clerk_id=clerk_id,
                action=action,
                at=at,
                detail=detail,
            )
        )


class SqlCatalogueRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def items(self) -> list[Item]:
        return [
            item_from_row(r.data)
            for r in self.s.scalars(select(m.CatalogueItem).order_by(m.CatalogueItem.id))
        ]

    def replace_all(self, items: Sequence[Item]) -> int:
        self.s.query(m.CatalogueMaterial).delete()
        self.s.query(m.CatalogueItem).delete()
        for item in items:
            row, materials = item_to_rows(item)
            self.s.add(row)
            self.s.flush()
            for mat in materials:
                mat.item_id = row.id
                self.s.add(mat)
        self.s.flush()
        return len(items)


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

    def case_status(self, case_id: str) -> str:
        return self.s.get_one(m.Case, case_id).status

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

    def documents(self, case_id: str | None = None) -> list[DocumentRow]:
        stmt = select(m.Document).order_by(m.Document.created_at, m.Document.doc_no)
        if case_id is not None:
            stmt = stmt.where(m.Document.case_id == case_id)
        rows = self.s.scalars(stmt)
        return [DocumentRow(d.id, d.kind, d.doc_no, d.sha256, d.created_at, d.case_id) for d in rows]

    def add_inquiry(self, values: Mapping[str, Any]) -> None:
        self.s.add(m.Inquiry(**values))
        self.s.flush()

    def add_review(self, values: Mapping[str, Any]) -> None:
        self.s.add(m.Review(**values))
        self.s.flush()

    def review_exists(self, service_id: str) -> bool:
        return (
            self.s.scalar(select(func.count()).select_from(m.Review).where(m.Review.service_id == service_id))
            > 0
        )

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


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, record: OutboxRecord) -> None:
        self.s.add(
            m.Outbox(
                record_id=record.record_id,
                kind=record.kind,
                operation=record.operation,
                version=record.version,
                ordering_key=record.ordering_key,
                payload=dict(record.payload),
                created_at=record.created_at,
                status=OutboxStatus.PENDING,
            )
        )
        self.s.flush()

    def pending(self, limit: int, now: dt.datetime) -> list[PendingRecord]:
        rows = self.s.scalars(
            select(m.Outbox)
            .where(m.Outbox.status == OutboxStatus.PENDING)
            .order_by(m.Outbox.seq)
            .limit(limit * 4)
        ).all()
        blocked: set[str] = set()
        out: list[PendingRecord] = []
        for r in rows:
            if r.ordering_key in blocked:
                continue
            if r.next_attempt_at is not None and r.next_attempt_at > now:
                blocked.add(r.ordering_key)  # keep per-case order: nothing overtakes a waiting record
                continue
            out.append(
                PendingRecord(
                    r.seq,
                    OutboxRecord(
                        RecordKind(r.kind),
                        r.ordering_key,
                        r.payload,
                        r.created_at,
                        r.operation,
                        r.version,
                        r.record_id,
                    ),
                    r.attempts,
                )
            )
            if len(out) >= limit:
                break
        return out

    def mark_sent(self, record_ids: Sequence[str], at: dt.datetime) -> None:
        if record_ids:
            self.s.execute(
                update(m.Outbox)
                .where(m.Outbox.record_id.in_(record_ids))
                .values(status=OutboxStatus.SENT, sent_at=at, last_error="")
            )

    def mark_rejected(self, record_id: str, reason: str, at: dt.datetime) -> None:
        self.s.execute(
            update(m.Outbox)
            .where(m.Outbox.record_id == record_id)
            .values(status=OutboxStatus.REJECTED, last_error=reason, attempts=m.Outbox.attempts + 1)
        )

    def mark_failed(self, record_ids: Sequence[str], error: str, retry_at: dt.datetime) -> None:
        if record_ids:
            self.s.execute(
                update(m.Outbox)
                .where(m.Outbox.record_id.in_(record_ids))
                .values(last_error=error, next_attempt_at=retry_at, attempts=m.Outbox.attempts + 1)
            )

    def retry_rejected(self, record_ids: Sequence[str] | None = None) -> int:
        stmt = update(m.Outbox).where(m.Outbox.status == OutboxStatus.REJECTED)
        if record_ids is not None:
            stmt = stmt.where(m.Outbox.record_id.in_(record_ids))
        return self.s.execute(stmt.values(status=OutboxStatus.PENDING, next_attempt_at=None)).rowcount

    def counts(self) -> OutboxCounts:
        by_status = dict(
            self.s.execute(select(m.Outbox.status, func.count()).group_by(m.Outbox.status)).all()
        )
        oldest = self.s.scalar(
            select(func.min(m.Outbox.created_at)).where(m.Outbox.status == OutboxStatus.PENDING)
        )
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        return OutboxCounts(
            by_status.get(OutboxStatus.PENDING, 0),
            by_status.get(OutboxStatus.SENT, 0),
            by_status.get(OutboxStatus.REJECTED, 0),
            oldest,
        )


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        at: dt.datetime,
        clerk_id: int | None,
        window_id: int | None,
        action: str,
        target: str = "",
        detail: str = "",
        reason: str = "",
    ) -> None:
        self.s.add(
            m.AuditLog(
                at=at,
                clerk_id=clerk_id,
                window_id=window_id,
                action=action,
                target=target,
                detail=detail,
                reason=reason,
            )
        )
