"""Turn what the card reader (or the clerk) gave into a validated applicant, with warnings for the clerk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallclient.domain.applicant import Applicant
from hallclient.domain.idnumber import IdNumberError, parse_id_number
from hallclient.services.errors import ServiceError

CARD_TYPE_LABELS = {
    "resident": "居民身份证",
    "foreign_permanent": "外国人永久居留身份证",
    "hk_mo_tw": "港澳台居民居住证",
    "unknown": "未知类型证件",
}
ID_TYPE_CODES = {"resident": "111", "foreign_permanent": "553", "hk_mo_tw": "990", "unknown": "990"}


@dataclass(frozen=True)
class ApplicantCheck:
    applicant: Applicant | None
    card_type_label: str
    valid_to_text: str
    warnings: tuple[str, ...]
    error: str = ""


def check_card(
    *,
    name: str,
    id_number: str,
    card_type: str,
    birth: dt.date | None,
    valid_to: dt.date | None,
    long_term: bool,
    sex: str = "",
    today: dt.date,
) -> ApplicantCheck:
    label = CARD_TYPE_LABELS.get(card_type, CARD_TYPE_LABELS["unknown"])
    valid_text = "长期" if long_term else (valid_to.isoformat() if valid_to else "")
    warnings: list[str] = []
    if card_type == "unknown":
        return ApplicantCheck(None, label, valid_text, (), "无法识别的证件类型，请核对证件后手工录入")
    number = None
    if card_type in ("resident", "hk_mo_tw"):
        try:
            number = parse_id_number(id_number, today)
        except IdNumberError as exc:
            return ApplicantCheck(None, label, valid_text, (), f"证件号码校验未通过：{exc.message}")
        if birth is not None and number.birth_date != birth:
            warnings.append("证件上的出生日期与身份证号码不一致，请人工核对")
    expired = bool(valid_to and not long_term and valid_to < today)
    if expired:
        warnings.append(f"证件已于 {valid_to} 过期，请按规定核验或请申请人提供有效证件")
    applicant = Applicant(
        name=name.strip(),
        id_number=number,
        source="card",
        id_type=ID_TYPE_CODES[card_type],
        sex=sex,
        birth=birth,
        card_expired=expired,
    )
    return ApplicantCheck(applicant, label, valid_text, tuple(warnings))


def manual_applicant(name: str, id_text: str, phone: str, today: dt.date) -> Applicant:
    """Typed-in applicant, validated the same way as a card; raises IdNumberError / ServiceError."""
    if not name.strip():
        raise ServiceError("请输入申请人姓名")
    number = parse_id_number(id_text, today)
    return Applicant(
        name=name.strip(),
        id_number=number,
        source="manual",
        phone=phone.strip(),
        birth=number.birth_date,
        sex=number.sex,
    )
