"""The queue operations beyond call and finish, on the clerk window: recall, no-show, hold, call back,
transfer, call a number, pause/resume — each with a keyboard shortcut — and the window's own figures.

``install_queue_ops(window)`` adds one tool bar (one row: the left column of the window is full) and
drives it: every use case runs through the window's runner; only frozen values come back. Transfer,
call back and pause open a menu of choices at their button (keyboard: the shortcut opens it, arrows
and Enter choose). Signals (past tense) tell the voice and the board what happened: a recall must
be announced again, a released ticket is no longer at this window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QMenu, QToolBar, QToolButton, QWidget

from hallclient.domain.queue import STATUS_LABELS, Ticket, WindowQueueState
from hallclient.services.queue_figures import QueueFigures

SHORTCUTS = {
    "recall": "F3",
    "no_show": "F5",
    "hold": "F6",
    "call_back": "F7",
    "transfer": "F8",
    "call_number": "Ctrl+G",
    "pause": "F12",
}
PAUSE_REASONS = ("临时离开", "午间休息", "业务培训", "系统故障", "其他")


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} 分"


class QueueOpsBar(QToolBar):
    """A view: buttons, menus of choices, a number field, the pause state and the window's figures."""

    recall_requested = Signal()
    no_show_requested = Signal()
    hold_requested = Signal()
    call_back_requested = Signal(str)  # ticket id
    transfer_requested = Signal(str, str)  # "business" | "window", code or number
    call_number_requested = Signal(str)
    pause_requested = Signal(str)  # reason
    resume_requested = Signal()

    def __init__(self, targets: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        """``targets``: (kind, code or number, label) for the transfer menu."""
        super().__init__("叫号操作", parent)
        self.setObjectName("queue_ops")
        self.setMovable(False)
        self.paused = False

        def button(text: str, key: str) -> QToolButton:
            b = QToolButton()
            b.setText(f"{text} {SHORTCUTS[key]}")
            b.setObjectName(f"queue_{key}")
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.addWidget(b)
            return b

        self.recall_button = button("重呼", "recall")
        self.no_show_button = button("过号", "no_show")
        self.hold_button = button("挂起", "hold")
        self.transfer_button = button("转移…", "transfer")
        self.transfer_menu = QMenu(self.transfer_button)
        for kind, key, label in targets:
            action = self.transfer_menu.addAction(label)
            action.setData(f"{kind}:{key}")
        self.transfer_menu.triggered.connect(self._on_transfer_menu_triggered)
        self.call_back_button = button("回呼…", "call_back")
        self.call_back_menu = QMenu(self.call_back_button)
        self.call_back_menu.triggered.connect(self._on_call_back_menu_triggered)
        self.number = QLineEdit()
        self.number.setPlaceholderText("号码，如A012")
        self.number.setMaxLength(16)
        self.number.setFixedWidth(110)
        self.addWidget(self.number)
        self.call_number_button = button("指定叫号", "call_number")
        self.pause_button = button("暂停服务…", "pause")
        self.pause_menu = QMenu(self.pause_button)
        for reason in PAUSE_REASONS:
            self.pause_menu.addAction(reason)
        self.pause_menu.triggered.connect(lambda action: self.pause_requested.emit(action.text()))
        self.addSeparator()
        self.state = QLabel("")
        self.state.setStyleSheet("color:#b3261e")
        self.addWidget(self.state)
        # Shown under the window's queue panel (install_queue_ops): the bar is one row, and full.
        self.figures = QLabel("今日本窗口：—")
        self.figures.setProperty("role", "hint")
        self.figures.setWordWrap(True)

        self.recall_button.clicked.connect(self.recall_requested)
        self.no_show_button.clicked.connect(self.no_show_requested)
        self.hold_button.clicked.connect(self.hold_requested)
        self.transfer_button.clicked.connect(self.open_transfer)
        self.call_back_button.clicked.connect(self.open_call_back)
        self.call_number_button.clicked.connect(self.request_call_number)
        self.number.returnPressed.connect(self.request_call_number)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.show_serving(False)
        self.show_parked([])

    # -- asks (the keyboard works whatever the buttons show; the service says what is wrong) --------
    def _open(self, menu: QMenu, button: QToolButton) -> None:
        if not menu.isEmpty():
            menu.popup(button.mapToGlobal(button.rect().bottomLeft()))

    def open_transfer(self) -> None:
        self._open(self.transfer_menu, self.transfer_button)

    def open_call_back(self) -> None:
        self._open(self.call_back_menu, self.call_back_button)

    def _on_transfer_menu_triggered(self, action: QAction) -> None:
        kind, _, key = str(action.data()).partition(":")
        self.transfer_requested.emit(kind, key)

    def _on_call_back_menu_triggered(self, action: QAction) -> None:
        self.call_back_requested.emit(str(action.data()))

    def request_call_number(self) -> None:
        number = self.number.text().strip()
        if not number:
            self.number.setFocus()
            return
        self.call_number_requested.emit(number)

    def toggle_pause(self) -> None:
        if self.paused:
            self.resume_requested.emit()
        else:
            self._open(self.pause_menu, self.pause_button)

    # -- shows -------------------------------------------------------------------------------------
    def show_serving(self, serving: bool) -> None:
        for b in (self.recall_button, self.no_show_button, self.hold_button, self.transfer_button):
            b.setEnabled(serving)
        for b in (self.call_back_button, self.call_number_button):
            b.setEnabled(not serving and not self.paused)

    def show_parked(self, tickets: list[Ticket]) -> None:
        self.call_back_menu.clear()
        for t in tickets:
            when = t.parked_at.astimezone().strftime("%H:%M") if t.parked_at else ""
            action = self.call_back_menu.addAction(f"{t.number}　{STATUS_LABELS[t.status]} {when}")
            action.setData(t.id)
        self.call_back_button.setText(f"回呼…（{len(tickets)}） {SHORTCUTS['call_back']}")

    def show_state(self, state: WindowQueueState) -> None:
        self.paused = state.paused
        label = "恢复服务" if state.paused else "暂停服务…"
        self.pause_button.setText(f"{label} {SHORTCUTS['pause']}")
        self.state.setText(f"已暂停：{state.pause_reason}" if state.paused else "")
        self.show_serving(state.current_ticket_id is not None)

    def show_figures(self, figures: QueueFigures, window_no: str) -> None:
        f = figures.get(window=window_no)
        self.figures.setText(
            f"今日本窗口：办结 {f.served}，过号 {f.no_shows}，转移 {f.transfers}；"
            f"平均等候 {_minutes(f.wait_mean_s)}，平均办理 {_minutes(f.service_mean_s)}；"
            f"当前最长等候 {_minutes(f.longest_wait_s)}"
        )


class QueueOps(QObject):
    """Runs the operations for one clerk window and keeps the window's state in step."""

    ticket_recalled = Signal(object)  # Ticket: announce it again
    ticket_released = Signal(object)  # Ticket: no-show, held or transferred; the window is free
    window_paused = Signal(str)
    window_resumed = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.q = window._s.queue
        self.session = window.session
        with window._s.uow() as uow:  # a one-off read at construction, like the window's own
            businesses = uow.queue.businesses()
            windows = uow.staff.windows()
        targets = [("business", b.code, f"转至业务：{b.prefix} {b.name}") for b in businesses]
        targets += [
            ("window", w.number, f"转至窗口：{w.number}号 {w.name}")
            for w in windows
            if w.number != self.session.window_no
        ]
        self.bar = QueueOpsBar(targets, window)
        b = self.bar
        b.recall_requested.connect(self.recall)
        b.no_show_requested.connect(self.no_show)
        b.hold_requested.connect(self.hold)
        b.transfer_requested.connect(self.transfer)
        b.call_back_requested.connect(self.call_back)
        b.call_number_requested.connect(self.call_number)
        b.pause_requested.connect(self.pause)
        b.resume_requested.connect(self.resume)
        window.ticket_called.connect(self._on_window_ticket_called)
        window.service_finished.connect(self._on_window_service_finished)
        for key, slot in (
            (SHORTCUTS["recall"], b.recall_requested.emit),
            (SHORTCUTS["no_show"], b.no_show_requested.emit),
            (SHORTCUTS["hold"], b.hold_requested.emit),
            (SHORTCUTS["call_back"], b.open_call_back),
            (SHORTCUTS["transfer"], b.open_transfer),
            (SHORTCUTS["call_number"], b.request_call_number),
            (SHORTCUTS["pause"], b.toggle_pause),
        ):
            QShortcut(QKeySequence(key), window, activated=slot)
        self.refresh()

    def _on_window_ticket_called(self, _ticket: Ticket) -> None:
        self.bar.show_serving(True)
        self.refresh()

    def _on_window_service_finished(self, _ticket: Ticket) -> None:
        self.bar.show_serving(False)
        self.refresh()

    def _run(self, fn: Any, on_done: Any) -> None:
        self.w._runner.run_in_background(fn, on_done, self.w._on_failed)

    def _current(self) -> Ticket | None:
        ticket: Ticket | None = self.w.ticket
        if ticket is None:
            self.w._say("当前没有办理中的号码")
        return ticket

    def _free(self) -> bool:
        if self.w.ticket is not None:
            self.w._say(f"当前号码 {self.w.ticket.number} 尚未办结")
            return False
        return True

    def refresh(self) -> None:
        """Window state, call-back list and own figures, read off the GUI thread."""
        s = self.session

        def read() -> tuple[WindowQueueState, list[Ticket], QueueFigures]:
            return self.q.window_state(s), self.q.parked(s), self.q.figures()

        def show(values: tuple[WindowQueueState, list[Ticket], QueueFigures]) -> None:
            state, parked, figures = values
            self._show_state(state)
            self.bar.show_parked(parked)
            self.bar.show_figures(figures, s.window_no)

        self._run(read, show)

    def _show_state(self, state: WindowQueueState) -> None:
        self.bar.show_state(state)
        # A paused window's call button says so before the clerk presses it.
        self.w.queue_panel.call_button.setEnabled(not state.paused and self.w.ticket is None)

    # -- operations --------------------------------------------------------------------------------
    def recall(self) -> None:
        if (t := self._current()) is not None:
            self._run(lambda: self.q.recall(self.session, t.id), self._on_recalled)

    def _on_recalled(self, ticket: Ticket) -> None:
        self.w.ticket = ticket
        self.w._say(f"已重呼 {ticket.number}（第 {ticket.recalls} 次）")
        self.ticket_recalled.emit(ticket)

    def no_show(self) -> None:
        if (t := self._current()) is not None:
            self._run(lambda: self.q.no_show(self.session, t.id), lambda r: self._released(r, "已标记过号"))

    def hold(self) -> None:
        if (t := self._current()) is not None:
            self._run(lambda: self.q.hold(self.session, t.id), lambda r: self._released(r, "已挂起"))

    def transfer(self, kind: str, target: str) -> None:
        if (t := self._current()) is None:
            return
        if kind == "business":
            fn = lambda: self.q.transfer(self.session, t.id, business_code=target)  # noqa: E731
            note = "已转至其他业务队列，保留原排队时间"
        else:
            fn = lambda: self.q.transfer(self.session, t.id, window_no=target)  # noqa: E731
            note = f"已转至{target}号窗口，保留原排队时间"
        self._run(fn, lambda r: self._released(r, note))

    def _released(self, ticket: Ticket, what: str) -> None:
        w = self.w
        w.ticket = None
        w.applicant = None
        w.outcome = None
        w.queue_panel.show_ticket(None)
        self.bar.show_serving(False)
        w.applicant_panel.clear()
        w.case_panel.reset()
        w.customer.show_idle()
        w._say(f"{ticket.number} {what}")
        self.ticket_released.emit(ticket)
        w.refresh_queue()
        self.refresh()

    def call_back(self, ticket_id: str) -> None:
        if self._free():
            # Shown and announced like any call (the window's ticket_called).
            self._run(lambda: self.q.call_back(self.session, ticket_id), self.w._on_called)

    def call_number(self, number: str) -> None:
        if not self._free():
            return

        def called(ticket: Ticket) -> None:
            self.bar.number.clear()
            self.w._on_called(ticket)

        self._run(lambda: self.q.call_specific(self.session, number), called)

    def pause(self, reason: str) -> None:
        def done(state: WindowQueueState) -> None:
            self._show_state(state)
            self.w._say(f"已暂停服务：{state.pause_reason}")
            self.window_paused.emit(state.pause_reason)

        self._run(lambda: self.q.pause(self.session, reason), done)

    def resume(self) -> None:
        def done(state: WindowQueueState) -> None:
            self._show_state(state)
            self.w._say("已恢复服务，可以叫号")
            self.window_resumed.emit()
            self.w.refresh_queue()

        self._run(lambda: self.q.resume(self.session), done)


def install_queue_ops(window: Any) -> QueueOps:
    """Add the queue operations tool bar to the clerk window, with its shortcuts."""
    ops = QueueOps(window)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, ops.bar)
    window.queue_panel.layout().addWidget(ops.bar.figures)
    return ops
