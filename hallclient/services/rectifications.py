"""差评整改: move a rectification task through its states, record callbacks, list open and overdue tasks.

Every step writes the task and an outbox record (kind ``rectification``, operation U, version raised)
in one transaction, and an audit row naming who did it. The task is opened by ReviewService with
the bad review itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.domain.queue import business_date
from hallclient.domain.rectifications import (
    DECISIONS,
    TERMINAL,
    CallbackChannel,
    CallbackResult,
    FeedbackSatisfaction,
    RectificationAction,
    RectificationError,
    RectificationStatus,
    check_callback,
    next_status,
)
from hallclient.services.auth import ClerkSession
from hallclient.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from hallclient.services.review_ports import CallbackRow, RectificationRow

# Which column keeps the note a step requires.
_NOTE_COLUMN = {
    RectificationAction.START: "finding",
    RectificationAction.FEED_BACK: "measures",
    RectificationAction.REVIEW: "decision_note",
    RectificationAction.RETURN: "decision_note",
    RectificationAction.UPHOLD: "decision_note",
    RectificationAction.DISMISS: "decision_note",
    RectificationAction.APPEAL: "appeal_reason",
}


@dataclass(frozen=True)
class RectificationBoard:
    """The manager's list: tasks not finished, by deadline; ``today`` is the hall-local date."""

    today: dt.date
    rows: tuple[RectificationRow, ...]

    @property
    def overdue(self) -> tuple[RectificationRow, ...]:
        return tuple(r for r in self.rows if r.overdue(self.today))


def rectification_record(
    row: RectificationRow,
    action: str,
    note: str,
    operator_no: str,
    now: dt.datetime,
    operation: str = "U",
    callback: dict[str, Any] | None = None,
) -> OutboxRecord:
    """The whole task as it stands after ``action``; ordered after its review (same ordering key)."""
    payload: dict[str, Any] = {
        "rectification_no": row.id,
        "review_no": row.review_id,
        "project_no": row.review.case_no,
        "status": row.status,
        "deadline_date": row.deadline_date.isoformat(),
        "action": action,
        "note": note,
        "handle_user_no": row.review.clerk_staff_no,
        "operator_no": operator_no,
        "window_no": row.review.window_no,
        "opened_at": row.opened_at.isoformat(),
        "updated_at": now.isoformat(),
    }
    if callback is not None:
        payload["callback"] = callback
    return OutboxRecord(
        kind=RecordKind.RECTIFICATION,
        ordering_key=row.ordering_key,
        payload=payload,
        created_at=now,
        operation=operation,
        version=row.version,
    )


class RectificationService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, timezone: str = "Asia/Shanghai") -> None:
        self._uow = uow
        self._clock = clock
        self._tz = timezone

    # -- steps --------------------------------------------------------------------------------------
    def act(
        self, session: ClerkSession, rectification_id: str, action: RectificationAction, note: str = ""
    ) -> RectificationRow:
        with self._uow() as uow:
            row = self._get(uow, rectification_id)
            status = next_status(row.status, action, note)
            if action in DECISIONS and session.clerk_id == row.review.clerk_id:
                raise RectificationError(
                    "被评价的工作人员本人不能复核或裁决本人的整改任务，请由大厅管理人员处理"
                )
            if action is RectificationAction.REVIEW and row.callbacks == 0:
                raise RectificationError("复核前请先记录对评价人的回访（回访率须达100%）")
            now = self._clock.now()
            values: dict[str, Any] = {"status": status, "updated_at": now, "version": row.version + 1}
            if action in _NOTE_COLUMN:
                values[_NOTE_COLUMN[action]] = note.strip()
            if status in TERMINAL:
                values["closed_at"] = now
            uow.reviews.update_rectification(rectification_id, values)
            if action is RectificationAction.UPHOLD:
                # 误评 / 恶意差评 confirmed: the review stays on record but no longer counts.
                uow.reviews.set_excluded(row.review_id, True)
            after = uow.reviews.rectification(rectification_id)
            uow.outbox.add(rectification_record(after, action, note.strip(), session.staff_no, now))
            uow.audit.add(
                now, session.clerk_id, session.window_id, f"rectification.{action}", rectification_id
            )
            uow.commit()
        return after

    def record_callback(
        self,
        session: ClerkSession,
        rectification_id: str,
        channel: CallbackChannel,
        result: CallbackResult,
        satisfaction: FeedbackSatisfaction | None = None,
        note: str = "",
        called_at: dt.datetime | None = None,
    ) -> RectificationRow:
        """回访: who contacted the evaluator, when, how, the result and their view of the feedback."""
        check_callback(result, satisfaction)
        now = self._clock.now()
        when = called_at or now
        if when > now:
            raise RectificationError("回访时间不能晚于当前时间")
        with self._uow() as uow:
            row = self._get(uow, rectification_id)
            if RectificationStatus(row.status) is RectificationStatus.UPHELD:
                raise RectificationError("申诉已成立的差评不再回访")
            uow.reviews.add_callback(
                {
                    "id": str(uuid.uuid4()),
                    "rectification_id": rectification_id,
                    "clerk_id": session.clerk_id,
                    "called_at": when,
                    "channel": channel,
                    "result": result,
                    "satisfaction": satisfaction or "",
                    "note": note.strip(),
                }
            )
            uow.reviews.update_rectification(
                rectification_id, {"updated_at": now, "version": row.version + 1}
            )
            after = uow.reviews.rectification(rectification_id)
            callback = {
                "channel": str(channel),
                "result": str(result),
                "satisfaction": str(satisfaction) if satisfaction else "",
                "called_at": when.isoformat(),
                "staff_no": session.staff_no,
            }
            uow.outbox.add(
                rectification_record(
                    after, "callback", note.strip(), session.staff_no, now, callback=callback
                )
            )
            uow.audit.add(
                now, session.clerk_id, session.window_id, "rectification.callback", rectification_id
            )
            uow.commit()
        return after

    # -- queries ------------------------------------------------------------------------------------
    def board(self, *, open_only: bool = True) -> RectificationBoard:
        today = business_date(self._clock.now(), self._tz)
        with self._uow() as uow:
            return RectificationBoard(today, tuple(uow.reviews.rectifications(open_only=open_only)))

    def overdue(self) -> tuple[RectificationRow, ...]:
        return self.board().overdue

    def get(self, rectification_id: str) -> RectificationRow:
        with self._uow() as uow:
            return self._get(uow, rectification_id)

    def callbacks(self, rectification_id: str) -> list[CallbackRow]:
        with self._uow() as uow:
            return uow.reviews.callbacks(rectification_id)

    @staticmethod
    def _get(uow: UnitOfWork, rectification_id: str) -> RectificationRow:
        try:
            return uow.reviews.rectification(rectification_id)
        except LookupError:
            raise RectificationError("找不到该整改任务") from None
