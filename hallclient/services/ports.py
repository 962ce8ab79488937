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
from hallclient.domain.queue import Business, Ticket, TicketStatus


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
    def windows(self) -> list[WindowInfo]: ...
    def window_by_number(self, number: str) -> WindowInfo | None: ...
    def add_window(self, number: str, name: str, business_ids: Sequence[int]) -> int: ...
    def sign_in(self, window_id: int, clerk_id: int | None, host: str, at: dt.datetime) -> None: ...


class QueueRepository(Protocol):
    def businesses(self) -> list[Business]: ...
    def business_by_code(self, code: str) -> Business | None: ...
    def add_business(self, code: str, name: str, prefix: str) -> int: ...
    def next_counter(self, name: str, business_date: dt.date) -> int:
        """Atomically take the next value of a per-day counter (1 on a new day)."""
        ...

    def add_ticket(
        self, ticket_id: str, business_id: int, business_date: dt.date, seq: int, number: str, at: dt.datetime
    ) -> None: ...
    def claim_next(self, window_id: int, business_ids: Sequence[int], business_date: dt.date) -> str | None:
        """Claim the oldest waiting ticket for a window; atomic across windows and processes."""
        ...

    def set_status(
        self,
        ticket_id: str,
        status: TicketStatus,
        at: dt.datetime,
        window_id: int | None = None,
        clerk_id: int | None = None,
    ) -> None: ...
    def ticket(self, ticket_id: str) -> Ticket: ...
    def current_ticket(self, window_id: int) -> Ticket | None: ...
    def waiting_count(self, business_ids: Sequence[int], business_date: dt.date) -> int: ...
    def add_event(
        self,
        ticket_id: str | None,
        window_id: int | None,
        clerk_id: int | None,
        action: str,
        at: dt.datetime,
        detail: str = "",
    ) -> None: ...


class CatalogueRepository(Protocol):
    def items(self) -> list[Item]: ...
    def replace_all(self, items: Sequence[Item]) -> int: ...


class CaseRepository(Protocol):
    def add_case(self, values: Mapping[str, Any], materials: Sequence[Mapping[str, Any]]) -> None: ...
    def set_status(self, case_id: str, status: str, at: dt.datetime, **values: Any) -> None: ...
    def case_status(self, case_id: str) -> str: ...
    def cases_for_window(self, window_id: int, since: dt.datetime) -> list[CaseRow]: ...
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
    def documents(self, case_id: str | None = None) -> list[DocumentRow]:
        """One case's documents, or all when case_id is None; oldest first."""
        ...

    def add_inquiry(self, values: Mapping[str, Any]) -> None: ...
    def add_review(self, values: Mapping[str, Any]) -> None: ...
    def review_exists(self, service_id: str) -> bool: ...
    def count(self, what: str) -> int:
        """Counts for summaries: 'tickets', 'cases', 'inquiries', 'reviews', 'bad_reviews', ..."""
        ...


class OutboxRepository(Protocol):
    def add(self, record: OutboxRecord) -> None: ...
    def pending(self, limit: int, now: dt.datetime) -> list[PendingRecord]:
        """Oldest first; per ordering key, nothing after a record that is not yet due."""
        ...

    def mark_sent(self, record_ids: Sequence[str], at: dt.datetime) -> None: ...
    def mark_rejected(self, record_id: str, reason: str, at: dt.datetime) -> None: ...
    def mark_failed(self, record_ids: Sequence[str], error: str, retry_at: dt.datetime) -> None: ...
    def retry_rejected(self, record_ids: Sequence[str] | None = None) -> int: ...
    def counts(self) -> OutboxCounts: ...


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
