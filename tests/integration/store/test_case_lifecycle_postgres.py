"""The case lifecycle on a real PostgreSQL: every step with its records, the case row locked while it
moves, and case numbers unique while several windows decide at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from hallclient import wiring as wiring_mod
from hallclient.domain.cases import CaseResult, CaseStatus, MaterialCheck, MaterialStatus
from hallclient.services.applicants import manual_applicant
from hallclient.services.errors import CaseError
from tests.fakes.clock import FakeClock
from tests.integration.store.cycle import ID_NUMBER, build, sign_in

pytestmark = pytest.mark.postgres
HYGIENE = "11610199MB162734XN4000141001000"


@pytest.fixture
def w(pg_url_per_test: str) -> Iterator[wiring_mod.Wiring]:
    wiring = build(pg_url_per_test, FakeClock())
    try:
        yield wiring
    finally:
        wiring.close()


def checks(item, missing: int | None = None) -> list[MaterialCheck]:
    return [
        MaterialCheck(m.name, MaterialStatus.MISSING if i == missing else MaterialStatus.PRESENT)
        for i, m in enumerate(item.materials)
    ]


def test_notice_supplement_accept_conclude_on_postgres(w) -> None:
    session = sign_in(w, "2001", "1")
    item = w.catalogue.get(HYGIENE)
    person = manual_applicant("张三", ID_NUMBER, "", dt.date(2026, 3, 2))
    notice = w.cases.submit(session, item, person, checks(item, missing=0))
    accepted = w.cases.supplement(session, notice.case_id, item, checks(item))
    assert accepted.status is CaseStatus.ACCEPTED
    step = w.cases.conclude(session, notice.case_id, CaseResult.ISSUED)
    assert step.status is CaseStatus.CONCLUDED
    with pytest.raises(CaseError, match="不能变为"):
        w.cases.withdraw(session, notice.case_id, "申请人申请撤回")
    with w.uow() as uow:
        kinds = [str(p.record.kind) for p in uow.outbox.pending(100, w.clock.now())]
    assert kinds == ["notice", "case.material", "case.process", "case.accept", "case.process", "case.result"]


def test_windows_deciding_at_once_never_share_a_case_number(w) -> None:
    sessions = [sign_in(w, f"30{n}", str(n)) for n in (1, 2, 3)]
    item = w.catalogue.get(HYGIENE)
    person = manual_applicant("张三", ID_NUMBER, "", dt.date(2026, 3, 2))

    def decide(n: int) -> str:
        return w.cases.submit(sessions[n % 3], item, person, checks(item)).case_no

    with ThreadPoolExecutor(6) as pool:
        numbers = list(pool.map(decide, range(24)))
    assert len(set(numbers)) == 24
    per_window = {
        s.window_no: sorted(n for n in numbers if f"-{int(s.window_no):03d}-" in n) for s in sessions
    }
    assert all(len(v) == 8 for v in per_window.values())
    assert all(v[-1].endswith("0008") for v in per_window.values())  # no gaps, no repeats
