"""好差评: one review per service, never defaulted, never stamped before the service began.

A bad review (levels 1–2) opens its rectification task in the same transaction (reviews.md §3), so
no bad review can exist without its follow-up. A review that comes back through the invitation
on an acceptance notice (QR: case number + query code) is linked to that case (一事一评).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.domain.queue import business_date
from hallclient.domain.rectifications import DEFAULT_RECTIFICATION_DAYS, RectificationStatus, deadline
from hallclient.domain.reviews import RatingLevel, ReviewError, validate_review
from hallclient.services.auth import ClerkSession
from hallclient.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from hallclient.services.rectifications import rectification_record


class ReviewService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        rectification_days: int = DEFAULT_RECTIFICATION_DAYS,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._days = rectification_days
        self._tz = timezone

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
        """A review given at the counter (the customer screen or a keypad) for one service."""
        now = self._clock.now()
        rating = validate_review(level, reasons, now, service_started_at)
        with self._uow() as uow:
            review_id = self._add(
                uow,
                service_id=service_id,
                rating=rating,
                reasons=reasons,
                comment=comment,
                channel=channel,
                service_started_at=service_started_at,
                now=now,
                ticket_id=ticket_id,
                case_id=case_id,
                case_no=case_no,
                window_id=session.window_id,
                clerk_id=session.clerk_id,
                staff_no=session.staff_no,
                clerk_name=session.name,
                window_no=session.window_no,
            )
            uow.audit.add(now, session.clerk_id, session.window_id, "review.submitted", service_id)
            uow.commit()
        return review_id

    def submit_for_case(
        self,
        case_no: str,
        level: int,
        reasons: Sequence[str],
        comment: str,
        *,
        channel: str = "qr",
        evaluated_at: dt.datetime | None = None,
    ) -> str:
        """A review that came back through the acceptance notice's invitation (QR), by case number.

        One per case (一事一评): the case id is the service id, so a second one is refused like a
        second review of one counter service. The review is attributed to the case's window and clerk.
        """
        now = self._clock.now()
        with self._uow() as uow:
            found = uow.reviews.case_by_no(case_no.strip())
            if found is None:
                raise ReviewError(f"找不到办件编号为 {case_no} 的办件，评价未记录")
            case_id, window_id, clerk_id, received = (
                found.id,
                found.window_id,
                found.clerk_id,
                found.received_at,
            )
            rating = validate_review(level, reasons, evaluated_at or now, received)
            clerk = uow.staff.clerk(clerk_id)
            window_no = next((w.number for w in uow.staff.windows() if w.id == window_id), "")
            review_id = self._add(
                uow,
                service_id=case_id,
                rating=rating,
                reasons=reasons,
                comment=comment,
                channel=channel,
                service_started_at=received,
                now=evaluated_at or now,
                ticket_id=None,
                case_id=case_id,
                case_no=case_no.strip(),
                window_id=window_id,
                clerk_id=clerk_id,
                staff_no=clerk.staff_no,
                clerk_name=clerk.name,
                window_no=window_no,
            )
            uow.audit.add(now, None, window_id, "review.invited", case_no)
            uow.commit()
        return review_id

    def _add(
        self,
        uow: UnitOfWork,
        *,
        service_id: str,
        rating: RatingLevel,
        reasons: Sequence[str],
        comment: str,
        channel: str,
        service_started_at: dt.datetime,
        now: dt.datetime,
        ticket_id: str | None,
        case_id: str | None,
        case_no: str,
        window_id: int,
        clerk_id: int,
        staff_no: str,
        clerk_name: str,
        window_no: str,
    ) -> str:
        if uow.reviews.review_exists(service_id):
            raise ReviewError("本次服务已评价，每次服务只能评价一次")
        review_id = str(uuid.uuid4())
        reasons = [r for r in reasons if r.strip()]
        uow.reviews.add_review(
            {
                "id": review_id,
                "service_id": service_id,
                "ticket_id": ticket_id,
                "case_id": case_id,
                "window_id": window_id,
                "clerk_id": clerk_id,
                "level": int(rating),
                "reasons": list(reasons),
                "comment": comment,
                "channel": channel,
                "service_started_at": service_started_at,
                "evaluated_at": now,
            }
        )
        ordering_key = case_no or service_id
        uow.outbox.add(
            OutboxRecord(
                kind=RecordKind.REVIEW,
                ordering_key=ordering_key,
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
                    "deal_no": staff_no,
                    "deal_officer": clerk_name,
                    "window_no": window_no,
                    "service_started_at": service_started_at.isoformat(),
                    "evaluated_at": now.isoformat(),
                },
                created_at=now,
            )
        )
        if rating.is_bad:
            self._open_rectification(uow, review_id, ordering_key, window_id, clerk_id, now)
        return review_id

    def _open_rectification(
        self,
        uow: UnitOfWork,
        review_id: str,
        ordering_key: str,
        window_id: int,
        clerk_id: int,
        now: dt.datetime,
    ) -> None:
        rect_id = str(uuid.uuid4())
        uow.reviews.add_rectification(
            {
                "id": rect_id,
                "review_id": review_id,
                "ordering_key": ordering_key,
                "window_id": window_id,
                "clerk_id": clerk_id,
                "status": RectificationStatus.VERIFYING,
                "opened_at": now,
                "deadline_date": deadline(business_date(now, self._tz), self._days),
                "updated_at": now,
                "finding": "",
                "measures": "",
                "decision_note": "",
                "appeal_reason": "",
                "version": 1,
            }
        )
        uow.outbox.add(rectification_record(uow.reviews.rectification(rect_id), "open", "", "", now, "I"))
        uow.audit.add(now, None, window_id, "rectification.opened", rect_id)
