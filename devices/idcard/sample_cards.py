"""Synthetic ID cards for the simulated reader, the reader emulator, drills and tests. No real person.

ID numbers carry valid GB 11643 check digits (numbers.md §1) and birth dates no living person has, or are
published samples (11010519491231002X). Sex codes agree with the 17th digit.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from devices.idcard.codes import nation_text, sex_text
from devices.idcard.model import CardType, IdCard

__all__ = [
    "FOREIGN_PERMANENT",
    "HK_RESIDENT",
    "RESIDENT_FEMALE",
    "RESIDENT_MALE",
    "SAMPLE_CARDS",
    "SOCIAL_SECURITY_CARDS",
    "SOCIAL_SECURITY_FEMALE",
    "SOCIAL_SECURITY_MALE",
]

RESIDENT_FEMALE: Final = IdCard(
    card_type=CardType.RESIDENT,
    name="韩梅梅",
    sex=sex_text("2"),
    sex_code="2",
    nation=nation_text("01"),
    nation_code="01",
    birth=date(1949, 12, 31),
    address="北京市西城区某某路1号",
    id_number="11010519491231002X",
    authority="北京市公安局西城分局",
    valid_from=date(2020, 1, 1),
    valid_to=None,
    valid_long_term=True,
)

RESIDENT_MALE: Final = IdCard(
    card_type=CardType.RESIDENT,
    name="李雷",
    sex=sex_text("1"),
    sex_code="1",
    nation=nation_text("08"),
    nation_code="08",
    birth=date(1880, 1, 1),
    address="广东省汕头市潮阳区某某镇某某村委会某某村123号",
    id_number="440524188001010014",
    authority="汕头市公安局潮阳分局",
    valid_from=date(2010, 3, 1),
    valid_to=date(2030, 3, 1),
)

HK_RESIDENT: Final = IdCard(
    card_type=CardType.HK_MO_TW,
    name="陈大文",
    sex=sex_text("1"),
    sex_code="1",
    birth=date(1900, 1, 1),
    address="广东省深圳市福田区某某路8号",
    id_number="810000190001010018",
    authority="深圳市公安局福田分局",
    valid_from=date(2018, 9, 1),
    valid_to=date(2023, 9, 1),
    pass_number="H00000001",
    issue_count="01",
)

FOREIGN_PERMANENT: Final = IdCard(
    card_type=CardType.FOREIGN_PERMANENT,
    name="约翰",
    english_name="SMITH JOHN",
    sex=sex_text("1"),
    sex_code="1",
    birth=date(1900, 1, 1),
    id_number="USA110019000101",
    nationality="USA",
    valid_from=date(2017, 6, 1),
    valid_to=date(2027, 6, 1),
    card_version="17",
    authority_code="1100",
)

SAMPLE_CARDS: Final = (RESIDENT_FEMALE, RESIDENT_MALE, HK_RESIDENT, FOREIGN_PERMANENT)

# 社会保障卡 (read over PC/SC): the 社会保障号码 of a citizen is the 公民身份号码. Card numbers are made up.
SOCIAL_SECURITY_FEMALE: Final = IdCard(
    card_type=CardType.SOCIAL_SECURITY,
    name="韩梅梅",
    sex=sex_text("2"),
    sex_code="2",
    nation=nation_text("01"),
    nation_code="01",
    birth=date(1949, 12, 31),
    id_number="11010519491231002X",
    card_number="S00000001",
)

SOCIAL_SECURITY_MALE: Final = IdCard(
    card_type=CardType.SOCIAL_SECURITY,
    name="欧阳李雷",
    sex=sex_text("1"),
    sex_code="1",
    nation=nation_text("08"),
    nation_code="08",
    birth=date(1880, 1, 1),
    id_number="440524188001010014",
    card_number="S00000002",
)

SOCIAL_SECURITY_CARDS: Final = (SOCIAL_SECURITY_FEMALE, SOCIAL_SECURITY_MALE)
