"""Dialogs for the steps after the decision: 补正 / 补齐 (the checklist again), 办结, 终止, 撤回.

Each dialog only collects what the clerk decides; the case list's tools run the use case off the
GUI thread and show what came back (case_list.py).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hallclient.domain.cases import (
    CASE_RESULT_LABELS,
    CASE_STATUS_LABELS,
    CaseResult,
    CaseStatus,
    MaterialStatus,
)
from hallclient.domain.catalogue import Catalogue
from hallclient.services.ports import CaseRecord
from hallclient.ui.case_panel import CasePanel
from hallclient.ui.threads import Runner


class SupplementDialog(QDialog):
    """The case's checklist as it stands; the clerk marks what was brought, the rules decide again."""

    supplement_requested = Signal(str, object)  # case id, list[MaterialCheck]

    def __init__(
        self, catalogue: Catalogue, record: CaseRecord, runner: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.record = record
        status = CASE_STATUS_LABELS[CaseStatus(record.status)]
        self.setWindowTitle(f"补正材料 · 办件 {record.case_no}")
        self.resize(900, 620)
        self.panel = CasePanel(catalogue, runner)
        self.panel.setTitle(f"{record.item_name}　申请人 {record.applicant_name}　当前状态 {status}")
        for widget in (
            self.panel.search,
            self.panel.results,
            self.panel.preview_button,
            self.panel.print_button,
        ):
            widget.hide()
        self.panel.choose_item(record.item_key)
        for name, material_status, note in record.materials:
            try:
                self.panel.set_status(name, MaterialStatus(material_status), note)
            except KeyError:
                continue  # the catalogue changed since: the material is no longer listed
        self.panel.submit_button.setText("提交补正材料 (F9)")
        self.panel.submit_button.clicked.disconnect()
        self.panel.submit_button.clicked.connect(self._submit)
        deadline = f"期限 {record.deadline_date:%Y-%m-%d}" if record.deadline_date else ""
        hint = QLabel(f"请把本次补交的材料标为「1 已提交」，系统将重新判定。{deadline}")
        hint.setProperty("role", "hint")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.result)
        QShortcut(QKeySequence("F9"), self, activated=self._submit)

    def _submit(self) -> None:
        self.panel.submit_button.setEnabled(False)
        self.supplement_requested.emit(self.record.id, self.panel.checks())

    def show_result(self, text: str, ok: bool) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(f"color:{'#1e7d32' if ok else '#b3261e'}")
        self.panel.submit_button.setEnabled(not ok)


STEP_TITLES = {"conclude": "办结", "terminate": "终止容缺受理", "withdraw": "撤回"}


class CaseStepDialog(QDialog):
    """办结 (with the result), 终止 or 撤回: what and why."""

    def __init__(self, step: str, record: CaseRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.setWindowTitle(f"{STEP_TITLES[step]} · 办件 {record.case_no}")
        form = QFormLayout()
        form.addRow("事项", QLabel(record.item_name))
        form.addRow("申请人", QLabel(record.applicant_name))
        self.result = QComboBox()
        for result in CaseResult:
            if result is not CaseResult.NOT_ACCEPTED:
                self.result.addItem(CASE_RESULT_LABELS[result], str(result))
        self.certificate_name = QLineEdit()
        self.certificate_no = QLineEdit()
        if step == "conclude":
            form.addRow("办结结果", self.result)
            form.addRow("证照名称", self.certificate_name)
            form.addRow("证照编号", self.certificate_no)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            {
                "conclude": "出证办结以外必须填写说明",
                "terminate": "默认：逾期未补齐容缺材料，终止容缺受理，按退件处理",
                "withdraw": "如：申请人申请撤回；逾期未补正，视为撤回",
            }[step]
        )
        form.addRow("说明", self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(STEP_TITLES[step])
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @property
    def chosen_result(self) -> CaseResult:
        return CaseResult(self.result.currentData())
