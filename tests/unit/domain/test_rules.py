from __future__ import annotations

import datetime as dt

import pytest

from hallclient.domain.passwords import LockoutPolicy, hash_password, verify_password
from hallclient.domain.queue import business_date, format_ticket_number
from hallclient.domain.reviews import RatingLevel, ReviewError, validate_review
from hallclient.domain.workdays import add_working_days, is_working_day


def test_working_days_across_spring_festival_2026_with_make_up_day() -> None:
    # 2026 Spring Festival: holiday 2-15..2-23; 2-14 (Sat) and 2-28 (Sat) are make-up working days.
    assert is_working_day(dt.date(2026, 2, 14))
    assert not is_working_day(dt.date(2026, 2, 16))
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 24)


def test_working_days_across_national_day_2026() -> None:
    # 2026 National Day: 10-1..10-7 off; 9-20 (Sun) and 10-10 (Sat) worked.
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert is_working_day(dt.date(2026, 10, 10))


def test_business_date_is_the_hall_local_date() -> None:
    at = dt.datetime(2026, 11, 29, 16, 30, tzinfo=dt.UTC)  # 00:30 in Xi'an
    assert business_date(at, "Asia/Shanghai") == dt.date(2026, 11, 30)
    assert business_date(at, "UTC") == dt.date(2026, 11, 29)
    assert format_ticket_number("A", 7) == "A007"


def test_password_hash_round_trip_and_salt() -> None:
    h = hash_password("correct horse")
    assert h.startswith("scrypt$") and "correct horse" not in h
    assert verify_password("correct horse", h)
    assert not verify_password("wrong", h)
    assert hash_password("correct horse") != h
    assert not verify_password("x", "garbage")


def test_lockout_policy() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    policy = LockoutPolicy(max_failures=3, lock_minutes=10)
    assert policy.locked_until(2, now) is None
    assert policy.locked_until(3, now) == now + dt.timedelta(minutes=10)


def test_bad_review_needs_a_reason_and_time_after_service_start() -> None:
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    later = start + dt.timedelta(minutes=5)
    assert validate_review(5, [], later, start) is RatingLevel.VERY_SATISFIED
    with pytest.raises(ReviewError, match="至少选择一项原因"):
        validate_review(2, [" "], later, start)
    assert validate_review(1, ["服务态度不好"], later, start).is_bad
    with pytest.raises(ReviewError, match="早于服务开始"):
        validate_review(4, [], start - dt.timedelta(seconds=1), start)
    with pytest.raises(ReviewError):
        validate_review(0, [], later, start)
