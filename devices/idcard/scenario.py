"""Scenario files for the simulated reader: a JSON list of cards, presented in order.

Format (UTF-8 JSON)::

    [
      {"card_type": "resident", "name": "韩梅梅", "sex_code": "2", "nation_code": "01",
       "birth": "1949-12-31", "address": "北京市西城区某某路1号", "id_number": "11010519491231002X",
       "authority": "北京市公安局西城分局", "valid_from": "2020-01-01", "valid_to": "长期"},
      {"card_type": "hk_mo_tw", "name": "陈大文", "sex_code": "1", "birth": "19000101",
       "id_number": "810000190001010018", "valid_from": "2018-09-01", "valid_to": "2023-09-01",
       "pass_number": "H00000001", "issue_count": "01"},
      {"sample": "resident_male"},
      {"card_type": "unknown", "raw_text": "…"}
    ]

- Keys are the field names of :class:`~devices.idcard.model.IdCard`; ``card_type`` is one of ``resident``,
  ``foreign_permanent``, ``hk_mo_tw``, ``social_security``, ``unknown`` (default ``resident``). Missing fields
  are empty.
- Dates are ``YYYY-MM-DD`` or ``YYYYMMDD``; ``"valid_to": "长期"`` means long-term validity.
- ``sex`` and ``nation`` are derived from ``sex_code`` / ``nation_code`` (nation only for resident and
  social security cards) unless given explicitly.
- ``{"sample": NAME}`` stands for a shipped synthetic card: ``resident_female``, ``resident_male``,
  ``hk_resident``, ``foreign_permanent``.
- No photo: scenario cards carry none. Use synthetic people only (privacy.md §3, drills).

Unknown keys or bad values raise ``ValueError`` naming the card index and the key.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

from devices.idcard import sample_cards
from devices.idcard.codes import nation_text, sex_text
from devices.idcard.model import CardType, IdCard
from devices.idcard.text import LONG_TERM

__all__ = ["card_from_dict", "card_to_dict", "load_scenario"]

_SAMPLES = {
    "resident_female": sample_cards.RESIDENT_FEMALE,
    "resident_male": sample_cards.RESIDENT_MALE,
    "hk_resident": sample_cards.HK_RESIDENT,
    "foreign_permanent": sample_cards.FOREIGN_PERMANENT,
}
# Cards that carry a 民族 code: the others' nation stays None unless a scenario gives one.
_WITH_NATION = frozenset({CardType.RESIDENT, CardType.SOCIAL_SECURITY})
_TEXT_FIELDS = frozenset(
    f.name
    for f in dataclasses.fields(IdCard)
    if f.name
    not in {
        "card_type",
        "birth",
        "valid_from",
        "valid_to",
        "valid_long_term",
        "nation",
        "photo_wlt",
        "photo_image",
    }
)


def _date(value: Any, key: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a date string, got {value!r}")
    text = value.replace("-", "")
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"{key}: expected YYYY-MM-DD or YYYYMMDD, got {value!r}")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def card_from_dict(item: dict[str, Any]) -> IdCard:
    """One card from its scenario dict (see the module docstring)."""
    if "sample" in item:
        if set(item) != {"sample"}:
            raise ValueError("a 'sample' entry takes no other keys")
        try:
            return _SAMPLES[item["sample"]]
        except KeyError:
            raise ValueError(f"unknown sample {item['sample']!r}; known: {', '.join(_SAMPLES)}") from None
    unknown = set(item) - _TEXT_FIELDS - {"card_type", "birth", "valid_from", "valid_to", "nation"}
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
    card_type = CardType(item.get("card_type", CardType.RESIDENT))
    texts: dict[str, Any] = {}
    for key in _TEXT_FIELDS & set(item):
        if not isinstance(item[key], str):
            raise ValueError(f"{key}: expected a string, got {item[key]!r}")
        texts[key] = item[key]
    long_term = item.get("valid_to") == LONG_TERM
    sex_code = texts.get("sex_code", "")
    nation_code = texts.get("nation_code", "")
    nation = item.get("nation", nation_text(nation_code) if card_type in _WITH_NATION else None)
    texts.setdefault("sex", sex_text(sex_code))
    card = IdCard(
        card_type=card_type,
        nation=nation,
        birth=_date(item.get("birth"), "birth"),
        valid_from=_date(item.get("valid_from"), "valid_from"),
        valid_to=None if long_term else _date(item.get("valid_to"), "valid_to"),
        valid_long_term=long_term,
    )
    return dataclasses.replace(card, **texts)


def card_to_dict(card: IdCard) -> dict[str, Any]:
    """The scenario dict of ``card`` (without the photo); ``card_from_dict`` turns it back."""
    out: dict[str, Any] = {"card_type": card.card_type.value}
    for f in dataclasses.fields(IdCard):
        if f.name in _TEXT_FIELDS and getattr(card, f.name):
            out[f.name] = getattr(card, f.name)
    if card.sex == sex_text(card.sex_code):
        out.pop("sex", None)
    for key in ("birth", "valid_from", "valid_to"):
        value: date | None = getattr(card, key)
        if value is not None:
            out[key] = value.isoformat()
    if card.valid_long_term:
        out["valid_to"] = LONG_TERM
    if card.nation != (nation_text(card.nation_code) if card.card_type in _WITH_NATION else None):
        out["nation"] = card.nation
    return out


def load_scenario(path: str | Path) -> list[IdCard]:
    """The cards of a scenario file, in order. ``ValueError`` on a malformed file, ``OSError`` if unreadable."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("a scenario file holds a JSON list of cards")
    cards = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ValueError(f"card {index}: expected an object, got {type(item).__name__}")
        try:
            cards.append(card_from_dict(item))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"card {index}: {exc}") from exc
    return cards
