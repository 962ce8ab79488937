from __future__ import annotations

import datetime as dt

import pytest

from hallclient.domain.creditcode import CreditCodeError, parse_credit_code
from hallclient.domain.idnumber import IdNumberError, IdProblem, mask_id, parse_id_number, redact_ids

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    "number", ["11010519491231002X", "440524188001010014", "53010219200508011X", "440524188001015368"]
)
def test_valid_numbers_from_the_domain_table(number: str) -> None:
    # 440524188001010014 and 53010219200508011X are rejected by stdnum (address code newer than the
    # birth year); a hall must accept them (numbers.md §3).
    assert parse_id_number(number, TODAY).value == number


@pytest.mark.parametrize("number", ["110101197608056896", "110105195001010014", "110105194912310021"])
def test_wrong_check_digit_is_refused(number: str) -> None:
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(number, TODAY)
    assert exc.value.problem is IdProblem.CHECK_DIGIT
    assert "校验位" in exc.value.message


def test_normalises_lower_case_x_and_spaces() -> None:
    assert parse_id_number(" 110105 19491231 002x ", TODAY).value == "11010519491231002X"


def test_fifteen_digit_number_is_upgraded() -> None:
    assert parse_id_number("110105491231002", TODAY).value == "11010519491231002X"


def test_impossible_and_future_birth_dates() -> None:
    with pytest.raises(IdNumberError) as exc:
        parse_id_number("110105194902300020", TODAY)
    assert exc.value.problem is IdProblem.BIRTH_DATE
    with pytest.raises(IdNumberError) as exc:
        parse_id_number("110105203001010016", TODAY)
    assert exc.value.problem is IdProblem.FUTURE_BIRTH


def test_residence_permit_and_2023_permanent_residence_numbers_pass_the_same_check() -> None:
    body = "81000019900101001"
    from hallclient.domain.idnumber import check_digit

    assert parse_id_number(body + check_digit(body), TODAY).value.startswith("810000")
    body9 = "93115619900101001"
    assert parse_id_number(body9 + check_digit(body9), TODAY)


def test_birth_and_sex_from_the_number() -> None:
    n = parse_id_number("11010519491231002X", TODAY)
    assert n.birth_date == dt.date(1949, 12, 31)
    assert n.sex == "女"


def test_str_and_repr_never_show_the_full_number() -> None:
    n = parse_id_number("11010519491231002X", TODAY)
    assert str(n) == "1101**********002X"
    assert "11010519491231002X" not in repr(n)
    assert n.masked(6, 4) == "110105********002X"


def test_mask_and_redact() -> None:
    assert mask_id("13812341234", 3, 4) == "138****1234"
    text = "applicant 11010519491231002X read; serial 123"
    assert redact_ids(text) == "applicant 1101**********002X read; serial 123"


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T", "91110108551385082Q"])
def test_credit_codes(code: str) -> None:
    assert parse_credit_code(code) == code


def test_credit_code_with_letter_first_character_and_bad_check() -> None:
    from hallclient.domain.creditcode import _WEIGHTS, ALPHABET

    body = "N2610199MA1234567"
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    code = body + ALPHABET[(31 - total % 31) % 31]
    assert parse_credit_code(code) == code  # stdnum refuses A/N/Y first characters; a hall must not
    with pytest.raises(CreditCodeError):
        parse_credit_code("91350200M000000510")
