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
    false,
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
    # Queue state of the window: paused (no calling) since, why; normal calls since its last priority call.
    paused_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    pause_reason: Mapped[str] = mapped_column(String(100), default="", server_default="")
    normal_streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


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
        Index("ix_ticket_window_status", "window_id", "status"),
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
    # business_id is the issuing business (it owns the number); a transfer sets target_business_id
    # (the queue it waits in now) or target_window_id (only that window may call it).
    target_business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"), nullable=True)
    target_window_id: Mapped[int | None] = mapped_column(ForeignKey("window.id"), nullable=True)
    first_called_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    parked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)  # held / no-show
    recalls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transfers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Priority class, verified by a clerk against a document whose TYPE only is kept (never an image).
    priority_code: Mapped[str | None] = mapped_column(ForeignKey("priority_class.code"), nullable=True)
    priority_rank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 0: none
    priority_verifier_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    priority_document_type: Mapped[str] = mapped_column(String(40), default="", server_default="")


class PriorityClass(Base):
    """绿色通道 / 军人 / 老年人 / ...: data the hall edits; a lower rank is served first."""

    __tablename__ = "priority_class"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(String(50))
    rank: Mapped[int] = mapped_column(Integer)
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


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
    # The queue the ticket was in at that moment, and what the operation left behind (ticket status
    # or "paused"/"resumed"): figures read the log without replaying transfers.
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="", server_default="")


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
    # 0003_cases: the item's own key, organisations and agents, the lifecycle after the decision.
    item_key: Mapped[str] = mapped_column(String(80), default="")
    applicant_credit_code: Mapped[str] = mapped_column(String(18), default="")
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    agent_name: Mapped[str] = mapped_column(String(100), default="")
    agent_id_number: Mapped[str] = mapped_column(String(40), default="")
    agent_id_masked: Mapped[str] = mapped_column(String(40), default="")
    agent_phone: Mapped[str] = mapped_column(String(30), default="")
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    result: Mapped[str] = mapped_column(String(24), default="")
    result_explain: Mapped[str] = mapped_column(Text, default="")
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)


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
    __table_args__ = (
        Index("ix_inquiry_register_no", "register_no", unique=True),
        Index("ix_inquiry_status", "status"),
    )
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
    # Referral flow (0005_reviews): to a window and/or a clerk; the recipient accepts and replies.
    register_no: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 登记编号 on the receipt
    referred_clerk_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("clerk.id"), nullable=True)
    reply: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # outbox row version


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
    # An upheld appeal (误评 / 恶意差评) excludes the review from the figures; the row stays (0005_reviews).
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Rectification(Base):
    """差评整改: opened with the bad review, in the same transaction; one per review."""

    __tablename__ = "rectification"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    review_id: Mapped[str] = mapped_column(ForeignKey("review.id"), unique=True)
    ordering_key: Mapped[str] = mapped_column(String(80))  # the review's, so the platform gets it after
    window_id: Mapped[int] = mapped_column(ForeignKey("window.id"))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerk.id"))  # 谁办理、谁负责
    status: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    deadline_date: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finding: Mapped[str] = mapped_column(Text, default="")  # 核实情况
    measures: Mapped[str] = mapped_column(Text, default="")  # 整改措施 / 反馈内容
    decision_note: Mapped[str] = mapped_column(Text, default="")  # 复核 / 申诉审核意见
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class RectificationCallback(Base):
    """回访: who contacted the evaluator, when, how, whether they were reached and how satisfied."""

    __tablename__ = "rectification_callback"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rectification_id: Mapped[str] = mapped_column(ForeignKey("rectification.id"), index=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerk.id"))
    called_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))
    satisfaction: Mapped[str] = mapped_column(String(24), default="")
    note: Mapped[str] = mapped_column(Text, default="")


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
