"""The clerk window's panels: queue and applicant (the inquiry panel is in inquiry_panel.py).

Each is a view; the window drives the use cases.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from hallclient.services.applicants import ApplicantCheck
from hallclient.ui.applicant_privacy import PhotoView


def _label(text: str = "", role: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    return label


class QueuePanel(QGroupBox):
    call_requested = Signal()
    finish_requested = Signal()

    def __init__(self) -> None:
        super().__init__("叫号")
        self.ticket = _label("—", "ticket")
        self.ticket.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.business = _label("当前无办理号码", "hint")
        self.business.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waiting = _label("等候人数：—", "hint")
        self.call_button = QPushButton("叫号 (F1)")
        self.call_button.setProperty("role", "primary")
        self.call_button.clicked.connect(self.call_requested)
        self.finish_button = QPushButton("办结 (F4)")
        self.finish_button.setEnabled(False)
        self.finish_button.clicked.connect(self.finish_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.call_button)
        buttons.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.ticket)
        layout.addWidget(self.business)
        layout.addWidget(self.waiting)
        layout.addLayout(buttons)

    def show_ticket(self, number: str | None, business: str = "") -> None:
        self.ticket.setText(number or "—")
        self.business.setText(f"{business}　办理中" if number else "当前无办理号码")
        self.finish_button.setEnabled(number is not None)
        self.call_button.setEnabled(number is None)

    def show_waiting(self, count: int) -> None:
        self.waiting.setText(f"本窗口可叫等候人数：{count}")


class ApplicantPanel(QGroupBox):
    read_requested = Signal()
    manual_entered = Signal(str, str, str)  # name, id number, phone
    reveal_requested = Signal()

    def __init__(self) -> None:
        super().__init__("申请人（身份证读卡）")
        self.reader_state = _label("读卡器：正在连接…", "hint")
        self.read_button = QPushButton("读卡 (F2)")
        self.read_button.clicked.connect(self.read_requested)
        top = QHBoxLayout()
        top.addWidget(self.reader_state, 1)
        top.addWidget(self.read_button)
        self.name = _label("—")
        self.id_number = _label("—")
        self.card_type = _label("—")
        self.details = _label("—")
        self.validity = _label("—")
        # The full number reaches this label only during an audited reveal (privacy.md §2).
        self.reveal_button = QPushButton("显示完整号码")
        self.reveal_button.setMinimumHeight(self.reveal_button.sizeHint().height())
        self.reveal_button.setEnabled(False)
        self.reveal_button.clicked.connect(self.reveal_requested)
        id_row = QHBoxLayout()
        id_row.addWidget(self.id_number, 1)
        id_row.addWidget(self.reveal_button)
        form = QFormLayout()
        form.addRow("姓名", self.name)
        form.addRow("证件号码", id_row)
        form.addRow("证件类型", self.card_type)
        form.addRow("性别/出生", self.details)
        form.addRow("有效期至", self.validity)
        self.photo = PhotoView()
        card = QHBoxLayout()
        card.addLayout(form, 1)
        card.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        self.warnings = _label("", "error")
        self.manual_name = QLineEdit()
        self.manual_name.setPlaceholderText("姓名")
        self.manual_id = QLineEdit()
        self.manual_id.setPlaceholderText("身份证号码")
        self.manual_phone = QLineEdit()
        self.manual_phone.setPlaceholderText("联系电话")
        manual_button = QPushButton("手工录入")
        manual_button.clicked.connect(
            lambda: self.manual_entered.emit(
                self.manual_name.text(), self.manual_id.text(), self.manual_phone.text()
            )
        )
        manual = QHBoxLayout()
        manual.addWidget(self.manual_name, 2)
        manual.addWidget(self.manual_id, 4)
        manual.addWidget(self.manual_phone, 3)
        manual.addWidget(manual_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(card)
        layout.addWidget(self.warnings)
        layout.addLayout(manual)

    def show_reader_state(self, state: str, text: str) -> None:
        self.reader_state.setText(f"读卡器：{text}")
        self.reader_state.setProperty("role", "error" if state in ("error", "no_reader") else "hint")
        self.reader_state.style().unpolish(self.reader_state)
        self.reader_state.style().polish(self.reader_state)
        self.read_button.setEnabled(state != "reading")

    def show_check(self, check: ApplicantCheck) -> None:
        a = check.applicant
        self.card_type.setText(check.card_type_label)
        self.validity.setText(check.valid_to_text or "—")
        self.photo.show_photo(check.photo)
        if a is None:
            self.name.setText("—")
            self.id_number.setText("—")
            self.reveal_button.setEnabled(False)
            self.details.setText("—")
            self.warnings.setText(check.error)
            return
        self.name.setText(a.name)
        self.id_number.setText(a.id_masked or "—")  # masked 4+4 on screen (privacy.md §2)
        self.reveal_button.setEnabled(a.id_number is not None)
        self.details.setText(f"{a.sex or '—'}　{a.birth.isoformat() if a.birth else '—'}")
        self.warnings.setText("；".join(check.warnings))

    def show_id_number(self, text: str) -> None:
        """The masked number, or the full one while an audited reveal lasts (the window decides which)."""
        self.id_number.setText(text or "—")

    def clear(self) -> None:
        for label in (self.name, self.id_number, self.card_type, self.details, self.validity):
            label.setText("—")
        self.reveal_button.setEnabled(False)
        self.photo.clear_photo()
        self.warnings.setText("")
        for edit in (self.manual_name, self.manual_id, self.manual_phone):
            edit.clear()
