"""The business day is the hall's day: ticket sequences restart at midnight Asia/Shanghai (16:00 UTC)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallclient import wiring as wiring_mod
from hallclient.services.applicants import manual_applicant
from hallclient.store import models as m
from tests.fakes.clock import FakeClock
from tests.integration.store.cycle import ID_NUMBER, all_present, build, item_to_accept, sign_in

UTC = dt.UTC
MONDAY, TUESDAY = dt.date(2026, 3, 2), dt.date(2026, 3, 3)


@pytest.fixture(params=["postgresql", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
        return request.getfixturevalue("pg_url_per_test")
    return f"sqlite:///{tmp_path / 'hall.db'}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 09:00 in the hall


@pytest.fixture
def w(store_url: str, clock: FakeClock) -> Iterator[wiring_mod.Wiring]:
    wiring = build(store_url, clock)
    assert wiring.hall.timezone == "Asia/Shanghai"
    try:
        yield wiring
    finally:
        wiring.close()


def test_ticket_numbers_restart_at_the_halls_midnight_not_at_utc_midnight(
    w: wiring_mod.Wiring, clock: FakeClock
) -> None:
    moments = [
        dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC),  # Mon 09:00 hall time
        dt.datetime(2026, 3, 2, 15, 59, tzinfo=UTC),  # Mon 23:59
        dt.datetime(2026, 3, 2, 16, 1, tzinfo=UTC),  # Tue 00:01: a new hall day
        dt.datetime(2026, 3, 2, 23, 59, tzinfo=UTC),  # Tue 07:59
        dt.datetime(2026, 3, 3, 0, 1, tzinfo=UTC),  # Tue 08:01: UTC midnight passed, the hall day did not
    ]
    tickets = []
    for moment in moments:
        clock.set(moment)
        tickets.append(w.queue.issue_ticket("general"))

    assert [(t.number, t.business_date) for t in tickets] == [
        ("A001", MONDAY),
        ("A002", MONDAY),
        ("A001", TUESDAY),
        ("A002", TUESDAY),
        ("A003", TUESDAY),
    ]
    with w.uow() as uow:
        assert uow.session is not None
        for ticket, moment in zip(tickets, moments, strict=True):
            row = uow.session.get_one(m.Ticket, ticket.id)
            assert row.business_date == ticket.business_date
            assert row.issued_at == moment  # stored as UTC, handed back aware


def test_the_first_call_and_case_of_the_new_day_belong_to_the_local_date(
    w: wiring_mod.Wiring, clock: FakeClock
) -> None:
    session = sign_in(w, "4001", "1")
    clock.set(dt.datetime(2026, 3, 2, 15, 59, tzinfo=UTC))  # Mon 23:59
    w.queue.issue_ticket("general")
    clock.set(dt.datetime(2026, 3, 2, 16, 1, tzinfo=UTC))  # Tue 00:01
    first_of_tuesday = w.queue.issue_ticket("general")

    ticket = w.queue.call_next(session)

    # The queue is the hall day's queue: Monday's leftover ticket is not Tuesday's first.
    assert ticket is not None and ticket.id == first_of_tuesday.id
    assert (ticket.number, ticket.business_date) == ("A001", TUESDAY)
    item = item_to_accept(w)
    applicant = manual_applicant("张三", ID_NUMBER, "", TUESDAY)
    outcome = w.cases.submit(session, item, applicant, all_present(item), ticket_id=ticket.id)
    assert outcome.case_no == f"{w.hall.code}-001-20260303-0001"
    assert outcome.document.doc_no == f"{w.hall.code}-20260303-0001"
