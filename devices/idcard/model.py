"""The value a card reader returns: one read of one card, immutable, safe to pass between threads.

``repr``/``str`` never show the name, address, ID number or photo, so an ``IdCard`` that slips into a log line
or an exception message leaks nothing but the card type and a masked number (privacy.md §2–§3).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = ["CardType", "IdCard", "mask_id_number"]


class CardType(StrEnum):
    """Which card the text block describes (type flag at text offset 248, idcard.md §6)."""

    RESIDENT = "resident"
    """居民身份证 (flag ' ' or NUL)."""
    FOREIGN_PERMANENT = "foreign_permanent"
    """外国人永久居留身份证, 2017 layout (flag 'I')."""
    HK_MO_TW = "hk_mo_tw"
    """港澳台居民居住证 (flag 'J')."""
    UNKNOWN = "unknown"
    """Any other flag (e.g. the 2023 永久居留身份证): fields are not guessed; see ``IdCard.raw_text``."""
    SOCIAL_SECURITY = "social_security"
    """社会保障卡 read over PC/SC (idcard.md §9.2): name, sex, nation, birth, ``id_number`` (the 社会保障号码)
    and ``card_number`` (卡号); no address, authority or validity."""


def mask_id_number(number: str) -> str:
    """First 4 + last 4 characters, the rest starred (the clerk-screen default, privacy.md §2)."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


@dataclass(frozen=True, kw_only=True, repr=False)
class IdCard:
    """Data read from an ID card. Text fields are trimmed; absent fields are "" (or None for dates/nation).

    For ``FOREIGN_PERMANENT`` cards ``name`` is the Chinese name and ``id_number`` the 15-character permanent
    residence number; for ``HK_MO_TW`` cards ``id_number`` is the 18-character number (810000/820000/830000).
    For ``UNKNOWN`` cards every field is empty and ``raw_text`` holds the decoded 128-character block, for the
    clerk to read and key by hand. For ``SOCIAL_SECURITY`` cards ``id_number`` is the 社会保障号码 (for a
    citizen, the 公民身份号码) and ``card_number`` the 社保卡卡号.
    """

    card_type: CardType
    name: str = ""
    sex: str = ""
    sex_code: str = ""
    nation: str | None = None
    nation_code: str = ""
    birth: date | None = None
    address: str = ""
    id_number: str = ""
    authority: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    valid_long_term: bool = False
    # 'I' cards (外国人永久居留身份证 2017)
    english_name: str = ""
    nationality: str = ""
    card_version: str = ""
    authority_code: str = ""
    # 'J' cards (港澳台居民居住证)
    pass_number: str = ""
    issue_count: str = ""
    # UNKNOWN cards only
    raw_text: str = ""
    # SOCIAL_SECURITY cards only: 社会保障卡卡号 (EF05 record 07)
    card_number: str = ""
    # Encrypted WLT photo, decoded in memory only for 人证核验; never persisted or logged.
    photo_wlt: bytes | None = field(default=None, repr=False)
    # The photo as an image file's bytes (BMP), decoded in memory by the vendor's licensed library
    # (vendor-sdk driver only: no other decoder exists, idcard.md §8). Same rules as ``photo_wlt``.
    photo_image: bytes | None = field(default=None, repr=False)

    def without_photo(self) -> IdCard:
        """The same card without the photo bytes (for anything that outlives the 人证核验 step)."""
        return dataclasses.replace(self, photo_wlt=None, photo_image=None)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def __repr__(self) -> str:
        valid_to = "长期" if self.valid_long_term else self.valid_to
        return (
            f"IdCard(card_type={self.card_type.name}, id_number={self.masked_id_number!r}, "
            f"sex={self.sex!r}, valid_to={valid_to}, photo={'yes' if self.photo_wlt or self.photo_image else 'no'})"
        )

    __str__ = __repr__
