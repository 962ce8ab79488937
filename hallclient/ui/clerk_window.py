"""The clerk's main window: one service cycle — call, read the card, inquiry, case, finish, review.

Every use case runs through ``run_in_background``; the window only reacts to the frozen values
that come back. Signals named in the past tense announce facts (for the demo, tests and panels).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hallclient.domain.applicant import Applicant
from hallclient.domain.cases import Decision
from hallclient.domain.queue import Ticket
from hallclient.services.applicants import ApplicantCheck, manual_applicant
from hallclient.services.auth import ClerkSession
from hallclient.services.cases import CaseOutcome
from hallclient.services.inquiries import ReceiptDocument
from hallclient.ui.applicant_privacy import IdReveal
from hallclient.ui.case_list import install_case_tools
from hallclient.ui.case_panel import CasePanel
from hallclient.ui.customer_screen import CustomerScreen
from hallclient.ui.inquiry_panel import InquiryPanel
from hallclient.ui.panels import ApplicantPanel, QueuePanel
from hallclient.ui.queue_ops import install_queue_ops
from hallclient.ui.rectifications import RectificationsDialog
from hallclient.ui.referrals import ReferralsPanel
from hallclient.ui.threads import Runner, error_text

log = logging.getLogger(__name__)


class ClerkWindow(QMainWindow):
    ticket_called = Signal(object)
    queue_empty = Signal()
    applicant_filled = Signal(object)
    case_decided = Signal(object)
    inquiry_recorded = Signal(str)
    inquiry_receipt_issued = Signal(object)  # ReceiptDocument
    service_finished = Signal(object)
    review_recorded = Signal(str)
    card_read_requested = Signal(float)
    sync_requested = Signal()
    operation_failed = Signal(str)

    def __init__(
        self, services: Any, session: ClerkSession, runner: Runner, customer: CustomerScreen
    ) -> None:
        super().__init__()
        self._s = services
        self.session = session
        self._runner = runner
        self.customer = customer
        self.ticket: Ticket | None = None
        self.applicant: Applicant | None = None
        self.outcome: CaseOutcome | None = None
        self._service_started: dt.datetime | None = None
        self._service_id: str | None = None
        self._last_case: CaseOutcome | None = None
        hall = services.hall
        self.setWindowTitle(f"{hall.name} · {session.window_no}号窗口 · {session.name}")
        self.resize(1280, 800)

        header = QLabel(
            f"<span style='font-size:18px;font-weight:bold;color:#1d4e89'>{hall.name}</span>"
            f"　{session.window_no}号窗口　工作人员：{session.name}（工号 {session.staff_no}）"
        )
        self.queue_panel = QueuePanel()
        self.applicant_panel = ApplicantPanel()
        windows = [w.number for w in self._windows() if w.number != session.window_no]
        self.inquiry_panel = InquiryPanel(windows)
        self.case_panel = CasePanel(services.catalogue, runner)
        self.review_state = QLabel("评价：—")
        self.review_state.setProperty("role", "hint")

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 4, 0)
        left.addWidget(self.queue_panel)
        left.addWidget(self.applicant_panel)
        left.addWidget(self.inquiry_panel)
        left.addWidget(self.review_state)
        left.addStretch(1)
        # The left column scrolls rather than squeezing its panels: a counter PC is often 1366×768.
        left_host = QWidget()
        left_host.setLayout(left)
        left_scroll = QScrollArea()
        left_scroll.setWidget(left_host)
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setMinimumWidth(left_host.sizeHint().width() + 16)
        body = QHBoxLayout()
        body.addWidget(left_scroll, 5)
        body.addWidget(self._work_tabs(), 7)
        root = QVBoxLayout()
        root.addWidget(header)
        root.addLayout(body, 1)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)

        self.sync_label = QLabel("同步：正在连接平台…")
        self.pending_label = QLabel("待上报：—")
        self.clock_label = QLabel("")
        self.clock_label.setStyleSheet("color:#b3261e")
        self.clock_label.hide()
        self.message_label = QLabel("")
        self.statusBar().addWidget(self.message_label, 1)
        self.statusBar().addPermanentWidget(self.clock_label)
        self.statusBar().addPermanentWidget(self.pending_label)
        self.statusBar().addPermanentWidget(self.sync_label)

        self.queue_panel.call_requested.connect(self.call_next)
        self.queue_panel.finish_requested.connect(self.finish)
        self.applicant_panel.read_requested.connect(self.read_card)
        self.applicant_panel.manual_entered.connect(self.enter_applicant)
        self.id_reveal = IdReveal(self, services, runner, self._on_failed)  # 显示完整号码, audited
        self.inquiry_panel.record_requested.connect(self.record_inquiry)
        self.case_panel.submit_requested.connect(self.submit_case)
        self.case_panel.reject_requested.connect(self.reject_case)
        self.customer.review_given.connect(self._on_customer_review_given)
        self.customer.review_timed_out.connect(
            lambda: self._set_review_state("评价：超时未评价（不计为好评）")
        )
        for key, slot in (
            ("F1", self.call_next),
            ("F2", self.read_card),
            ("F4", self.finish),
            ("F9", self.submit_case),
            ("Ctrl+I", self.inquiry_panel.question.setFocus),
            ("Ctrl+F", self.case_panel.search.setFocus),
        ):
            QShortcut(QKeySequence(key), self, activated=slot)
        self.case_tools = install_case_tools(self, services, session, runner)  # case list, preview, print
        self.queue_ops = install_queue_ops(self)  # recall, no-show, hold, call back, transfer, pause
        self.customer.show_clerk(session.name, session.staff_no, session.window_no)
        self.refresh_queue()

    def _work_tabs(self) -> QTabWidget:
        """The case panel and, beside it, the 首问转办 inbox (polled off the GUI thread): its tab says
        how many referrals wait and turns red when one is overdue, without leaving the case."""
        self.referrals = ReferralsPanel(self._s.inquiries, self.session, self._runner)
        self.referrals.operation_failed.connect(lambda text: self._on_failed(_Msg(text)))
        self.referrals.referral_changed.connect(lambda _id: self.sync_requested.emit())
        self.referrals.board_shown.connect(self._on_referral_board)
        self.work_tabs = QTabWidget()
        self.work_tabs.setObjectName("workTabs")
        self.work_tabs.addTab(self.case_panel, "办件受理")
        self.work_tabs.addTab(self.referrals, "首问转办")
        self.rectifications: RectificationsDialog | None = None
        menu = self.menuBar().addMenu("首问与评价")
        menu.addAction("首问转办事项", lambda: self.work_tabs.setCurrentWidget(self.referrals))
        menu.addAction("差评整改任务…", self.open_rectifications)
        self.referrals.start()
        return self.work_tabs

    def _on_referral_board(self, board: Any) -> None:
        index = self.work_tabs.indexOf(self.referrals)
        self.work_tabs.setTabText(index, self.referrals.title())
        colour = QColor("#b3261e") if board.overdue else QColor("#1d4e89") if board.incoming else QColor()
        self.work_tabs.tabBar().setTabTextColor(index, colour)

    def open_rectifications(self) -> RectificationsDialog:
        if self.rectifications is None:
            self.rectifications = RectificationsDialog(
                self._s.rectifications, self.session, self._runner, self
            )
            self.rectifications.operation_failed.connect(lambda text: self._on_failed(_Msg(text)))
            self.rectifications.rectification_changed.connect(lambda _id: self.sync_requested.emit())
        self.rectifications.show()
        self.rectifications.activateWindow()
        return self.rectifications

    def _windows(self) -> list[Any]:
        with self._s.uow() as uow:  # a one-off read at construction; small and local
            return uow.staff.windows()

    # -- helpers ----------------------------------------------------------------------------------
    def _run(self, fn: Any, on_done: Any) -> None:
        self._runner.run_in_background(fn, on_done, self._on_failed)

    def _on_failed(self, exc: BaseException) -> None:
        text = error_text(exc)
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color:#b3261e")
        self.operation_failed.emit(text)

    def show_device_message(self, text: str) -> None:
        """A device's own words (audio, printer) in the status bar, in the warning colour."""
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color:#b3261e")

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color:#1e7d32")

    def _set_review_state(self, text: str) -> None:
        self.review_state.setText(text)

    # -- queue ------------------------------------------------------------------------------------
    def refresh_queue(self) -> None:
        self._run(lambda: self._s.queue.snapshot(self.session), self._on_snapshot)

    def _on_snapshot(self, snap: Any) -> None:
        self.queue_panel.show_waiting(snap.waiting)
        if snap.current is not None and self.ticket is None:
            self._show_ticket(snap.current)

    def call_next(self) -> None:
        if self.ticket is not None:
            self._on_failed(_Msg(f"当前号码 {self.ticket.number} 尚未办结"))
            return
        self._run(lambda: self._s.queue.call_next(self.session), self._on_called)

    def _on_called(self, ticket: Ticket | None) -> None:
        if ticket is None:
            self._say("当前没有等候的号码")
            self.queue_empty.emit()
            return
        self._show_ticket(ticket)
        self._say(f"已呼叫 {ticket.number}")
        self.ticket_called.emit(ticket)
        self.refresh_queue()

    def _show_ticket(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self._service_started = ticket.called_at or self._s.clock.now()
        self._service_id = ticket.id
        self.queue_panel.show_ticket(ticket.number, ticket.business_name)
        self.customer.show_serving(ticket.number)
        self._set_review_state("评价：—")

    def finish(self) -> None:
        if self.ticket is None:
            return
        ticket_id = self.ticket.id
        self._run(lambda: self._s.queue.finish(self.session, ticket_id), self._on_finished)

    def _on_finished(self, ticket: Ticket) -> None:
        self._last_case = self.outcome
        self.ticket = None
        self.queue_panel.show_ticket(None)
        self.applicant = None
        self.outcome = None
        self.applicant_panel.clear()
        self.case_panel.reset()
        self.customer.invite_review()
        self._set_review_state("评价：评价中…")
        self._say(f"{ticket.number} 已办结，请邀请群众评价")
        self.service_finished.emit(ticket)
        self.refresh_queue()
        self.sync_requested.emit()

    # -- applicant ----------------------------------------------------------------------------------
    def read_card(self) -> None:
        self.card_read_requested.emit(3.0)

    def on_reader_state(self, state: str, text: str) -> None:
        self.applicant_panel.show_reader_state(state, text)
        if state == "error":
            self.operation_failed.emit(text)

    def on_card_checked(self, check: ApplicantCheck) -> None:
        self.applicant_panel.show_check(check)
        if check.applicant is None:
            self.operation_failed.emit(check.error)
            return
        self.applicant = check.applicant
        self.applicant_filled.emit(check.applicant)

    def enter_applicant(self, name: str, id_text: str, phone: str) -> None:
        today = self._s.clock.now().date()
        try:
            applicant = manual_applicant(name, id_text, phone, today)
        except Exception as exc:
            self._on_failed(exc)
            return
        self.applicant = applicant
        self.applicant_panel.show_check(ApplicantCheck(applicant, "居民身份证（手工录入）", "", ()))
        self.applicant_panel.manual_id.clear()  # from here on the widgets hold the masked number only
        self.applicant_filled.emit(applicant)

    # -- inquiry ------------------------------------------------------------------------------------
    def record_inquiry(self) -> None:
        p = self.inquiry_panel
        draft = p.draft(
            ticket_id=self.ticket.id if self.ticket else None,
            item_code=self.case_panel.item.key if self.case_panel.item else "",
            applicant=self.applicant,
        )
        receipt = p.receipt.isChecked()
        self._run(
            lambda: self._s.inquiries.record(self.session, draft),
            lambda i: self._on_inquiry_recorded(i, receipt),
        )

    def _on_inquiry_recorded(self, inquiry_id: str, receipt: bool = False) -> None:
        self.inquiry_panel.clear()
        self.inquiry_panel.show_result("已登记首问记录")
        self._say("首问记录已登记")
        self.inquiry_recorded.emit(inquiry_id)
        self.sync_requested.emit()
        self.referrals.refresh()
        if receipt:
            # After the commit, in its own transaction: the record stands whatever happens to the receipt.
            self._run(lambda: self._s.inquiries.issue_receipt(self.session, inquiry_id), self._on_receipt)

    def _on_receipt(self, doc: ReceiptDocument) -> None:
        self.inquiry_panel.show_result(f"已登记首问记录，回执 {doc.doc_no} 已归档")
        self._say(f"首问登记回执 {doc.doc_no} 已出具并归档")
        self.inquiry_receipt_issued.emit(doc)

    # -- case -----------------------------------------------------------------------------------------
    def submit_case(self) -> None:
        item = self.case_panel.item
        if item is None:
            self._on_failed(_Msg("请先选择办理事项"))
            return
        if self.applicant is None:
            self._on_failed(_Msg("请先读取身份证或手工录入申请人"))
            return
        applicant, checks = self.applicant, self.case_panel.checks()
        ticket_id = self.ticket.id if self.ticket else None
        self.case_panel.submit_button.setEnabled(False)
        self._run(
            lambda: self._s.cases.submit(self.session, item, applicant, checks, ticket_id=ticket_id),
            self._on_case_decided,
        )

    def reject_case(self, reason: str | None = None) -> None:
        """不予受理 with a written reason (asked for when not given); the decision document names the remedies."""
        item = self.case_panel.item
        if item is None or self.applicant is None:
            self._on_failed(_Msg("请先选择办理事项并读取申请人证件"))
            return
        if reason is None:
            reason, ok = QInputDialog.getMultiLineText(
                self, "不予受理", "请写明不予受理的理由（将写入不予受理决定书）："
            )
            if not ok:
                return
        if not reason.strip():
            self._on_failed(_Msg("不予受理必须写明理由"))
            return
        applicant, checks = self.applicant, self.case_panel.checks()
        ticket_id = self.ticket.id if self.ticket else None
        self.case_panel.reject_button.setEnabled(False)
        self._run(
            lambda: self._s.cases.submit(
                self.session,
                item,
                applicant,
                checks,
                ticket_id=ticket_id,
                override=Decision.REJECT,
                override_reason=reason.strip(),
            ),
            self._on_case_decided,
        )

    def _on_case_decided(self, outcome: CaseOutcome) -> None:
        self.outcome = outcome
        # One decision per case: both decision buttons wait for the next item.
        self.case_panel.submit_button.setEnabled(False)
        self.case_panel.reject_button.setEnabled(False)
        deadline = f"，期限 {outcome.deadline_date}" if outcome.deadline_date else ""
        self.case_panel.document.setText(
            f"已{_DECISION_VERB[outcome.decision]}：办件编号 {outcome.case_no}，文书 {outcome.document.doc_no}{deadline}"
        )
        self._say(f"办件 {outcome.case_no} 已保存，文书已归档")
        self.case_decided.emit(outcome)
        self.sync_requested.emit()

    # -- review -----------------------------------------------------------------------------------------
    def _on_customer_review_given(self, level: int, reasons: list[str], comment: str) -> None:
        service_id, started = self._service_id, self._service_started
        if service_id is None or started is None:
            return
        case = self._last_case
        self._set_review_state("评价：已评价")  # the clerk sees that, never the level (reviews.md §5)
        self._run(
            lambda: self._s.reviews.submit(
                self.session,
                service_id,
                level,
                reasons,
                comment,
                started,
                ticket_id=service_id,
                case_id=case.case_id if case else None,
                case_no=case.case_no if case else "",
            ),
            self._on_review_recorded,
        )

    def on_review_pad_state(self, state: str, text: str) -> None:
        """The keypad's state from the device thread: a fault is shown; the screen keeps working."""
        if state == "error":
            self._set_review_state(f"评价器：{text}（群众可在评价屏上评价）")
            self.operation_failed.emit(text)

    def _on_review_recorded(self, review_id: str) -> None:
        self.review_recorded.emit(review_id)
        self.sync_requested.emit()

    # -- sync status ------------------------------------------------------------------------------------
    def on_sync_status(self, status: Any) -> None:
        if status.online:
            self.sync_label.setText("● 平台在线")
            self.sync_label.setStyleSheet("color:#1e7d32")
        elif status.online is None:
            self.sync_label.setText("平台状态未知")
        else:
            since = status.offline_since.astimezone().strftime("%H:%M") if status.offline_since else ""
            self.sync_label.setText(f"● 离线（自 {since}）数据已保存在本机，联网后自动上报")
            self.sync_label.setStyleSheet("color:#b3261e")
        oldest = ""
        if status.pending and status.oldest_pending_at is not None:
            age = self._s.clock.now() - status.oldest_pending_at
            oldest = f"，最早 {int(age.total_seconds() // 60)} 分钟前"
        extra = "".join(
            f"，{label} {n} 条"
            for label, n in (("被拒待更正", status.rejected), ("已导出待他机上报", status.exported))
            if n
        )
        lease = "" if status.lease_held else "（由其他窗口上报）"
        self.pending_label.setText(f"待上报：{status.pending} 条{oldest}{extra}{lease}")
        warning = status.clock_warning()
        self.clock_label.setText(warning)
        self.clock_label.setVisible(bool(warning))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.referrals.stop()
        try:
            self._s.auth.logout(self.session)
        except Exception:
            log.warning("logout failed", exc_info=True)
        self.customer.close()
        super().closeEvent(event)


_DECISION_VERB = {"accept": "受理", "defer": "容缺受理", "notice": "出具一次性告知书", "reject": "不予受理"}


class _Msg(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
