"""The window's case list (today, awaiting supplement, overdue) and the document tools around it.

``install_case_tools`` is the one hook the clerk window calls: it adds the list as a tab beside
办件受理 (a dock when the window has no tabs), refreshes it after every decision, and wires preview, print and reprint (off the GUI
thread, through the window's runner). A printer problem is shown to the clerk and audited; it
never touches the case, whose document is already archived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
)

from hallclient.domain.cases import CASE_STATUS_LABELS, CaseStatus
from hallclient.services.auth import ClerkSession
from hallclient.services.cases import CaseLists, IssuedDocument
from hallclient.services.ports import CaseRecord, CaseRow
from hallclient.ui.case_actions import CaseStepDialog, SupplementDialog
from hallclient.ui.document_preview import KIND_LABELS, DocumentPreviewDialog
from hallclient.ui.document_printer import DocumentPrinter
from hallclient.ui.threads import Runner, error_text

_COLUMNS = ("办件编号", "事项", "申请人", "状态", "期限")
_ROLE = Qt.ItemDataRole.UserRole


class CaseListPanel(QGroupBox):
    refresh_requested = Signal()
    preview_requested = Signal(str)  # case id
    step_requested = Signal(str, str)  # "supplement" | "conclude" | "terminate" | "withdraw", case id
    lists_shown = Signal(object)  # CaseLists
    step_failed = Signal(str)

    def __init__(self) -> None:
        super().__init__("本窗口办件")
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for key, label in (("today", "今日办件"), ("awaiting", "待补正/容缺"), ("overdue", "已逾期")):
            table = QTableWidget(0, len(_COLUMNS))
            table.setHorizontalHeaderLabels(_COLUMNS)
            table.verticalHeader().setVisible(False)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
            table.cellActivated.connect(lambda row, _col, t=table: self._on_activated(t, row))
            table.cellDoubleClicked.connect(lambda row, _col, t=table: self._on_activated(t, row))
            self.tables[key] = table
            self.tabs.addTab(table, label)
        self.summary = QLabel("")
        self.summary.setProperty("role", "hint")
        self.message = QLabel("")  # what the last step from this list did, or why it was refused
        self.message.setWordWrap(True)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh_requested)
        preview = QPushButton("预览/重新打印文书")
        preview.clicked.connect(self._preview_selected)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        for step, label in (
            ("supplement", "补正/补齐…"),
            ("conclude", "办结…"),
            ("terminate", "终止…"),
            ("withdraw", "撤回…"),
        ):
            button = QPushButton(label)
            button.clicked.connect(lambda _checked=False, s=step: self._step_selected(s))
            row.addWidget(button)
        row.addWidget(preview)
        row.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)

    def show_lists(self, lists: CaseLists, today: dt.date) -> None:
        for key, rows in (("today", lists.today), ("awaiting", lists.awaiting), ("overdue", lists.overdue)):
            self._fill(self.tables[key], rows, today)
        self.tabs.setTabText(0, f"今日办件 {len(lists.today)}")
        self.tabs.setTabText(1, f"待补正/容缺 {len(lists.awaiting)}")
        self.tabs.setTabText(2, f"已逾期 {len(lists.overdue)}")
        self.summary.setText(
            f"逾期 {len(lists.overdue)} 件，请及时处理（容缺逾期可终止，补正逾期视为撤回）"
            if lists.overdue
            else ""
        )
        self.summary.setStyleSheet("color:#b3261e" if lists.overdue else "")
        self.lists_shown.emit(lists)

    @staticmethod
    def _fill(table: QTableWidget, rows: tuple[CaseRow, ...], today: dt.date) -> None:
        table.setRowCount(len(rows))
        for r, case in enumerate(rows):
            late = case.deadline_date is not None and case.deadline_date < today
            deadline = case.deadline_date.isoformat() if case.deadline_date else "—"
            values = (
                case.case_no,
                case.item_name,
                f"{case.applicant_name}",
                CASE_STATUS_LABELS.get(CaseStatus(case.status), case.status),
                f"{deadline}{'（已逾期）' if late and case.status in ('awaiting_supplement', 'deferred', 'received') else ''}",
            )
            for c, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setData(_ROLE, case.id)
                if late and c == 4:
                    cell.setForeground(Qt.GlobalColor.red)
                table.setItem(r, c, cell)
        table.resizeColumnToContents(0)

    def _on_activated(self, table: QTableWidget, row: int) -> None:
        cell = table.item(row, 0)
        if cell is not None:
            self.preview_requested.emit(cell.data(_ROLE))

    def selected_case_id(self) -> str | None:
        table = self.tabs.currentWidget()
        if isinstance(table, QTableWidget) and table.currentRow() >= 0:
            cell = table.item(table.currentRow(), 0)
            return cell.data(_ROLE) if cell is not None else None
        return None

    def _preview_selected(self) -> None:
        if (case_id := self.selected_case_id()) is not None:
            self.preview_requested.emit(case_id)

    def _step_selected(self, step: str) -> None:
        if (case_id := self.selected_case_id()) is not None:
            self.step_requested.emit(step, case_id)


@dataclass
class CaseTools:
    """What ``install_case_tools`` added to a clerk window (kept for tests and the demo)."""

    panel: CaseListPanel
    dock: QDockWidget | None
    printer: DocumentPrinter
    refresh: Callable[[], None]
    dialog: DocumentPreviewDialog | None = None
    supplement_dialog: SupplementDialog | None = None
    step_dialog: CaseStepDialog | None = None
    last_step: Any = None  # CaseStep or CaseOutcome of the last step taken from the list


def install_case_tools(
    window: QMainWindow, services: Any, session: ClerkSession, runner: Runner
) -> CaseTools:
    panel = CaseListPanel()
    tabs = getattr(window, "work_tabs", None)
    dock = None
    if isinstance(tabs, QTabWidget):
        # A tab beside 办件受理 costs no height (the window must fit a 1080-line screen); the tab's
        # title carries the overdue count so that it is seen from the other tabs.
        tabs.addTab(panel, "办件列表")

        def retitle(lists: CaseLists) -> None:
            overdue = f"（逾期 {len(lists.overdue)}）" if lists.overdue else ""
            tabs.setTabText(tabs.indexOf(panel), f"办件列表{overdue}")

        panel.lists_shown.connect(retitle)
    else:
        dock = QDockWidget("办件列表", window)
        dock.setObjectName("case_list_dock")
        dock.setWidget(panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    printer_cfg = getattr(getattr(services, "config", None), "printer", None)
    tools = CaseTools(panel, dock, DocumentPrinter(getattr(printer_cfg, "name", "")), lambda: None)
    case_panel = window.case_panel  # type: ignore[attr-defined]

    def today() -> dt.date:
        from hallclient.domain.queue import business_date

        return business_date(services.clock.now(), services.hall.timezone)

    def refresh() -> None:
        runner.run_in_background(
            lambda: services.cases.lists(session), lambda lists: panel.show_lists(lists, today()), _ignore
        )

    def print_document(document: IssuedDocument, reprint: bool, report: Any) -> None:
        label = KIND_LABELS.get(document.kind, document.kind)

        def work() -> str:
            try:
                result = tools.printer.print_pdf(document.pdf, f"{label} {document.doc_no}")
            except Exception as exc:
                services.cases.record_print(
                    session, document, ok=False, reprint=reprint, detail=error_text(exc)
                )
                raise
            services.cases.record_print(session, document, ok=True, reprint=reprint, detail=result.printer)
            return f"{'已重新打印' if reprint else '已打印'}{label}（{result.pages} 页，打印机 {result.printer}）"

        report("正在打印…", True)
        runner.run_in_background(
            work, lambda text: report(text, True), lambda exc: report(error_text(exc), False)
        )

    def preview_documents(documents: list[IssuedDocument], title: str) -> None:
        dialog = DocumentPreviewDialog(list(reversed(documents)), title, window)
        dialog.print_requested.connect(lambda doc: print_document(doc, True, dialog.show_print_state))
        tools.dialog = dialog
        dialog.show()

    def preview_case(case_id: str) -> None:
        runner.run_in_background(
            lambda: (services.cases.case(case_id).case_no, services.cases.archive(case_id)),
            lambda found: preview_documents(found[1], f"办件 {found[0]} 的文书"),
            lambda exc: case_panel.show_print_state(error_text(exc), False),
        )

    def current_document() -> IssuedDocument | None:
        outcome = getattr(window, "outcome", None)
        return outcome.document if outcome is not None else None

    def on_decided(outcome: Any) -> None:
        case_panel.show_document(outcome.document)
        refresh()

    def print_current() -> None:
        document = current_document()
        if document is not None:
            print_document(document, False, case_panel.show_print_state)

    def preview_current() -> None:
        outcome = getattr(window, "outcome", None)
        if outcome is not None:
            preview_case(outcome.case_id)

    def run_step(step: str, case_id: str) -> None:
        """补正 in a dialog with the checklist; 办结 / 终止 / 撤回 with what and why. Off the GUI thread."""

        def loaded(record: CaseRecord) -> None:
            if step == "supplement":
                open_supplement(record)
                return
            dialog = CaseStepDialog(step, record, window)
            tools.step_dialog = dialog
            dialog.accepted.connect(lambda: take_step(step, case_id, dialog))
            dialog.open()  # window-modal, without a nested event loop

        runner.run_in_background(lambda: services.cases.case(case_id), loaded, failed)

    def take_step(step: str, case_id: str, dialog: CaseStepDialog) -> None:
        reason = dialog.reason.text()
        result, names = dialog.chosen_result, (dialog.certificate_name.text(), dialog.certificate_no.text())
        steps: dict[str, Callable[[], Any]] = {
            "conclude": lambda: services.cases.conclude(
                session, case_id, result, reason, certificate_name=names[0], certificate_no=names[1]
            ),
            "terminate": lambda: services.cases.terminate(session, case_id, reason),
            "withdraw": lambda: services.cases.withdraw(session, case_id, reason),
        }
        runner.run_in_background(steps[step], stepped, failed)

    def stepped(step: Any) -> None:
        label = CASE_STATUS_LABELS.get(step.status, str(step.status))
        panel.message.setText(f"办件 {step.case_no} 已{label}")
        panel.message.setStyleSheet("color:#1e7d32")
        tools.last_step = step
        refresh()

    def failed(exc: BaseException) -> None:
        panel.message.setText(error_text(exc))
        panel.message.setStyleSheet("color:#b3261e")
        panel.step_failed.emit(error_text(exc))

    def open_supplement(record: CaseRecord) -> None:
        dialog = SupplementDialog(services.catalogue, record, runner, window)
        tools.supplement_dialog = dialog

        def supplied(outcome: Any) -> None:
            dialog.show_result(
                f"{outcome.reason}；已出具{KIND_LABELS.get(outcome.document.kind, '文书')} {outcome.document.doc_no}",
                True,
            )
            tools.last_step = outcome
            refresh()

        def submit(case_id: str, checks: Any) -> None:
            runner.run_in_background(
                lambda: services.cases.supplement(session, case_id, dialog.panel.item, checks),
                supplied,
                lambda exc: dialog.show_result(error_text(exc), False),
            )

        dialog.supplement_requested.connect(submit)
        dialog.show()

    panel.step_requested.connect(run_step)
    window.case_decided.connect(on_decided)  # type: ignore[attr-defined]
    case_panel.print_requested.connect(print_current)
    case_panel.preview_requested.connect(preview_current)
    panel.refresh_requested.connect(refresh)
    panel.preview_requested.connect(preview_case)
    QShortcut(QKeySequence("F10"), window, activated=print_current)
    tools.refresh = refresh
    refresh()
    return tools


def _ignore(_exc: BaseException) -> None:
    """The list is a convenience: a failed refresh leaves the last one shown (the log has the error)."""
