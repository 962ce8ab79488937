"""Turn what the card reader (or the clerk) gave into a validated applicant, with warnings for the clerk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hallclient.domain.applicant import Agent, Applicant, ApplicantKind
from hallclient.domain.creditcode import CreditCodeError, parse_credit_code
from hallclient.domain.idnumber import IdNumberError, parse_id_number
from hallclient.services.errors import ServiceError

CARD_TYPE_LABELS = {
    "resident": "居民身份证",
    "foreign_permanent": "外国人永久居留身份证",
    "hk_mo_tw": "港澳台居民居住证",
    "social_security": "社会保障卡",
    "unknown": "未知类型证件",
}
# A 社会保障卡's 社会保障号码 is the holder's 公民身份号码 and is checked as one: the applicant is identified
# by that number, so it goes out as 111 (docs/decisions.md, ID-card input).
ID_TYPE_CODES = {
    "resident": "111",
    "foreign_permanent": "553",
    "hk_mo_tw": "990",
    "social_security": "111",
    "unknown": "990",
}
# Cards whose number is a GB 11643 公民身份号码 (居住证 numbers start 810000/820000/830000 and share the rule).
_GB11643_CARDS = ("resident", "hk_mo_tw", "social_security")


@dataclass(frozen=True)
class ApplicantCheck:
    applicant: Applicant | None
    card_type_label: str
    valid_to_text: str
    warnings: tuple[str, ...]
    error: str = ""
    # The photo as an image file's bytes, decoded in memory by the reader's vendor library, for 人证核验 on
    # screen only: never stored, logged or printed (privacy.md §3); None: 照片不可用.
    photo: bytes | None = field(default=None, repr=False, compare=False)


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
    photo: bytes | None = None,
) -> ApplicantCheck:
    label = CARD_TYPE_LABELS.get(card_type, CARD_TYPE_LABELS["unknown"])
    valid_text = "长期" if long_term else (valid_to.isoformat() if valid_to else "")
    warnings: list[str] = []
    if card_type == "unknown":
        return ApplicantCheck(None, label, valid_text, (), "无法识别的证件类型，请核对证件后手工录入")
    number = None
    if card_type in _GB11643_CARDS:
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
    return ApplicantCheck(applicant, label, valid_text, tuple(warnings), photo=photo)


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


# 证件类型 of an organisation's 统一社会信用代码: the national person-document table (numbers.md §4) has
# none, so 990 (其他) goes out and each province's code table maps it to its own value.
ORGANISATION_ID_TYPE = "990"


def organisation_applicant(
    name: str,
    credit_code: str,
    today: dt.date,
    *,
    legal_representative: str = "",
    agent_name: str = "",
    agent_id: str = "",
    agent_phone: str = "",
    phone: str = "",
) -> Applicant:
    """An organisation applying through its legal representative or an agent (代理人/经办人).

    Raises ServiceError (or IdNumberError for the agent's ID number) with a message for the clerk.
    """
    if not name.strip():
        raise ServiceError("请输入单位名称")
    try:
        code = parse_credit_code(credit_code)
    except CreditCodeError as exc:
        raise ServiceError(str(exc)) from exc
    if not (legal_representative.strip() or agent_name.strip()):
        raise ServiceError("单位申请须填写法定代表人或代理人（经办人）")
    agent = None
    if agent_name.strip():
        if not agent_id.strip():
            raise ServiceError("请填写代理人（经办人）的身份证号码")
        agent = Agent(agent_name.strip(), parse_id_number(agent_id, today), agent_phone.strip())
    return Applicant(
        name=name.strip(),
        id_number=None,
        source="manual",
        id_type=ORGANISATION_ID_TYPE,
        phone=(phone or agent_phone).strip(),
        kind=ApplicantKind.ORGANISATION,
        credit_code=code,
        legal_representative=legal_representative.strip(),
        agent=agent,
    )
