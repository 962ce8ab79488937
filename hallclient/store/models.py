"""SQLAlchemy 2 models. Times are stored as UTC; the hall-local business date is its own column."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on both back ends (SQLite has no time zones and hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC times")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Hall(Base):
    __tablename__ = "hall"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")


class Business(Base):
    __tablename__ = "business"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(4))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Window(Base):
    __tablename__ = "window"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    signed_in_clerk_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    signed_in_host: Mapped[str] = mapped_column(String(100), default="")
    signed_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WindowBusiness(Base):
    __tablename__ = "window_business"
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), primary_key=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)


class Clerk(Base):
    __tablename__ = "clerk"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16), default="clerk")
    password_hash: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(50), default="")
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(Base):
    """Per-day sequences (tickets per business, case numbers per window, document numbers)."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    business_date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("business_id", "business_date", "seq", name="uq_ticket_business_day_seq"),
        Index("ix_ticket_waiting", "status", "business_date", "business_id", "issued_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    called_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CallEvent(Base):
    """Append-only log of every queue operation."""

    __tablename__ = "call_event"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("ticket.id"), nullable=True, index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    detail: Mapped[str] = mapped_column(String(200), default="")


class CatalogueItem(Base):
    __tablename__ = "catalogue_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_code: Mapped[str] = mapped_column(String(80), unique=True)
    catalog_code: Mapped[str] = mapped_column(String(40), default="", index=True)
    handle_item_code: Mapped[str] = mapped_column(String(80), default="")
    name: Mapped[str] = mapped_column(String(300))
    department: Mapped[str] = mapped_column(String(200), default="")
    allows_deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class CatalogueMaterial(Base):
    __tablename__ = "catalogue_material"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_item.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    necessity: Mapped[str] = mapped_column(String(16))
    deferrable: Mapped[bool] = mapped_column(Boolean, default=False)
    e_license_exempt: Mapped[bool] = mapped_column(Boolean, default=False)


class Case(Base):
    __tablename__ = "case_file"  # "case" is an SQL keyword
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerk.id"))
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("ticket.id"), nullable=True)
    item_code: Mapped[str] = mapped_column(String(80))
    item_name: Mapped[str] = mapped_column(String(300))
    applicant_type: Mapped[str] = mapped_column(String(16), default="person")
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_type: Mapped[str] = mapped_column(String(8), default="111")
    applicant_id_number: Mapped[str] = mapped_column(String(40), default="")
    applicant_id_masked: Mapped[str] = mapped_column(String(40), default="")
    applicant_phone: Mapped[str] = mapped_column(String(30), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    deadline_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CaseMaterial(Base):
    __tablename__ = "case_material"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(300), default="")


class Document(Base):
    __tablename__ = "document"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"), nullable=True, index=True)
    inquiry_id: Mapped[str | None] = mapped_column(ForeignKey("inquiry.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    doc_no: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Inquiry(Base):
    __tablename__ = "inquiry"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerk.id"))
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("ticket.id"), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    item_code: Mapped[str] = mapped_column(String(80), default="")
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    applicant_id_masked: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    classification: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(24))
    answer: Mapped[str] = mapped_column(Text, default="")
    referred_window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Review(Base):
    __tablename__ = "review"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(36), unique=True)  # 一次一评: one per service
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("ticket.id"), nullable=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_file.id"), nullable=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerk.id"))
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16), default="pad")
    service_started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    evaluated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Outbox(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "seq"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(1), default="I")
    version: Mapped[int] = mapped_column(Integer, default=1)
    ordering_key: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
