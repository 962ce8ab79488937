"""首问登记 in the clerk window: a few fields and one button, with or without a ticket (Ctrl+I).

A view: it builds the draft from its fields; the window runs the use case. Referral fields are
enabled only for the 转办 action. The applicant comes from the card (masked), never typed here.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from hallclient.domain.applicant import Applicant
from hallclient.domain.inquiries import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    CLASSIFICATION_LABELS,
    InquiryAction,
    InquiryChannel,
    InquiryClassification,
)
from hallclient.services.inquiries import InquiryDraft


class InquiryPanel(QGroupBox):
    record_requested = Signal()

    def __init__(self, window_numbers: list[str]) -> None:
        super().__init__("首问登记 (Ctrl+I)")
        self.channel = QComboBox()
        for value, label in CHANNEL_LABELS.items():
            self.channel.addItem(label, value)
        self.question = QLineEdit()
        self.question.setPlaceholderText("咨询或办理事项")
        self.classification = QComboBox()
        for value, label in CLASSIFICATION_LABELS.items():
            self.classification.addItem(label, value)
        self.action = QComboBox()
        for value, label in ACTION_LABELS.items():
            self.action.addItem(label, value)
        self.referral = QComboBox()
        self.referral.addItem("（不转办）", "")
        for number in window_numbers:
            self.referral.addItem(f"{number}号窗口", number)
        self.referred_staff = QLineEdit()
        self.referred_staff.setPlaceholderText("接收人工号（可选）")
        self.due_hours = QDoubleSpinBox()
        self.due_hours.setRange(0.5, 240)
        self.due_hours.setDecimals(1)
        self.due_hours.setValue(24)
        self.due_hours.setSuffix(" 小时内答复")
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("答复内容 / 引导说明")
        self.receipt = QCheckBox("出具回执")
        self.receipt.setToolTip("登记后出具首问登记回执（PDF 归档，可打印）")
        self.record_button = QPushButton("登记")
        self.record_button.clicked.connect(self.record_requested)
        self.result = QLabel("")
        self.result.setProperty("role", "hint")
        self.result.setWordWrap(True)
        self.result.hide()

        form = QFormLayout()
        first = QHBoxLayout()
        first.addWidget(self.channel)
        first.addWidget(self.question, 1)
        form.addRow("事项", first)
        row = QHBoxLayout()
        row.addWidget(self.classification)
        row.addWidget(self.action)
        form.addRow("分类/处理", row)
        referral = QHBoxLayout()
        referral.addWidget(self.referral)
        referral.addWidget(self.referred_staff, 1)
        referral.addWidget(self.due_hours)
        form.addRow("转办", referral)
        last = QHBoxLayout()
        last.addWidget(self.answer, 1)
        last.addWidget(self.receipt)
        last.addWidget(self.record_button)
        form.addRow("答复", last)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result)
        self.action.currentIndexChanged.connect(self._on_action_changed)
        self._on_action_changed()

    def _on_action_changed(self) -> None:
        referring = self.action.currentData() == InquiryAction.REFERRED
        owed = self.action.currentData() in (InquiryAction.REFERRED, InquiryAction.REGISTERED)
        self.referral.setEnabled(referring)
        self.referred_staff.setEnabled(referring)
        self.due_hours.setEnabled(owed)

    def set_values(
        self,
        question: str,
        classification: InquiryClassification,
        action: InquiryAction,
        answer: str = "",
        referral: str = "",
        *,
        channel: InquiryChannel = InquiryChannel.WINDOW,
        referred_staff_no: str = "",
        due_hours: float = 24,
    ) -> None:
        self.channel.setCurrentIndex(self.channel.findData(channel))
        self.question.setText(question)
        self.classification.setCurrentIndex(self.classification.findData(classification))
        self.action.setCurrentIndex(self.action.findData(action))
        self.answer.setText(answer)
        self.referral.setCurrentIndex(max(0, self.referral.findData(referral)))
        self.referred_staff.setText(referred_staff_no)
        self.due_hours.setValue(due_hours)

    def draft(self, *, ticket_id: str | None, item_code: str, applicant: Applicant | None) -> InquiryDraft:
        return InquiryDraft(
            channel=InquiryChannel(self.channel.currentData()),
            question=self.question.text(),
            classification=InquiryClassification(self.classification.currentData()),
            action=InquiryAction(self.action.currentData()),
            answer=self.answer.text(),
            item_code=item_code,
            applicant_name=applicant.name if applicant else "",
            applicant_id_masked=applicant.id_masked if applicant else "",  # 4+4, as on screen
            phone=applicant.phone if applicant else "",
            referred_window_no=self.referral.currentData() or "",
            referred_staff_no=self.referred_staff.text().strip(),
            due_hours=self.due_hours.value(),
            ticket_id=ticket_id,
        )

    def show_result(self, text: str) -> None:
        self.result.setText(text)
        self.result.setVisible(bool(text))

    def clear(self) -> None:
        """Ready for the next inquiry; the channel stays (a phone desk takes call after call)."""
        self.classification.setCurrentIndex(0)
        self.action.setCurrentIndex(0)
        self.question.clear()
        self.answer.clear()
        self.referral.setCurrentIndex(0)
        self.referred_staff.clear()
        self.due_hours.setValue(24)
        self.receipt.setChecked(False)
