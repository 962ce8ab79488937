"""The case lifecycle over a real SQLite store: every step with its document and outbox records in one
transaction, illegal steps refused with the reason, overdue lists, and case numbers that are never reused."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from hallclient.domain.cases import CaseResult, CaseStatus, Decision, MaterialCheck, MaterialStatus
from hallclient.domain.catalogue import Item
from hallclient.domain.workdays import add_working_days
from hallclient.services.applicants import manual_applicant, organisation_applicant
from hallclient.services.errors import CaseError, ServiceError

P, M, N = MaterialStatus.PRESENT, MaterialStatus.MISSING, MaterialStatus.NONCONFORMING
TODAY = dt.date(2026, 3, 2)  # FakeClock's Monday; Xi'an time 17:00
FOOD_NEW = "11610199MB162718XF400017201000001"  # 食品经营许可（新办）: promised 5 working days, 容缺
HYGIENE = "11610199MB162734XN4000141001000"  # 公共场所卫生许可（新办）: promised 10 working days, 容缺


def applicant():
    return manual_applicant("张三", "11010519491231002X", "13812341234", TODAY)


def item_of(wiring, key: str) -> Item:
    item = wiring.catalogue.get(key)
    assert item is not None
    return item


def checks(item: Item, **by_index: MaterialStatus) -> list[MaterialCheck]:
    """Every material present except the ones named by position (m0=…, m4=…)."""
    return [MaterialCheck(m.name, by_index.get(f"m{i}", P)) for i, m in enumerate(item.materials)]


def outbox(wiring) -> list[tuple[str, dict]]:
    with wiring.uow() as uow:
        return [
            (str(p.record.kind), dict(p.record.payload)) for p in uow.outbox.pending(500, wiring.clock.now())
        ]


def kinds(wiring) -> list[str]:
    return [k for k, _ in outbox(wiring)]


def status_of(wiring, case_id: str) -> CaseStatus:
    return CaseStatus(wiring.cases.case(case_id).status)


# ---- receive, then decide ---------------------------------------------------------------------------


def test_receiving_without_a_decision_issues_a_receipt_and_starts_the_five_day_clock(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    received = wiring.cases.receive(session, item, applicant(), checks(item, m0=M))
    assert received.status is CaseStatus.RECEIVED and received.decision is None
    assert received.document.kind == "receipt"
    assert received.deadline_date == add_working_days(TODAY, 5)
    assert kinds(wiring)[0] == "case.process" and set(kinds(wiring)[1:]) == {"case.material"}
    assert len(kinds(wiring)) == 1 + len(item.materials) - 1  # one material record per material handed in

    decided = wiring.cases.decide(session, received.case_id, item, checks(item, m0=M))
    assert (decided.decision, decided.status) == (Decision.NOTICE, CaseStatus.AWAITING_SUPPLEMENT)
    assert decided.case_no == received.case_no
    assert kinds(wiring)[-1] == "notice"
    with pytest.raises(CaseError, match="当前状态为「待补正」，不能变为「待补正」"):
        wiring.cases.decide(session, received.case_id, item, checks(item, m0=M))


def test_the_receipt_is_issued_with_an_on_the_spot_decision_when_configured(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    assert wiring.cases.submit(session, item, applicant(), checks(item)).receipt is None
    wiring.cases.rules = replace(wiring.cases.rules, issue_receipt=True)
    out = wiring.cases.submit(session, item, applicant(), checks(item))
    assert out.receipt is not None and out.receipt.kind == "receipt"
    assert [d.kind for d in wiring.cases.archive(out.case_id)] == ["receipt", "acceptance_notice"]


# ---- supplement --------------------------------------------------------------------------------------


def test_a_partial_supplement_keeps_the_case_waiting_and_a_complete_one_accepts_it(
    wiring, session, clock
) -> None:
    item = item_of(wiring, HYGIENE)
    notice = wiring.cases.submit(session, item, applicant(), checks(item, m0=M, m3=N))
    assert notice.status is CaseStatus.AWAITING_SUPPLEMENT
    clock.advance(days=2)

    partial = wiring.cases.supplement(session, notice.case_id, item, checks(item, m3=N))
    assert partial.status is CaseStatus.AWAITING_SUPPLEMENT
    assert partial.gaps == (item.materials[3].name,)
    assert partial.document.kind == "receipt"
    assert partial.deadline_date == notice.deadline_date  # the 补正 period does not restart

    with pytest.raises(CaseError, match="没有新提交的材料"):
        wiring.cases.supplement(session, notice.case_id, item, checks(item, m3=N))

    clock.advance(days=1)
    done = wiring.cases.supplement(session, notice.case_id, item, checks(item))
    assert (done.decision, done.status, done.document.kind) == (
        Decision.ACCEPT,
        CaseStatus.ACCEPTED,
        "acceptance_notice",
    )
    record = wiring.cases.case(notice.case_id)
    assert record.accepted_at == clock.now()  # 受理日期 is the day the 补正 is complete
    assert record.supplement_count == 2
    assert done.deadline_date == add_working_days(dt.date(2026, 3, 5), item.promised_limit.days)
    assert [d.kind for d in wiring.cases.archive(notice.case_id)] == [
        "one_time_notice",
        "receipt",
        "acceptance_notice",
    ]
    tail = kinds(wiring)[-3:]
    assert tail == ["case.material", "case.process", "case.accept"]
    assert outbox(wiring)[-2][1]["event_name"] == "supplement"


def test_a_supplement_that_leaves_only_deferrable_gaps_turns_into_deferred_acceptance(
    wiring, session
) -> None:
    item = item_of(wiring, HYGIENE)
    notice = wiring.cases.submit(session, item, applicant(), checks(item, m0=M, m4=M))
    deferred = wiring.cases.supplement(session, notice.case_id, item, checks(item, m4=M))
    assert (deferred.status, deferred.document.kind) == (CaseStatus.DEFERRED, "deferred_acceptance_notice")


def test_deferred_case_completed_by_the_promised_materials_is_accepted(wiring, session, clock) -> None:
    item = item_of(wiring, HYGIENE)
    deferred = wiring.cases.submit(session, item, applicant(), checks(item, m4=M))
    assert deferred.decision is Decision.DEFER
    clock.advance(days=3)
    done = wiring.cases.supplement(session, deferred.case_id, item, checks(item))
    assert (done.status, done.document.kind) == (CaseStatus.ACCEPTED, "receipt")
    # Processing time still runs from the deferred acceptance, not from the 补齐.
    assert done.deadline_date == add_working_days(TODAY, item.promised_limit.days)


def test_a_non_conforming_promised_material_gets_a_second_written_notice(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    deferred = wiring.cases.submit(session, item, applicant(), checks(item, m4=M, m5=M))
    again = wiring.cases.supplement(session, deferred.case_id, item, checks(item, m4=N, m5=P))
    assert again.status is CaseStatus.DEFERRED
    assert again.document.kind == "one_time_notice"
    assert again.deadline_date == deferred.deadline_date


def test_supplementing_an_accepted_case_or_with_another_item_is_refused(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    accepted = wiring.cases.submit(session, item, applicant(), checks(item))
    with pytest.raises(CaseError, match="当前状态为「已受理」，不需要补正材料"):
        wiring.cases.supplement(session, accepted.case_id, item, checks(item))
    notice = wiring.cases.submit(session, item, applicant(), checks(item, m0=M))
    other = item_of(wiring, FOOD_NEW)
    with pytest.raises(CaseError, match="不一致"):
        wiring.cases.supplement(session, notice.case_id, other, checks(other))


# ---- conclude, terminate, withdraw -----------------------------------------------------------------


def test_conclude_an_accepted_case_with_its_result(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    accepted = wiring.cases.submit(session, item, applicant(), checks(item))
    with pytest.raises(CaseError, match="必须填写说明"):
        wiring.cases.conclude(session, accepted.case_id, CaseResult.DENIED)
    with pytest.raises(CaseError, match="不予受理应在受理环节"):
        wiring.cases.conclude(session, accepted.case_id, CaseResult.NOT_ACCEPTED, "x")
    step = wiring.cases.conclude(
        session,
        accepted.case_id,
        CaseResult.ISSUED,
        certificate_name="公共场所卫生许可证",
        certificate_no="雁卫公证字〔2026〕第001号",
    )
    assert step.status is CaseStatus.CONCLUDED and step.result is CaseResult.ISSUED
    (k1, process), (k2, result) = outbox(wiring)[-2:]
    assert (k1, process["event_name"], k2) == ("case.process", "conclude", "case.result")
    assert result["result_type"] == "issued" and result["result_cetr_no"].endswith("第001号")
    with pytest.raises(CaseError, match="当前状态为「已办结」，不能变为「已办结」"):
        wiring.cases.conclude(session, accepted.case_id, CaseResult.ISSUED)


def test_a_deferred_case_cannot_be_concluded_before_its_materials_arrive(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    deferred = wiring.cases.submit(session, item, applicant(), checks(item, m4=M))
    with pytest.raises(CaseError, match="当前状态为「容缺受理」，不能变为「已办结」"):
        wiring.cases.conclude(session, deferred.case_id, CaseResult.ISSUED)


def test_terminate_only_a_deferred_case_whose_promise_was_not_kept(wiring, session, clock) -> None:
    item = item_of(wiring, HYGIENE)
    deferred = wiring.cases.submit(session, item, applicant(), checks(item, m4=M))
    assert deferred.deadline_date is not None
    with pytest.raises(CaseError, match="尚未届满"):
        wiring.cases.terminate(session, deferred.case_id)
    clock.set(dt.datetime.combine(deferred.deadline_date + dt.timedelta(days=1), dt.time(2), dt.UTC))
    assert [r.case_no for r in wiring.cases.overdue()] == [deferred.case_no]  # the manager's view
    step = wiring.cases.terminate(session, deferred.case_id)
    assert step.status is CaseStatus.TERMINATED and step.result is CaseResult.RETURNED
    kind, payload = outbox(wiring)[-1]
    assert (
        kind == "case.result"
        and payload["result_type"] == "returned"
        and "逾期未补齐" in payload["result_explain"]
    )
    assert wiring.cases.overdue() == []
    accepted = wiring.cases.submit(session, item, applicant(), checks(item))
    with pytest.raises(CaseError, match="当前状态为「已受理」，不能变为「已终止」"):
        wiring.cases.terminate(session, accepted.case_id)


def test_withdraw_needs_a_reason_and_an_open_case(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    notice = wiring.cases.submit(session, item, applicant(), checks(item, m0=M))
    with pytest.raises(CaseError, match="撤回必须填写理由"):
        wiring.cases.withdraw(session, notice.case_id, " ")
    step = wiring.cases.withdraw(session, notice.case_id, "逾期未补正，视为撤回")
    assert status_of(wiring, notice.case_id) is step.status is CaseStatus.WITHDRAWN
    rejected = wiring.cases.submit(
        session, item, applicant(), checks(item), override=Decision.REJECT, override_reason="不属于本机关职权"
    )
    with pytest.raises(CaseError, match="当前状态为「不予受理」，不能变为「已撤回」"):
        wiring.cases.withdraw(session, rejected.case_id, "申请人申请撤回")
    with pytest.raises(CaseError, match="找不到该办件"):
        wiring.cases.withdraw(session, "no-such-case", "x")


def test_every_step_is_undone_together_when_its_outbox_write_fails(wiring, session) -> None:
    item = item_of(wiring, HYGIENE)
    notice = wiring.cases.submit(session, item, applicant(), checks(item, m0=M))
    before = len(kinds(wiring))

    class Broken:
        def render(self, kind, data):
            raise RuntimeError("renderer exploded")

    wiring.cases._renderer = Broken()
    with pytest.raises(RuntimeError):
        wiring.cases.supplement(session, notice.case_id, item, checks(item))
    assert status_of(wiring, notice.case_id) is CaseStatus.AWAITING_SUPPLEMENT
    assert wiring.cases.case(notice.case_id).materials[0][1] == "missing"
    assert len(kinds(wiring)) == before and len(wiring.cases.archive(notice.case_id)) == 1


# ---- deadlines and lists -----------------------------------------------------------------------------


def test_a_deferred_commitment_never_goes_beyond_the_promised_time_limit(wiring, session) -> None:
    item = item_of(wiring, FOOD_NEW)  # promised 5 working days; the hall's 容缺 default is 10
    assert wiring.cases.rules.deferred_working_days > item.promised_limit.days
    out = wiring.cases.submit(session, item, applicant(), checks(item, m4=M))
    assert out.decision is Decision.DEFER
    assert out.deadline_date == add_working_days(TODAY, item.promised_limit.days)
    wiring.cases.rules = replace(wiring.cases.rules, deferred_working_days=2)
    shorter = wiring.cases.submit(session, item, applicant(), checks(item, m4=M))
    assert shorter.deadline_date == add_working_days(TODAY, 2)


def test_the_window_lists_today_awaiting_and_overdue_cases(wiring, session, clock) -> None:
    item = item_of(wiring, HYGIENE)
    notice = wiring.cases.submit(session, item, applicant(), checks(item, m0=M))
    deferred = wiring.cases.submit(session, item, applicant(), checks(item, m4=M))
    accepted = wiring.cases.submit(session, item, applicant(), checks(item))
    lists = wiring.cases.lists(session)
    assert {r.case_no for r in lists.today} == {notice.case_no, deferred.case_no, accepted.case_no}
    assert [r.case_no for r in lists.awaiting] == [
        deferred.case_no,
        notice.case_no,
    ]  # earliest deadline first
    assert lists.overdue == ()

    clock.set(dt.datetime.combine(deferred.deadline_date + dt.timedelta(days=1), dt.time(2), dt.UTC))
    lists = wiring.cases.lists(session)
    assert lists.today == ()
    assert [r.case_no for r in lists.overdue] == [deferred.case_no]
    other_window = replace(session, window_id=session.window_id + 1)
    assert wiring.cases.lists(other_window).overdue == ()  # a clerk sees their window's
    assert [r.case_no for r in wiring.cases.overdue()] == [deferred.case_no]  # the manager sees all


# ---- organisations ------------------------------------------------------------------------------------


def test_an_organisation_applies_through_an_agent(wiring, session) -> None:
    with pytest.raises(ServiceError, match="校验位不正确"):
        organisation_applicant("西安示例餐饮管理有限公司", "91610113MA6U8X8X8Y", TODAY, agent_name="李四")
    with pytest.raises(ServiceError, match="法定代表人或代理人"):
        organisation_applicant("西安示例餐饮管理有限公司", "11610199MB162718XF", TODAY)
    org = organisation_applicant(
        "西安示例餐饮管理有限公司",
        "11610199mb162718xf",  # typed in lower case: normalised
        TODAY,
        legal_representative="王五",
        agent_name="李四",
        agent_id="11010519491231002X",
        agent_phone="13900001111",
    )
    assert org.is_organisation and org.credit_code == "11610199MB162718XF"
    item = item_of(wiring, HYGIENE)
    out = wiring.cases.submit(session, item, org, checks(item))
    record = wiring.cases.case(out.case_id)
    assert (record.applicant_type, record.applicant_credit_code, record.legal_representative) == (
        "organisation",
        "11610199MB162718XF",
        "王五",
    )
    assert record.agent_id_masked == "1101**********002X"
    _, payload = outbox(wiring)[-1]
    assert payload["applyer_type"] == "organisation" and payload["applyer_page_code"] == "11610199MB162718XF"
    assert (payload["legal"], payload["contact_name"], payload["contact_mobile"]) == (
        "王五",
        "李四",
        "13900001111",
    )


# ---- case numbers ------------------------------------------------------------------------------------


def test_case_numbers_are_unique_per_window_and_day_and_survive_a_rollback(wiring, session, clock) -> None:
    item = item_of(wiring, HYGIENE)
    first = wiring.cases.submit(session, item, applicant(), checks(item)).case_no

    class Broken:
        def render(self, kind, data):
            raise RuntimeError("disk full")

    good = wiring.cases._renderer
    wiring.cases._renderer = Broken()
    with pytest.raises(RuntimeError):
        wiring.cases.submit(session, item, applicant(), checks(item))
    wiring.cases._renderer = good
    second = wiring.cases.submit(session, item, applicant(), checks(item)).case_no
    assert second != first  # the rolled-back number was never issued; the next one is new

    clock.advance(days=1)
    tomorrow = wiring.cases.submit(session, item, applicant(), checks(item)).case_no
    clock.set(clock.now() - dt.timedelta(days=1))  # the PC's clock is corrected back a day
    back = wiring.cases.submit(session, item, applicant(), checks(item)).case_no
    numbers = [first, second, tomorrow, back]
    assert len(set(numbers)) == 4
    assert back.endswith("0003")  # continues the earlier day's sequence


def test_a_lost_counter_never_reissues_a_number(wiring, session) -> None:
    from sqlalchemy import delete

    from hallclient.store import models as m

    item = item_of(wiring, HYGIENE)
    numbers = [wiring.cases.submit(session, item, applicant(), checks(item)).case_no for _ in range(3)]
    with wiring.uow() as uow:  # a restored backup with an older counter table, say
        uow.session.execute(delete(m.Counter))
        uow.commit()
    again = wiring.cases.submit(session, item, applicant(), checks(item)).case_no
    assert again not in numbers


def test_case_number_format_must_name_the_window_and_a_sequence(wiring) -> None:
    from hallclient.services.cases import CaseRules

    with pytest.raises(ValueError, match="必须包含"):
        CaseRules(case_no_format="{hall}{date:%Y%m%d}{seq:04d}").check()
    CaseRules(case_no_format="{hall}-{window}-{seq:06d}").check()  # no date: the sequence never restarts


CRASHING_CLIENT = textwrap.dedent(
    """
    import os, sys
    from hallclient.config import Config
    from hallclient.domain.cases import MaterialCheck, MaterialStatus
    from hallclient.services.applicants import manual_applicant
    from hallclient.wiring import build
    from tests.fakes.clock import FakeClock
    import datetime as dt

    w = build(Config().with_overrides({"store.url": sys.argv[1]}), FakeClock())
    session = w.auth.login("1001", sys.argv[2], "1", "pc-crash")
    item = w.catalogue.get(sys.argv[3])

    class Crash:
        def render(self, kind, data):
            os._exit(3)  # power cut after the case row and the counter were written, before commit

    w.cases._renderer = Crash()
    checks = [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
    w.cases.submit(session, item, manual_applicant("王五", "11010519491231002X", "", dt.date(2026, 3, 2)), checks)
    """
)


def test_a_crash_in_the_middle_of_a_decision_leaves_no_case_and_no_reused_number(
    wiring, session, tmp_path: Path
) -> None:
    from tests.unit.services.conftest import PASSWORD

    item = item_of(wiring, HYGIENE)
    before = wiring.cases.submit(session, item, applicant(), checks(item)).case_no
    wiring.auth.logout(session)
    env = {**os.environ, "HALLCLIENT_BLOCK_QT": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_CLIENT, str(wiring.engine.url), PASSWORD, HYGIENE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crashed.returncode == 3, crashed.stderr
    session = wiring.auth.login("1001", PASSWORD, "1", "pc-1")
    after = [wiring.cases.submit(session, item, applicant(), checks(item)).case_no for _ in range(2)]
    with wiring.uow() as uow:
        assert uow.cases.count("cases") == 3  # nothing of the crashed decision survived
    assert len({before, *after}) == 3
