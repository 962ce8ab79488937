"""Case use cases: derive the decision from the materials, record it with its document and outbox record.

Everything of one decision commits together: the case, its materials, the archived PDF (+ SHA-256)
and the outbox record. Printing happens afterwards and can never undo the decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hallclient.domain.applicant import Applicant
from hallclient.domain.cases import (
    DECISION_TARGET,
    MATERIAL_STATUS_LABELS,
    CaseStatus,
    Decision,
    DecisionResult,
    MaterialCheck,
    decide,
)
from hallclient.domain.catalogue import Item
from hallclient.domain.idnumber import mask_id
from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.domain.queue import business_date
from hallclient.domain.workdays import add_working_days
from hallclient.services.auth import ClerkSession
from hallclient.services.errors import CaseError
from hallclient.services.ports import Clock, DocumentRenderer, UnitOfWorkFactory

DOCUMENT_FOR = {
    Decision.ACCEPT: "acceptance_notice",
    Decision.DEFER: "deferred_acceptance_notice",
    Decision.NOTICE: "one_time_notice",
    Decision.REJECT: "rejection",
}


@dataclass(frozen=True)
class CaseRules:
    case_no_format: str = "{hall}-{window:0>3}-{date:%Y%m%d}-{seq:04d}"
    supplement_working_days: int = 20  # 补正期限 printed on the one-time notice (local rule)
    deferred_working_days: int = 10  # 容缺 commitment; never beyond the item's promised limit
    notice_copies: int = 2
    watermark: str | None = None  # "练习" in training mode


@dataclass(frozen=True)
class IssuedDocument:
    id: str
    kind: str
    doc_no: str
    sha256: str
    pdf: bytes


@dataclass(frozen=True)
class CaseOutcome:
    case_id: str
    case_no: str
    decision: Decision
    status: CaseStatus
    reason: str
    deadline_date: dt.date | None
    document: IssuedDocument


class CaseService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        renderer: DocumentRenderer,
        timezone: str,
        rules: CaseRules | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._renderer = renderer
        self._tz = timezone
        self.rules = rules or CaseRules()

    @staticmethod
    def evaluate(item: Item, checks: Sequence[MaterialCheck]) -> DecisionResult:
        return decide(item, checks)

    def submit(
        self,
        session: ClerkSession,
        item: Item,
        applicant: Applicant,
        checks: Sequence[MaterialCheck],
        *,
        ticket_id: str | None = None,
        override: Decision | None = None,
        override_reason: str = "",
        reject_reason: str = "",
    ) -> CaseOutcome:
        if not applicant.name.strip():
            raise CaseError("请先读取身份证或录入申请人姓名")
        result = decide(item, checks)
        decision = result.decision
        if override is not None and override is not decision:
            if not override_reason.strip():
                raise CaseError("改变系统判定的结果必须填写理由")
            decision = override
        if decision is Decision.REJECT and not (reject_reason or override_reason).strip():
            raise CaseError("不予受理必须写明理由")
        now = self._clock.now()
        today = business_date(now, self._tz)
        deadline_days, deadline = self._deadline(decision, item, today)
        status = DECISION_TARGET[decision]
        case_id = str(uuid.uuid4())
        with self._uow() as uow:
            hall = uow.staff.hall()
            seq = uow.queue.next_counter(f"case:{session.window_no}", today)
            case_no = self.rules.case_no_format.format(
                hall=hall.code, window=session.window_no, date=today, seq=seq
            )
            doc_seq = uow.queue.next_counter("document", today)
            doc_no = f"{hall.code}-{today:%Y%m%d}-{doc_seq:04d}"
            pdf = self._renderer.render(
                DOCUMENT_FOR[decision],
                self._document_data(
                    decision,
                    doc_no,
                    case_no,
                    hall,
                    session,
                    item,
                    applicant,
                    result,
                    now,
                    deadline_days,
                    deadline,
                    reject_reason or override_reason,
                ),
            )
            sha = hashlib.sha256(pdf).hexdigest()
            doc_id = str(uuid.uuid4())
            uow.cases.add_case(
                {
                    "id": case_id,
                    "case_no": case_no,
                    "status": status,
                    "window_id": session.window_id,
                    "clerk_id": session.clerk_id,
                    "ticket_id": ticket_id,
                    "item_code": item.task_code,
                    "item_name": item.name,
                    "applicant_name": applicant.name,
                    "applicant_id_type": applicant.id_type,
                    "applicant_id_number": applicant.id_number.value if applicant.id_number else "",
                    "applicant_id_masked": applicant.id_masked,
                    "applicant_phone": applicant.phone,
                    "decision_reason": result.reason,
                    "override_reason": override_reason if decision is not result.decision else "",
                    "received_at": now,
                    "decided_at": now,
                    "deadline_date": deadline,
                    "updated_at": now,
                },
                [{"name": c.name, "status": c.status, "note": c.note} for c in checks],
            )
            uow.cases.add_document(doc_id, DOCUMENT_FOR[decision], doc_no, pdf, sha, now, case_id=case_id)
            uow.outbox.add(
                self._record(
                    decision,
                    case_no,
                    item,
                    applicant,
                    session,
                    now,
                    deadline,
                    result,
                    doc_no,
                    reject_reason or override_reason,
                )
            )
            uow.audit.add(now, session.clerk_id, session.window_id, f"case.{decision}", case_no)
            uow.commit()
        return CaseOutcome(
            case_id,
            case_no,
            decision,
            status,
            result.reason,
            deadline,
            IssuedDocument(doc_id, DOCUMENT_FOR[decision], doc_no, sha, pdf),
        )

    def _deadline(self, decision: Decision, item: Item, today: dt.date) -> tuple[int | None, dt.date | None]:
        promised = item.promised_limit.days if item.promised_limit else None
        if decision is Decision.NOTICE:
            days = self.rules.supplement_working_days
        elif decision is Decision.DEFER:
            days = (
                min(self.rules.deferred_working_days, promised)
                if promised
                else self.rules.deferred_working_days
            )
        elif decision is Decision.ACCEPT:
            days = promised
        else:
            return None, None
        if days is None:
            return None, None
        return days, add_working_days(today, days)

    def _document_data(
        self,
        decision: Decision,
        doc_no: str,
        case_no: str,
        hall: Any,
        session: ClerkSession,
        item: Item,
        applicant: Applicant,
        result: DecisionResult,
        now: dt.datetime,
        deadline_days: int | None,
        deadline: dt.date | None,
        reason: str,
    ) -> dict[str, Any]:
        gaps = {g.name: g for g in result.gaps}
        materials = []
        for mat in item.materials:
            gap = gaps.get(mat.name)
            if decision in (Decision.NOTICE, Decision.DEFER) and gap is None:
                continue  # the notice lists the gaps; the acceptance notice lists what was received
            materials.append(
                {
                    "name": mat.name,
                    "problem": MATERIAL_STATUS_LABELS[gap.status] if gap else "",
                    "requirement": gap.requirement if gap else "",
                    "source": mat.source,
                    "note": gap.note if gap else "",
                }
            )
        return {
            "doc_no": doc_no,
            "hall": {"name": hall.name, "address": hall.address, "phone": hall.phone},
            "item_name": item.name,
            "item_code": item.task_code,
            "applicant_name": applicant.name,
            # Printouts carry 6+4 (privacy.md §2); the full number never reaches the renderer.
            "applicant_id_masked": mask_id(applicant.id_number.value, 6, 4) if applicant.id_number else "",
            "applicant_phone_masked": mask_id(applicant.phone, 3, 4) if applicant.phone else "",
            "received_at": now.astimezone(ZoneInfo(self._tz)),
            "issued_on": business_date(now, self._tz),
            "materials": materials,
            "legal_basis": list(item.legal_basis),
            "deadline_days": deadline_days,
            "deadline_date": deadline,
            "promised_days": item.promised_limit.days if item.promised_limit else None,
            "window_no": session.window_no,
            "clerk_name": session.name,
            "clerk_staff_no": session.staff_no,
            "case_no": case_no,
            "query_code": secrets.token_hex(3).upper(),
            "reason": reason,
            "watermark": self.rules.watermark,
            "copies": self.rules.notice_copies if decision in (Decision.NOTICE, Decision.DEFER) else 1,
        }

    def _record(
        self,
        decision: Decision,
        case_no: str,
        item: Item,
        applicant: Applicant,
        session: ClerkSession,
        now: dt.datetime,
        deadline: dt.date | None,
        result: DecisionResult,
        doc_no: str,
        reason: str,
    ) -> OutboxRecord:
        common: dict[str, Any] = {
            "project_no": case_no,
            "catalog_code": item.catalog_code,
            "task_code": item.task_code,
            "task_name": item.name,
            "org_name": item.department,
            "applyer_type": "person",
            "applyer_name": applicant.name,
            "applyer_page_type": applicant.id_type,
            # The platform's exchange table requires the number in clear; it travels only over TLS.
            "applyer_page_code": applicant.id_number.value if applicant.id_number else "",
            "apply_date": now.isoformat(),
            "handle_user_name": session.name,
            "window_no": session.window_no,
        }
        if decision in (Decision.ACCEPT, Decision.DEFER):
            kind = RecordKind.CASE_ACCEPT
            payload = {
                **common,
                "accept_date": now.isoformat(),
                "accept_doc_no": doc_no,
                "promise_date": deadline.isoformat() if deadline else None,
                "deferred": decision is Decision.DEFER,
                "deferred_materials": [g.name for g in result.gaps],
            }
        elif decision is Decision.NOTICE:
            kind = RecordKind.NOTICE
            payload = {
                **common,
                "notice_no": doc_no,
                "notice_date": now.isoformat(),
                "supplement_deadline": deadline.isoformat() if deadline else None,
                "materials": [
                    {"material_name": g.name, "problem": g.status, "requirement": g.requirement}
                    for g in result.gaps
                ],
            }
        else:
            kind = RecordKind.CASE_RESULT
            payload = {
                **common,
                "result_date": now.isoformat(),
                "result_type": "not_accepted",
                "result_explain": reason,
                "doc_no": doc_no,
            }
        return OutboxRecord(kind=kind, ordering_key=case_no, payload=payload, created_at=now)

    def document_pdf(self, doc_id: str) -> bytes:
        with self._uow() as uow:
            return uow.cases.document_pdf(doc_id)

    def archive(self, case_id: str | None = None) -> list[IssuedDocument]:
        """Archived documents (all, or one case's), oldest first, for reprint and export."""
        with self._uow() as uow:
            rows = uow.cases.documents(case_id)
            return [
                IssuedDocument(r.id, r.kind, r.doc_no, r.sha256, uow.cases.document_pdf(r.id)) for r in rows
            ]
