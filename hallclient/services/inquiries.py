"""首问登记: record an inquiry (answered, guided, referred or registered) with its outbox record."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from hallclient.domain.inquiries import (
    InquiryAction,
    InquiryChannel,
    InquiryClassification,
    status_after,
)
from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.services.auth import ClerkSession
from hallclient.services.errors import ServiceError
from hallclient.services.ports import Clock, UnitOfWorkFactory


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
    due_hours: int = 24
    ticket_id: str | None = None


class InquiryService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def record(self, session: ClerkSession, draft: InquiryDraft) -> str:
        if not draft.question.strip():
            raise ServiceError("请填写咨询或办理事项")
        if draft.action is InquiryAction.ANSWERED and not draft.answer.strip():
            raise ServiceError("当场解答的，请简要记录答复内容")
        if draft.action is InquiryAction.REFERRED and not draft.referred_window_no:
            raise ServiceError("转办时请选择接收窗口")
        now = self._clock.now()
        inquiry_id = str(uuid.uuid4())
        status = status_after(draft.action)
        with self._uow() as uow:
            referred_id = None
            if draft.referred_window_no:
                target = uow.staff.window_by_number(draft.referred_window_no)
                if target is None:
                    raise ServiceError(f"没有编号为 {draft.referred_window_no} 的窗口")
                referred_id = target.id
            due = now + dt.timedelta(hours=draft.due_hours) if status == "awaiting_reply" else None
            uow.cases.add_inquiry(
                {
                    "id": inquiry_id,
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
                    "answer": draft.answer,
                    "referred_window_id": referred_id,
                    "due_at": due,
                    "status": status,
                    "created_at": now,
                    "closed_at": now if status == "closed" else None,
                }
            )
            uow.outbox.add(
                OutboxRecord(
                    kind=RecordKind.INQUIRY,
                    ordering_key=inquiry_id,
                    payload={
                        "inquiry_no": inquiry_id,
                        "inquiry_date": now.isoformat(),
                        "channel": draft.channel,
                        "first_staff_no": session.staff_no,
                        "first_staff_name": session.name,
                        "window_no": session.window_no,
                        "matter": draft.question.strip(),
                        "item_code": draft.item_code,
                        "classification": draft.classification,
                        "action": draft.action,
                        "result": draft.answer,
                        "transfer_to": draft.referred_window_no,
                        "follow_up_due": due.isoformat() if due else None,
                        "status": status,
                    },
                    created_at=now,
                )
            )
            uow.commit()
        return inquiry_id
