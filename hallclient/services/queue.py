"""Queue use cases: issue, call next, call a number, recall, no-show, hold, call back, transfer,
pause/resume, finish. Each writes its event in the append-only call log in the same transaction.

Every change of a ticket is one UPDATE guarded by the state the window saw, returning the ticket as
it is afterwards (store/queue_sql.py): a second window that races for the same ticket gets a clear
message instead of a double call, and the common path needs no read before or after.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from hallclient.domain.queue import (
    STATUS_LABELS,
    CallAction,
    PriorityPolicy,
    Ticket,
    TicketStatus,
    WindowQueueState,
    document_type_problem,
    format_ticket_number,
)
from hallclient.services.auth import ClerkSession
from hallclient.services.errors import QueueError
from hallclient.services.ports import UnitOfWork
from hallclient.services.queue_reads import QueueReads

PAUSED = "paused"
RESUMED = "resumed"


class QueueService(QueueReads):
    """The clerk's and the kiosk's operations; the reads are in QueueReads."""

    # ---- issuing -------------------------------------------------------------------------------
    def issue_ticket(
        self,
        business_code: str,
        *,
        priority_code: str | None = None,
        verifier_id: int | None = None,
        document_type: str = "",
    ) -> Ticket:
        """Take a number; with ``priority_code`` the ticket carries a priority class from the start."""
        now = self._clock.now()
        day = self._today(now)
        with self._uow() as uow:
            business = uow.queue.business_by_code(business_code)
            if business is None:
                raise QueueError(f"没有业务类型 {business_code}")
            # Counted before the number is taken: the counter row stays locked from there to the
            # commit, so the other kiosks of this business wait as little as possible.
            ahead = uow.queue.waiting_count([business.id], day)
            seq = uow.queue.next_counter(f"ticket:{business.code}", day)
            ticket = Ticket(
                str(uuid.uuid4()),
                format_ticket_number(business.prefix, seq),
                business.code,
                business.name,
                day,
                TicketStatus.WAITING,
                now,
                waiting_ahead=ahead,
            )
            uow.queue.add_ticket(ticket.id, business.id, day, seq, ticket.number, now)
            uow.queue.add_event(ticket.id, None, None, CallAction.ISSUE, now, outcome=TicketStatus.WAITING)
            if priority_code is not None:
                self._set_priority(uow, ticket.id, priority_code, verifier_id, document_type, None, now)
                ticket = replace(uow.queue.ticket(ticket.id), waiting_ahead=ahead)
            uow.commit()
        return ticket

    def mark_priority(
        self, session: ClerkSession, ticket_id: str, priority_code: str, document_type: str
    ) -> Ticket:
        """The clerk checked a document of ``document_type`` (its TYPE, never its number or image)."""
        now = self._clock.now()
        with self._uow() as uow:
            ticket = uow.queue.ticket(ticket_id)
            if ticket.status is not TicketStatus.WAITING:
                raise QueueError(
                    f"号码 {ticket.number} 当前{STATUS_LABELS[ticket.status]}，只能为等候中的号码设置优先"
                )
            self._set_priority(uow, ticket_id, priority_code, session.clerk_id, document_type, session, now)
            ticket = uow.queue.ticket(ticket_id)
            uow.commit()
        return ticket

    @staticmethod
    def _set_priority(
        uow: UnitOfWork,
        ticket_id: str,
        code: str,
        verifier_id: int | None,
        document_type: str,
        session: ClerkSession | None,
        now: dt.datetime,
    ) -> None:
        pc = next((p for p in uow.queue.priority_classes() if p.code == code), None)
        if pc is None:
            raise QueueError(f"没有优先类别 {code}")
        document_type = document_type.strip()
        problem = document_type_problem(document_type)
        if problem:
            raise QueueError(problem)
        if pc.needs_verification and (verifier_id is None or not document_type):
            raise QueueError(f"「{pc.label}」需由工作人员核验证件后设置：请记录核验人和证件类型")
        uow.queue.set_priority(ticket_id, pc, verifier_id, document_type)
        uow.queue.add_event(
            ticket_id,
            session.window_id if session else None,
            verifier_id,
            CallAction.PRIORITY,
            now,
            f"{pc.code} {document_type}".strip(),
            outcome=TicketStatus.WAITING,
        )

    # ---- calling -------------------------------------------------------------------------------
    def _event(
        self,
        uow: UnitOfWork,
        session: ClerkSession,
        ticket_id: str,
        action: CallAction,
        now: dt.datetime,
        outcome: str,
        detail: str = "",
    ) -> None:
        uow.queue.add_event(
            ticket_id, session.window_id, session.clerk_id, action, now, detail, outcome=outcome
        )

    @staticmethod
    def _ready_to_call(uow: UnitOfWork, session: ClerkSession) -> WindowQueueState:
        state = uow.queue.window_state(session.window_id)
        if state.current_number is not None:
            raise QueueError(f"当前号码 {state.current_number} 尚未办结，请先点「办结」「过号」或「挂起」")
        if state.paused:
            reason = f"（{state.pause_reason}）" if state.pause_reason else ""
            raise QueueError(f"本窗口已暂停服务{reason}，请先点「恢复服务」再叫号")
        return state

    def call_next(self, session: ClerkSession) -> Ticket | None:
        """Claim and call the ticket this window should serve next; None when none waits for it."""
        now = self._clock.now()
        interleave = self.rules.priority_policy is PriorityPolicy.INTERLEAVE
        with self._uow() as uow:
            ticket = uow.queue.claim_next(
                session.window_id,
                session.clerk_id,
                self._today(now),
                now,
                streak_n=self.rules.interleave_n if interleave else 0,
            )
            if ticket is None:
                self._ready_to_call(uow, session)  # paused or still serving: say so
                return None
            if interleave:
                uow.queue.bump_streak(session.window_id, ticket.priority_code is not None)
            self._event(uow, session, ticket.id, CallAction.CALL, now, TicketStatus.CALLED)
            uow.commit()
        return ticket

    def call_specific(self, session: ClerkSession, number: str) -> Ticket:
        """Call a waiting ticket by its number (指定叫号), out of the normal order."""
        number = number.strip().upper()
        now = self._clock.now()
        with self._uow() as uow:
            self._ready_to_call(uow, session)
            found = uow.queue.tickets_by_number(number, self._today(now))
            if not found:
                raise QueueError(f"今天没有号码 {number}")
            ticket = found[0]
            if ticket.status is not TicketStatus.WAITING:
                hint = "，请用「回呼」" if ticket.status in (TicketStatus.HELD, TicketStatus.NO_SHOW) else ""
                raise QueueError(f"号码 {number} 当前{STATUS_LABELS[ticket.status]}，不能指定呼叫{hint}")
            self._check_may_serve(uow, session, ticket)
            called = uow.queue.claim(
                ticket.id, session.window_id, session.clerk_id, now, [TicketStatus.WAITING]
            )
            if called is None:
                raise QueueError(f"号码 {number} 刚刚已被其他窗口呼叫")
            self._event(uow, session, ticket.id, CallAction.CALL_SPECIFIC, now, TicketStatus.CALLED)
            uow.commit()
        return called

    @staticmethod
    def _check_may_serve(uow: UnitOfWork, session: ClerkSession, ticket: Ticket) -> None:
        if ticket.target_window_no is not None:
            if ticket.target_window_no != session.window_no:
                raise QueueError(f"号码 {ticket.number} 已转至{ticket.target_window_no}号窗口")
            return
        business = uow.queue.business_by_code(ticket.business_code)
        if business is None or business.id not in uow.queue.window_businesses(session.window_id):
            raise QueueError(f"号码 {ticket.number} 属于「{ticket.business_name}」，本窗口不办理该业务")

    @staticmethod
    def _not_serving(uow: UnitOfWork, session: ClerkSession, ticket_id: str, doing: str = "") -> QueueError:
        """Why a guarded change of the current ticket found nothing to change."""
        ticket = uow.queue.ticket(ticket_id)
        return QueueError(f"号码 {ticket.number} 当前不在本窗口办理中{doing}")

    def recall(self, session: ClerkSession, ticket_id: str) -> Ticket:
        """Call the current ticket again (重呼), up to the hall's limit per ticket."""
        now = self._clock.now()
        limit = self.rules.recall_limit
        with self._uow() as uow:
            ticket = uow.queue.count_recall(ticket_id, session.window_id, limit)
            if ticket is None:
                current = uow.queue.ticket(ticket_id)
                if current.status is not TicketStatus.CALLED or current.window_no != session.window_no:
                    raise self._not_serving(uow, session, ticket_id)
                raise QueueError(
                    f"号码 {current.number} 已重呼 {current.recalls} 次，达到本大厅的上限（{limit} 次）。"
                    "请点「过号」或「挂起」后叫下一位"
                )
            self._event(
                uow, session, ticket_id, CallAction.RECALL, now, TicketStatus.CALLED, str(ticket.recalls)
            )
            uow.commit()
        return ticket

    def no_show(self, session: ClerkSession, ticket_id: str) -> Ticket:
        return self._park(session, ticket_id, TicketStatus.NO_SHOW, CallAction.NO_SHOW)

    def hold(self, session: ClerkSession, ticket_id: str) -> Ticket:
        return self._park(session, ticket_id, TicketStatus.HELD, CallAction.HOLD)

    def _park(
        self, session: ClerkSession, ticket_id: str, status: TicketStatus, action: CallAction
    ) -> Ticket:
        now = self._clock.now()
        with self._uow() as uow:
            ticket = uow.queue.park(ticket_id, session.window_id, status, now)
            if ticket is None:
                raise self._not_serving(uow, session, ticket_id)
            self._event(uow, session, ticket_id, action, now, status)
            uow.commit()
        return ticket

    def call_back(self, session: ClerkSession, ticket_id: str) -> Ticket:
        """Call a held or no-show ticket again (回呼), within the hall's window of minutes."""
        now = self._clock.now()
        with self._uow() as uow:
            self._ready_to_call(uow, session)
            ticket = uow.queue.ticket(ticket_id)
            if ticket.status not in (TicketStatus.HELD, TicketStatus.NO_SHOW) or ticket.parked_at is None:
                raise QueueError(
                    f"号码 {ticket.number} 当前{STATUS_LABELS[ticket.status]}，只能回呼挂起或过号的号码"
                )
            if ticket.business_date != self._today(now):
                raise QueueError(
                    f"号码 {ticket.number} 是 {ticket.business_date:%m月%d日} 的号码，不能回呼，请重新取号"
                )
            if ticket.status is TicketStatus.HELD and ticket.window_no != session.window_no:
                raise QueueError(f"号码 {ticket.number} 挂起在{ticket.window_no}号窗口，只能由该窗口回呼")
            if ticket.status is TicketStatus.NO_SHOW and ticket.window_no != session.window_no:
                self._check_may_serve(uow, session, ticket)
            if not self.rules.may_call_back(ticket.parked_at, now):
                minutes = self.rules.call_back_minutes
                raise QueueError(
                    f"号码 {ticket.number} {STATUS_LABELS[ticket.status]}已超过 {minutes} 分钟，不能回呼，请重新取号"
                )
            called = uow.queue.claim(ticket_id, session.window_id, session.clerk_id, now, [ticket.status])
            if called is None:
                raise QueueError(f"号码 {ticket.number} 刚刚已被其他窗口回呼")
            self._event(uow, session, ticket_id, CallAction.CALL_BACK, now, TicketStatus.CALLED)
            uow.commit()
        return called

    def transfer(
        self,
        session: ClerkSession,
        ticket_id: str,
        *,
        business_code: str | None = None,
        window_no: str | None = None,
    ) -> Ticket:
        """Send the current ticket to another business's queue or to a named window (转移).

        The ticket keeps its number and its issue time, so it is not sent to the back of the queue.
        """
        if (business_code is None) == (window_no is None):
            raise QueueError("请选择转往的业务或窗口（二选一）")
        now = self._clock.now()
        with self._uow() as uow:
            ticket = uow.queue.ticket(ticket_id)
            if ticket.status is not TicketStatus.CALLED or ticket.window_no != session.window_no:
                raise self._not_serving(uow, session, ticket_id)
            target_business: int | None = None
            target_window: int | None = None
            if business_code is not None:
                business = uow.queue.business_by_code(business_code)
                if business is None:
                    raise QueueError(f"没有业务类型 {business_code}")
                if business.code == ticket.business_code:
                    raise QueueError(f"号码 {ticket.number} 已在「{business.name}」队列中")
                target_business, detail = business.id, f"to_business={business.code}"
            else:
                assert window_no is not None
                if window_no == session.window_no:
                    raise QueueError("不能转给本窗口")
                target_window = uow.queue.window_id_by_number(window_no)
                if target_window is None:
                    raise QueueError(f"没有编号为 {window_no} 的窗口")
                detail = f"to_window={window_no}"
            # Logged first: the event carries the queue the ticket leaves (transfers count there).
            self._event(uow, session, ticket_id, CallAction.TRANSFER, now, TicketStatus.WAITING, detail)
            moved = uow.queue.requeue(ticket_id, session.window_id, target_business, target_window)
            if moved is None:
                raise self._not_serving(uow, session, ticket_id)
            uow.commit()
        return moved

    def finish(self, session: ClerkSession, ticket_id: str) -> Ticket:
        now = self._clock.now()
        with self._uow() as uow:
            ticket = uow.queue.finish(ticket_id, session.window_id, now)
            if ticket is None:
                raise self._not_serving(uow, session, ticket_id, "，无法办结")
            self._event(uow, session, ticket_id, CallAction.FINISH, now, TicketStatus.FINISHED)
            uow.commit()
        return ticket

    # ---- the window ----------------------------------------------------------------------------
    def pause(self, session: ClerkSession, reason: str) -> WindowQueueState:
        """Stop calling (暂停服务) with a reason; the ticket being served may still be finished."""
        reason = reason.strip()
        if not reason:
            raise QueueError("请填写暂停服务的原因")
        now = self._clock.now()
        with self._uow() as uow:
            state = uow.queue.window_state(session.window_id)
            if state.paused:
                raise QueueError(f"本窗口已在暂停服务中（{state.pause_reason}）")
            uow.queue.set_pause(session.window_id, now, reason[:100])
            uow.queue.add_event(
                None, session.window_id, session.clerk_id, CallAction.PAUSE, now, reason, outcome=PAUSED
            )
            state = uow.queue.window_state(session.window_id)
            uow.commit()
        return state

    def resume(self, session: ClerkSession) -> WindowQueueState:
        now = self._clock.now()
        with self._uow() as uow:
            state = uow.queue.window_state(session.window_id)
            if not state.paused:
                raise QueueError("本窗口未暂停服务")
            uow.queue.set_pause(session.window_id, None, "")
            uow.queue.add_event(
                None, session.window_id, session.clerk_id, CallAction.RESUME, now, outcome=RESUMED
            )
            state = uow.queue.window_state(session.window_id)
            uow.commit()
        return state
