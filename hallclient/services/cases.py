"""Case use cases: receive, decide (derived from the materials), supplement, conclude, terminate, withdraw.

Everything of one step commits together: the case, its materials, the archived PDF (+ SHA-256),
the outbox record(s) and an audit row. Printing happens afterwards and can never undo a step.
Illegal transitions are refused with the reason (domain/cases.py ``check_transition``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from hallclient.domain.applicant import Applicant
from hallclient.domain.cases import (
    CASE_STATUS_LABELS,
    DECISION_TARGET,
    RESULTS_NEEDING_REASON,
    WATCHED_STATUSES,
    CaseResult,
    CaseStatus,
    Decision,
    MaterialCheck,
    MaterialStatus,
    decide,
)
from hallclient.domain.catalogue import Item
from hallclient.domain.queue import business_date
from hallclient.domain.workdays import add_working_days, working_days_between
from hallclient.services.auth import ClerkSession
from hallclient.services.case_core import (
    CaseCore,
    CaseLists,
    CaseOutcome,
    CaseRules,
    CaseStep,
    IssuedDocument,
    _material_rows,
)
from hallclient.services.case_documents import (
    DOCUMENT_FOR,
    HANDED_IN,
    Party,
    document_data,
    gap_lines,
    material_records,
    process_record,
    result_record,
)
from hallclient.services.errors import CaseError
from hallclient.services.ports import (
    CaseRecord,
    CaseRow,
)

__all__ = [
    "DOCUMENT_FOR",
    "CaseLists",
    "CaseOutcome",
    "CaseRules",
    "CaseService",
    "CaseStep",
    "IssuedDocument",
]


class CaseService(CaseCore):
    """The window's case use cases; every public method is one step in one transaction."""

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
        competent_authority: str = "",
    ) -> CaseOutcome:
        """Receive the materials and decide on the spot (the usual case at a window)."""
        self._check_applicant(applicant)
        resolved = self._resolve(item, checks, override, override_reason, reject_reason)
        today = business_date(self._clock.now(), self._tz)
        with self._uow() as uow:
            case_id, case_no = self._new_case(uow, session, item, applicant, checks, ticket_id, today)
            ctx = self._context(uow, session, item, Party.of(applicant), case_no, self._clock.now())
            receipt = None
            if self.rules.issue_receipt:
                receipt = self._receipt(uow, ctx, case_id, checks, today, deadline=None)
            outcome = self._decide_in(
                uow,
                ctx,
                case_id,
                CaseStatus.RECEIVED,
                checks,
                resolved,
                reject_reason,
                competent_authority,
                today,
            )
            uow.commit()
        return replace(outcome, receipt=receipt)

    def receive(
        self,
        session: ClerkSession,
        item: Item,
        applicant: Applicant,
        checks: Sequence[MaterialCheck],
        *,
        ticket_id: str | None = None,
    ) -> CaseOutcome:
        """收件 without a decision yet: a 收件凭证, and the §32 clock starts (notice within 5 working days)."""
        self._check_applicant(applicant)
        now = self._clock.now()
        today = business_date(now, self._tz)
        deadline = add_working_days(today, self.rules.notice_working_days)
        with self._uow() as uow:
            case_id, case_no = self._new_case(uow, session, item, applicant, checks, ticket_id, today)
            uow.cases.set_status(case_id, CaseStatus.RECEIVED, now, deadline_date=deadline)
            ctx = self._context(uow, session, item, Party.of(applicant), case_no, now)
            receipt = self._receipt(uow, ctx, case_id, checks, today, deadline=deadline)
            uow.outbox.add(process_record(case_no, "receive", "收件", session, now))
            for record in material_records(case_no, item, checks, now):
                uow.outbox.add(record)
            uow.audit.add(now, session.clerk_id, session.window_id, "case.receive", case_no)
            uow.commit()
        return CaseOutcome(
            case_id, case_no, None, CaseStatus.RECEIVED, "已收件，待审查", deadline, receipt, receipt
        )

    def decide(
        self,
        session: ClerkSession,
        case_id: str,
        item: Item,
        checks: Sequence[MaterialCheck],
        *,
        override: Decision | None = None,
        override_reason: str = "",
        reject_reason: str = "",
        competent_authority: str = "",
    ) -> CaseOutcome:
        """The decision on a case received earlier (``receive``)."""
        resolved = self._resolve(item, checks, override, override_reason, reject_reason)
        today = business_date(self._clock.now(), self._tz)
        with self._uow() as uow:
            record = self._load(uow, case_id, item)
            self._allowed(record, DECISION_TARGET[resolved[1]])
            uow.cases.update_materials(case_id, _material_rows(checks))
            ctx = self._context(
                uow, session, item, Party.of_record(record), record.case_no, record.received_at
            )
            outcome = self._decide_in(
                uow,
                ctx,
                case_id,
                CaseStatus(record.status),
                checks,
                resolved,
                reject_reason,
                competent_authority,
                today,
            )
            uow.commit()
        return outcome

    def supplement(
        self, session: ClerkSession, case_id: str, item: Item, checks: Sequence[MaterialCheck]
    ) -> CaseOutcome:
        """补正 / 补齐: the full checklist as it stands now; the decision is derived again.

        Awaiting supplement: complete → accepted (受理日期 is today) or deferred; still incomplete →
        the case keeps waiting and a receipt lists what came in. Deferred: complete → accepted;
        still missing → stays deferred, with a second one-time notice if something is non-conforming.
        """
        now = self._clock.now()
        today = business_date(now, self._tz)
        with self._uow() as uow:
            record = self._load(uow, case_id, item)
            current = CaseStatus(record.status)
            if current not in (CaseStatus.AWAITING_SUPPLEMENT, CaseStatus.DEFERRED):
                raise CaseError(f"办件当前状态为「{CASE_STATUS_LABELS[current]}」，不需要补正材料")
            before = {name: MaterialStatus(status) for name, status, _ in record.materials}
            supplied = [
                c
                for c in checks
                if c.status in (*HANDED_IN, MaterialStatus.EXEMPT) and before.get(c.name) != c.status
            ]
            if not supplied:
                raise CaseError("没有新提交的材料：请在清单中把补交的材料标为「已提交」")
            result = decide(item, checks)
            uow.cases.update_materials(case_id, _material_rows(checks))
            ctx = self._context(
                uow, session, item, Party.of_record(record), record.case_no, record.received_at
            )
            for out in material_records(record.case_no, item, supplied, now):
                uow.outbox.add(out)
            count = record.supplement_count + 1
            complete = result.decision is Decision.ACCEPT
            if current is CaseStatus.AWAITING_SUPPLEMENT and result.decision in (
                Decision.ACCEPT,
                Decision.DEFER,
            ):
                uow.outbox.add(
                    process_record(record.case_no, "supplement", "补正", session, now, "补正材料齐全")
                )
                uow.cases.set_status(case_id, current, now, supplement_count=count)
                outcome = self._decide_in(
                    uow, ctx, case_id, current, checks, (result, result.decision, ""), "", "", today
                )
            elif current is CaseStatus.DEFERRED and complete:
                self._transition(current, CaseStatus.ACCEPTED)
                uow.outbox.add(
                    process_record(record.case_no, "supplement", "补齐", session, now, "容缺材料已补齐")
                )
                accepted_on = business_date(record.accepted_at or now, self._tz)
                deadline = self._promised_date(item, accepted_on)
                receipt = self._receipt(uow, ctx, case_id, supplied, today, deadline=None)
                uow.cases.set_status(
                    case_id, CaseStatus.ACCEPTED, now, supplement_count=count, deadline_date=deadline
                )
                outcome = CaseOutcome(
                    case_id,
                    record.case_no,
                    Decision.ACCEPT,
                    CaseStatus.ACCEPTED,
                    "容缺材料已补齐，转为正常受理",
                    deadline,
                    receipt,
                )
            else:
                gaps = tuple(g.name for g in result.gaps)
                uow.outbox.add(
                    process_record(
                        record.case_no, "supplement", "补正", session, now, "仍缺：" + "、".join(gaps)
                    )
                )
                nonconforming = [g for g in result.gaps if g.status is MaterialStatus.NONCONFORMING]
                if current is CaseStatus.DEFERRED and nonconforming:
                    # 洋县: a supplement that fails its requirements gets a second written notice.
                    data = document_data(
                        ctx,
                        "",
                        gap_lines(item, result.gaps),
                        deadline_days=working_days_between(today, record.deadline_date)
                        if record.deadline_date
                        else None,
                        deadline_date=record.deadline_date,
                        copies=self.rules.notice_copies,
                    )
                    document = self._issue(uow, DOCUMENT_FOR[Decision.NOTICE], data, case_id, today)
                else:
                    document = self._receipt(uow, ctx, case_id, supplied, today, deadline=None)
                uow.cases.set_status(case_id, current, now, supplement_count=count)
                outcome = CaseOutcome(
                    case_id,
                    record.case_no,
                    result.decision,
                    current,
                    f"已收取补正材料，仍缺{len(gaps)}项：{'、'.join(gaps)}",
                    record.deadline_date,
                    document,
                    gaps=gaps,
                )
            uow.audit.add(now, session.clerk_id, session.window_id, "case.supplement", record.case_no)
            uow.commit()
        return outcome

    def _close(
        self,
        session: ClerkSession,
        case_id: str,
        target: CaseStatus,
        result: CaseResult,
        explain: str,
        check: Callable[[CaseRecord, dt.date], None] | None = None,
        certificate: tuple[str, str] = ("", ""),
    ) -> CaseStep:
        now = self._clock.now()
        with self._uow() as uow:
            record = self._load(uow, case_id)
            self._allowed(record, target)
            if check is not None:
                check(record, business_date(now, self._tz))
            uow.cases.set_status(case_id, target, now, closed_at=now, result=result, result_explain=explain)
            if target is CaseStatus.CONCLUDED:
                uow.outbox.add(process_record(record.case_no, "conclude", "办结", session, now, explain))
            uow.outbox.add(result_record(record.case_no, result, explain, session, now, *certificate))
            uow.audit.add(
                now, session.clerk_id, session.window_id, f"case.{target}", record.case_no, reason=explain
            )
            uow.commit()
        return CaseStep(case_id, record.case_no, target, result)

    def conclude(
        self,
        session: ClerkSession,
        case_id: str,
        result: CaseResult,
        explain: str = "",
        *,
        certificate_name: str = "",
        certificate_no: str = "",
    ) -> CaseStep:
        """办结 an accepted case with its result; every result but 出证办结 needs a reason."""
        result = CaseResult(result)
        if result is CaseResult.NOT_ACCEPTED:
            raise CaseError("不予受理应在受理环节作出，不能作为办结结果")
        if result in RESULTS_NEEDING_REASON and not explain.strip():
            raise CaseError("该办结结果必须填写说明")
        return self._close(
            session,
            case_id,
            CaseStatus.CONCLUDED,
            result,
            explain.strip(),
            certificate=(certificate_name, certificate_no),
        )

    def terminate(self, session: ClerkSession, case_id: str, reason: str = "") -> CaseStep:
        """终止 a deferred acceptance whose promise was not kept (procedures.md §4): only after the deadline."""

        def promise_broken(record: CaseRecord, today: dt.date) -> None:
            if record.deadline_date is not None and today <= record.deadline_date:
                raise CaseError(f"承诺补齐期限 {record.deadline_date:%Y-%m-%d} 尚未届满，不能终止")

        explain = reason.strip() or "逾期未补齐容缺材料，终止容缺受理，按退件处理"
        return self._close(
            session, case_id, CaseStatus.TERMINATED, CaseResult.RETURNED, explain, check=promise_broken
        )

    def withdraw(self, session: ClerkSession, case_id: str, reason: str) -> CaseStep:
        """撤回: at the applicant's request, or 视为撤回 after the 补正 period; the reason is recorded."""
        if not reason.strip():
            raise CaseError("撤回必须填写理由（如：申请人申请撤回、逾期未补正视为撤回）")
        return self._close(session, case_id, CaseStatus.WITHDRAWN, CaseResult.RETURNED, reason.strip())

    # ---- lists --------------------------------------------------------------------------------------
    def overdue(self, window_id: int | None = None) -> list[CaseRow]:
        """Open cases past their 补正 / 容缺 / notice deadline; ``window_id=None`` for the manager."""
        today = business_date(self._clock.now(), self._tz)
        with self._uow() as uow:
            return uow.cases.watched_cases([str(s) for s in WATCHED_STATUSES], window_id, due_before=today)

    def lists(self, session: ClerkSession) -> CaseLists:
        """The window's case list: today, awaiting materials (补正 / 容缺), overdue."""
        now = self._clock.now()
        today = business_date(now, self._tz)
        midnight = dt.datetime.combine(today, dt.time(), ZoneInfo(self._tz))
        with self._uow() as uow:
            todays = uow.cases.cases_for_window(session.window_id, midnight)
            awaiting = uow.cases.watched_cases(
                [CaseStatus.AWAITING_SUPPLEMENT, CaseStatus.DEFERRED], session.window_id
            )
            overdue = uow.cases.watched_cases(
                [str(s) for s in WATCHED_STATUSES], session.window_id, due_before=today
            )
        return CaseLists(tuple(todays), tuple(awaiting), tuple(overdue))

    def case(self, case_id: str) -> CaseRecord:
        with self._uow() as uow:
            return self._load(uow, case_id)

    # ---- documents ----------------------------------------------------------------------------------
    def document_pdf(self, doc_id: str) -> bytes:
        with self._uow() as uow:
            return uow.cases.document_pdf(doc_id)

    def archive(self, case_id: str | None = None) -> list[IssuedDocument]:
        """Archived documents (all, or one case's), oldest first, for preview, reprint and export."""
        with self._uow() as uow:
            rows = uow.cases.documents(case_id)
            return [
                IssuedDocument(r.id, r.kind, r.doc_no, r.sha256, uow.cases.document_pdf(r.id)) for r in rows
            ]

    def record_print(
        self, session: ClerkSession, document: IssuedDocument, *, ok: bool, reprint: bool, detail: str = ""
    ) -> None:
        """Audit every print and reprint, and every printer failure (the document stays archived)."""
        action = "document.reprint" if reprint else "document.print"
        with self._uow() as uow:
            uow.audit.add(
                self._clock.now(),
                session.clerk_id,
                session.window_id,
                action if ok else f"{action}.failed",
                document.doc_no,
                detail=detail,
            )
            uow.commit()
