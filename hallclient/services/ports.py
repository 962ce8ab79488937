"""Ports: what the use cases need from the outside world, as Protocols.

The store (SQLAlchemy), the sync client (requests), the document renderer (printing/) and the
clock implement these; tests can pass fakes. Only immutable values cross these boundaries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from hallclient.domain.catalogue import Item
from hallclient.domain.outbox import OutboxCounts, OutboxRecord, PendingRecord
from hallclient.services.queue_ports import QueueRepository
from hallclient.services.review_ports import InquiryRepository, ReviewRepository


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """An aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


# ---- values the store returns -------------------------------------------------------------------


@dataclass(frozen=True)
class HallInfo:
    code: str
    name: str
    address: str
    phone: str
    timezone: str


@dataclass(frozen=True)
class WindowInfo:
    id: int
    number: str
    name: str
    business_ids: tuple[int, ...]
    signed_in_clerk_id: int | None = None
    signed_in_host: str = ""


@dataclass(frozen=True)
class ClerkRecord:
    id: int
    staff_no: str
    name: str
    role: str
    password_hash: str
    failed_attempts: int
    locked_until: dt.datetime | None
    active: bool
    phone: str = ""


@dataclass(frozen=True)
class CaseRow:
    id: str
    case_no: str
    status: str
    item_code: str
    item_name: str
    applicant_name: str
    applicant_id_masked: str
    received_at: dt.datetime
    deadline_date: dt.date | None
    window_no: str
    clerk_name: str


@dataclass(frozen=True)
class CaseRecord:
    """One case as the lifecycle use cases need it (supplement, conclude, terminate, withdraw, reprint)."""

    id: str
    case_no: str
    status: str
    item_key: str
    item_code: str
    item_name: str
    window_id: int
    clerk_id: int
    ticket_id: str | None
    applicant_type: str
    applicant_name: str
    applicant_id_type: str
    applicant_id_number: str
    applicant_id_masked: str
    applicant_phone: str
    applicant_credit_code: str
    legal_representative: str
    agent_name: str
    agent_id_number: str
    agent_id_masked: str
    agent_phone: str
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    deadline_date: dt.date | None
    supplement_count: int
    result: str
    materials: tuple[tuple[str, str, str], ...]  # (name, status, note) in checklist order


@dataclass(frozen=True)
class DocumentRow:
    id: str
    kind: str
    doc_no: str
    sha256: str
    created_at: dt.datetime
    case_id: str | None


# ---- repositories -----------------------------------------------------------------------------


class StaffRepository(Protocol):
    def hall(self) -> HallInfo: ...
    def save_hall(self, hall: HallInfo) -> None: ...
    def clerk_by_staff_no(self, staff_no: str) -> ClerkRecord | None: ...
    def clerk(self, clerk_id: int) -> ClerkRecord: ...
    def add_clerk(self, staff_no: str, name: str, role: str, password_hash: str, phone: str = "") -> int: ...
    def record_login_result(self, clerk_id: int, failures: int, locked_until: dt.datetime | None) -> None: ...
    def set_password(self, clerk_id: int, password_hash: str) -> None: ...
    def windows(self) -> list[WindowInfo]: ...
    def window_by_number(self, number: str) -> WindowInfo | None: ...
    def add_window(self, number: str, name: str, business_ids: Sequence[int]) -> int: ...
    def sign_in(self, window_id: int, clerk_id: int | None, host: str, at: dt.datetime) -> None: ...


class CatalogueRepository(Protocol):
    def items(self) -> list[Item]: ...
    def replace_all(self, items: Sequence[Item]) -> int: ...


class CaseRepository(Protocol):
    def add_case(self, values: Mapping[str, Any], materials: Sequence[Mapping[str, Any]]) -> None: ...
    def set_status(self, case_id: str, status: str, at: dt.datetime, **values: Any) -> None: ...
    def case(self, case_id: str) -> CaseRecord:
        """The case with its materials; LookupError when there is none (a person typed a bad id)."""
        ...

    def case_id_by_no(self, case_no: str) -> str | None: ...
    def update_materials(self, case_id: str, materials: Sequence[Mapping[str, Any]]) -> None:
        """Replace the checklist of a case (a supplement changes statuses and notes)."""
        ...

    def cases_for_window(self, window_id: int, since: dt.datetime) -> list[CaseRow]: ...
    def watched_cases(
        self, statuses: Sequence[str], window_id: int | None = None, due_before: dt.date | None = None
    ) -> list[CaseRow]:
        """Cases in these states (one window's, or all), earliest deadline first; with ``due_before``
        only those whose deadline is before that date (overdue)."""
        ...

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
    ) -> None: ...
    def document_pdf(self, doc_id: str) -> bytes: ...
    def document_exists(self, doc_no: str) -> bool: ...
    def documents(self, case_id: str | None = None) -> list[DocumentRow]:
        """One case's documents, or all when case_id is None; oldest first."""
        ...

    def count(self, what: str) -> int:
        """Counts for summaries: 'tickets', 'cases', 'inquiries', 'reviews', 'bad_reviews', ..."""
        ...


class OutboxRepository(Protocol):
    def add(self, record: OutboxRecord) -> None: ...
    def pending(self, limit: int, now: dt.datetime) -> list[PendingRecord]:
        """Oldest first; per ordering key, nothing after a record that is not yet due, rejected or exported."""
        ...

    def mark_sent(self, record_ids: Sequence[str], at: dt.datetime) -> None: ...
    def mark_rejected(self, record_id: str, reason: str, at: dt.datetime) -> None: ...
    def mark_failed(self, record_ids: Sequence[str], error: str, retry_at: dt.datetime) -> None: ...
    def retry_rejected(self, record_ids: Sequence[str] | None = None) -> int: ...
    def counts(self) -> OutboxCounts: ...
    def exportable(self) -> list[OutboxRecord]:
        """Pending records not held back by a rejected or exported record of their key, oldest first."""
        ...

    def mark_exported(self, record_ids: Sequence[str]) -> int:
        """Pending → exported (records no longer pending are left alone); the number changed."""
        ...

    def release_exported(self, record_ids: Sequence[str] | None = None) -> int:
        """Exported → pending, to be pushed from here again (the platform answers duplicate if it has them)."""
        ...

    def import_records(self, records: Sequence[OutboxRecord]) -> int:
        """Add, in the order given, the records whose ids the outbox does not hold yet; the number added."""
        ...


class AuditRepository(Protocol):
    def add(
        self,
        at: dt.datetime,
        clerk_id: int | None,
        window_id: int | None,
        action: str,
        target: str = "",
        detail: str = "",
        reason: str = "",
    ) -> None: ...


class UnitOfWork(Protocol):
    staff: StaffRepository
    queue: QueueRepository
    catalogue: CatalogueRepository
    cases: CaseRepository
    outbox: OutboxRepository
    audit: AuditRepository
    inquiries: InquiryRepository
    reviews: ReviewRepository

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


# ---- other ports ------------------------------------------------------------------------------


class DocumentRenderer(Protocol):
    def render(self, kind: str, data: Mapping[str, Any]) -> bytes:
        """Build a PDF for one window document from plain values (ID numbers already masked)."""
        ...


@dataclass(frozen=True)
class PushResult:
    record_id: str
    status: str  # accepted | duplicate | rejected
    reason: str = ""


@dataclass(frozen=True)
class PlatformHealth:
    ok: bool
    server_time: dt.datetime | None
    detail: str = ""


class PlatformError(Exception):
    """The platform could not be reached or answered with an error; the records stay pending."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class PlatformClient(Protocol):
    def push(self, records: Sequence[OutboxRecord]) -> list[PushResult]: ...
    def health(self) -> PlatformHealth: ...


class SyncLease(Protocol):
    """Who may drain a shared outbox: in hall mode one client at a time (DESIGN.md §3)."""

    def acquire(self) -> bool:
        """Take or keep the lease without waiting; False while another client holds it."""
        ...

    def release(self) -> None: ...
