"""The 社会保障卡 APDUs and records (idcard.md §9.2), without a reader."""

from __future__ import annotations

from datetime import date

import pytest

from devices.errors import CardReadFailed
from devices.idcard import social_security as ssc
from devices.idcard.model import CardType, IdCard
from devices.idcard.sample_cards import SOCIAL_SECURITY_CARDS, SOCIAL_SECURITY_FEMALE
from devices.idcard.scenario import card_from_dict, card_to_dict
from devices.idcard.text import encode_text


def test_the_ssse_select_is_the_documented_bytes() -> None:
    assert bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF") == ssc.SELECT_SSSE
    assert ssc.AID.decode("gbk") == "sx1.sh.社会保障"


def test_the_record_reads_are_the_documented_apdus() -> None:
    assert [
        apdu.hex(" ").upper() for apdu in (ssc.EF05_CARD_NUMBER_SFI, ssc.SELECT_EF06, ssc.READ_BIRTH)
    ] == [
        "00 B2 07 2C 0B",
        "00 A4 02 00 02 EF 06",
        "00 B2 0D 00 06",
    ]
    assert ssc.GET_UID.hex(" ").upper() == "00 36 00 00 08"


@pytest.mark.parametrize(
    "apdu",
    [
        bytes.fromhex("0020000003888888"),  # VERIFY with the "default PIN" one vendor flow sends
        bytes.fromhex("00A4020002EF07"),  # fingerprints
        bytes.fromhex("00A4020002EF08"),  # photo
    ],
)
def test_a_pin_or_ef07_ef08_is_refused_before_it_leaves(apdu: bytes) -> None:
    with pytest.raises(ValueError):
        ssc.refuse_forbidden(apdu)


def test_the_apdus_we_send_are_allowed() -> None:
    for apdu in (ssc.SELECT_SSSE, ssc.SELECT_EF05, ssc.SELECT_EF06, ssc.READ_NAME, ssc.GET_UID):
        ssc.refuse_forbidden(apdu)


@pytest.mark.parametrize("card", SOCIAL_SECURITY_CARDS, ids=lambda c: c.card_number)
def test_records_round_trip(card: IdCard) -> None:
    records = ssc.record_values(card)
    assert len(records[ssc.TAG_NAME]) == 30 and len(records[ssc.TAG_SSN]) == 18
    assert records[ssc.TAG_BIRTH] == bytes.fromhex(card.birth.strftime("%Y%m%d"))  # type: ignore[union-attr]
    assert ssc.social_security_card(records) == card


def test_the_name_is_gbk_and_padding_is_trimmed() -> None:
    name = "韩梅梅".encode("gbk") + b"\xff" * 24
    card = ssc.social_security_card({ssc.TAG_NAME: name, ssc.TAG_SSN: b"11010519491231002x"})
    assert card.name == "韩梅梅" and card.id_number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code", "text"), [(b"1", "1", "男"), (b"\x02", "2", "女"), (b"\xaa", "AA", "AA")]
)
def test_sex_is_an_ascii_or_binary_digit_and_anything_else_stays_raw(
    raw: bytes, code: str, text: str
) -> None:
    card = ssc.social_security_card({ssc.TAG_SEX: raw})
    assert (card.sex_code, card.sex) == (code, text)


def test_nation_is_bcd_and_a_non_bcd_byte_is_shown_raw() -> None:
    assert ssc.social_security_card({ssc.TAG_NATION: b"\x08"}).nation == "壮"
    card = ssc.social_security_card({ssc.TAG_NATION: b"\x9a"})
    assert (card.nation_code, card.nation) == ("9A", "9A")


def test_a_birth_date_that_is_not_a_date_is_none_not_a_guess() -> None:
    assert ssc.social_security_card({ssc.TAG_BIRTH: bytes.fromhex("19491231")}).birth == date(1949, 12, 31)
    assert ssc.social_security_card({ssc.TAG_BIRTH: bytes.fromhex("19491331")}).birth is None
    assert ssc.social_security_card({ssc.TAG_BIRTH: bytes.fromhex("1949AB31")}).birth is None


def test_parse_record_wants_the_tag_and_its_length() -> None:
    assert ssc.parse_record(bytes.fromhex("0703414243"), 0x07) == b"ABC"
    for data in (b"", bytes.fromhex("0803414243"), bytes.fromhex("070541")):
        with pytest.raises(CardReadFailed):
            ssc.parse_record(data, 0x07)


def test_a_social_security_card_has_no_id_card_text_block_and_vice_versa() -> None:
    with pytest.raises(ValueError):
        encode_text(SOCIAL_SECURITY_FEMALE)
    with pytest.raises(ValueError):
        ssc.record_values(IdCard(card_type=CardType.RESIDENT))


def test_scenario_files_can_hold_social_security_cards() -> None:
    data = card_to_dict(SOCIAL_SECURITY_FEMALE)
    assert data["card_type"] == "social_security" and data["card_number"] == "S00000001"
    assert card_from_dict(data) == SOCIAL_SECURITY_FEMALE


def test_repr_never_shows_the_card_number_name_or_ssn() -> None:
    text = repr(SOCIAL_SECURITY_FEMALE)
    assert "S00000001" not in text and "韩梅梅" not in text and "11010519491231002X" not in text
