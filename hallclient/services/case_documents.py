"""What a case step puts on paper and on the wire: document data and outbox payloads.

Plain values in, plain dicts out. Paper carries the ID number masked 6+4 (privacy.md §2); the
platform's exchange tables need it in clear, and it travels only over TLS.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hallclient.domain.applicant import Applicant, ApplicantKind
from hallclient.domain.cases import (
    MATERIAL_STATUS_LABELS,
    CaseResult,
    Decision,
    Gap,
    MaterialCheck,
    MaterialStatus,
)
from hallclient.domain.catalogue import Item, Material
from hallclient.domain.idnumber import mask_id
from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.domain.queue import business_date
from hallclient.services.auth import ClerkSession
from hallclient.services.ports import CaseRecord, HallInfo

DOCUMENT_FOR = {
    Decision.ACCEPT: "acceptance_notice",
    Decision.DEFER: "deferred_acceptance_notice",
    Decision.NOTICE: "one_time_notice",
    Decision.REJECT: "rejection",
}
RECEIPT = "receipt"

# Materials physically handed in (a receipt lists them; a refusal returns them).
HANDED_IN = (MaterialStatus.PRESENT, MaterialStatus.NONCONFORMING)


@dataclass(frozen=True)
class Party:
    """The applicant as a case step needs it, from a fresh Applicant or from a stored case."""

    kind: str
    name: str
    id_type: str
    id_number: str  # clear: the platform payload only
    id_print: str  # 6+4 for paper
    phone: str
    credit_code: str = ""
    legal_representative: str = ""
    agent_name: str = ""
    agent_id_number: str = ""
    agent_phone: str = ""

    @classmethod
    def of(cls, a: Applicant) -> Party:
        number = a.id_number.value if a.id_number else ""
        agent = a.agent
        return cls(
            kind=str(a.kind),
            name=a.name,
            id_type=a.id_type,
            id_number=a.credit_code if a.kind is ApplicantKind.ORGANISATION else number,
            id_print=mask_id(number, 6, 4) if number else "",
            phone=a.phone,
            credit_code=a.credit_code,
            legal_representative=a.legal_representative,
            agent_name=agent.name if agent else "",
            agent_id_number=agent.id_number.value if agent and agent.id_number else "",
            agent_phone=agent.phone if agent else "",
        )

    @classmethod
    def of_record(cls, r: CaseRecord) -> Party:
        number = r.applicant_id_number
        organisation = r.applicant_type == ApplicantKind.ORGANISATION
        return cls(
            kind=r.applicant_type,
            name=r.applicant_name,
            id_type=r.applicant_id_type,
            id_number=r.applicant_credit_code if organisation else number,
            id_print=mask_id(number, 6, 4) if number and not organisation else "",
            phone=r.applicant_phone,
            credit_code=r.applicant_credit_code,
            legal_representative=r.legal_representative,
            agent_name=r.agent_name,
            agent_id_number=r.agent_id_number,
            agent_phone=r.agent_phone,
        )

    def extra(self) -> dict[str, str]:
        """Template extras: organisation rows appear only when these are set."""
        agent = ""
        if self.agent_name:
            masked = mask_id(self.agent_id_number, 6, 4) if self.agent_id_number else ""
            agent = f"{self.agent_name}（{masked}）" if masked else self.agent_name
        return {
            "credit_code": self.credit_code,
            "legal_representative": self.legal_representative,
            "agent": agent,
        }


def material_line(
    mat: Material, status: MaterialStatus, requirement: str = "", note: str = ""
) -> dict[str, Any]:
    from hallclient.domain.cases import requirement_text

    return {
        "name": mat.name,
        "problem": "" if status is MaterialStatus.PRESENT else MATERIAL_STATUS_LABELS[status],
        "requirement": requirement or requirement_text(mat.originals, mat.copies, mat.form, mat.spec),
        "source": str(mat.source),
        "note": note,
    }


def gap_lines(item: Item, gaps: Iterable[Gap]) -> list[dict[str, Any]]:
    by_name = {m.name: m for m in item.materials}
    return [
        {
            "name": g.name,
            "problem": MATERIAL_STATUS_LABELS[g.status],
            "requirement": g.requirement,
            "source": str(by_name[g.name].source) if g.name in by_name else "",
            "note": g.note,
        }
        for g in gaps
    ]


def checked_lines(
    item: Item, checks: Sequence[MaterialCheck], statuses: Sequence[MaterialStatus]
) -> list[dict[str, Any]]:
    """The item's materials whose check is one of ``statuses``, in checklist order."""
    by_name = {c.name: c for c in checks}
    lines = []
    for mat in item.materials:
        check = by_name.get(mat.name)
        if check is not None and check.status in statuses:
            note = check.note or ("电子证照核验" if check.status is MaterialStatus.EXEMPT else "")
            if check.status is MaterialStatus.NONCONFORMING:  # handed in, but it will not do as it is
                note = "：".join(filter(None, (MATERIAL_STATUS_LABELS[check.status], check.note)))
            lines.append(material_line(mat, check.status, note=note))
    return lines


@dataclass(frozen=True)
class DocumentContext:
    """Who, where and when: the parts every document of one step shares."""

    hall: HallInfo
    session: ClerkSession
    item: Item
    party: Party
    case_no: str
    received_at: dt.datetime
    now: dt.datetime
    timezone: str
    watermark: str | None


def document_data(
    ctx: DocumentContext,
    doc_no: str,
    materials: Sequence[Mapping[str, Any]],
    *,
    deadline_days: int | None,
    deadline_date: dt.date | None,
    copies: int = 1,
    reason: str = "",
    extra: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    tz = ZoneInfo(ctx.timezone)
    return {
        "doc_no": doc_no,
        "hall": {"name": ctx.hall.name, "address": ctx.hall.address, "phone": ctx.hall.phone},
        "item_name": ctx.item.name,
        "item_code": ctx.item.task_code,
        "applicant_name": ctx.party.name,
        # Printouts carry 6+4 (privacy.md §2); the full number never reaches the renderer.
        "applicant_id_masked": ctx.party.id_print,
        "applicant_phone_masked": mask_id(ctx.party.phone, 3, 4) if ctx.party.phone else "",
        "received_at": ctx.received_at.astimezone(tz),
        "issued_on": business_date(ctx.now, ctx.timezone),
        "materials": [dict(m) for m in materials],
        "legal_basis": list(ctx.item.legal_basis),
        "deadline_days": deadline_days,
        "deadline_date": deadline_date,
        "promised_days": ctx.item.promised_limit.days if ctx.item.promised_limit else None,
        "window_no": ctx.session.window_no,
        "clerk_name": ctx.session.name,
        "clerk_staff_no": ctx.session.staff_no,
        "case_no": ctx.case_no,
        "query_code": secrets.token_hex(3).upper(),
        "reason": reason,
        "watermark": ctx.watermark,
        "copies": copies,
        "extra": {k: v for k, v in {**ctx.party.extra(), **(extra or {})}.items() if v},
    }


# ---- outbox payloads ------------------------------------------------------------------------------


def common_payload(ctx: DocumentContext) -> dict[str, Any]:
    p = ctx.party
    payload: dict[str, Any] = {
        "project_no": ctx.case_no,
        "catalog_code": ctx.item.catalog_code,
        "task_code": ctx.item.task_code,
        "task_name": ctx.item.name,
        "org_name": ctx.item.department,
        "applyer_type": p.kind,
        "applyer_name": p.name,
        "applyer_page_type": p.id_type,
        # The platform's exchange table requires the number in clear; it travels only over TLS.
        "applyer_page_code": p.id_number,
        "apply_date": ctx.received_at.isoformat(),
        "handle_user_name": ctx.session.name,
        "window_no": ctx.session.window_no,
    }
    if p.legal_representative:
        payload["legal"] = p.legal_representative
    if p.agent_name:
        payload |= {
            "contact_name": p.agent_name,
            "contact_type": "111",
            "contact_code": p.agent_id_number,
            "contact_mobile": p.agent_phone,
        }
    return payload


def decision_record(
    ctx: DocumentContext,
    decision: Decision,
    gaps: Sequence[Gap],
    doc_no: str,
    deadline: dt.date | None,
    reason: str,
) -> OutboxRecord:
    common = common_payload(ctx)
    now = ctx.now.isoformat()
    if decision in (Decision.ACCEPT, Decision.DEFER):
        kind = RecordKind.CASE_ACCEPT
        payload = {
            **common,
            "accept_date": now,
            "accept_doc_no": doc_no,
            "promise_date": deadline.isoformat() if deadline else None,
            "deferred": decision is Decision.DEFER,
            "deferred_materials": [g.name for g in gaps],
        }
    elif decision is Decision.NOTICE:
        kind = RecordKind.NOTICE
        payload = {
            **common,
            "notice_no": doc_no,
            "notice_date": now,
            "supplement_deadline": deadline.isoformat() if deadline else None,
            "materials": [
                {"material_name": g.name, "problem": str(g.status), "requirement": g.requirement}
                for g in gaps
            ],
        }
    else:
        kind = RecordKind.CASE_RESULT
        payload = {
            **common,
            "result_date": now,
            "result_type": str(CaseResult.NOT_ACCEPTED),
            "result_explain": reason,
            "doc_no": doc_no,
        }
    return OutboxRecord(kind=kind, ordering_key=ctx.case_no, payload=payload, created_at=ctx.now)


def process_record(
    case_no: str, event: str, process_name: str, session: ClerkSession, at: dt.datetime, explain: str = ""
) -> OutboxRecord:
    """up_pro_process: one step of the case (event codes: sync code table ``process_event``)."""
    payload = {
        "project_no": case_no,
        "process_name": process_name,
        "event_name": event,
        "event_start_time": at.isoformat(),
        "event_end_time": at.isoformat(),
        "handle_user_name": session.name,
        "handle_explain": explain,
    }
    return OutboxRecord(kind=RecordKind.CASE_PROCESS, ordering_key=case_no, payload=payload, created_at=at)


def material_records(
    case_no: str, item: Item, checks: Sequence[MaterialCheck], at: dt.datetime
) -> list[OutboxRecord]:
    """up_pro_material: one record per material handed in (or replaced by an e-licence)."""
    by_name = {m.name: m for m in item.materials}
    records = []
    for check in checks:
        if check.status not in (*HANDED_IN, MaterialStatus.EXEMPT):
            continue
        mat = by_name.get(check.name)
        payload = {
            "project_no": case_no,
            "material_name": check.name,
            "get_type": "电子证照" if check.status is MaterialStatus.EXEMPT else "窗口收取",
            "get_num": (mat.originals + mat.copies) if mat else 0,
            "status": str(check.status),
            "remark": check.note,
        }
        records.append(OutboxRecord(RecordKind.CASE_MATERIAL, case_no, payload, at))
    return records


def result_record(
    case_no: str,
    result: CaseResult,
    explain: str,
    session: ClerkSession,
    at: dt.datetime,
    certificate_name: str = "",
    certificate_no: str = "",
) -> OutboxRecord:
    payload: dict[str, Any] = {
        "project_no": case_no,
        "result_date": at.isoformat(),
        "result_type": str(result),
        "result_explain": explain,
        "handle_user_name": session.name,
    }
    if certificate_name or certificate_no:
        payload |= {"result_cetr_name": certificate_name, "result_cetr_no": certificate_no}
    return OutboxRecord(kind=RecordKind.CASE_RESULT, ordering_key=case_no, payload=payload, created_at=at)
