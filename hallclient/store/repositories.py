"""Repositories: SQL lives here and nowhere else. They return frozen domain values, never ORM rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from hallclient.domain.catalogue import Item
from hallclient.domain.outbox import (
    HOLDING_STATUSES,
    OutboxCounts,
    OutboxRecord,
    OutboxStatus,
    PendingRecord,
    RecordKind,
)
from hallclient.services.ports import ClerkRecord, HallInfo, WindowInfo
from hallclient.store import models as m
from hallclient.store.case_repo import SqlCaseRepository as SqlCaseRepository
from hallclient.store.catalogue_rows import item_from_row, item_to_rows

# The queue's repository lives in queue_repo.py; re-exported here for code that imported it from here.
from hallclient.store.queue_repo import SqlQueueRepository as SqlQueueRepository


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

    def set_password(self, clerk_id: int, password_hash: str) -> None:
        self.s.execute(update(m.Clerk).where(m.Clerk.id == clerk_id).values(password_hash=password_hash))

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
        # Per ordering key nothing overtakes an earlier record that waits for its retry time, is
        # parked (rejected) or went to another machine in a transfer file (exported).
        earlier = aliased(m.Outbox)
        held = (
            select(earlier.seq)
            .where(
                earlier.ordering_key == m.Outbox.ordering_key,
                earlier.seq < m.Outbox.seq,
                or_(
                    earlier.status.in_(HOLDING_STATUSES),
                    and_(earlier.status == OutboxStatus.PENDING, earlier.next_attempt_at > now),
                ),
            )
            .exists()
        )
        rows = self.s.scalars(
            select(m.Outbox)
            .where(
                m.Outbox.status == OutboxStatus.PENDING,
                or_(m.Outbox.next_attempt_at.is_(None), m.Outbox.next_attempt_at <= now),
                ~held,
            )
            .order_by(m.Outbox.seq)
            .limit(limit)
        ).all()
        return [PendingRecord(r.seq, self._record(r), r.attempts) for r in rows]

    @staticmethod
    def _record(r: m.Outbox) -> OutboxRecord:
        return OutboxRecord(
            RecordKind(r.kind), r.ordering_key, r.payload, r.created_at, r.operation, r.version, r.record_id
        )

    def exportable(self) -> list[OutboxRecord]:
        earlier = aliased(m.Outbox)
        held = (
            select(earlier.seq)
            .where(
                earlier.ordering_key == m.Outbox.ordering_key,
                earlier.seq < m.Outbox.seq,
                earlier.status.in_(HOLDING_STATUSES),
            )
            .exists()
        )
        rows = self.s.scalars(
            select(m.Outbox).where(m.Outbox.status == OutboxStatus.PENDING, ~held).order_by(m.Outbox.seq)
        ).all()
        return [self._record(r) for r in rows]

    def mark_exported(self, record_ids: Sequence[str]) -> int:
        changed = 0
        for chunk in _chunks(record_ids):
            changed += self.s.execute(
                update(m.Outbox)
                .where(m.Outbox.record_id.in_(chunk), m.Outbox.status == OutboxStatus.PENDING)
                .values(status=OutboxStatus.EXPORTED, next_attempt_at=None)
            ).rowcount
        return changed

    def release_exported(self, record_ids: Sequence[str] | None = None) -> int:
        stmt = update(m.Outbox).where(m.Outbox.status == OutboxStatus.EXPORTED)
        if record_ids is None:
            return self.s.execute(stmt.values(status=OutboxStatus.PENDING)).rowcount
        return sum(
            self.s.execute(
                stmt.where(m.Outbox.record_id.in_(chunk)).values(status=OutboxStatus.PENDING)
            ).rowcount
            for chunk in _chunks(record_ids)
        )

    def import_records(self, records: Sequence[OutboxRecord]) -> int:
        ids = [r.record_id for r in records]
        known: set[str] = set()
        for chunk in _chunks(ids):
            known.update(self.s.scalars(select(m.Outbox.record_id).where(m.Outbox.record_id.in_(chunk))))
        added = 0
        for record in records:
            if record.record_id in known:
                continue
            known.add(record.record_id)
            self.add(record)
            added += 1
        return added

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
            by_status.get(OutboxStatus.EXPORTED, 0),
        )


def _chunks(ids: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    """Bounded IN lists: SQLite caps the number of bound parameters of one statement."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


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
