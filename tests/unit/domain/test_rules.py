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


# ---- deadlines across the long holidays, make-up working days included -------------------------

WORKDAY_CASES = [
    # (start, working days, expected): 2025 Spring Festival 1-28..2-4 off, 1-26 (Sun) and 2-8 (Sat) worked.
    (dt.date(2025, 1, 24), 1, dt.date(2025, 1, 26)),  # Friday → the make-up Sunday
    (dt.date(2025, 1, 26), 1, dt.date(2025, 1, 27)),
    (dt.date(2025, 1, 27), 1, dt.date(2025, 2, 5)),  # over the whole holiday
    (dt.date(2025, 1, 27), 5, dt.date(2025, 2, 10)),  # 2-5, 2-6, 2-7, 2-8 (Sat, worked), 2-10
    # 2025 National Day + Mid-Autumn: 10-1..10-8 off, 9-28 (Sun) and 10-11 (Sat) worked.
    (dt.date(2025, 9, 26), 1, dt.date(2025, 9, 28)),
    (dt.date(2025, 9, 30), 1, dt.date(2025, 10, 9)),
    (dt.date(2025, 9, 30), 3, dt.date(2025, 10, 11)),  # 10-9, 10-10, 10-11 (Sat, worked)
    (dt.date(2025, 9, 28), 20, dt.date(2025, 10, 31)),  # a 20-day 补正 period over National Day
    # 2026 Spring Festival: 2-15..2-23 off, 2-14 (Sat) and 2-28 (Sat) worked.
    (dt.date(2026, 2, 12), 5, dt.date(2026, 2, 26)),  # 2-13, 2-14 (Sat, worked), 2-24, 2-25, 2-26
    (dt.date(2026, 2, 26), 2, dt.date(2026, 2, 28)),
    (dt.date(2026, 3, 2), 0, dt.date(2026, 3, 2)),  # 即办
]


@pytest.mark.parametrize(("start", "days", "expected"), WORKDAY_CASES)
def test_add_working_days_across_holidays(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_working_days(start, days) == expected


@pytest.mark.parametrize(("start", "days", "expected"), [c for c in WORKDAY_CASES if c[1]])
def test_working_days_between_is_the_inverse(start: dt.date, days: int, expected: dt.date) -> None:
    from hallclient.domain.workdays import working_days_between

    assert working_days_between(start, expected) == days


def test_natural_day_limits_count_every_day() -> None:
    from hallclient.domain.workdays import add_days

    assert add_days(dt.date(2025, 9, 30), 3, working=False) == dt.date(2025, 10, 3)
    assert add_days(dt.date(2025, 9, 30), 3, working=True) == dt.date(2025, 10, 11)
    with pytest.raises(ValueError):
        add_working_days(dt.date(2025, 9, 30), -1)
