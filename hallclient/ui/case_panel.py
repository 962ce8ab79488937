"""Item search, the materials checklist and the decision bar that shows what the rules allow and why."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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

NECESSITY_LABELS = {Necessity.REQUIRED: "必需", Necessity.CONDITIONAL: "情形", Necessity.OPTIONAL: "选交"}
STATUS_CHOICES = (
    MaterialStatus.PRESENT,
    MaterialStatus.MISSING,
    MaterialStatus.NONCONFORMING,
    MaterialStatus.EXEMPT,
    MaterialStatus.NOT_APPLICABLE,
)


class CasePanel(QGroupBox):
    submit_requested = Signal()
    decision_changed = Signal(object)  # DecisionResult

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__("办件受理")
        self._catalogue = catalogue
        self.item: Item | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索事项：名称、编码或关键词 (Ctrl+F)")
        self.results = QListWidget()
        self.results.setMaximumHeight(110)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.results.itemActivated.connect(self._on_result_chosen)
        self.results.itemClicked.connect(self._on_result_chosen)
        self.item_info = QLabel("未选择事项")
        self.item_info.setWordWrap(True)
        self.item_info.setProperty("role", "hint")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["申请材料", "要求", "属性", "核验结果"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.decision = QLabel("请选择事项并核验材料")
        self.decision.setProperty("role", "decision")
        self.decision.setWordWrap(True)
        self.submit_button = QPushButton("出具文书 (F9)")
        self.submit_button.setProperty("role", "primary")
        self.submit_button.setEnabled(False)
        self.submit_button.clicked.connect(self.submit_requested)
        self.document = QLabel("")
        self.document.setWordWrap(True)
        self.document.setProperty("role", "ok")
        bottom = QHBoxLayout()
        bottom.addWidget(self.decision, 1)
        bottom.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.item_info)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.document)

    # -- search -----------------------------------------------------------------------------------
    def _run_search(self) -> None:
        self.results.clear()
        text = self.search.text().strip()
        if not text:
            return
        for item in self._catalogue.search(text, limit=30):
            entry = QListWidgetItem(f"{item.name}　〔{item.department}〕")
            entry.setData(Qt.ItemDataRole.UserRole, item.key)
            self.results.addItem(entry)

    def _on_result_chosen(self, entry: QListWidgetItem) -> None:
        self.choose_item(entry.data(Qt.ItemDataRole.UserRole))

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
        self.table.setRowCount(len(item.materials))
        for row, mat in enumerate(item.materials):
            flags = [NECESSITY_LABELS[mat.necessity]]
            if mat.deferrable and item.allows_deferred:
                flags.append("可容缺")
            if mat.e_license_exempt:
                flags.append("电子证照")
            self.table.setItem(row, 0, QTableWidgetItem(mat.name))
            self.table.setItem(row, 1, QTableWidgetItem(f"原件{mat.originals} 复印件{mat.copies}"))
            self.table.setItem(row, 2, QTableWidgetItem("·".join(flags)))
            combo = QComboBox()
            for status in STATUS_CHOICES:
                combo.addItem(MATERIAL_STATUS_LABELS[status], status)
            default = (
                MaterialStatus.PRESENT
                if mat.necessity is Necessity.REQUIRED
                else MaterialStatus.NOT_APPLICABLE
            )
            combo.setCurrentIndex(combo.findData(default))
            combo.currentIndexChanged.connect(self._update_decision)
            self.table.setCellWidget(row, 3, combo)
        self.table.resizeRowsToContents()
        self.document.setText("")
        self._update_decision()

    def set_status(self, material_name: str, status: MaterialStatus) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).text() == material_name:
                combo = self.table.cellWidget(row, 3)
                combo.setCurrentIndex(combo.findData(status))
                return
        raise KeyError(material_name)

    def checks(self) -> list[MaterialCheck]:
        out = []
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, 3)
            out.append(MaterialCheck(self.table.item(row, 0).text(), MaterialStatus(combo.currentData())))
        return out

    def _update_decision(self) -> None:
        if self.item is None:
            return
        result: DecisionResult = decide(self.item, self.checks())
        gaps = "、".join(g.name for g in result.gaps)
        self.decision.setText(
            f"系统判定：{result.label}　{result.reason}" + (f"<br>缺项：{gaps}" if gaps else "")
        )
        self.submit_button.setText(f"{result.label}并出具文书 (F9)")
        self.submit_button.setEnabled(True)
        self.decision_changed.emit(result)

    def reset(self) -> None:
        self.item = None
        self.table.setRowCount(0)
        self.search.clear()
        self.results.clear()
        self.item_info.setText("未选择事项")
        self.decision.setText("请选择事项并核验材料")
        self.submit_button.setEnabled(False)
