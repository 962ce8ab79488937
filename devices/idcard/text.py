"""The 256-byte UTF-16LE text block of an ID card (idcard.md §6) and the ``30 01`` read response (§5).

Layouts are tables of ``(field, offset, length in bytes)``; the type flag sits at bytes 248–249. Fields are
right-padded with spaces; trailing spaces and NULs are trimmed. An unknown flag yields
``CardType.UNKNOWN`` with ``raw_text`` and nothing else: fields are never guessed.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Final

from devices.errors import FrameError
from devices.idcard.codes import nation_text, sex_text
from devices.idcard.frames import SW3_OK, Response, status_error
from devices.idcard.model import CardType, IdCard

__all__ = [
    "LONG_TERM",
    "PHOTO_SIZE",
    "TEXT_SIZE",
    "decode_read_response",
    "decode_text",
    "encode_read_data",
    "encode_text",
]

TEXT_SIZE: Final = 256
PHOTO_SIZE: Final = 1024
FLAG_OFFSET: Final = 248
LONG_TERM: Final = "长期"
# Written for UNKNOWN cards whose raw_text stops short of the flag: the 2023 card's flag is believed to be Y.
UNKNOWN_FLAG: Final = "Y"

_FLAGS: Final = {
    " ": CardType.RESIDENT,
    "\x00": CardType.RESIDENT,
    "I": CardType.FOREIGN_PERMANENT,
    "J": CardType.HK_MO_TW,
}
_FLAG_OF: Final = {CardType.RESIDENT: " ", CardType.FOREIGN_PERMANENT: "I", CardType.HK_MO_TW: "J"}

# (field, byte offset, byte length). Dates are YYYYMMDD; "valid_to" may also be 长期.
_RESIDENT: Final = (
    ("name", 0, 30),
    ("sex_code", 30, 2),
    ("nation_code", 32, 4),
    ("birth", 36, 16),
    ("address", 52, 70),
    ("id_number", 122, 36),
    ("authority", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
)
_FOREIGN_2017: Final = (
    ("english_name", 0, 120),
    ("sex_code", 120, 2),
    ("id_number", 122, 30),
    ("nationality", 152, 6),
    ("name", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
    ("birth", 220, 16),
    ("card_version", 236, 4),
    ("authority_code", 240, 8),
)
_HK_MO_TW: Final = (
    ("name", 0, 30),
    ("sex_code", 30, 2),
    ("birth", 36, 16),
    ("address", 52, 70),
    ("id_number", 122, 36),
    ("authority", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
    ("pass_number", 220, 18),
    ("issue_count", 238, 4),
)
_LAYOUTS: Final = {
    CardType.RESIDENT: _RESIDENT,
    CardType.FOREIGN_PERMANENT: _FOREIGN_2017,
    CardType.HK_MO_TW: _HK_MO_TW,
}
_DATE_FIELDS: Final = frozenset({"birth", "valid_from", "valid_to"})


def _field_text(block: bytes, offset: int, length: int) -> str:
    return block[offset : offset + length].decode("utf-16-le", errors="replace").rstrip(" \x00")


def _parse_date(text: str) -> date | None:
    """YYYYMMDD → date; anything else (blank, zeros, an impossible day) → None rather than a guess."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def decode_text(block: bytes) -> IdCard:
    """Decode one 256-byte text block. ``FrameError`` if it is not 256 bytes."""
    if len(block) != TEXT_SIZE:
        raise FrameError(detail=f"text block is {len(block)} bytes, expected {TEXT_SIZE}")
    flag = block[FLAG_OFFSET : FLAG_OFFSET + 2].decode("utf-16-le", errors="replace")
    card_type = _FLAGS.get(flag, CardType.UNKNOWN)
    if card_type is CardType.UNKNOWN:
        return IdCard(card_type=card_type, raw_text=block.decode("utf-16-le", errors="replace"))

    raw = {name: _field_text(block, offset, length) for name, offset, length in _LAYOUTS[card_type]}
    valid_to = raw.get("valid_to", "")
    long_term = valid_to == LONG_TERM
    nation_code = raw.get("nation_code", "")
    return IdCard(
        card_type=card_type,
        name=raw.get("name", ""),
        sex=sex_text(raw["sex_code"]),
        sex_code=raw["sex_code"],
        nation=nation_text(nation_code) if card_type is CardType.RESIDENT else None,
        nation_code=nation_code,
        birth=_parse_date(raw["birth"]),
        address=raw.get("address", ""),
        id_number=raw["id_number"],
        authority=raw.get("authority", ""),
        valid_from=_parse_date(raw["valid_from"]),
        valid_to=None if long_term else _parse_date(valid_to),
        valid_long_term=long_term,
        english_name=raw.get("english_name", ""),
        nationality=raw.get("nationality", ""),
        card_version=raw.get("card_version", ""),
        authority_code=raw.get("authority_code", ""),
        pass_number=raw.get("pass_number", ""),
        issue_count=raw.get("issue_count", ""),
    )


def _put(block: bytearray, offset: int, length: int, text: str, name: str) -> None:
    encoded = text.encode("utf-16-le")
    if len(encoded) > length:
        raise ValueError(f"{name} does not fit in {length // 2} characters")
    block[offset : offset + len(encoded)] = encoded


def encode_text(card: IdCard) -> bytes:
    """The 256-byte block ``decode_text`` turns back into ``card`` (for simulators, emulators and tests).

    Sex and nation are written from their codes; an ``UNKNOWN`` card is written from ``raw_text``.
    ``ValueError`` if a field does not fit its slot.
    """
    if card.card_type is CardType.UNKNOWN:
        block = bytearray(" ".encode("utf-16-le") * (TEXT_SIZE // 2))
        _put(block, 0, TEXT_SIZE, card.raw_text, "raw_text")
        if block[FLAG_OFFSET : FLAG_OFFSET + 2].decode("utf-16-le", errors="replace") in _FLAGS:
            if len(card.raw_text) > FLAG_OFFSET // 2:
                raise ValueError("raw_text of an UNKNOWN card carries a known type flag at character 124")
            _put(block, FLAG_OFFSET, 2, UNKNOWN_FLAG, "flag")
        return bytes(block)
    if card.card_type not in _LAYOUTS:
        raise ValueError(f"a {card.card_type.value} card has no ID-card text block")
    block = bytearray(" ".encode("utf-16-le") * (TEXT_SIZE // 2))
    for name, offset, length in _LAYOUTS[card.card_type]:
        if name in _DATE_FIELDS:
            value: date | None = getattr(card, name)
            if name == "valid_to" and card.valid_long_term:
                text = LONG_TERM
            else:
                text = value.strftime("%Y%m%d") if value is not None else ""
        else:
            text = getattr(card, name)
        _put(block, offset, length, text, name)
    _put(block, FLAG_OFFSET, 2, _FLAG_OF[card.card_type], "flag")
    return bytes(block)


def encode_read_data(card: IdCard) -> bytes:
    """The data of a ``30 01`` response for ``card``: text length, photo length, text, photo (1024 zero
    bytes when the card has none). ``build_response(SW3_OK, encode_read_data(card))`` is the whole frame."""
    photo = card.photo_wlt if card.photo_wlt is not None else bytes(PHOTO_SIZE)
    return TEXT_SIZE.to_bytes(2, "big") + len(photo).to_bytes(2, "big") + encode_text(card) + photo


def decode_read_response(resp: Response) -> IdCard:
    """Decode a ``30 01`` response: raises the status error if SW3 is not OK, ``FrameError`` if the length
    fields (the first 4 data bytes: text length, photo length, big-endian) do not match the data."""
    if resp.sw3 != SW3_OK:
        error = status_error(resp.sw3)
        if error is not None:
            raise error
        raise FrameError(detail=f"unexpected SW3 0x{resp.sw3:02X} for a read")
    data = resp.data
    if len(data) < 4:
        raise FrameError(detail=f"read response data is {len(data)} bytes, too short for the length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_SIZE:
        raise FrameError(detail=f"text length field is {text_len}, expected {TEXT_SIZE}")
    if len(data) < 4 + text_len + photo_len:
        raise FrameError(
            detail=f"length fields say {4 + text_len + photo_len} data bytes, frame has {len(data)}"
        )
    card = decode_text(data[4 : 4 + text_len])
    if photo_len == 0:
        return card
    return dataclasses.replace(card, photo_wlt=bytes(data[4 + text_len : 4 + text_len + photo_len]))
