"""Preview an archived document (QtPdf's QPdfView) with print / reprint; printing runs off the GUI thread."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hallclient.services.cases import IssuedDocument

KIND_LABELS = {
    "one_time_notice": "一次性告知书",
    "acceptance_notice": "受理通知书",
    "deferred_acceptance_notice": "容缺受理通知书",
    "rejection": "不予受理决定书",
    "receipt": "收件凭证",
    "inquiry_receipt": "首问登记回执",
}


class DocumentPreviewDialog(QDialog):
    """The documents of one case, newest first; 打印 asks the window to print the one shown."""

    print_requested = Signal(object)  # IssuedDocument

    def __init__(
        self, documents: Sequence[IssuedDocument], title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 900)
        self._documents = list(documents)
        self.choice = QComboBox()
        for doc in self._documents:
            self.choice.addItem(f"{KIND_LABELS.get(doc.kind, doc.kind)}　{doc.doc_no}")
        self.pdf = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.sha = QLabel("")
        self.sha.setProperty("role", "hint")
        self.state = QLabel("")
        self.state.setWordWrap(True)
        self.print_button = QPushButton("打印")
        self.print_button.setProperty("role", "primary")
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self.current))
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(QLabel("文书："))
        top.addWidget(self.choice, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.sha)
        layout.addLayout(buttons)
        self.choice.currentIndexChanged.connect(self._show)
        self._show(0)

    @property
    def current(self) -> IssuedDocument:
        return self._documents[self.choice.currentIndex()]

    def _show(self, index: int) -> None:
        if not self._documents:
            return
        doc = self._documents[index]
        self.pdf.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(doc.pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(self._buffer)
        self.sha.setText(f"归档校验值 SHA-256：{doc.sha256[:16]}…　共 {self.pdf.pageCount()} 页")
        self.state.setText("")

    def show_print_state(self, text: str, ok: bool) -> None:
        self.state.setText(text)
        self.state.setStyleSheet(f"color:{'#1e7d32' if ok else '#b3261e'}")
