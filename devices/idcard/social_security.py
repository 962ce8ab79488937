"""社会保障卡 over PC/SC: the APDUs of the SSSE application and the records they return (idcard.md §9.2).

Pure byte handling, no I/O: the ``pcsc`` driver sends these APDUs, the vpcd card emulator of the tests answers
them, both through this module. ::

    select SSSE    00 A4 04 00 0F 7378312E73682EC9E7BBE1B1A3D5CF   ("sx1.sh.社会保障" in GBK)
    卡号 (EF05)    00 B2 07 2C 0B        record 07 by SFI 5;  fallback: select EF05, 00 B2 07 04 00
    select EF06    00 A4 02 00 02 EF 06
    社会保障号码   00 B2 08 00 14        姓名 00 B2 09 00 20 (GBK)     性别 00 B2 0A 00 03
    民族           00 B2 0B 00 03 (BCD)  出生日期 00 B2 0D 00 06 (BCD YYYYMMDD)

Every record comes back as ``tag len value`` followed by the status word. EF07 (fingerprints) and EF08 (photo)
are never selected and no PIN is ever sent: :func:`refuse_forbidden` stops such an APDU before it leaves
(privacy.md §3; three wrong PINs block the card).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from devices.errors import CardReadFailed
from devices.idcard.codes import nation_text, sex_text
from devices.idcard.model import CardType, IdCard

__all__ = [
    "AID",
    "EF05_CARD_NUMBER_SFI",
    "FORBIDDEN_FILES",
    "GET_UID",
    "LENGTHS",
    "READ_BIRTH",
    "READ_CARD_NUMBER_SELECTED",
    "READ_NAME",
    "READ_NATION",
    "READ_SEX",
    "READ_SSN",
    "SELECT_EF05",
    "SELECT_EF06",
    "SELECT_SSSE",
    "TAG_BIRTH",
    "TAG_CARD_NUMBER",
    "TAG_NAME",
    "TAG_NATION",
    "TAG_SEX",
    "TAG_SSN",
    "bcd",
    "from_bcd",
    "normalised",
    "parse_record",
    "record_values",
    "refuse_forbidden",
    "social_security_card",
    "tlv",
]

AID: Final = b"sx1.sh." + "社会保障".encode("gbk")
SELECT_SSSE: Final = bytes([0x00, 0xA4, 0x04, 0x00, len(AID)]) + AID
EF05_CARD_NUMBER_SFI: Final = bytes.fromhex("00B2072C0B")  # record 07 of the file with SFI 5 (P2 = 5<<3 | 4)
SELECT_EF05: Final = bytes.fromhex("00A4020002EF05")
READ_CARD_NUMBER_SELECTED: Final = bytes.fromhex("00B2070400")  # record 07 of the selected EF05
SELECT_EF06: Final = bytes.fromhex("00A4020002EF06")
READ_SSN: Final = bytes.fromhex("00B2080014")
READ_NAME: Final = bytes.fromhex("00B2090020")
READ_SEX: Final = bytes.fromhex("00B20A0003")
READ_NATION: Final = bytes.fromhex("00B20B0003")
READ_BIRTH: Final = bytes.fromhex("00B20D0006")
GET_UID: Final = bytes.fromhex("0036000008")
"""The resident ID card's 8-byte serial (idcard.md §9.1): a transient "already read" key, never an ID."""

TAG_CARD_NUMBER: Final = 0x07
TAG_SSN: Final = 0x08
TAG_NAME: Final = 0x09
TAG_SEX: Final = 0x0A
TAG_NATION: Final = 0x0B
TAG_BIRTH: Final = 0x0D
# Value lengths in bytes (the Le of each READ RECORD minus the tag and length bytes).
LENGTHS: Final = {TAG_CARD_NUMBER: 9, TAG_SSN: 18, TAG_NAME: 30, TAG_SEX: 1, TAG_NATION: 1, TAG_BIRTH: 4}

# EF07 holds fingerprints and EF08 the photo: never selected (privacy.md §3).
FORBIDDEN_FILES: Final = frozenset({b"\xef\x07", b"\xef\x08"})
_VERIFY_INS: Final = 0x20


def refuse_forbidden(apdu: bytes) -> None:
    """``ValueError`` for an APDU this project never sends: a PIN (VERIFY) or selecting EF07/EF08."""
    if len(apdu) >= 2 and apdu[1] == _VERIFY_INS:
        raise ValueError(
            "refusing to send VERIFY: PINs are typed by the card holder on a PIN pad, never by us"
        )
    if len(apdu) >= 7 and apdu[1] == 0xA4 and bytes(apdu[5:7]) in FORBIDDEN_FILES:
        raise ValueError(
            "refusing to select EF07/EF08: fingerprints and photos are never read (privacy.md §3)"
        )


def tlv(tag: int, value: bytes) -> bytes:
    if len(value) > 0xFF:
        raise ValueError("a record value is at most 255 bytes")
    return bytes((tag, len(value))) + value


def parse_record(data: bytes, tag: int) -> bytes:
    """The value of a ``tag len value`` record; ``CardReadFailed`` if the card answered something else."""
    if len(data) < 2 or data[0] != tag or len(data) < 2 + data[1]:
        raise CardReadFailed(
            "读取社保卡失败，请重新插入社保卡",
            code="bad_record",
            detail=f"record {tag:02X}: expected tag {tag:02X} and its length, got {len(data)} bytes",
        )
    return bytes(data[2 : 2 + data[1]])


def bcd(digits: str) -> bytes:
    """ "19491231" → 19 49 12 31 (even number of decimal digits)."""
    if len(digits) % 2 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"BCD needs an even number of digits, got {digits!r}")
    return bytes.fromhex(digits)


def from_bcd(value: bytes) -> str:
    """19 49 12 31 → "19491231"; ``ValueError`` if a nibble is not a decimal digit."""
    text = value.hex()
    if not text.isdigit():
        raise ValueError("not BCD")
    return text


def _text(value: bytes, encoding: str) -> str:
    # Cards pad with spaces, NULs or FFs (unwritten EEPROM).
    return value.rstrip(b" \x00\xff").decode(encoding, errors="replace").strip()


def _sex_code(value: bytes) -> str:
    """One byte: the ASCII digit ("1") on the cards seen, or its binary value (0x01) on some [I]."""
    if len(value) != 1:
        return value.hex()
    byte = value[0]
    if 0x30 <= byte <= 0x39:
        return chr(byte)
    if byte <= 9:
        return str(byte)
    return f"{byte:02X}"  # unknown: shown raw, never guessed


def _nation_code(value: bytes) -> str:
    try:
        return from_bcd(value)
    except ValueError:
        return value.hex().upper()  # not BCD: the raw code, shown as is


def _birth(value: bytes) -> date | None:
    try:
        digits = from_bcd(value)
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def social_security_card(records: dict[int, bytes]) -> IdCard:
    """An ``IdCard(card_type=SOCIAL_SECURITY)`` from record values by tag (as :func:`parse_record` gives)."""
    sex_code = _sex_code(records.get(TAG_SEX, b""))
    nation_code = _nation_code(records.get(TAG_NATION, b""))
    return IdCard(
        card_type=CardType.SOCIAL_SECURITY,
        name=_text(records.get(TAG_NAME, b""), "gbk"),
        sex=sex_text(sex_code),
        sex_code=sex_code,
        nation=nation_text(nation_code) if nation_code else None,
        nation_code=nation_code,
        birth=_birth(records.get(TAG_BIRTH, b"")),
        id_number=_text(records.get(TAG_SSN, b""), "ascii").upper(),
        card_number=_text(records.get(TAG_CARD_NUMBER, b""), "ascii"),
    )


def record_values(card: IdCard) -> dict[int, bytes]:
    """The record values a card with ``card``'s data holds (for the emulator and tests); fixed-width, padded
    with spaces as issued. ``ValueError`` if a field does not fit its record."""
    if card.card_type is not CardType.SOCIAL_SECURITY:
        raise ValueError(f"a {card.card_type.value} card has no 社会保障卡 records")

    def padded(text: str, encoding: str, tag: int) -> bytes:
        raw = text.encode(encoding)
        if len(raw) > LENGTHS[tag]:
            raise ValueError(f"record {tag:02X} holds at most {LENGTHS[tag]} bytes")
        return raw.ljust(LENGTHS[tag], b" ")

    return {
        TAG_CARD_NUMBER: padded(card.card_number, "ascii", TAG_CARD_NUMBER),
        TAG_SSN: padded(card.id_number, "ascii", TAG_SSN),
        TAG_NAME: padded(card.name, "gbk", TAG_NAME),
        TAG_SEX: card.sex_code.encode("ascii")[:1].ljust(1, b"0"),
        TAG_NATION: bcd(card.nation_code.zfill(2)) if card.nation_code else b"\x00",
        TAG_BIRTH: bcd(card.birth.strftime("%Y%m%d")) if card.birth else bytes(4),
    }


def normalised(card: IdCard) -> IdCard:
    """``card`` as it reads back from its records (trimmed, derived sex and nation texts)."""
    return social_security_card(record_values(card))
