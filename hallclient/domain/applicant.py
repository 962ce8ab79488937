"""The applicant of a service: a person from the card or typed in, or an organisation.

An organisation (法人或其他组织) is identified by its 统一社会信用代码 and applies through a person:
its legal representative or an agent (代理人 / 经办人), whose own ID number is kept like a
person applicant's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from hallclient.domain.idnumber import IdNumber


class ApplicantKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Agent:
    """The person who acts for an applicant at the window (代理人 / 经办人)."""

    name: str
    id_number: IdNumber | None
    phone: str = ""
    id_type: str = "111"

    @property
    def id_masked(self) -> str:
        return self.id_number.masked() if self.id_number else ""

    def __repr__(self) -> str:
        return f"Agent(name={self.name[:1]}*, id={self.id_masked})"


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
    kind: ApplicantKind = ApplicantKind.PERSON
    credit_code: str = ""  # organisations: 统一社会信用代码, checked (creditcode.py)
    legal_representative: str = ""  # organisations: 法定代表人 / 负责人
    agent: Agent | None = None

    @property
    def id_masked(self) -> str:
        return self.id_number.masked() if self.id_number else ""

    @property
    def is_organisation(self) -> bool:
        return self.kind is ApplicantKind.ORGANISATION

    def __repr__(self) -> str:  # never leak the number through a log line or traceback
        ident = self.credit_code if self.is_organisation else self.id_masked
        return f"Applicant(name={self.name[:1]}*, id={ident}, kind={self.kind}, source={self.source})"
