"""The shared core of the case use cases: rules, numbering, deadlines, the decision step, documents.

``CaseService`` (cases.py) builds the use cases on it; this module holds what several of them need,
so that each stays short. Nothing here commits: callers own the unit of work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hallclient.domain.applicant import Applicant
from hallclient.domain.cases import (
    DECISION_TARGET,
    CaseResult,
    CaseStatus,
    Decision,
    DecisionResult,
    MaterialCheck,
    MaterialStatus,
    TransitionError,
    check_transition,
    decide,
)
from hallclient.domain.catalogue import Item, TimeUnit
from hallclient.domain.workdays import add_days, add_working_days, working_days_between
from hallclient.services.auth import ClerkSession
from hallclient.services.case_documents import (
    DOCUMENT_FOR,
    HANDED_IN,
    RECEIPT,
    DocumentContext,
    Party,
    checked_lines,
    decision_record,
    document_data,
    gap_lines,
)
from hallclient.services.errors import CaseError
from hallclient.services.ports import (
    CaseRecord,
    CaseRow,
    Clock,
    DocumentRenderer,
    UnitOfWork,
    UnitOfWorkFactory,
)


@dataclass(frozen=True)
class CaseRules:
    case_no_format: str = "{hall}{window:0>3}{date:%Y%m%d}{seq:04d}"
    supplement_working_days: int = 20  # 补正期限 printed on the one-time notice (local rule)
    deferred_working_days: int = 10  # 容缺 commitment; never beyond the item's promised limit
    notice_working_days: int = 5  # 行政许可法 §32: notice within 5 days of receipt, else deemed accepted
    notice_copies: int = 2
    issue_receipt: bool = False  # also issue a 收件凭证 when the decision is taken on the spot
    review_authority: str = ""  # 行政复议机关 named on a 不予受理决定书
    watermark: str | None = None  # "练习" in training mode

    def check(self) -> None:
        """A case number must be unique without the network: it needs the window and a sequence."""
        fmt = self.case_no_format
        if "{seq" not in fmt or "{window" not in fmt:
            raise ValueError(f"cases.case_no_format 必须包含 {{window}} 和 {{seq}}：{fmt!r}")
        try:
            fmt.format(hall="610113", window="1", date=dt.date(2026, 1, 1), seq=1)
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError(f"cases.case_no_format 无效（{exc}）：{fmt!r}") from exc


@dataclass(frozen=True)
class IssuedDocument:
    id: str
    kind: str
    doc_no: str
    sha256: str
    pdf: bytes


@dataclass(frozen=True)
class CaseOutcome:
    """What a step produced: the case's new state and the documents issued (first is the main one)."""

    case_id: str
    case_no: str
    decision: Decision | None
    status: CaseStatus
    reason: str
    deadline_date: dt.date | None
    document: IssuedDocument
    receipt: IssuedDocument | None = None
    gaps: tuple[str, ...] = ()  # what is still missing after a partial supplement


@dataclass(frozen=True)
class CaseStep:
    """A step that issues no document (conclude, terminate, withdraw)."""

    case_id: str
    case_no: str
    status: CaseStatus
    result: CaseResult | None


@dataclass(frozen=True)
class CaseLists:
    """The window's case list: today's cases, those awaiting materials, and the overdue ones."""

    today: tuple[CaseRow, ...]
    awaiting: tuple[CaseRow, ...]
    overdue: tuple[CaseRow, ...]


def _material_rows(checks: Sequence[MaterialCheck]) -> list[dict[str, Any]]:
    return [{"name": c.name, "status": c.status, "note": c.note} for c in checks]


class CaseCore:
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
        self.rules.check()

    @staticmethod
    def evaluate(item: Item, checks: Sequence[MaterialCheck]) -> DecisionResult:
        return decide(item, checks)

    # ---- numbers ------------------------------------------------------------------------------------
    def _case_no(self, uow: UnitOfWork, hall_code: str, window_no: str, today: dt.date) -> str:
        """Unique without the network (the window is part of it) and never reused.

        The sequence is a counter per window and day, so a clock set back to an earlier day
        continues that day's sequence instead of starting again; a number already in the store
        (a restored backup, a format change) is skipped.
        """
        fmt = self.rules.case_no_format
        daily = "{date" in fmt
        counter = f"case:{window_no}:{today:%Y%m%d}" if daily else f"case:{window_no}"
        counter_day = today if daily else dt.date(2000, 1, 1)  # a fixed day: never restarts
        for _ in range(10_000):
            seq = uow.queue.next_counter(counter, counter_day)
            case_no = fmt.format(hall=hall_code, window=window_no, date=today, seq=seq)
            if uow.cases.case_id_by_no(case_no) is None:
                return case_no
        raise CaseError("无法生成新的办件编号：请联系大厅IT检查 cases.case_no_format")

    def _issue(
        self, uow: UnitOfWork, kind: str, data: dict[str, Any], case_id: str, today: dt.date
    ) -> IssuedDocument:
        hall = uow.staff.hall()
        # The "document" counter is shared with inquiry receipts (one number series per hall and
        # day); a number already archived (clock set back, restored backup) is skipped.
        while True:
            doc_seq = uow.queue.next_counter("document", today)
            doc_no = f"{hall.code}-{today:%Y%m%d}-{doc_seq:04d}"
            if not uow.cases.document_exists(doc_no):
                break
        pdf = self._renderer.render(kind, {**data, "doc_no": doc_no})
        sha = hashlib.sha256(pdf).hexdigest()
        doc_id = str(uuid.uuid4())
        uow.cases.add_document(doc_id, kind, doc_no, pdf, sha, self._clock.now(), case_id=case_id)
        return IssuedDocument(doc_id, kind, doc_no, sha, pdf)

    # ---- deadlines ----------------------------------------------------------------------------------
    def _promised_date(self, item: Item, start: dt.date) -> dt.date:
        limit = item.promised_limit
        return add_days(start, limit.days, limit.unit is TimeUnit.WORKING_DAY)

    def _deadline(self, decision: Decision, item: Item, today: dt.date) -> tuple[int | None, dt.date | None]:
        """(working days, date) printed for a decision; a 容缺 commitment never beyond the promised limit."""
        if decision is Decision.NOTICE:
            days = self.rules.supplement_working_days
            return days, add_working_days(today, days)
        if decision is Decision.ACCEPT:
            limit = item.promised_limit
            date = self._promised_date(item, today)
            days = limit.days if limit.unit is TimeUnit.WORKING_DAY else working_days_between(today, date)
            return days, date
        if decision is Decision.DEFER:
            commitment = add_working_days(today, self.rules.deferred_working_days)
            date = min(commitment, self._promised_date(item, today))
            return working_days_between(today, date), date
        return None, None

    # ---- receive and decide ---------------------------------------------------------------------------
    def _context(
        self,
        uow: UnitOfWork,
        session: ClerkSession,
        item: Item,
        party: Party,
        case_no: str,
        received: dt.datetime,
    ) -> DocumentContext:
        return DocumentContext(
            uow.staff.hall(),
            session,
            item,
            party,
            case_no,
            received,
            self._clock.now(),
            self._tz,
            self.rules.watermark,
        )

    def _new_case(
        self,
        uow: UnitOfWork,
        session: ClerkSession,
        item: Item,
        applicant: Applicant,
        checks: Sequence[MaterialCheck],
        ticket_id: str | None,
        today: dt.date,
    ) -> tuple[str, str]:
        now = self._clock.now()
        case_id = str(uuid.uuid4())
        case_no = self._case_no(uow, uow.staff.hall().code, session.window_no, today)
        agent = applicant.agent
        uow.cases.add_case(
            {
                "id": case_id,
                "case_no": case_no,
                "status": CaseStatus.RECEIVED,
                "window_id": session.window_id,
                "clerk_id": session.clerk_id,
                "ticket_id": ticket_id,
                "item_code": item.task_code,
                "item_key": item.key,
                "item_name": item.name,
                "applicant_type": str(applicant.kind),
                "applicant_name": applicant.name,
                "applicant_id_type": applicant.id_type,
                "applicant_id_number": applicant.id_number.value if applicant.id_number else "",
                "applicant_id_masked": applicant.id_masked,
                "applicant_phone": applicant.phone,
                "applicant_credit_code": applicant.credit_code,
                "legal_representative": applicant.legal_representative,
                "agent_name": agent.name if agent else "",
                "agent_id_number": agent.id_number.value if agent and agent.id_number else "",
                "agent_id_masked": agent.id_masked if agent else "",
                "agent_phone": agent.phone if agent else "",
                "received_at": now,
                "updated_at": now,
            },
            _material_rows(checks),
        )
        return case_id, case_no

    @staticmethod
    def _check_applicant(applicant: Applicant) -> None:
        if not applicant.name.strip():
            raise CaseError("请先读取身份证或录入申请人姓名")

    def _resolve(
        self,
        item: Item,
        checks: Sequence[MaterialCheck],
        override: Decision | None,
        override_reason: str,
        reject_reason: str,
    ) -> tuple[DecisionResult, Decision, str]:
        result = decide(item, checks)
        decision = result.decision
        if override is not None and override is not decision:
            if not override_reason.strip():
                raise CaseError("改变系统判定的结果必须填写理由")
            decision = override
        if decision is Decision.REJECT and not (reject_reason or override_reason).strip():
            raise CaseError("不予受理必须写明理由")
        return result, decision, override_reason if decision is not result.decision else ""

    def _decide_in(
        self,
        uow: UnitOfWork,
        ctx: DocumentContext,
        case_id: str,
        current: CaseStatus,
        checks: Sequence[MaterialCheck],
        resolved: tuple[DecisionResult, Decision, str],
        reject_reason: str,
        competent_authority: str,
        today: dt.date,
    ) -> CaseOutcome:
        result, decision, override_reason = resolved
        target = DECISION_TARGET[decision]
        self._transition(current, target)
        now = ctx.now
        deadline_days, deadline = self._deadline(decision, ctx.item, today)
        reason = reject_reason or override_reason
        if decision in (Decision.NOTICE, Decision.DEFER):
            lines = gap_lines(ctx.item, result.gaps)
        else:
            lines = checked_lines(ctx.item, checks, (*HANDED_IN, MaterialStatus.EXEMPT))
        copies = self.rules.notice_copies if decision in (Decision.NOTICE, Decision.DEFER) else 1
        extra = {}
        if decision is Decision.REJECT:
            extra = {
                "review_authority": self.rules.review_authority,
                "competent_authority": competent_authority,
            }
        data = document_data(
            ctx,
            "",
            lines,
            deadline_days=deadline_days,
            deadline_date=deadline,
            copies=copies,
            reason=reason,
            extra=extra,
        )
        document = self._issue(uow, DOCUMENT_FOR[decision], data, case_id, today)
        values: dict[str, Any] = {
            "decision_reason": result.reason,
            "override_reason": override_reason,
            "decided_at": now,
            "deadline_date": deadline,
        }
        if target in (CaseStatus.ACCEPTED, CaseStatus.DEFERRED):
            values["accepted_at"] = now
        if target is CaseStatus.REJECTED:
            values |= {"closed_at": now, "result": CaseResult.NOT_ACCEPTED, "result_explain": reason}
        uow.cases.set_status(case_id, target, now, **values)
        uow.outbox.add(decision_record(ctx, decision, result.gaps, document.doc_no, deadline, reason))
        uow.audit.add(
            now,
            ctx.session.clerk_id,
            ctx.session.window_id,
            f"case.{decision}",
            ctx.case_no,
            reason=override_reason,
        )
        return CaseOutcome(case_id, ctx.case_no, decision, target, result.reason, deadline, document)

    def _receipt(
        self,
        uow: UnitOfWork,
        ctx: DocumentContext,
        case_id: str,
        checks: Sequence[MaterialCheck],
        today: dt.date,
        deadline: dt.date | None,
    ) -> IssuedDocument:
        lines = checked_lines(ctx.item, checks, (*HANDED_IN, MaterialStatus.EXEMPT))
        days = working_days_between(today, deadline) if deadline else None
        data = document_data(ctx, "", lines, deadline_days=days, deadline_date=deadline)
        return self._issue(uow, RECEIPT, data, case_id, today)

    # ---- after the decision ---------------------------------------------------------------------------
    @staticmethod
    def _transition(current: CaseStatus, target: CaseStatus) -> None:
        try:
            check_transition(current, target)
        except TransitionError as exc:
            raise CaseError(str(exc)) from exc

    def _allowed(self, record: CaseRecord, target: CaseStatus) -> None:
        self._transition(CaseStatus(record.status), target)

    @staticmethod
    def _load(uow: UnitOfWork, case_id: str, item: Item | None = None) -> CaseRecord:
        try:
            record = uow.cases.case(case_id)
        except LookupError as exc:
            raise CaseError("找不到该办件，请刷新办件列表后重试") from exc
        if item is not None and item.key != record.item_key:
            raise CaseError(f"所选事项「{item.name}」与办件的事项「{record.item_name}」不一致")
        return record
