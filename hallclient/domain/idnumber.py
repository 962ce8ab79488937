"""公民身份号码 (GB 11643-1999) checks and masking.

The check digit comes from python-stdnum (``stdnum.cn.ric.calc_check_digit``); everything else is
our own because stdnum is stricter than a hall can be (see docs/decisions.md and
``domain/numbers.md`` §3): it rejects 居住证 (81/82/83) and 2023 永居证 (9…) numbers and numbers
whose 地址码 post-dates the birth year, and it does not reject future birth dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum.cn import ric

_SHAPE_18 = re.compile(r"^\d{17}[\dX]$")
_SHAPE_15 = re.compile(r"^\d{15}$")
_FULL_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)


class IdProblem(StrEnum):
    EMPTY = "empty"
    FORMAT = "format"
    BIRTH_DATE = "birth_date"
    FUTURE_BIRTH = "future_birth"
    CHECK_DIGIT = "check_digit"


_MESSAGES = {
    IdProblem.EMPTY: "请输入身份证号码",
    IdProblem.FORMAT: "身份证号码应为18位（前17位为数字，最后一位为数字或X），或15位老号码",
    IdProblem.BIRTH_DATE: "身份证号码中的出生日期不存在，请核对第7-14位",
    IdProblem.FUTURE_BIRTH: "身份证号码中的出生日期晚于今天，请核对",
    IdProblem.CHECK_DIGIT: "身份证号码校验位不正确，请逐位核对",
}


class IdNumberError(ValueError):
    def __init__(self, problem: IdProblem) -> None:
        super().__init__(_MESSAGES[problem])
        self.problem = problem
        self.message = _MESSAGES[problem]


@dataclass(frozen=True)
class IdNumber:
    """A validated 18-character ID number. ``str()`` and ``repr()`` are masked on purpose."""

    value: str

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def sex(self) -> str:
        return "男" if int(self.value[16]) % 2 else "女"

    @property
    def last4(self) -> str:
        return self.value[-4:]

    def masked(self, head: int = 4, tail: int = 4) -> str:
        return mask_id(self.value, head, tail)

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"IdNumber({self.masked()!r})"


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def check_digit(first17: str) -> str:
    # stdnum's calc_check_digit ignores the last character of what it is given.
    return str(ric.calc_check_digit(first17 + "0"))


def upgrade_15(number: str) -> str:
    """15-digit numbers were issued only to people born 19xx: insert "19", append the check digit."""
    body = number[:6] + "19" + number[6:]
    return body + check_digit(body)


def parse_id_number(text: str, today: dt.date | None = None) -> IdNumber:
    """Validate and normalise; raises IdNumberError with a clerk-facing message."""
    number = normalise(text)
    if not number:
        raise IdNumberError(IdProblem.EMPTY)
    if _SHAPE_15.match(number):
        number = upgrade_15(number)
    if not _SHAPE_18.match(number):
        raise IdNumberError(IdProblem.FORMAT)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(IdProblem.BIRTH_DATE) from None
    if birth > (today or dt.date.today()):
        raise IdNumberError(IdProblem.FUTURE_BIRTH)
    if check_digit(number[:17]) != number[17]:
        raise IdNumberError(IdProblem.CHECK_DIGIT)
    return IdNumber(number)


def is_valid(text: str, today: dt.date | None = None) -> bool:
    try:
        parse_id_number(text, today)
    except IdNumberError:
        return False
    return True


def mask_id(number: str, head: int = 4, tail: int = 4) -> str:
    """Screen default 4+4; printouts use 6+4 (privacy.md §2)."""
    number = normalise(number)
    if len(number) <= head + tail:
        return "*" * len(number)
    return number[:head] + "*" * (len(number) - head - tail) + number[-tail:]


def redact_ids(text: str) -> str:
    """Replace every full ID number in free text by its 4+4 mask (used by the log filter)."""
    return _FULL_ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)
