"""Test vectors from /work/shared/domain/idcard.md (§3 commands, §5 responses, §11 synthetic fixture)."""

from __future__ import annotations

from datetime import date

from devices.idcard.frames import SW3_OK, build_response
from devices.idcard.model import CardType, IdCard
from devices.idcard.text import encode_read_data


def hx(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# §3: (cmd, para, data) → full frame
COMMAND_VECTORS = [
    (0x10, 0xFF, b"", hx("AA AA AA 96 69 00 03 10 FF EC")),
    (0x11, 0xFF, b"", hx("AA AA AA 96 69 00 03 11 FF ED")),
    (0x12, 0xFF, b"", hx("AA AA AA 96 69 00 03 12 FF EE")),
    (0x20, 0x01, b"", hx("AA AA AA 96 69 00 03 20 01 22")),
    (0x20, 0x02, b"", hx("AA AA AA 96 69 00 03 20 02 21")),
    (0x30, 0x01, b"", hx("AA AA AA 96 69 00 03 30 01 32")),
    (0x30, 0x03, b"", hx("AA AA AA 96 69 00 03 30 03 30")),
    (0x30, 0x05, b"", hx("AA AA AA 96 69 00 03 30 05 36")),
    (0x61, 0xFF, b"\x50", hx("AA AA AA 96 69 00 04 61 FF 50 CA")),
]
FINGERPRINT_FRAME = hx("AA AA AA 96 69 00 03 30 10 23")  # never sent; only checked to be refused

# §5: frame → (sw3, data)
FIND_OK = hx("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
SELECT_OK = hx("AA AA AA 96 69 00 0C 00 00 90") + bytes(8) + hx("9C")
FIND_FAILED = hx("AA AA AA 96 69 00 04 00 00 80 84")
SELECT_FAILED = hx("AA AA AA 96 69 00 04 00 00 81 85")
RESPONSE_VECTORS = [
    (FIND_OK, 0x9F, bytes(4)),
    (SELECT_OK, 0x90, bytes(8)),
    (FIND_FAILED, 0x80, b""),
    (SELECT_FAILED, 0x81, b""),
]

# §11: the synthetic 张三 card and its full 30 01 response (1295 bytes, CHK 0xDD).
FIXTURE_CARD = IdCard(
    card_type=CardType.RESIDENT,
    name="张三",
    sex="男",
    sex_code="1",
    nation="汉",
    nation_code="01",
    birth=date(1949, 12, 31),
    address="北京市西城区某某路1号",
    id_number="11010519491231002X",
    authority="北京市公安局西城分局",
    valid_from=date(2020, 1, 1),
    valid_to=date(2040, 1, 1),
    photo_wlt=bytes(1024),
)
FIXTURE_READ_HEADER = hx("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
FIXTURE_CHECKSUM = 0xDD


def fixture_read_response(card: IdCard = FIXTURE_CARD) -> bytes:
    """A full ``30 01`` OK response for ``card`` (by default the §11 fixture)."""
    return build_response(SW3_OK, encode_read_data(card))
