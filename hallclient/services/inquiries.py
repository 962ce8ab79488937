"""首问登记: record an inquiry, refer it, let the recipient accept and reply, let the first clerk close it.

Every change writes the inquiry and its outbox record (``inquiry``; I on recording, U with a raised
version on every later step) in one transaction. The receipt (首问登记回执) is rendered and
archived afterwards, in its own transaction: printing never decides whether the inquiry exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hallclient.domain.idnumber import mask_id
from hallclient.domain.inquiries import (
    ACTION_LABELS,
    InquiryAction,
    InquiryChannel,
    InquiryClassification,
    InquiryError,
    InquiryEvent,
    InquiryStatus,
    next_status,
    status_after,
)
from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.domain.queue import business_date
from hallclient.services.auth import ClerkSession
from hallclient.services.errors import ServiceError
from hallclient.services.ports import Clock, DocumentRenderer, UnitOfWork, UnitOfWorkFactory
from hallclient.services.review_ports import InquiryRow

RECEIPT_KIND = "inquiry_receipt"


@dataclass(frozen=True)
class InquiryDraft:
    channel: InquiryChannel
    question: str
    classification: InquiryClassification
    action: InquiryAction
    answer: str = ""
    item_code: str = ""
    applicant_name: str = ""
    applicant_id_masked: str = ""
    phone: str = ""
    referred_window_no: str = ""
    due_hours: float = 24
    ticket_id: str | None = None
    referred_staff_no: str = ""  # a clerk, with or without a window


@dataclass(frozen=True)
class ReferralBoard:
    """What one clerk's referral panel shows: what was referred to them, and what they referred."""

    now: dt.datetime
    incoming: tuple[InquiryRow, ...]
    outgoing: tuple[InquiryRow, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for r in (*self.incoming, *self.outgoing) if r.overdue(self.now))


@dataclass(frozen=True)
class ReceiptDocument:
    id: str
    doc_no: str
    sha256: str
    pdf: bytes


class InquiryService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        renderer: DocumentRenderer | None = None,
        timezone: str = "Asia/Shanghai",
        item_name: Callable[[str], str] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._renderer = renderer
        self._tz = timezone
        self._item_name = item_name or (lambda code: "")

    # -- recording ----------------------------------------------------------------------------------
    def record(self, session: ClerkSession, draft: InquiryDraft) -> str:
        if not draft.question.strip():
            raise ServiceError("请填写咨询或办理事项")
        if draft.action is InquiryAction.ANSWERED and not draft.answer.strip():
            raise ServiceError("当场解答的，请简要记录答复内容")
        if draft.action is InquiryAction.REFERRED and not (
            draft.referred_window_no or draft.referred_staff_no
        ):
            raise ServiceError("转办时请选择接收窗口或接收人")
        if draft.due_hours <= 0:
            raise ServiceError("答复时限应大于0小时")
        now = self._clock.now()
        inquiry_id = str(uuid.uuid4())
        status = status_after(draft.action)
        with self._uow() as uow:
            referred_window_id = referred_clerk_id = None
            if draft.action is InquiryAction.REFERRED and draft.referred_window_no:
                target = uow.staff.window_by_number(draft.referred_window_no)
                if target is None:
                    raise ServiceError(f"没有编号为 {draft.referred_window_no} 的窗口")
                referred_window_id = target.id
            if draft.action is InquiryAction.REFERRED and draft.referred_staff_no:
                clerk = uow.staff.clerk_by_staff_no(draft.referred_staff_no.strip())
                if clerk is None or not clerk.active:
                    raise ServiceError(f"没有工号为 {draft.referred_staff_no} 的工作人员")
                referred_clerk_id = clerk.id
            owed = status is InquiryStatus.AWAITING_REPLY
            due = now + dt.timedelta(hours=draft.due_hours) if owed else None
            today = business_date(now, self._tz)
            seq = uow.queue.next_counter(f"inquiry:{session.window_no}", today)
            hall = uow.staff.hall()
            register_no = f"{hall.code}-SW{session.window_no:0>3}-{today:%Y%m%d}-{seq:04d}"
            uow.inquiries.add(
                {
                    "id": inquiry_id,
                    "register_no": register_no,
                    "window_id": session.window_id,
                    "clerk_id": session.clerk_id,
                    "ticket_id": draft.ticket_id,
                    "channel": draft.channel,
                    "question": draft.question.strip(),
                    "item_code": draft.item_code,
                    "applicant_name": draft.applicant_name,
                    "applicant_id_masked": draft.applicant_id_masked,
                    "phone": draft.phone,
                    "classification": draft.classification,
                    "action": draft.action,
                    "answer": draft.answer.strip(),
                    "referred_window_id": referred_window_id,
                    "referred_clerk_id": referred_clerk_id,
                    "due_at": due,
                    "status": status,
                    "created_at": now,
                    "closed_at": None if owed else now,
                    "version": 1,
                }
            )
            self._emit(uow, inquiry_id, now, "I")
            uow.audit.add(now, session.clerk_id, session.window_id, "inquiry.recorded", inquiry_id)
            uow.commit()
        return inquiry_id

    # -- the referral flow --------------------------------------------------------------------------
    def accept(self, session: ClerkSession, inquiry_id: str) -> InquiryRow:
        """The recipient (承办人) takes the referred inquiry on."""
        with self._uow() as uow:
            row = self._get(uow, inquiry_id)
            status = next_status(row.status, InquiryEvent.ACCEPT)
            self._check_recipient(session, row)
            now = self._clock.now()
            uow.inquiries.update(
                inquiry_id,
                {
                    "status": status,
                    "accepted_at": now,
                    "accepted_by_id": session.clerk_id,
                    "version": row.version + 1,
                },
            )
            return self._commit_step(uow, session, inquiry_id, now, "inquiry.accepted")

    def reply(self, session: ClerkSession, inquiry_id: str, text: str) -> InquiryRow:
        """The recipient reports back (or, for one registered without a recipient, the first clerk)."""
        if not text.strip():
            raise InquiryError("请填写答复内容")
        with self._uow() as uow:
            row = self._get(uow, inquiry_id)
            status = next_status(row.status, InquiryEvent.REPLY)
            if row.referred_window_id is None and row.referred_clerk_id is None:
                if session.clerk_id != row.clerk_id:
                    raise InquiryError("该首问记录未转办，由首问责任人答复")
            else:
                self._check_recipient(session, row)
            now = self._clock.now()
            values: dict[str, Any] = {
                "status": status,
                "reply": text.strip(),
                "replied_at": now,
                "replied_by_id": session.clerk_id,
                "version": row.version + 1,
            }
            if row.accepted_at is None:
                values |= {"accepted_at": now, "accepted_by_id": session.clerk_id}
            uow.inquiries.update(inquiry_id, values)
            return self._commit_step(uow, session, inquiry_id, now, "inquiry.replied")

    def close(self, session: ClerkSession, inquiry_id: str) -> InquiryRow:
        """The first clerk has seen the answer (and passed it on): the inquiry is closed."""
        with self._uow() as uow:
            row = self._get(uow, inquiry_id)
            status = next_status(row.status, InquiryEvent.CLOSE)
            if session.clerk_id != row.clerk_id:
                raise InquiryError(f"只有首问责任人（{row.clerk_name}）可以办结该记录")
            now = self._clock.now()
            uow.inquiries.update(inquiry_id, {"status": status, "closed_at": now, "version": row.version + 1})
            return self._commit_step(uow, session, inquiry_id, now, "inquiry.closed")

    # -- queries ------------------------------------------------------------------------------------
    def board(self, session: ClerkSession) -> ReferralBoard:
        with self._uow() as uow:
            return ReferralBoard(
                self._clock.now(),
                tuple(uow.inquiries.referred_to(session.window_id, session.clerk_id)),
                tuple(uow.inquiries.raised_by(session.clerk_id)),
            )

    def inquiry(self, inquiry_id: str) -> InquiryRow:
        with self._uow() as uow:
            return self._get(uow, inquiry_id)

    def overdue(self) -> list[InquiryRow]:
        """Every inquiry whose answer is overdue, for the manager (procedures.md §5: a reminder)."""
        now = self._clock.now()
        with self._uow() as uow:
            return [r for r in uow.inquiries.open_inquiries() if r.overdue(now)]

    # -- the receipt --------------------------------------------------------------------------------
    def issue_receipt(self, session: ClerkSession, inquiry_id: str) -> ReceiptDocument:
        """Render the 首问登记回执 and archive it with the inquiry (PDF + SHA-256), like case documents."""
        if self._renderer is None:
            raise ServiceError("本机未配置文书打印，无法出具回执")
        now = self._clock.now()
        today = business_date(now, self._tz)
        with self._uow() as uow:
            row = self._get(uow, inquiry_id)
            hall = uow.staff.hall()
            doc_no = f"{hall.code}-{today:%Y%m%d}-{uow.queue.next_counter('document', today):04d}"
            tz = ZoneInfo(self._tz)
            pdf = self._renderer.render(
                RECEIPT_KIND,
                {
                    "doc_no": doc_no,
                    "hall": {"name": hall.name, "address": hall.address, "phone": hall.phone},
                    "item_name": self._item_name(row.item_code) if row.item_code else "",
                    "item_code": row.item_code,
                    "applicant_name": row.applicant_name,
                    "applicant_id_masked": row.applicant_id_masked,  # masked when recorded
                    "applicant_phone_masked": mask_id(row.phone, 3, 4) if row.phone else "",
                    "received_at": row.created_at.astimezone(tz),
                    "issued_on": today,
                    "materials": [],
                    "legal_basis": [],
                    "deadline_days": None,
                    "deadline_date": row.due_at.astimezone(tz).date() if row.due_at else None,
                    "promised_days": None,
                    "window_no": row.window_no,
                    "clerk_name": row.clerk_name,
                    "clerk_staff_no": row.clerk_staff_no,
                    "case_no": row.register_no,
                    "query_code": secrets.token_hex(3).upper(),
                    "reason": row.question,
                    "extra": {
                        "action": ACTION_LABELS[InquiryAction(row.action)],
                        "transfer_to": row.recipient,
                    },
                },
            )
            sha = hashlib.sha256(pdf).hexdigest()
            doc_id = str(uuid.uuid4())
            uow.cases.add_document(doc_id, RECEIPT_KIND, doc_no, pdf, sha, now, inquiry_id=inquiry_id)
            uow.audit.add(now, session.clerk_id, session.window_id, "inquiry.receipt", doc_no)
            uow.commit()
        return ReceiptDocument(doc_id, doc_no, sha, pdf)

    # -- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _get(uow: UnitOfWork, inquiry_id: str) -> InquiryRow:
        try:
            return uow.inquiries.get(inquiry_id)
        except LookupError:
            raise InquiryError("找不到该首问记录，可能已被删除") from None

    @staticmethod
    def _check_recipient(session: ClerkSession, row: InquiryRow) -> None:
        if session.window_id == row.referred_window_id or session.clerk_id == row.referred_clerk_id:
            return
        raise InquiryError(f"该首问记录已转办给{row.recipient or '其他人员'}，本窗口不能接收或答复")

    def _commit_step(
        self, uow: UnitOfWork, session: ClerkSession, inquiry_id: str, now: dt.datetime, action: str
    ) -> InquiryRow:
        self._emit(uow, inquiry_id, now, "U")
        uow.audit.add(now, session.clerk_id, session.window_id, action, inquiry_id)
        row = uow.inquiries.get(inquiry_id)
        uow.commit()
        return row

    @staticmethod
    def _emit(uow: UnitOfWork, inquiry_id: str, now: dt.datetime, operation: str) -> None:
        row = uow.inquiries.get(inquiry_id)
        uow.outbox.add(
            OutboxRecord(
                kind=RecordKind.INQUIRY,
                ordering_key=inquiry_id,
                payload=inquiry_payload(row),
                created_at=now,
                operation=operation,
                version=row.version,
            )
        )


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def inquiry_payload(row: InquiryRow) -> dict[str, Any]:
    """The whole current record (no visitor data: the platform's inquiry table does not ask for it)."""
    return {
        "inquiry_no": row.id,
        "register_no": row.register_no,
        "inquiry_date": row.created_at.isoformat(),
        "channel": row.channel,
        "first_staff_no": row.clerk_staff_no,
        "first_staff_name": row.clerk_name,
        "window_no": row.window_no,
        "matter": row.question,
        "question": row.question,
        "item_code": row.item_code,
        "classification": row.classification,
        "action": row.action,
        "answer": row.answer,
        "result": row.reply or row.answer,
        "transfer_to": row.referred_window_no,
        "referred_to": row.recipient,
        "transfer_time": row.created_at.isoformat() if row.recipient else None,
        "follow_up_due": _iso(row.due_at),
        "accepted_at": _iso(row.accepted_at),
        "accepted_by": row.accepted_by_name,
        "reply": row.reply,
        "reply_time": _iso(row.replied_at),
        "closed_at": _iso(row.closed_at),
        "status": row.status,
    }
