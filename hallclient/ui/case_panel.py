"""Item search, the materials checklist and the decision bar that shows what the rules allow and why.

Search runs on every keystroke, debounced, off the GUI thread when a runner is given (the first
search builds the pinyin index: about a second on 5,000 items); a result that arrives after a
newer query was typed is dropped. The checklist is driven from the keyboard: arrow keys move,
1-5 set the status of the current material (1 已提交 2 缺失 3 不符合 4 电子证照 5 不适用; 3 opens
the note, which says what is wrong), Space cycles, F2 edits the note.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from hallclient.domain.cases import (
    MATERIAL_STATUS_LABELS,
    DecisionResult,
    MaterialCheck,
    MaterialStatus,
    decide,
)
from hallclient.domain.catalogue import Catalogue, Item, Necessity
from hallclient.ui.threads import Runner

NECESSITY_LABELS = {Necessity.REQUIRED: "必需", Necessity.CONDITIONAL: "情形", Necessity.OPTIONAL: "选交"}
STATUS_CHOICES = (
    MaterialStatus.PRESENT,
    MaterialStatus.MISSING,
    MaterialStatus.NONCONFORMING,
    MaterialStatus.EXEMPT,
    MaterialStatus.NOT_APPLICABLE,
)
STATUS_KEYS = {Qt.Key.Key_1 + i: status for i, status in enumerate(STATUS_CHOICES)}
_STATUS_COLOURS = {
    MaterialStatus.PRESENT: "#1e7d32",
    MaterialStatus.MISSING: "#b3261e",
    MaterialStatus.NONCONFORMING: "#b3261e",
    MaterialStatus.EXEMPT: "#1d4e89",
    MaterialStatus.NOT_APPLICABLE: "#6b6b6b",
}
NAME, REQUIREMENT, FLAGS, STATUS, NOTE = range(5)
_ROLE = Qt.ItemDataRole.UserRole


class _ChecklistKeys(QObject):
    """Digit keys set the current material's status; Space cycles it (an event filter on the table)."""

    def __init__(self, panel: CasePanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        table = self._panel.table
        if table.state() == QAbstractItemView.State.EditingState:
            return False  # typing a note: digits are text there
        row = table.currentRow()
        if row < 0:
            return False
        key = Qt.Key(event.key())
        if key in STATUS_KEYS:
            self._panel.set_row_status(row, STATUS_KEYS[key], advance=True)
            return True
        if key == Qt.Key.Key_Space:
            current = self._panel.row_status(row)
            nxt = STATUS_CHOICES[(STATUS_CHOICES.index(current) + 1) % len(STATUS_CHOICES)]
            self._panel.set_row_status(row, nxt)
            return True
        return False


class CasePanel(QGroupBox):
    submit_requested = Signal()
    reject_requested = Signal()
    decision_changed = Signal(object)  # DecisionResult
    results_shown = Signal(str)  # the query whose results are now in the list
    preview_requested = Signal()
    print_requested = Signal()

    def __init__(self, catalogue: Catalogue, runner: Runner | None = None) -> None:
        super().__init__("办件受理")
        self._catalogue = catalogue
        self._runner = runner
        self._search_seq = 0
        self._updating = False
        self.item: Item | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索事项：名称、编码、关键词或拼音首字母，如 spjy (Ctrl+F)")
        self.results = QListWidget()
        self.results.setMaximumHeight(110)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._choose_first_result)
        self.results.itemActivated.connect(self._on_result_chosen)
        self.results.itemClicked.connect(self._on_result_chosen)
        self.item_info = QLabel("未选择事项")
        self.item_info.setWordWrap(True)
        self.item_info.setProperty("role", "hint")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["申请材料", "要求", "属性", "核验结果", "说明（不符合时必填）"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column in (REQUIREMENT, FLAGS, STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(NOTE, 150)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setWordWrap(True)
        self.table.installEventFilter(_ChecklistKeys(self))
        self.table.cellDoubleClicked.connect(self._on_cell_double_clicked)
        self.table.itemChanged.connect(self._on_item_changed)
        self.keys_hint = QLabel(
            "↑↓ 选择材料　1 已提交　2 缺失　3 不符合（填写说明）　4 电子证照　5 不适用　空格 切换"
        )
        self.keys_hint.setProperty("role", "hint")
        self.decision = QLabel("请选择事项并核验材料")
        self.decision.setProperty("role", "decision")
        self.decision.setWordWrap(True)
        self.submit_button = QPushButton("出具文书 (F9)")
        self.submit_button.setProperty("role", "primary")
        self.submit_button.setEnabled(False)
        self.submit_button.clicked.connect(self.submit_requested)
        # 不予受理 is the clerk's decision, never derived from the materials: it needs a written reason.
        self.reject_button = QPushButton("不予受理…")
        self.reject_button.setProperty("role", "danger")
        self.reject_button.setEnabled(False)
        self.reject_button.clicked.connect(self.reject_requested)
        self.document = QLabel("")
        self.document.setWordWrap(True)
        self.document.setProperty("role", "ok")
        self.preview_button = QPushButton("预览文书")
        self.preview_button.setEnabled(False)
        self.preview_button.clicked.connect(self.preview_requested)
        self.print_button = QPushButton("打印 (F10)")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_requested)
        self.print_state = QLabel("")
        self.print_state.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.decision, 1)
        bottom.addWidget(self.reject_button)
        bottom.addWidget(self.submit_button)
        documents = QHBoxLayout()
        documents.addWidget(self.document, 1)
        documents.addWidget(self.preview_button)
        documents.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.item_info)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.keys_hint)
        layout.addLayout(bottom)
        layout.addLayout(documents)
        layout.addWidget(self.print_state)
        if runner is not None:
            # The pinyin index takes ~1 s on 5,000 items: build it before the first keystroke, but
            # after the window is up — a background import of pypinyin would hold the GIL while the
            # window builds and paints, and start-up is a budget (DESIGN.md §9).
            QTimer.singleShot(
                1500,
                self,
                lambda: runner.run_in_background(catalogue.warm_up, lambda _none: None, lambda _exc: None),
            )

    # -- search -----------------------------------------------------------------------------------
    def _run_search(self) -> None:
        text = self.search.text().strip()
        self._search_seq += 1
        seq = self._search_seq
        if not text:
            self.results.clear()
            return
        if self._runner is None:
            self._show_results(seq, text, self._catalogue.search(text, limit=30))
            return
        self._runner.run_in_background(
            lambda: self._catalogue.search(text, limit=30),
            lambda items: self._show_results(seq, text, items),
            lambda _exc: None,  # a search cannot fail in a way the clerk could act on
        )

    def _show_results(self, seq: int, text: str, items: list[Item]) -> None:
        if seq != self._search_seq:
            return  # a newer query was typed meanwhile
        self.results.clear()
        for item in items:
            entry = QListWidgetItem(f"{item.name}　〔{item.department}〕")
            entry.setData(_ROLE, item.key)
            entry.setToolTip(item.task_code)
            self.results.addItem(entry)
        if items:
            self.results.setCurrentRow(0)
        self.results_shown.emit(text)

    def _on_result_chosen(self, entry: QListWidgetItem) -> None:
        self.choose_item(entry.data(_ROLE))

    def _choose_first_result(self) -> None:
        entry = self.results.currentItem() or self.results.item(0)
        if entry is not None:
            self.choose_item(entry.data(_ROLE))
            self.table.setFocus()

    # -- checklist --------------------------------------------------------------------------------
    def choose_item(self, code: str) -> None:
        item = self._catalogue.get(code)
        if item is None:
            self.item_info.setText(f"目录中没有编码为 {code} 的事项")
            return
        self.item = item
        limit = item.promised_limit
        unit = "个工作日" if str(limit.unit) == "working_day" else "日"
        deferred = "；本事项可容缺受理" if item.allows_deferred else ""
        self.item_info.setText(
            f"<b>{item.name}</b><br>实施编码 {item.task_code}　{item.department}　承诺时限 {limit.days}{unit}{deferred}"
        )
        self._updating = True
        self.table.setRowCount(len(item.materials))
        for row, mat in enumerate(item.materials):
            flags = [NECESSITY_LABELS[mat.necessity]]
            if mat.deferrable and item.allows_deferred:
                flags.append("可容缺")
            if mat.e_license_exempt:
                flags.append("电子证照")
            cells = (mat.name, f"原件{mat.originals} 复印件{mat.copies}", "·".join(flags))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if mat.notes:
                    cell.setToolTip(mat.notes)
                self.table.setItem(row, column, cell)
            status = QTableWidgetItem()
            status.setFlags(status.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, STATUS, status)
            self.table.setItem(row, NOTE, QTableWidgetItem(""))
            default = (
                MaterialStatus.PRESENT
                if mat.necessity is Necessity.REQUIRED
                else MaterialStatus.NOT_APPLICABLE
            )
            self._paint_status(row, default)
        self._updating = False
        self.table.resizeRowsToContents()
        if item.materials:
            self.table.setCurrentCell(0, STATUS)
        self.document.setText("")
        self.show_document(None)
        self._update_decision()

    def row_status(self, row: int) -> MaterialStatus:
        return MaterialStatus(self.table.item(row, STATUS).data(_ROLE))

    def _paint_status(self, row: int, status: MaterialStatus) -> None:
        cell = self.table.item(row, STATUS)
        key = STATUS_CHOICES.index(status) + 1
        cell.setText(f"{key} {MATERIAL_STATUS_LABELS[status]}")
        cell.setData(_ROLE, str(status))
        cell.setForeground(QBrush(QColor(_STATUS_COLOURS[status])))

    def set_row_status(self, row: int, status: MaterialStatus, *, advance: bool = False) -> None:
        self._paint_status(row, status)
        self._update_decision()
        if status is MaterialStatus.NONCONFORMING:
            # What is wrong goes on the notice: ask for it at once.
            self.table.setCurrentCell(row, NOTE)
            self.table.editItem(self.table.item(row, NOTE))
        elif advance and row + 1 < self.table.rowCount():
            self.table.setCurrentCell(row + 1, STATUS)

    def set_status(self, material_name: str, status: MaterialStatus, note: str = "") -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, NAME).text() == material_name:
                self._updating = True
                self.table.item(row, NOTE).setText(note)
                self._updating = False
                self._paint_status(row, status)
                self._update_decision()
                return
        raise KeyError(material_name)

    def _on_cell_double_clicked(self, row: int, column: int) -> None:
        if column != STATUS:
            return
        menu = QMenu(self.table)
        for status in STATUS_CHOICES:
            action = menu.addAction(f"{STATUS_CHOICES.index(status) + 1} {MATERIAL_STATUS_LABELS[status]}")
            action.setData(str(status))
        rect = self.table.visualItemRect(self.table.item(row, column))
        chosen = menu.exec(self.table.viewport().mapToGlobal(rect.bottomLeft()))
        if chosen is not None:
            self.set_row_status(row, MaterialStatus(chosen.data()))

    def _on_item_changed(self, cell: QTableWidgetItem) -> None:
        if not self._updating and cell.column() == NOTE:
            self._update_decision()

    def checks(self) -> list[MaterialCheck]:
        return [
            MaterialCheck(
                self.table.item(row, NAME).text(),
                self.row_status(row),
                self.table.item(row, NOTE).text().strip(),
            )
            for row in range(self.table.rowCount())
        ]

    def _update_decision(self) -> None:
        if self.item is None or self._updating:
            return
        result: DecisionResult = decide(self.item, self.checks())
        gaps = "、".join(g.name for g in result.gaps)
        missing_notes = [
            c.name for c in self.checks() if c.status is MaterialStatus.NONCONFORMING and not c.note
        ]
        hint = (
            f"<br><span style='color:#b3261e'>请说明不符合之处：{'、'.join(missing_notes)}</span>"
            if missing_notes
            else ""
        )
        self.decision.setText(
            f"系统判定：{result.label}　{result.reason}" + (f"<br>缺项：{gaps}" if gaps else "") + hint
        )
        self.submit_button.setText(f"{result.label}并出具文书 (F9)")
        self.submit_button.setEnabled(True)
        self.reject_button.setEnabled(True)
        self.decision_changed.emit(result)

    # -- documents ----------------------------------------------------------------------------------
    def show_document(self, document: Any) -> None:
        """Enable preview and print for the document just issued (None: nothing to show)."""
        self.preview_button.setEnabled(document is not None)
        self.print_button.setEnabled(document is not None)
        self.print_state.setText("")

    def show_print_state(self, text: str, ok: bool) -> None:
        self.print_state.setText(text)
        self.print_state.setStyleSheet(f"color:{'#1e7d32' if ok else '#b3261e'}")

    def reset(self) -> None:
        self.item = None
        self.table.setRowCount(0)
        self.search.clear()
        self.results.clear()
        self.item_info.setText("未选择事项")
        self.decision.setText("请选择事项并核验材料")
        self.submit_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        self.document.setText("")
        self.show_document(None)
