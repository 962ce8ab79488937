"""The applicant of a service: a person from the card or typed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallclient.domain.idnumber import IdNumber


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: IdNumber | None
    source: str = "manual"  # "card" | "manual"
    id_type: str = "111"  # 证件类型 (numbers.md §4): 111 居民身份证
    sex: str = ""
    birth: dt.date | None = None
    phone: str = ""
    card_expired: bool = False

    @property
    def id_masked(self) -> str:
        return self.id_number.masked() if self.id_number else ""

    def __repr__(self) -> str:  # never leak the number through a log line or traceback
        return f"Applicant(name={self.name[:1]}*, id={self.id_masked}, source={self.source})"
