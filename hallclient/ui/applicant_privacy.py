"""What the applicant panel shows of a card that privacy rules restrict: the photo and the audited reveal.

- :class:`PhotoView` shows the ID photo for 人证核验 from bytes in memory (the vendor library's decoded BMP);
  without one it says 照片不可用. Nothing is written anywhere, and :func:`privacy_curtain` blanks every
  PhotoView of a widget while a screenshot is taken (the demo's screenshots, bug-report captures).
- :class:`RevealDialog` asks why the clerk wants the full ID number, and :class:`IdReveal` runs the reveal
  (privacy.md §2: a per-case action with a reason, written to the audit log before anything is shown, masked
  again after a timeout or when the service ends).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hallclient.services.errors import ServiceError
from hallclient.services.privacy import MIN_REASON_LENGTH, NO_SERVICE, REVEAL_REASONS, Reveal
from hallclient.ui.threads import Runner

PHOTO_SIZE = (102, 126)  # the card's photo, in pixels (idcard.md §8)
NO_PHOTO = "照片不可用"
OTHER = REVEAL_REASONS[-1]


class PhotoView(QLabel):
    def __init__(self) -> None:
        super().__init__("—")
        self.setFixedSize(*PHOTO_SIZE)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setProperty("role", "hint")
        self.setStyleSheet("border:1px solid #c8ccd4")
        self._has_photo = False

    @property
    def has_photo(self) -> bool:
        return self._has_photo

    def show_photo(self, data: bytes | None) -> None:
        """Decode ``data`` (an image file's bytes) in memory; None or undecodable: 照片不可用."""
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.setPixmap(pixmap.scaled(*PHOTO_SIZE, Qt.AspectRatioMode.KeepAspectRatio))
            self._has_photo = True
        else:
            self.clear_photo(NO_PHOTO)

    def clear_photo(self, text: str = "—") -> None:
        self.clear()  # drops the pixmap, and with it the last copy of the photo's pixels
        self.setText(text)
        self._has_photo = False


@contextmanager
def privacy_curtain(widget: QWidget) -> Iterator[None]:
    """Hide every ID photo inside ``widget`` for the duration (wrap ``widget.grab()`` in it)."""
    hidden = [view for view in widget.findChildren(PhotoView) if view.has_photo]
    pixmaps = [view.pixmap() for view in hidden]
    for view in hidden:
        view.setPixmap(QPixmap())
        view.setText("照片（已隐藏）")
    try:
        yield
    finally:
        for view, pixmap in zip(hidden, pixmaps, strict=True):
            view.setPixmap(pixmap)


class RevealDialog(QDialog):
    """Why the full number is needed; OK only with a reason. ``reason()`` is what goes to the audit log."""

    def __init__(self, masked: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("查看完整证件号码")
        self.setModal(True)
        note = QLabel(
            f"证件号码 {masked} 将完整显示，并记录查看人、时间、业务和原因。\n请选择或填写查看原因："
        )
        note.setWordWrap(True)
        self.reasons = QComboBox()
        self.reasons.addItems(REVEAL_REASONS)
        self.detail = QLineEdit()
        self.detail.setPlaceholderText("其他原因（选择“其他”时必填）")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("显示")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.reasons)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)
        self.reasons.currentTextChanged.connect(self._update)
        self.detail.textChanged.connect(self._update)
        self._update()

    def reason(self) -> str:
        chosen = self.reasons.currentText()
        detail = self.detail.text().strip()
        if chosen == OTHER:
            return detail
        return f"{chosen}：{detail}" if detail else chosen

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(len(self.reason()) >= MIN_REASON_LENGTH)


class IdReveal(QObject):
    """The clerk window's audited reveal of the applicant's full ID number.

    读卡 and 手工录入 show the number masked; 显示完整号码 asks for a reason (:class:`RevealDialog`), records
    the reveal through ``services.reveals`` (an audit row) on the background runner, and only then shows the
    full number, for ``privacy.reveal_seconds``. It is masked again when that time is up, when another
    applicant is filled in, or when the service finishes — whichever comes first.
    """

    revealed = Signal(str)  # the field shown in full ("id_number")
    remasked = Signal()

    def __init__(
        self, window: Any, services: Any, runner: Runner, on_error: Callable[[BaseException], None]
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._runner = runner
        self._on_error = on_error
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.remask)
        self.dialog: RevealDialog | None = None
        self._shown = False  # the full number is on screen
        window.applicant_panel.reveal_requested.connect(self.request)
        window.applicant_filled.connect(self._on_window_applicant_filled)
        window.service_finished.connect(self.remask)

    @property
    def active(self) -> bool:
        return self._shown

    def request(self) -> None:
        """Ask for the reason (the dialog is window-modal and does not block the event loop)."""
        applicant = self._window.applicant
        if applicant is None or applicant.id_number is None:
            return
        if self._window.ticket is None:
            self._on_error(ServiceError(NO_SERVICE))
            return
        dialog = RevealDialog(applicant.id_masked, self._window)
        dialog.accepted.connect(lambda: self.reveal(dialog.reason()))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def reveal(self, reason: str) -> None:
        """Record the reveal with ``reason``; the number shows once the audit row is written."""
        w = self._window
        applicant, session = w.applicant, w.session
        ticket_id = w.ticket.id if w.ticket is not None else None
        case_no = w.outcome.case_no if w.outcome is not None else ""
        self._runner.run_in_background(
            lambda: self._services.reveals.reveal(
                session, field="id_number", reason=reason, ticket_id=ticket_id, case_no=case_no
            ),
            lambda grant: self._on_granted(grant, applicant),
            self._on_error,
        )

    def remask(self) -> None:
        self._timer.stop()
        applicant = self._window.applicant
        if applicant is not None:
            self._window.applicant_panel.show_id_number(applicant.id_masked)
        if self._shown:
            self._shown = False
            self.remasked.emit()

    def _on_granted(self, grant: Reveal, applicant: Any) -> None:
        if self._window.applicant is not applicant or applicant.id_number is None:
            return  # the clerk moved on while the audit row was written: nothing to show
        self._window.applicant_panel.show_id_number(applicant.id_number.value)
        self._shown = True
        self._timer.start(max(1, int((grant.until - grant.at).total_seconds() * 1000)))
        self.revealed.emit(grant.field)

    def _on_window_applicant_filled(self, _applicant: object) -> None:
        # The panel already shows the new applicant masked; a reveal never carries over to another person.
        self._timer.stop()
        if self._shown:
            self._shown = False
            self.remasked.emit()
