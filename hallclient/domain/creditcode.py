"""统一社会信用代码 (GB 32100-2015) check; first character may be a letter (A/N/Y), which stdnum rejects."""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_SHAPE = re.compile(rf"^[{ALPHABET}]{{18}}$")


class CreditCodeError(ValueError):
    pass


def parse_credit_code(text: str) -> str:
    code = re.sub(r"[\s-]+", "", text or "").upper()
    if not _SHAPE.match(code):
        raise CreditCodeError("统一社会信用代码应为18位（数字或大写字母，不含I、O、S、V、Z）")
    total = sum(ALPHABET.index(c) * w for c, w in zip(code[:17], _WEIGHTS, strict=True))
    if ALPHABET[(31 - total % 31) % 31] != code[17]:
        raise CreditCodeError("统一社会信用代码校验位不正确，请逐位核对")
    return code


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_SHAPE = re.compile(r"^[0-9A-Z]{8}[0-9X]$")


def parse_org_code(text: str) -> str:
    """组织机构代码 (GB 11714-1997): 8 characters + check digit, often written ``XXXXXXXX-X``.

    Superseded by the credit code (whose characters 9–17 it is) but still in older exports.
    """
    code = re.sub(r"[\s-]+", "", text or "").upper()
    if not _ORG_SHAPE.match(code):
        raise CreditCodeError("组织机构代码应为9位（8位本体代码加1位校验码）")
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if {10: "X", 11: "0"}.get(check, str(check)) != code[8]:
        raise CreditCodeError("组织机构代码校验位不正确，请逐位核对")
    return code
