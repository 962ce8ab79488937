"""Realistic document data for the printing tests (synthetic people, a real item name and code)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from printing.model import DocumentData, DocumentKind, HallInfo, MaterialLine

# 46 Chinese characters with no break opportunity of its own: it must wrap inside its cell.
LONG_MATERIAL = (
    "中华人民共和国境内从事食品生产经营活动的企业法定代表人身份证明及授权委托书加盖单位公章并由委托人签字确认"
)

HALL = HallInfo(
    name="广安市广安区政务服务中心",
    address="四川省广安市广安区金安大道二段166号政务服务中心一楼",
    phone="0826-2345678",
)

MATERIALS = (
    MaterialLine("营业执照副本", "缺失", "原件1份，复印件1份", "申请人自备"),
    MaterialLine(
        LONG_MATERIAL,
        "不符合法定形式",
        "原件1份，须加盖单位公章",
        "市场监管部门窗口领取",
        note="注明委托期限",
    ),
    MaterialLine("食品安全管理制度文本", "需补充", "复印件1份，A4纸，加盖公章", "申请人自备"),
)

MASKED_ID = "110105********002X"
CLERK = "李四"


def make_data(kind: DocumentKind, **changes: Any) -> DocumentData:
    data = DocumentData(
        kind=kind,
        doc_no="GA-TZ-2026-000123",
        hall=HALL,
        item_name="食品经营许可（新办）",
        item_code="511A0138000000-511602000000-000-115113010833722043-1-00",
        applicant_name="张三",
        applicant_id_masked=MASKED_ID,
        applicant_phone_masked="138****1234",
        received_at=datetime(2026, 11, 27, 9, 5),
        issued_on=date(2026, 11, 27),
        materials=MATERIALS,
        legal_basis=("《食品经营许可和备案管理办法》第十四条",),
        deadline_days=5,
        deadline_date=date(2026, 12, 4),
        promised_days=10,
        window_no="12",
        clerk_name=CLERK,
        clerk_staff_no="GA0471",
        case_no="51160226112700042",
        query_code="K7Q4M2",
        reason="申请事项依法不需要取得行政许可，实行备案管理。" if kind is DocumentKind.REJECTION else "",
    )
    return replace(data, **changes) if changes else data
