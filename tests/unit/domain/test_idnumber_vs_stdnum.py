"""Where our 公民身份号码 rules differ from python-stdnum's, row by row (docs/decisions.md §2)."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from hallclient.domain.idnumber import IdNumberError, IdProblem, check_digit, parse_id_number

TODAY = dt.date(2026, 3, 2)


def stdnum_accepts(number: str) -> bool:
    try:
        ric.validate(number)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    "number",
    [
        "440524188001010014",  # 地址码 newer than the birth year
        "810000190001010018",  # 居住证 (Hong Kong)
    ],
)
def test_numbers_stdnum_rejects_and_we_accept(number: str) -> None:
    assert not stdnum_accepts(number)
    assert parse_id_number(number, TODAY).value == number


def test_an_unknown_county_is_a_key_error_in_stdnum_and_valid_for_us() -> None:
    body = "11019919491231002"
    number = body + check_digit(body)
    with pytest.raises(KeyError):
        ric.validate(number)
    assert parse_id_number(number, TODAY).value == number


def test_a_future_birth_date_passes_stdnum_and_not_us() -> None:
    body = "11010520300101001"
    number = body + check_digit(body)
    assert stdnum_accepts(number)
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, TODAY)
    assert caught.value.problem is IdProblem.FUTURE_BIRTH


def test_stdnum_calc_check_digit_reads_all_but_the_last_character() -> None:
    assert ric.calc_check_digit("11010519491231002X") == "X"
    assert check_digit("11010519491231002") == "X"  # we give it the 17 digits and a placeholder


def test_a_fifteen_digit_number_is_upgraded_by_us_only() -> None:
    assert not stdnum_accepts("110105491231002")
    assert parse_id_number("110105491231002", TODAY).value == "11010519491231002X"
