"""好差评: one review per service, never defaulted, never stamped before the service began."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.domain.reviews import ReviewError, validate_review
from hallclient.services.auth import ClerkSession
from hallclient.services.ports import Clock, UnitOfWorkFactory


class ReviewService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def submit(
        self,
        session: ClerkSession,
        service_id: str,
        level: int,
        reasons: Sequence[str],
        comment: str,
        service_started_at: dt.datetime,
        *,
        ticket_id: str | None = None,
        case_id: str | None = None,
        case_no: str = "",
        channel: str = "pad",
    ) -> str:
        now = self._clock.now()
        rating = validate_review(level, reasons, now, service_started_at)
        review_id = str(uuid.uuid4())
        with self._uow() as uow:
            if uow.cases.review_exists(service_id):
                raise ReviewError("本次服务已评价，每次服务只能评价一次")
            uow.cases.add_review(
                {
                    "id": review_id,
                    "service_id": service_id,
                    "ticket_id": ticket_id,
                    "case_id": case_id,
                    "window_id": session.window_id,
                    "clerk_id": session.clerk_id,
                    "level": int(rating),
                    "reasons": list(reasons),
                    "comment": comment,
                    "channel": channel,
                    "service_started_at": service_started_at,
                    "evaluated_at": now,
                }
            )
            uow.outbox.add(
                OutboxRecord(
                    kind=RecordKind.REVIEW,
                    ordering_key=case_no or service_id,
                    payload={
                        "review_no": review_id,
                        "service_id": service_id,
                        "project_no": case_no,
                        "eval_process": "window",
                        "level": str(int(rating)),
                        "level_label": rating.label,
                        "is_bad": rating.is_bad,
                        "reasons": list(reasons),
                        "comment": comment,
                        "channel": channel,
                        "deal_no": session.staff_no,
                        "deal_officer": session.name,
                        "window_no": session.window_no,
                        "service_started_at": service_started_at.isoformat(),
                        "evaluated_at": now.isoformat(),
                    },
                    created_at=now,
                )
            )
            uow.audit.add(now, session.clerk_id, session.window_id, "review.submitted", service_id)
            uow.commit()
        return review_id
