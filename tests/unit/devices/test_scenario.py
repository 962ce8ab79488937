from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from devices.idcard.model import CardType, IdCard
from devices.idcard.sample_cards import HK_RESIDENT, RESIDENT_FEMALE, SAMPLE_CARDS
from devices.idcard.scenario import card_from_dict, card_to_dict, load_scenario


@pytest.mark.parametrize("card", SAMPLE_CARDS, ids=lambda c: c.card_type.value)
def test_card_dicts_round_trip(card: IdCard) -> None:
    assert card_from_dict(json.loads(json.dumps(card_to_dict(card)))) == card


def test_the_documented_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        """[
          {"card_type": "resident", "name": "韩梅梅", "sex_code": "2", "nation_code": "01",
           "birth": "1949-12-31", "address": "北京市西城区某某路1号", "id_number": "11010519491231002X",
           "authority": "北京市公安局西城分局", "valid_from": "2020-01-01", "valid_to": "长期"},
          {"card_type": "hk_mo_tw", "name": "陈大文", "sex_code": "1", "birth": "19000101",
           "address": "广东省深圳市福田区某某路8号", "id_number": "810000190001010018",
           "authority": "深圳市公安局福田分局", "valid_from": "2018-09-01", "valid_to": "2023-09-01",
           "pass_number": "H00000001", "issue_count": "01"},
          {"sample": "resident_male"},
          {"card_type": "unknown", "raw_text": "新版证件"}
        ]""",
        encoding="utf-8",
    )
    cards = load_scenario(path)
    assert cards[0] == RESIDENT_FEMALE
    assert cards[1] == HK_RESIDENT
    assert cards[2].id_number == "440524188001010014"
    assert cards[3] == IdCard(card_type=CardType.UNKNOWN, raw_text="新版证件")
    assert cards[1].birth == date(1900, 1, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"card_type": "resident"}', "JSON list"),
        ("[1]", "card 0: expected an object"),
        ('[{}, {"name": 5}]', "card 1: name"),
        ('[{"card_type": "passport"}]', "card 0"),
        ('[{"birth": "1949/12/31"}]', "birth"),
        ('[{"birth": "19491331"}]', "card 0"),
        ('[{"sample": "nobody"}]', "unknown sample"),
        ('[{"sample": "resident_male", "name": "x"}]', "no other keys"),
        ('[{"photo_wlt": "AAAA"}]', "unknown keys: photo_wlt"),
    ],
)
def test_malformed_scenarios_name_the_card_and_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_scenario(path)
