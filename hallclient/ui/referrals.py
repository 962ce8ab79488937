"""转办事项: the first-inquiry referrals a clerk received (accept, reply) and made (see the answer, close).

Refreshed by polling the inquiry service off the GUI thread every few seconds while it is shown;
every action goes through the runner and refreshes from what the service returns. Overdue
inquiries (答复期限 passed, answer still owed) are highlighted for both sides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hallclient.domain.inquiries import CHANNEL_LABELS, STATUS_LABELS, InquiryChannel, InquiryStatus
from hallclient.services.auth import ClerkSession
from hallclient.services.inquiries import ReferralBoard
from hallclient.services.review_ports import InquiryRow
from hallclient.ui.threads import Runner, error_text

OVERDUE_BRUSH = QBrush(QColor("#fde2e1"))
REPLIED_BRUSH = QBrush(QColor("#e3f4e6"))


def _time(moment: dt.datetime | None) -> str:
    return moment.astimezone().strftime("%m-%d %H:%M") if moment else "—"


def _status(row: InquiryRow, now: dt.datetime) -> str:
    text = STATUS_LABELS[InquiryStatus(row.status)]
    return f"{text}（已超时）" if row.overdue(now) else text


class _Table(QTableWidget):
    def __init__(self, headers: list[str], stretch: tuple[int, ...]) -> None:
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in stretch:  # the free text gets the room; times and names keep theirs
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.ids: list[str] = []

    def fill(self, rows: list[tuple[str, list[str], QBrush | None]]) -> None:
        selected = self.selected_id()
        self.setRowCount(len(rows))
        self.ids = [inquiry_id for inquiry_id, _, _ in rows]
        for r, (_, cells, brush) in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if brush is not None:
                    item.setBackground(brush)
                self.setItem(r, c, item)
        if selected in self.ids:
            self.selectRow(self.ids.index(selected))

    def selected_id(self) -> str | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        return self.ids[rows[0].row()] if rows and rows[0].row() < len(self.ids) else None

    def select_id(self, inquiry_id: str) -> None:
        if inquiry_id in self.ids:
            self.selectRow(self.ids.index(inquiry_id))


class ReferralsPanel(QWidget):
    board_shown = Signal(object)  # ReferralBoard, after every refresh
    referral_changed = Signal(str)  # an inquiry this clerk accepted, answered or closed
    operation_failed = Signal(str)

    def __init__(
        self, inquiries: Any, session: ClerkSession, runner: Runner, *, interval_ms: int = 5000
    ) -> None:
        super().__init__()
        self.setObjectName("referralsPanel")
        self._title = "首问转办"
        self._inquiries = inquiries
        self._session = session
        self._runner = runner
        self._busy = False
        self.board: ReferralBoard | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

        self.incoming = _Table(["登记时间", "来自", "渠道", "咨询事项", "答复期限", "状态"], stretch=(3,))
        self.accept_button = QPushButton("接收")
        self.accept_button.clicked.connect(self.accept_selected)
        self.reply_text = QLineEdit()
        self.reply_text.setPlaceholderText("答复内容（办理结果，将反馈给首问责任人）")
        self.reply_button = QPushButton("答复")
        self.reply_button.setProperty("role", "primary")
        self.reply_button.clicked.connect(self.reply_selected)
        in_buttons = QHBoxLayout()
        in_buttons.addWidget(self.accept_button)
        in_buttons.addWidget(self.reply_text, 1)
        in_buttons.addWidget(self.reply_button)

        self.outgoing = _Table(["登记时间", "转办至", "咨询事项", "答复期限", "状态", "答复"], stretch=(2, 5))
        self.close_button = QPushButton("已告知群众，办结")
        self.close_button.clicked.connect(self.close_selected)
        self.summary = QLabel("")
        self.summary.setProperty("role", "hint")
        out_buttons = QHBoxLayout()
        out_buttons.addWidget(self.summary, 1)
        out_buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        for title, table, buttons in (
            ("转给我的", self.incoming, in_buttons),
            ("我转出的（首问）", self.outgoing, out_buttons),
        ):
            heading = QLabel(title)
            heading.setStyleSheet("font-weight: bold; color: #1d4e89;")
            layout.addWidget(heading)
            layout.addWidget(table, 1)
            layout.addLayout(buttons)

    def title(self) -> str:
        """ "首问转办（待接收 1，超时 1）": what the tab that holds this panel says."""
        return self._title

    # -- polling --------------------------------------------------------------------------------------
    def start(self) -> None:
        """Poll while the window lives, shown or not: a referral must reach the clerk on any tab."""
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True
        session = self._session
        self._runner.run_in_background(lambda: self._inquiries.board(session), self.show_board, self._failed)

    def show_board(self, board: ReferralBoard) -> None:
        self._busy = False
        self.board = board
        now = board.now
        self.incoming.fill(
            [
                (
                    r.id,
                    [
                        _time(r.created_at),
                        f"{r.window_no}号窗口 {r.clerk_name}",
                        CHANNEL_LABELS[InquiryChannel(r.channel)],
                        r.question,
                        _time(r.due_at),
                        _status(r, now),
                    ],
                    OVERDUE_BRUSH if r.overdue(now) else None,
                )
                for r in board.incoming
            ]
        )
        self.outgoing.fill(
            [
                (
                    r.id,
                    [
                        _time(r.created_at),
                        r.recipient or "（本人答复）",
                        r.question,
                        _time(r.due_at),
                        _status(r, now),
                        r.reply or "—",
                    ],
                    OVERDUE_BRUSH if r.overdue(now) else REPLIED_BRUSH if r.status == "replied" else None,
                )
                for r in board.outgoing
            ]
        )
        waiting = sum(1 for r in board.incoming if r.status == InquiryStatus.AWAITING_REPLY)
        answered = sum(1 for r in board.outgoing if r.status == InquiryStatus.REPLIED)
        parts = [f"待接收 {waiting}"] if waiting else []
        parts += [f"已答复待办结 {answered}"] if answered else []
        parts += [f"超时 {board.overdue}"] if board.overdue else []
        self._title = "首问转办" + (f"（{'，'.join(parts)}）" if parts else "")
        self.summary.setText(f"待答复 {len(board.outgoing) - answered}，已答复 {answered}")
        self.board_shown.emit(board)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.operation_failed.emit(error_text(exc))

    # -- actions --------------------------------------------------------------------------------------
    def _act(self, fn: Any) -> None:
        self._runner.run_in_background(fn, self._on_changed, self._on_action_failed)

    def _on_changed(self, row: InquiryRow) -> None:
        self.reply_text.clear()
        self.referral_changed.emit(row.id)
        self.refresh()

    def _on_action_failed(self, exc: BaseException) -> None:
        self.operation_failed.emit(error_text(exc))

    def accept_selected(self) -> None:
        inquiry_id = self.incoming.selected_id()
        if inquiry_id is None:
            self.operation_failed.emit("请先在“转给我的”中选择一条转办事项")
            return
        session = self._session
        self._act(lambda: self._inquiries.accept(session, inquiry_id))

    def reply_selected(self) -> None:
        inquiry_id = self.incoming.selected_id()
        if inquiry_id is None:
            self.operation_failed.emit("请先在“转给我的”中选择一条转办事项")
            return
        text, session = self.reply_text.text(), self._session
        self._act(lambda: self._inquiries.reply(session, inquiry_id, text))

    def close_selected(self) -> None:
        inquiry_id = self.outgoing.selected_id()
        if inquiry_id is None:
            self.operation_failed.emit("请先在“我转出的”中选择一条已答复的事项")
            return
        session = self._session
        self._act(lambda: self._inquiries.close(session, inquiry_id))

    def select(self, inquiry_id: str) -> None:
        self.incoming.select_id(inquiry_id)
        self.outgoing.select_id(inquiry_id)
