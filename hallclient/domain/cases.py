"""Cases: material checks, the decision derived from them, and the lifecycle.

The decision is derived from the materials, never typed (procedures.md §1, §4): every required
material present → accept; only deferrable ones missing and the item allows 容缺受理 → deferred
acceptance; anything else missing or non-conforming → one one-time notice listing every gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hallclient.domain.catalogue import Item, Necessity


class MaterialStatus(StrEnum):
    PRESENT = "present"
    MISSING = "missing"
    NONCONFORMING = "nonconforming"
    EXEMPT = "exempt"  # replaced by an electronic licence (电子证照)
    NOT_APPLICABLE = "not_applicable"  # a conditional material whose condition does not apply


MATERIAL_STATUS_LABELS = {
    MaterialStatus.PRESENT: "已提交",
    MaterialStatus.MISSING: "缺失",
    MaterialStatus.NONCONFORMING: "不符合法定形式",
    MaterialStatus.EXEMPT: "电子证照免提交",
    MaterialStatus.NOT_APPLICABLE: "不适用",
}


class Decision(StrEnum):
    ACCEPT = "accept"
    DEFER = "defer"
    NOTICE = "notice"
    REJECT = "reject"


DECISION_LABELS = {
    Decision.ACCEPT: "受理",
    Decision.DEFER: "容缺受理",
    Decision.NOTICE: "一次性告知",
    Decision.REJECT: "不予受理",
}


class CaseStatus(StrEnum):
    RECEIVED = "received"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    ACCEPTED = "accepted"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    CONCLUDED = "concluded"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"


CASE_STATUS_LABELS = {
    CaseStatus.RECEIVED: "已收件",
    CaseStatus.AWAITING_SUPPLEMENT: "待补正",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.DEFERRED: "容缺受理",
    CaseStatus.REJECTED: "不予受理",
    CaseStatus.CONCLUDED: "已办结",
    CaseStatus.TERMINATED: "已终止",
    CaseStatus.WITHDRAWN: "已撤回",
}

_TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.RECEIVED: frozenset(
        {
            CaseStatus.AWAITING_SUPPLEMENT,
            CaseStatus.ACCEPTED,
            CaseStatus.DEFERRED,
            CaseStatus.REJECTED,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.AWAITING_SUPPLEMENT: frozenset(
        {CaseStatus.ACCEPTED, CaseStatus.DEFERRED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN}
    ),
    CaseStatus.DEFERRED: frozenset({CaseStatus.ACCEPTED, CaseStatus.TERMINATED, CaseStatus.WITHDRAWN}),
    CaseStatus.ACCEPTED: frozenset({CaseStatus.CONCLUDED, CaseStatus.WITHDRAWN}),
    CaseStatus.REJECTED: frozenset(),
    CaseStatus.CONCLUDED: frozenset(),
    CaseStatus.TERMINATED: frozenset(),
    CaseStatus.WITHDRAWN: frozenset(),
}

# Open cases with a deadline the window must watch: 补正期限, 容缺 commitment, the 5-day notice limit.
WATCHED_STATUSES = (CaseStatus.RECEIVED, CaseStatus.AWAITING_SUPPLEMENT, CaseStatus.DEFERRED)
FINAL_STATUSES = (CaseStatus.REJECTED, CaseStatus.CONCLUDED, CaseStatus.TERMINATED, CaseStatus.WITHDRAWN)


class CaseResult(StrEnum):
    """办结结果: one internal outcome; the sync code tables map it per target (platform.md §6)."""

    ISSUED = "issued"  # 出证办结 / 准予
    DENIED = "denied"  # 不予许可
    VOIDED = "voided"  # 作废办结 (business-side invalid)
    DELETED = "deleted"  # 删除办结 (technical mistake)
    FORWARDED = "forwarded"  # 转报办结
    RETURNED = "returned"  # 退件: promise not kept, not supplemented, withdrawn
    NOT_ACCEPTED = "not_accepted"  # 不予受理


CASE_RESULT_LABELS = {
    CaseResult.ISSUED: "出证办结",
    CaseResult.DENIED: "不予许可",
    CaseResult.VOIDED: "作废办结",
    CaseResult.DELETED: "删除办结",
    CaseResult.FORWARDED: "转报办结",
    CaseResult.RETURNED: "退件",
    CaseResult.NOT_ACCEPTED: "不予受理",
}

# Results that need a stated reason (电子监察 ``exitres`` is required for 1–5).
RESULTS_NEEDING_REASON = frozenset(CaseResult) - {CaseResult.ISSUED}

DECISION_TARGET = {
    Decision.ACCEPT: CaseStatus.ACCEPTED,
    Decision.DEFER: CaseStatus.DEFERRED,
    Decision.NOTICE: CaseStatus.AWAITING_SUPPLEMENT,
    Decision.REJECT: CaseStatus.REJECTED,
}


class TransitionError(ValueError):
    pass


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    if target not in _TRANSITIONS[current]:
        raise TransitionError(
            f"办件当前状态为「{CASE_STATUS_LABELS[current]}」，不能变为「{CASE_STATUS_LABELS[target]}」"
        )


def allowed_transitions(current: CaseStatus) -> frozenset[CaseStatus]:
    return _TRANSITIONS[current]


def is_overdue(status: CaseStatus, deadline: dt.date | None, today: dt.date) -> bool:
    """An open case whose 补正 / 容缺 / notice deadline has passed (the deadline day itself still counts)."""
    return status in WATCHED_STATUSES and deadline is not None and deadline < today


@dataclass(frozen=True)
class MaterialCheck:
    name: str
    status: MaterialStatus
    note: str = ""


@dataclass(frozen=True)
class Gap:
    name: str
    status: MaterialStatus
    requirement: str
    deferrable: bool
    note: str = ""


@dataclass(frozen=True)
class DecisionResult:
    decision: Decision
    reason: str
    gaps: tuple[Gap, ...]

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.decision]


def requirement_text(originals: int, copies: int, form: str = "", spec: str = "") -> str:
    parts = []
    if originals:
        parts.append(f"原件{originals}份")
    if copies:
        parts.append(f"复印件{copies}份")
    text = "，".join(parts) or "按要求提交"
    if form:
        text += f"（{form}）"
    if spec:
        text += f"，{spec}"
    return text


def decide(item: Item, checks: Sequence[MaterialCheck]) -> DecisionResult:
    """Derive the lawful decision from the ticked materials of one item."""
    by_name = {c.name: c for c in checks}
    gaps: list[Gap] = []
    for m in item.materials:
        check = by_name.get(m.name)
        status = check.status if check else MaterialStatus.MISSING
        if status in (MaterialStatus.PRESENT, MaterialStatus.NOT_APPLICABLE):
            continue
        if status is MaterialStatus.EXEMPT:
            if m.e_license_exempt:
                continue
            status = MaterialStatus.MISSING  # no e-licence covers it: it is simply missing
        if m.necessity is not Necessity.REQUIRED and status is MaterialStatus.MISSING:
            continue
        gaps.append(
            Gap(
                name=m.name,
                status=status,
                requirement=requirement_text(m.originals, m.copies, m.form, m.spec),
                deferrable=m.deferrable and item.allows_deferred and status is MaterialStatus.MISSING,
                note=check.note if check else "",
            )
        )
    if not gaps:
        return DecisionResult(Decision.ACCEPT, "申请材料齐全、符合法定形式，予以受理", ())
    if all(g.deferrable for g in gaps):
        names = "、".join(g.name for g in gaps)
        return DecisionResult(
            Decision.DEFER, f"主要材料齐全，仅缺可容缺材料（{names}），可容缺受理", tuple(gaps)
        )
    return DecisionResult(
        Decision.NOTICE, f"材料不齐全或不符合法定形式，共{len(gaps)}项，一次性告知补正", tuple(gaps)
    )
