"""差评整改 for the hall manager: open and overdue tasks, their steps, the appeal and the callback.

A minimal view reachable from the clerk window's menu; the full manager view comes later. The
buttons offered for a task are exactly the transitions the domain allows from its status, and the
service refuses anything else with a Chinese reason, shown here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from hallclient.domain import rectifications as rect
from hallclient.domain.reviews import RatingLevel
from hallclient.services.auth import ClerkSession
from hallclient.services.rectifications import RectificationBoard
from hallclient.services.review_ports import RectificationRow
from hallclient.ui.threads import Runner, error_text

OVERDUE_BRUSH = QBrush(QColor("#fde2e1"))
HEADERS = ["整改期限", "状态", "窗口", "责任人", "评价", "差评原因", "评价时间", "回访"]


class RectificationsDialog(QDialog):
    board_shown = Signal(object)  # RectificationBoard
    rectification_changed = Signal(str)
    operation_failed = Signal(str)

    def __init__(self, service: Any, session: ClerkSession, runner: Runner, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("差评整改")
        self.resize(1100, 620)
        self._service = service
        self._session = session
        self._runner = runner
        self.board: RectificationBoard | None = None
        self._rows: list[RectificationRow] = []

        self.show_closed = QCheckBox("显示已结束的任务")
        self.show_closed.toggled.connect(self.refresh)
        self.summary = QLabel("")
        self.summary.setProperty("role", "hint")
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_closed)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection)

        self.detail = QLabel("请选择一项整改任务")
        self.detail.setWordWrap(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText("核实情况 / 整改措施 / 复核或申诉意见")
        self.action_buttons: dict[rect.RectificationAction, QPushButton] = {}
        steps = QHBoxLayout()
        steps.addWidget(self.note, 1)
        for action in rect.RectificationAction:
            button = QPushButton(rect.ACTION_LABELS[action])
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, a=action: self.act(a))
            self.action_buttons[action] = button
            steps.addWidget(button)
        step_box = QGroupBox("办理")
        sv = QVBoxLayout(step_box)
        sv.addWidget(self.detail)
        sv.addLayout(steps)

        self.callback_channel = QComboBox()
        for value, label in rect.CHANNEL_LABELS.items():
            self.callback_channel.addItem(label, value)
        self.callback_result = QComboBox()
        for value, label in rect.RESULT_LABELS.items():
            self.callback_result.addItem(label, value)
        self.callback_satisfaction = QComboBox()
        for value, label in rect.SATISFACTION_LABELS.items():
            self.callback_satisfaction.addItem(f"对整改反馈：{label}", value)
        self.callback_result.currentIndexChanged.connect(self._on_result_changed)
        self.callback_note = QLineEdit()
        self.callback_note.setPlaceholderText("回访记录（选填）")
        self.callback_button = QPushButton("记录回访")
        self.callback_button.setEnabled(False)
        self.callback_button.clicked.connect(self.record_callback)
        cb_box = QGroupBox("回访")
        cb = QHBoxLayout(cb_box)
        for w in (self.callback_channel, self.callback_result, self.callback_satisfaction):
            cb.addWidget(w)
        cb.addWidget(self.callback_note, 1)
        cb.addWidget(self.callback_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(step_box)
        layout.addWidget(cb_box)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    # -- data -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        open_only = not self.show_closed.isChecked()
        self._runner.run_in_background(
            lambda: self._service.board(open_only=open_only), self.show_board, self._failed
        )

    def show_board(self, board: RectificationBoard) -> None:
        selected = self.selected()
        self.board = board
        self._rows = list(board.rows)
        self.table.setRowCount(len(self._rows))
        for r, row in enumerate(self._rows):
            overdue = row.overdue(board.today)
            review = row.review
            cells = [
                f"{row.deadline_date:%Y-%m-%d}" + ("（已超期）" if overdue else ""),
                rect.STATUS_LABELS[rect.RectificationStatus(row.status)],
                f"{review.window_no}号窗口",
                f"{review.clerk_name}（{review.clerk_staff_no}）",
                RatingLevel(review.level).label + ("（已剔除）" if review.excluded else ""),
                "、".join(review.reasons) + (f"；{review.comment}" if review.comment else ""),
                review.evaluated_at.astimezone().strftime("%m-%d %H:%M"),
                f"{row.callbacks} 次",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if overdue:
                    item.setBackground(OVERDUE_BRUSH)
                self.table.setItem(r, c, item)
        ids = [r.id for r in self._rows]
        if selected is not None and selected.id in ids:
            self.table.selectRow(ids.index(selected.id))
        self.summary.setText(
            f"未结束的整改任务 {sum(1 for r in self._rows if r.status in rect.OPEN)} 项，"
            f"已超期 {len(board.overdue)} 项（期限按工作日计，节假日不计入）"
        )
        self._on_selection()
        self.board_shown.emit(board)

    def selected(self) -> RectificationRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self._rows[rows[0].row()] if rows and rows[0].row() < len(self._rows) else None

    def select(self, rectification_id: str) -> None:
        ids = [r.id for r in self._rows]
        if rectification_id in ids:
            self.table.selectRow(ids.index(rectification_id))

    def _on_selection(self) -> None:
        row = self.selected()
        status = rect.RectificationStatus(row.status) if row else None
        for action, button in self.action_buttons.items():
            button.setEnabled(status is not None and (status, action) in rect.TRANSITIONS)
        self.callback_button.setEnabled(row is not None and status is not rect.RectificationStatus.UPHELD)
        if row is None:
            self.detail.setText("请选择一项整改任务")
            return
        lines = [
            f"状态：{rect.STATUS_LABELS[status]}　整改期限：{row.deadline_date:%Y-%m-%d}"  # type: ignore[index]
        ]
        for label, text in (
            ("核实情况", row.finding),
            ("整改措施及反馈", row.measures),
            ("申诉理由", row.appeal_reason),
            ("复核 / 申诉意见", row.decision_note),
        ):
            if text:
                lines.append(f"{label}：{text}")
        self.detail.setText("\n".join(lines))

    def _on_result_changed(self) -> None:
        reached = self.callback_result.currentData() == rect.CallbackResult.REACHED
        self.callback_satisfaction.setEnabled(reached)

    # -- actions --------------------------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        text = error_text(exc)
        self.summary.setText(text)
        self.operation_failed.emit(text)

    def _changed(self, row: RectificationRow) -> None:
        self.note.clear()
        self.callback_note.clear()
        self.rectification_changed.emit(row.id)
        self.refresh()

    def act(self, action: rect.RectificationAction) -> None:
        row = self.selected()
        if row is None:
            self.operation_failed.emit("请先选择一项整改任务")
            return
        note, session = self.note.text(), self._session
        self._runner.run_in_background(
            lambda: self._service.act(session, row.id, action, note), self._changed, self._failed
        )

    def record_callback(self) -> None:
        row = self.selected()
        if row is None:
            self.operation_failed.emit("请先选择一项整改任务")
            return
        channel = rect.CallbackChannel(self.callback_channel.currentData())
        result = rect.CallbackResult(self.callback_result.currentData())
        satisfaction = (
            rect.FeedbackSatisfaction(self.callback_satisfaction.currentData())
            if result is rect.CallbackResult.REACHED
            else None
        )
        note, session = self.callback_note.text(), self._session
        self._runner.run_in_background(
            lambda: self._service.record_callback(session, row.id, channel, result, satisfaction, note),
            self._changed,
            self._failed,
        )
