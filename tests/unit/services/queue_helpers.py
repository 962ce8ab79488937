"""Shared set-up for the queue tests: clerks signed in at the default windows, events read back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hallclient.domain.queue import QueueRules
from hallclient.services.auth import ClerkSession
from hallclient.services.queue import QueueService
from hallclient.store import models as m
from hallclient.wiring import Wiring
from tests.unit.services.conftest import PASSWORD

# Default windows (services/setup.py): 1 general+enterprise, 2 general, 3 social+general, 4 realty.


def sign_in(wiring: Wiring, window_no: str) -> ClerkSession:
    staff_no = f"20{int(window_no):02d}"
    wiring.auth.add_clerk(staff_no, f"窗口{window_no}工作人员", PASSWORD)
    return wiring.auth.login(staff_no, PASSWORD, window_no, f"pc-{window_no}")


def with_rules(wiring: Wiring, **rules: object) -> QueueService:
    return QueueService(wiring.uow, wiring.clock, wiring.hall.timezone, QueueRules(**rules))  # type: ignore[arg-type]


@dataclass(frozen=True)
class LoggedEvent:
    action: str
    ticket_id: str | None
    window_id: int | None
    clerk_id: int | None
    outcome: str
    detail: str
    business_id: int | None


def events(wiring: Wiring, ticket_id: str | None = None) -> list[LoggedEvent]:
    with wiring.uow() as uow:
        assert uow.session is not None
        stmt = select(m.CallEvent).order_by(m.CallEvent.id)
        if ticket_id is not None:
            stmt = stmt.where(m.CallEvent.ticket_id == ticket_id)
        return [
            LoggedEvent(e.action, e.ticket_id, e.window_id, e.clerk_id, e.outcome, e.detail, e.business_id)
            for e in uow.session.scalars(stmt)
        ]


def numbers(tickets: list) -> list[str]:
    return [t.number for t in tickets]
