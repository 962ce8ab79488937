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
