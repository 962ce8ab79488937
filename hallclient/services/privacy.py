"""The audited reveal: a clerk sees an applicant's full ID number only by asking, with a reason (privacy.md §2).

Each reveal writes an audit row — who (clerk), when, the service it belongs to (ticket, and case number once
there is one), the field, the reason, the window — before the UI shows anything. The number itself is never
written to the audit log: the row says *that* it was shown, not what.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallclient.services.auth import ClerkSession
from hallclient.services.errors import ServiceError
from hallclient.services.ports import Clock, UnitOfWorkFactory

REVEAL_ACTION = "privacy.reveal"
REVEAL_REASONS = ("核对证件号码", "系统录入需要完整号码", "申请人要求核对", "其他")
MIN_REASON_LENGTH = 2
NO_SERVICE = "完整号码只能在办理中的业务中查看，请先叫号"


@dataclass(frozen=True)
class Reveal:
    """What was granted: the UI shows ``field`` in full until ``until`` (or the service ends first)."""

    field: str
    at: dt.datetime
    until: dt.datetime


class RevealService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, seconds: float = 30.0) -> None:
        self._uow = uow
        self._clock = clock
        self.seconds = seconds

    def reveal(
        self,
        session: ClerkSession,
        *,
        field: str,
        reason: str,
        ticket_id: str | None,
        case_no: str = "",
    ) -> Reveal:
        """Record the reveal and grant it; ``ServiceError`` (nothing recorded) without a reason or a service."""
        reason = " ".join(reason.split())
        if len(reason) < MIN_REASON_LENGTH:
            raise ServiceError("请填写查看完整号码的原因")
        if not ticket_id:
            raise ServiceError(NO_SERVICE)
        target = f"ticket:{ticket_id}" + (f" case:{case_no}" if case_no else "")
        now = self._clock.now()
        with self._uow() as uow:
            uow.audit.add(
                now, session.clerk_id, session.window_id, REVEAL_ACTION, target, f"field={field}", reason
            )
            uow.commit()
        return Reveal(field, now, now + dt.timedelta(seconds=self.seconds))
