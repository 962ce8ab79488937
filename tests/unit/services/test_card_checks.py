"""Cards → applicants (check_card) and the audited reveal of a full ID number (RevealService)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from hallclient.services.applicants import check_card
from hallclient.services.errors import ServiceError
from hallclient.wiring import Wiring

TODAY = dt.date(2026, 3, 2)


def card(**overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "name": "韩梅梅",
        "id_number": "11010519491231002X",
        "card_type": "social_security",
        "birth": dt.date(1949, 12, 31),
        "valid_to": None,
        "long_term": False,
        "sex": "女",
        "today": TODAY,
    }
    return check_card(**(values | overrides))  # type: ignore[arg-type]


def test_a_social_security_card_is_labelled_and_its_number_checked_as_a_citizen_id() -> None:
    checked = card()
    assert checked.card_type_label == "社会保障卡" and checked.error == "" and checked.warnings == ()
    assert checked.applicant is not None and checked.applicant.id_type == "111"
    assert checked.applicant.id_masked == "1101**********002X"


def test_a_social_security_number_with_a_bad_check_digit_is_refused() -> None:
    checked = card(id_number="110105194912310021")
    assert checked.applicant is None and "校验位" in checked.error


def test_a_birth_date_that_disagrees_with_the_number_is_a_warning() -> None:
    checked = card(birth=dt.date(1950, 1, 1))
    assert checked.applicant is not None
    assert checked.warnings == ("证件上的出生日期与身份证号码不一致，请人工核对",)


def test_an_expired_card_is_flagged() -> None:
    checked = card(card_type="resident", valid_to=dt.date(2026, 3, 1))
    assert checked.applicant is not None and checked.applicant.card_expired
    assert "已于 2026-03-01 过期" in checked.warnings[0]


def test_the_photo_travels_with_the_check_but_never_shows_in_its_repr() -> None:
    photo = b"BM" + bytes(100)
    checked = card(photo=photo)
    assert checked.photo == photo
    assert "BM" not in repr(checked) and "photo" not in repr(checked)
    assert checked == card()  # the photo is not part of what the check says


# -- the audited reveal -------------------------------------------------------------------------------------


def audit(wiring: Wiring) -> list[tuple[object, ...]]:
    with wiring.engine.connect() as conn:
        query = text(
            "SELECT clerk_id, window_id, action, target, detail, reason FROM audit_log WHERE action LIKE 'privacy.%'"
        )
        return [tuple(row) for row in conn.execute(query)]


def test_a_reveal_writes_who_when_which_service_field_reason_and_window(wiring: Wiring, session) -> None:  # type: ignore[no-untyped-def]
    grant = wiring.reveals.reveal(
        session, field="id_number", reason="  核对 证件号码 ", ticket_id="t-1", case_no="C-9"
    )
    assert audit(wiring) == [
        (
            session.clerk_id,
            session.window_id,
            "privacy.reveal",
            "ticket:t-1 case:C-9",
            "field=id_number",
            "核对 证件号码",
        )
    ]
    assert grant.field == "id_number"
    assert (grant.until - grant.at) == dt.timedelta(seconds=wiring.config.privacy.reveal_seconds)


@pytest.mark.parametrize(
    ("reason", "ticket", "message"),
    [
        ("", "t-1", "请填写查看完整号码的原因"),
        ("核", "t-1", "请填写查看完整号码的原因"),
        ("核对", None, "请先叫号"),
    ],
)
def test_no_reason_or_no_service_no_reveal_and_nothing_recorded(
    wiring: Wiring,
    session,
    reason: str,
    ticket: str | None,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(ServiceError) as caught:
        wiring.reveals.reveal(session, field="id_number", reason=reason, ticket_id=ticket)
    assert message in caught.value.message
    assert audit(wiring) == []
