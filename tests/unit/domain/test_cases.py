"""The decision is derived from the materials (procedures.md §1, §4): table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from hallclient.domain.cases import (
    CaseStatus,
    Decision,
    MaterialCheck,
    MaterialStatus,
    TransitionError,
    check_transition,
    decide,
)
from hallclient.domain.catalogue import Item, ItemType, Material, MaterialForm, Necessity, TimeLimit, TimeUnit

P, M, N, E, NA = (
    MaterialStatus.PRESENT,
    MaterialStatus.MISSING,
    MaterialStatus.NONCONFORMING,
    MaterialStatus.EXEMPT,
    MaterialStatus.NOT_APPLICABLE,
)


def _item(allows_deferred: bool = True) -> Item:
    def mat(name: str, necessity: Necessity, deferrable: bool = False, e_license: bool = False) -> Material:
        return Material(
            name, MaterialForm.PAPER, 1, 0, necessity, deferrable=deferrable, e_license_exempt=e_license
        )

    return Item(
        task_code="T1",
        name="食品经营许可（新办）",
        department="市场监管局",
        item_type=ItemType("行政许可"),
        promised_limit=TimeLimit(10, TimeUnit.WORKING_DAY),
        allows_deferred=allows_deferred,
        materials=(
            mat("申请书", Necessity.REQUIRED),
            mat("营业执照", Necessity.REQUIRED, e_license=True),
            mat("设备布局图", Necessity.REQUIRED, deferrable=allows_deferred),
            mat("委托书", Necessity.CONDITIONAL),
        ),
    )


CASES = [
    # (申请书, 营业执照, 设备布局图, 委托书), allows_deferred → decision, gaps
    ((P, P, P, NA), True, Decision.ACCEPT, []),
    ((P, E, P, NA), True, Decision.ACCEPT, []),  # e-licence replaces the paper licence
    ((P, P, M, NA), True, Decision.DEFER, ["设备布局图"]),
    ((P, P, M, NA), False, Decision.NOTICE, ["设备布局图"]),  # item does not allow 容缺
    ((M, P, M, NA), True, Decision.NOTICE, ["申请书", "设备布局图"]),  # every gap listed at once
    ((P, P, N, NA), True, Decision.NOTICE, ["设备布局图"]),  # non-conforming is never deferrable
    ((P, P, P, M), True, Decision.ACCEPT, []),  # a conditional material that does not apply
    ((P, P, P, N), True, Decision.NOTICE, ["委托书"]),  # but if given, it must conform
]


@pytest.mark.parametrize(("statuses", "allows", "decision", "gaps"), CASES)
def test_decision_table(statuses, allows, decision, gaps) -> None:
    item = _item(allows)
    checks = [MaterialCheck(m.name, s) for m, s in zip(item.materials, statuses, strict=True)]
    result = decide(item, checks)
    assert result.decision is decision
    assert [g.name for g in result.gaps] == gaps


def test_exempt_without_an_e_licence_is_missing() -> None:
    item = _item()
    checks = [MaterialCheck(m.name, E if m.name == "申请书" else P) for m in item.materials]
    result = decide(item, checks)
    assert result.decision is Decision.NOTICE and result.gaps[0].name == "申请书"


def test_unticked_material_counts_as_missing() -> None:
    assert decide(_item(), []).decision is Decision.NOTICE


def test_illegal_transition_is_refused_with_a_reason() -> None:
    check_transition(CaseStatus.AWAITING_SUPPLEMENT, CaseStatus.ACCEPTED)
    with pytest.raises(TransitionError, match="不能变为"):
        check_transition(CaseStatus.REJECTED, CaseStatus.ACCEPTED)


# ---- the lifecycle: every transition, allowed or refused ----------------------------------------

S = CaseStatus
ALLOWED = {
    S.RECEIVED: {S.AWAITING_SUPPLEMENT, S.ACCEPTED, S.DEFERRED, S.REJECTED, S.WITHDRAWN},
    S.AWAITING_SUPPLEMENT: {S.ACCEPTED, S.DEFERRED, S.REJECTED, S.WITHDRAWN},  # 补正 complete → decided again
    S.DEFERRED: {S.ACCEPTED, S.TERMINATED, S.WITHDRAWN},  # 补齐, promise not kept, withdrawn
    S.ACCEPTED: {S.CONCLUDED, S.WITHDRAWN},
    S.REJECTED: set(),
    S.CONCLUDED: set(),
    S.TERMINATED: set(),
    S.WITHDRAWN: set(),
}


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in CaseStatus for t in CaseStatus])
def test_transition_table(current: CaseStatus, target: CaseStatus) -> None:
    if target in ALLOWED[current]:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionError, match="当前状态为「.+」，不能变为「.+」"):
            check_transition(current, target)


def test_final_states_have_no_way_out_and_results_need_reasons() -> None:
    from hallclient.domain.cases import (
        FINAL_STATUSES,
        RESULTS_NEEDING_REASON,
        CaseResult,
        allowed_transitions,
    )

    assert all(allowed_transitions(s) == frozenset() for s in FINAL_STATUSES)
    assert CaseResult.ISSUED not in RESULTS_NEEDING_REASON
    assert CaseResult.RETURNED in RESULTS_NEEDING_REASON and CaseResult.DENIED in RESULTS_NEEDING_REASON


@pytest.mark.parametrize(
    ("status", "deadline", "overdue"),
    [
        (S.AWAITING_SUPPLEMENT, dt.date(2026, 3, 9), True),
        (S.DEFERRED, dt.date(2026, 3, 9), True),
        (S.RECEIVED, dt.date(2026, 3, 9), True),  # no notice within 5 days: deemed accepted
        (S.DEFERRED, dt.date(2026, 3, 10), False),  # the deadline day itself still counts
        (S.ACCEPTED, dt.date(2026, 3, 9), False),  # processing time is not the window's watch
        (S.DEFERRED, None, False),
    ],
)
def test_overdue_means_an_open_case_past_its_deadline(status, deadline, overdue) -> None:
    from hallclient.domain.cases import is_overdue

    assert is_overdue(status, deadline, dt.date(2026, 3, 10)) is overdue


@pytest.mark.parametrize(
    ("statuses", "decision"),
    [
        # A supplement is judged on the whole checklist as it stands after it.
        ((P, P, P, NA), Decision.ACCEPT),  # 补正 complete
        ((P, P, M, NA), Decision.DEFER),  # only the deferrable one still missing
        ((P, N, P, NA), Decision.NOTICE),  # a supplied material does not conform
        ((P, E, P, P), Decision.ACCEPT),  # e-licence for the licence, 委托书 given
    ],
)
def test_decision_after_a_supplement(statuses, decision) -> None:
    item = _item()
    checks = [
        MaterialCheck(m.name, s, "复印件不清晰" if s is N else "")
        for m, s in zip(item.materials, statuses, strict=True)
    ]
    result = decide(item, checks)
    assert result.decision is decision
    if decision is Decision.NOTICE:
        assert result.gaps[0].note == "复印件不清晰"
