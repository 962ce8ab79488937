from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from devices.errors import CardReadFailed, FrameError, NoCard
from devices.idcard.frames import Response, build_response, parse_response
from devices.idcard.model import CardType, IdCard
from devices.idcard.sample_cards import (
    FOREIGN_PERMANENT,
    HK_RESIDENT,
    RESIDENT_FEMALE,
    RESIDENT_MALE,
    SAMPLE_CARDS,
)
from devices.idcard.text import decode_read_response, decode_text, encode_read_data, encode_text
from tests.emulators import vectors


def field(text: str, chars: int) -> bytes:
    """A text field as a card stores it: UTF-16LE, right-padded with spaces."""
    assert len(text) <= chars
    return (text + " " * (chars - len(text))).encode("utf-16-le")


def resident_block(
    *, valid_to: str = "20400101", flag: bytes = b"\x20\x00", sex: str = "1", nation: str = "01"
) -> bytes:
    """The §11 fixture text, built field by field from the §6.1 table (independently of encode_text)."""
    block = (
        field("张三", 15)
        + field(sex, 1)
        + field(nation, 2)
        + field("19491231", 8)
        + field("北京市西城区某某路1号", 35)
        + field("11010519491231002X", 18)
        + field("北京市公安局西城分局", 15)
        + field("20200101", 8)
        + field(valid_to, 8)
        + field("", 18)
    )
    assert len(block) == 256
    return block[:248] + flag + block[250:]


def test_decodes_the_resident_fixture() -> None:
    card = decode_text(resident_block())
    assert card == dataclasses.replace(vectors.FIXTURE_CARD, photo_wlt=None)
    assert (card.name, card.sex, card.nation, card.birth) == ("张三", "男", "汉", date(1949, 12, 31))
    assert card.address == "北京市西城区某某路1号"
    assert card.id_number == "11010519491231002X"
    assert (card.valid_from, card.valid_to, card.valid_long_term) == (
        date(2020, 1, 1),
        date(2040, 1, 1),
        False,
    )
    assert card.raw_text == ""


def test_a_nul_flag_is_a_resident_card_and_trailing_nuls_are_trimmed() -> None:
    nul_padded_name = "张三".encode("utf-16-le") + bytes(26)
    block = nul_padded_name + resident_block()[30:248] + b"\x00\x00" + bytes(6)
    card = decode_text(block)
    assert card.card_type is CardType.RESIDENT
    assert card.name == "张三"
    assert card == dataclasses.replace(vectors.FIXTURE_CARD, photo_wlt=None)


def test_long_term_validity() -> None:
    card = decode_text(resident_block(valid_to="长期"))
    assert card.valid_long_term is True
    assert card.valid_to is None


@pytest.mark.parametrize(
    ("code", "text"), [("0", "未知"), ("1", "男"), ("2", "女"), ("9", "未说明"), ("7", "7")]
)
def test_sex_codes(code: str, text: str) -> None:
    card = decode_text(resident_block(sex=code))
    assert (card.sex_code, card.sex) == (code, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("01", "汉"),
        ("46", "德昂"),
        ("56", "基诺"),
        ("97", "其他"),
        ("98", "外国血统中国籍人士"),
        ("57", "57"),
    ],
)
def test_nation_codes_and_unknown_codes_shown_raw(code: str, text: str) -> None:
    card = decode_text(resident_block(nation=code))
    assert (card.nation_code, card.nation) == (code, text)


def test_an_impossible_date_is_none_not_a_guess() -> None:
    block = resident_block(valid_to="20400231")
    assert decode_text(block).valid_to is None


def test_decodes_a_foreign_permanent_residence_card_2017() -> None:
    block = (
        field("SMITH JOHN", 60)
        + field("1", 1)
        + field("USA110019000101", 15)
        + field("USA", 3)
        + field("约翰", 15)
        + field("20170601", 8)
        + field("20270601", 8)
        + field("19000101", 8)
        + field("17", 2)
        + field("1100", 4)
        + field("I", 1)
        + field("", 3)
    )
    assert block[248:250] == b"\x49\x00"
    card = decode_text(block)
    assert card == FOREIGN_PERMANENT
    assert card.card_type is CardType.FOREIGN_PERMANENT
    assert (card.english_name, card.name, card.nationality, card.nation) == (
        "SMITH JOHN",
        "约翰",
        "USA",
        None,
    )
    assert (card.card_version, card.authority_code, card.birth) == ("17", "1100", date(1900, 1, 1))


def test_decodes_a_hk_mo_tw_residence_permit() -> None:
    block = (
        field("陈大文", 15)
        + field("1", 1)
        + field("", 2)
        + field("19000101", 8)
        + field("广东省深圳市福田区某某路8号", 35)
        + field("810000190001010018", 18)
        + field("深圳市公安局福田分局", 15)
        + field("20180901", 8)
        + field("20230901", 8)
        + field("H00000001", 9)
        + field("01", 2)
        + field("", 3)
        + field("J", 1)
        + field("", 3)
    )
    assert block[248:250] == b"\x4a\x00"
    card = decode_text(block)
    assert card == HK_RESIDENT
    assert (card.card_type, card.nation, card.nation_code) == (CardType.HK_MO_TW, None, "")
    assert (card.pass_number, card.issue_count) == ("H00000001", "01")


@pytest.mark.parametrize("flag", ["Y", "A", "\u4e00"])
def test_an_unknown_flag_gives_raw_text_and_no_guessed_fields(flag: str) -> None:
    block = resident_block(flag=flag.encode("utf-16-le"))
    card = decode_text(block)
    assert card.card_type is CardType.UNKNOWN
    assert card == IdCard(card_type=CardType.UNKNOWN, raw_text=block.decode("utf-16-le"))
    assert "11010519491231002X" in card.raw_text
    assert "11010519491231002X" not in repr(card)


@pytest.mark.parametrize("size", [0, 255, 257, 512])
def test_a_block_of_the_wrong_size_is_a_frame_error(size: int) -> None:
    with pytest.raises(FrameError):
        decode_text(bytes(size))


def test_undecodable_utf16_does_not_raise() -> None:
    block = b"\x00\xd8" * 124 + b"\x20\x00" + b"\x00\xdc" * 3  # lone surrogates everywhere
    assert decode_text(block).card_type is CardType.RESIDENT


# -- encode ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("card", SAMPLE_CARDS, ids=lambda c: c.card_type.value + c.id_number[-4:])
def test_encode_text_is_the_inverse_of_decode_text(card: IdCard) -> None:
    block = encode_text(card)
    assert len(block) == 256
    assert decode_text(block) == card


def test_encode_text_builds_the_fixture_block_byte_for_byte() -> None:
    assert encode_text(vectors.FIXTURE_CARD) == resident_block()


def test_encode_text_of_an_unknown_card_round_trips_and_never_becomes_a_known_type() -> None:
    short = IdCard(card_type=CardType.UNKNOWN, raw_text="新版证件")
    assert decode_text(encode_text(short)).card_type is CardType.UNKNOWN
    full = decode_text(encode_text(short))
    assert decode_text(encode_text(full)) == full
    with pytest.raises(ValueError, match="flag"):
        encode_text(IdCard(card_type=CardType.UNKNOWN, raw_text=" " * 128))


def test_encode_text_refuses_a_field_that_does_not_fit() -> None:
    with pytest.raises(ValueError, match="address"):
        encode_text(dataclasses.replace(RESIDENT_MALE, address="很" * 36))


# -- read response ---------------------------------------------------------------------------------------


def test_decode_read_response_of_the_fixture() -> None:
    card = decode_read_response(parse_response(vectors.fixture_read_response()))
    assert card == vectors.FIXTURE_CARD
    assert card.photo_wlt == bytes(1024)


def test_decode_read_response_slices_by_the_length_fields() -> None:
    photo = bytes(range(256)) * 2  # a 512-byte photo: fixed offsets would read past it
    data = b"\x01\x00\x02\x00" + encode_text(RESIDENT_FEMALE) + photo + b"\xee" * 40
    card = decode_read_response(Response(0, 0, 0x90, data))
    assert card.photo_wlt == photo
    assert card.without_photo() == RESIDENT_FEMALE


def test_a_photo_length_of_zero_gives_no_photo() -> None:
    data = b"\x01\x00\x00\x00" + encode_text(RESIDENT_FEMALE)
    assert decode_read_response(Response(0, 0, 0x90, data)).photo_wlt is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01\x00",
        b"\x00\x80\x04\x00" + bytes(128 + 1024),  # text length 128
        b"\x01\x00\x04\x00" + bytes(256 + 1000),  # photo cut short
    ],
)
def test_inconsistent_length_fields_are_frame_errors(data: bytes) -> None:
    with pytest.raises(FrameError):
        decode_read_response(Response(0, 0, 0x90, data))


@pytest.mark.parametrize(("sw3", "kind"), [(0x41, CardReadFailed), (0x80, NoCard), (0x9F, FrameError)])
def test_a_read_response_without_ok_status_raises(sw3: int, kind: type[Exception]) -> None:
    with pytest.raises(kind):
        decode_read_response(parse_response(build_response(sw3)))


def test_encode_read_data_round_trips_through_a_frame() -> None:
    card = dataclasses.replace(HK_RESIDENT, photo_wlt=b"\x01" * 1024)
    assert decode_read_response(parse_response(vectors.fixture_read_response(card))) == card
    assert len(encode_read_data(RESIDENT_FEMALE)) == 4 + 256 + 1024
