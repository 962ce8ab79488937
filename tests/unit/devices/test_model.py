from __future__ import annotations

import dataclasses
import logging

import pytest

from devices.idcard.codes import NATIONS, SEXES, nation_text, sex_text
from devices.idcard.model import CardType, IdCard, mask_id_number
from devices.idcard.sample_cards import SAMPLE_CARDS
from tests.emulators import vectors


@pytest.mark.parametrize(
    "card", [*SAMPLE_CARDS, vectors.FIXTURE_CARD], ids=lambda c: c.card_type.value + c.id_number[-4:]
)
def test_repr_and_str_never_reveal_number_name_address_or_photo(card: IdCard) -> None:
    for text in (repr(card), str(card), f"{card}", repr([card]), repr({"card": card})):
        assert card.id_number not in text
        assert card.name not in text
        if card.address:
            assert card.address not in text
        if card.english_name:
            assert card.english_name not in text
        if card.pass_number:
            assert card.pass_number not in text
        assert card.id_number[:4] + "*" in text and text.count(card.id_number[-4:]) >= 1
        assert "\\x00" not in text


def test_repr_shows_the_masked_number_first_4_last_4() -> None:
    assert "id_number='1101**********002X'" in repr(vectors.FIXTURE_CARD)


def test_a_card_in_a_log_line_or_exception_stays_masked(caplog: pytest.LogCaptureFixture) -> None:
    card = vectors.FIXTURE_CARD
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("read %s / %r", card, card)
    assert card.id_number not in caplog.text and card.name not in caplog.text
    assert card.id_number not in str(ValueError(card))


def test_repr_of_an_unknown_card_hides_the_raw_text() -> None:
    card = IdCard(card_type=CardType.UNKNOWN, raw_text="王五 440524188001010014 某地")
    assert "王五" not in repr(card) and "0014" not in repr(card).replace("****", "")


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("11010519491231002X", "1101**********002X"),
        ("USA110019000101", "USA1*******0101"),
        ("12345678", "********"),
        ("", ""),
    ],
)
def test_mask_id_number(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


def test_cards_are_immutable_values() -> None:
    card = SAMPLE_CARDS[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.name = "x"  # type: ignore[misc]
    assert card == dataclasses.replace(card)
    assert hash(card) == hash(dataclasses.replace(card))


def test_without_photo_drops_only_the_photo() -> None:
    card = vectors.FIXTURE_CARD
    assert card.without_photo().photo_wlt is None
    assert dataclasses.replace(card.without_photo(), photo_wlt=card.photo_wlt) == card


def test_the_nation_table_has_the_56_nations_plus_97_and_98() -> None:
    assert list(NATIONS) == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
    assert NATIONS["46"] == "德昂"  # not hev's misspelling 德昴
    assert nation_text("99") == "99"


def test_the_sex_table() -> None:
    assert dict(SEXES) == {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
    assert sex_text("3") == "3"


def test_without_photo_drops_the_wlt_and_the_decoded_image() -> None:
    card = dataclasses.replace(vectors.FIXTURE_CARD, photo_image=b"BM\x00\x01")
    assert "photo=yes" in repr(card) and "BM" not in repr(card)
    bare = card.without_photo()
    assert bare.photo_wlt is None and bare.photo_image is None and "photo=no" in repr(bare)
