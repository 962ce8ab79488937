"""What the case service puts on paper, read back with poppler as the applicant's copy would be read:
every missing material, the deadline as a date, the ID number masked 6+4, remedies, embedded fonts."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from hallclient.domain.cases import Decision, MaterialCheck, MaterialStatus
from hallclient.services.applicants import manual_applicant, organisation_applicant

TODAY = dt.date(2026, 3, 2)
HYGIENE = "11610199MB162734XN4000141001000"
FULL_ID = "11010519491231002X"
PRINT_MASK = "110105********002X"  # privacy.md §2: printouts show first 6 + last 4

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{abs(hash(pdf))}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True, timeout=30
    )
    return re.sub(r"\s+", "", out.stdout)


def fonts_of(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    return [line.split() for line in lines[2:]]


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def item(wiring):
    return wiring.catalogue.get(HYGIENE)


def test_one_time_notice_lists_every_gap_with_deadline_date_and_masked_id(
    wiring, session, item, tmp_path
) -> None:
    person = manual_applicant("张三", FULL_ID, "13812341234", TODAY)
    statuses = {0: MaterialStatus.MISSING, 3: MaterialStatus.NONCONFORMING, 6: MaterialStatus.MISSING}
    checks = [
        MaterialCheck(m.name, statuses.get(i, MaterialStatus.PRESENT), "比例尺不符" if i == 3 else "")
        for i, m in enumerate(item.materials)
    ]
    out = wiring.cases.submit(session, item, person, checks)
    assert out.decision is Decision.NOTICE
    text = text_of(out.document.pdf, tmp_path)
    for i in statuses:
        assert re.sub(r"\s+", "", item.materials[i].name)[:12] in text, item.materials[i].name
    assert "不符合法定形式" in text
    assert cn_date(out.deadline_date) in text and "20个工作日" in text
    assert PRINT_MASK in text and FULL_ID not in text
    assert "138****1234" in text and "13812341234" not in text
    assert out.case_no in text and "第一联" in text and "第二联" in text  # two copies
    fonts = fonts_of(out.document.pdf, tmp_path)
    assert fonts and all(f[-5] == "yes" and f[-4] == "yes" for f in fonts), fonts  # embedded subset


def test_rejection_states_reason_and_both_remedies(wiring, session, item, tmp_path) -> None:
    wiring.cases.rules = replace(wiring.cases.rules, review_authority="西安市雁塔区人民政府")
    person = manual_applicant("张三", FULL_ID, "", TODAY)
    checks = [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
    out = wiring.cases.submit(
        session,
        item,
        person,
        checks,
        override=Decision.REJECT,
        override_reason="申请事项依法不属于本机关职权范围",
        competent_authority="西安市市场监督管理局",
    )
    text = text_of(out.document.pdf, tmp_path)
    assert "不予受理决定书" in text and "申请事项依法不属于本机关职权范围" in text
    assert "行政复议" in text and "行政诉讼" in text and "西安市雁塔区人民政府" in text
    assert "西安市市场监督管理局" in text
    assert PRINT_MASK in text


def test_deferred_acceptance_carries_the_commitment_date_and_letter(wiring, session, item, tmp_path) -> None:
    person = manual_applicant("张三", FULL_ID, "", TODAY)
    checks = [
        MaterialCheck(m.name, MaterialStatus.MISSING if i == 4 else MaterialStatus.PRESENT)
        for i, m in enumerate(item.materials)
    ]
    out = wiring.cases.submit(session, item, person, checks)
    text = text_of(out.document.pdf, tmp_path)
    assert "容缺受理通知书" in text and "容缺受理承诺书" in text
    assert cn_date(out.deadline_date) in text
    assert re.sub(r"\s+", "", item.materials[4].name)[:12] in text


def test_an_organisation_is_printed_with_credit_code_representative_and_masked_agent(
    wiring, session, item, tmp_path
) -> None:
    org = organisation_applicant(
        "西安示例餐饮管理有限公司",
        "11610199MB162718XF",
        TODAY,
        legal_representative="王五",
        agent_name="李四",
        agent_id=FULL_ID,
    )
    wiring.cases.rules = replace(wiring.cases.rules, issue_receipt=True)
    out = wiring.cases.submit(
        session, item, org, [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
    )
    for pdf in (out.document.pdf, out.receipt.pdf):
        text = text_of(pdf, tmp_path)
        assert "11610199MB162718XF" in text and "王五" in text
        assert f"李四（{PRINT_MASK}）" in text and FULL_ID not in text
    assert "收件凭证" in text_of(out.receipt.pdf, tmp_path)


def test_a_received_case_gets_a_receipt_with_the_decision_date(wiring, session, item, tmp_path) -> None:
    person = manual_applicant("张三", FULL_ID, "", TODAY)
    out = wiring.cases.receive(
        session, item, person, [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
    )
    text = text_of(out.document.pdf, tmp_path)
    assert "收件凭证" in text and cn_date(out.deadline_date) in text and "5个工作日" in text
    assert PRINT_MASK in text
