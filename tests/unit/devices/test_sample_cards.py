from __future__ import annotations

import pytest

from devices.idcard.model import CardType, IdCard
from devices.idcard.sample_cards import SAMPLE_CARDS

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643_valid(number: str) -> bool:
    """ISO 7064 MOD 11-2 as in numbers.md §1 (independent of any project code)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return (
        "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True)) % 11] == number[17]
    )


def test_the_check_rule_against_numbers_md() -> None:
    assert gb11643_valid("11010519491231002X") and gb11643_valid("440524188001010014")
    assert not gb11643_valid("110105194912310021") and not gb11643_valid("110101197608056896")


def test_the_sample_set_has_resident_j_and_i_cards() -> None:
    types = [card.card_type for card in SAMPLE_CARDS]
    assert types.count(CardType.RESIDENT) >= 2
    assert CardType.HK_MO_TW in types and CardType.FOREIGN_PERMANENT in types
    assert any(card.valid_long_term for card in SAMPLE_CARDS)


@pytest.mark.parametrize(
    "card", [c for c in SAMPLE_CARDS if len(c.id_number) == 18], ids=lambda c: c.id_number[-4:]
)
def test_18_digit_numbers_have_valid_check_digits_and_agree_with_sex_and_birth(card: IdCard) -> None:
    assert gb11643_valid(card.id_number)
    assert card.sex_code == ("1" if int(card.id_number[16]) % 2 else "2")
    assert card.birth is not None and card.id_number[6:14] == card.birth.strftime("%Y%m%d")


def test_the_hk_card_has_an_810000_number_and_the_foreign_card_3_letters_12_digits() -> None:
    (hk,) = [c for c in SAMPLE_CARDS if c.card_type is CardType.HK_MO_TW]
    (foreign,) = [c for c in SAMPLE_CARDS if c.card_type is CardType.FOREIGN_PERMANENT]
    assert hk.id_number.startswith("810000") and len(hk.pass_number) == 9
    assert (
        len(foreign.id_number) == 15 and foreign.id_number[:3].isalpha() and foreign.id_number[3:].isdigit()
    )
    assert foreign.nation is None and foreign.nationality == "USA"


def test_sample_cards_carry_no_photo() -> None:
    assert all(card.photo_wlt is None for card in SAMPLE_CARDS)
