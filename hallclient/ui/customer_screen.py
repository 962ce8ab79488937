"""The customer-facing screen on the counter: who serves you, your number, and the review pad.

The clerk never sees the pending rating: this window reports only the submitted review, through
``review_given``; a timeout leaves the service unreviewed (never a default good review). A keypad
(``pad_rating``, from the device thread) feeds the same path as the buttons, and only while a
review is invited. The photo is the clerk's (a configured file per staff number) or a drawn
silhouette; never the applicant's ID-card photo (privacy.md §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallclient.domain.reviews import DEFAULT_BAD_REASONS, RatingLevel

LEVEL_COLOURS = {5: "#1e7d32", 4: "#43a047", 3: "#f9a825", 2: "#ef6c00", 1: "#c62828"}
PHOTO_SIZE = (132, 176)  # a 3:4 staff photo


def choose_screen(screen_count: int, configured: int = -1) -> int | None:
    """Which monitor gets the customer screen full-screen (None: a normal window on the primary one).

    ``configured`` is ``review.screen``: -1 picks the second monitor when there is one; an index picks
    that monitor if it exists. With one monitor the screen is a normal window (full-screen would hide
    the clerk's window); an index that does not exist (a monitor unplugged) falls back to automatic."""
    if screen_count < 2:
        return None
    if 0 <= configured < screen_count:
        return configured
    return 1


def silhouette(width: int = PHOTO_SIZE[0], height: int = PHOTO_SIZE[1]) -> QPixmap:
    """A neutral head-and-shoulders placeholder for a clerk without a photo on file."""
    pixmap = QPixmap(width, height)
    pixmap.fill(QColor("#dfe6ee"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#8fa3b8"))
    head = min(width, height) * 0.36
    painter.drawEllipse(QPointF(width / 2, height * 0.38), head / 2, head / 2 * 1.12)
    shoulders = QPainterPath()
    shoulders.addRoundedRect(
        QRectF(width * 0.14, height * 0.64, width * 0.72, height * 0.5), width * 0.3, width * 0.3
    )
    painter.drawPath(shoulders)
    painter.end()
    return pixmap


def clerk_photo(template: str, staff_no: str) -> QPixmap:
    """The clerk's photo from ``template`` (e.g. "D:/hall/photos/{staff_no}.jpg"), or the silhouette."""
    if template:
        path = Path(template.format(staff_no=staff_no))
        if path.is_file():
            pixmap = QPixmap(str(path))
            if not pixmap.isNull():
                return pixmap.scaled(
                    *PHOTO_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
    return silhouette()


class CustomerScreen(QWidget):
    review_given = Signal(int, list, str)  # level, reasons, comment
    review_timed_out = Signal()

    def __init__(
        self,
        hall_name: str,
        reasons: Sequence[str] = DEFAULT_BAD_REASONS,
        timeout_s: int = 90,
        photo_template: str = "",
    ) -> None:
        super().__init__()
        self._reasons = tuple(reasons)
        self._photo_template = photo_template
        self.setObjectName("customerScreen")
        self.setWindowTitle("评价器")
        self.resize(800, 560)
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.setInterval(timeout_s * 1000)
        self._timeout.timeout.connect(self._on_timeout)
        self._level: int | None = None

        header = QLabel(hall_name)
        header.setAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setStyleSheet("font-size: 22px; font-weight: bold; color: #1d4e89; padding: 8px;")
        self.stack = QStackedWidget()

        # page 0: welcome / serving
        serving = QWidget()
        sv = QVBoxLayout(serving)
        self.photo = QLabel()
        self.photo.setObjectName("clerkPhoto")
        self.photo.setFixedSize(*PHOTO_SIZE)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setPixmap(silhouette())
        self.photo.setStyleSheet("border: 1px solid #b8c4d0; background: #dfe6ee;")
        self.clerk_label = QLabel("")
        self.clerk_label.setStyleSheet("font-size: 22px; line-height: 150%;")
        who = QHBoxLayout()
        who.addStretch(1)
        who.addWidget(self.photo)
        who.addSpacing(24)
        who.addWidget(self.clerk_label)
        who.addStretch(1)
        self.ticket_label = QLabel("欢迎光临")
        self.ticket_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_label.setStyleSheet("font-size: 44px; font-weight: bold; color: #1d6fd1;")
        sv.addStretch(1)
        sv.addLayout(who)
        sv.addSpacing(16)
        sv.addWidget(self.ticket_label)
        sv.addStretch(1)
        self.stack.addWidget(serving)

        # page 1: five levels
        levels = QWidget()
        lv = QVBoxLayout(levels)
        ask = QLabel("请您对本次服务进行评价")
        ask.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ask.setStyleSheet("font-size: 26px; font-weight: bold;")
        lv.addWidget(ask)
        row = QHBoxLayout()
        self.level_buttons: dict[int, QPushButton] = {}
        for level in sorted(RatingLevel, reverse=True):
            b = QPushButton(level.label)
            b.setMinimumSize(130, 110)
            b.setStyleSheet(
                f"font-size: 20px; font-weight: bold; color: white; background: {LEVEL_COLOURS[level]};"
                "border-radius: 10px;"
            )
            b.clicked.connect(lambda _=False, lv=int(level): self.choose_level(lv))
            self.level_buttons[int(level)] = b
            row.addWidget(b)
        lv.addStretch(1)
        lv.addLayout(row)
        lv.addStretch(1)
        self.stack.addWidget(levels)

        # page 2: bad review reasons
        bad = QWidget()
        bv = QVBoxLayout(bad)
        self.bad_title = QLabel("请选择不满意的原因（至少一项）")
        self.bad_title.setStyleSheet("font-size: 22px; font-weight: bold;")
        bv.addWidget(self.bad_title)
        grid = QGridLayout()
        self.reason_boxes: list[QCheckBox] = []
        for i, reason in enumerate(reasons):
            box = QCheckBox(reason)
            # A finger on a counter touch screen needs a big target: large tick box, padded text.
            box.setStyleSheet(
                "QCheckBox { font-size: 20px; padding: 10px; }"
                "QCheckBox::indicator { width: 30px; height: 30px; }"
            )
            box.toggled.connect(self._update_submit)
            self.reason_boxes.append(box)
            grid.addWidget(box, i // 2, i % 2)
        bv.addLayout(grid)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("其他意见（选填）")
        self.comment.setStyleSheet("font-size: 18px; padding: 6px;")
        bv.addWidget(self.comment)
        buttons = QHBoxLayout()
        back = QPushButton("返回")
        back.setMinimumHeight(56)
        back.setStyleSheet("font-size: 20px;")
        back.clicked.connect(lambda: self.stack.setCurrentIndex(1))
        self.submit_button = QPushButton("提交评价")
        self.submit_button.setMinimumHeight(56)
        self.submit_button.setStyleSheet("font-size: 20px;")
        self.submit_button.setProperty("role", "primary")
        self.submit_button.setEnabled(False)
        self.submit_button.clicked.connect(self._submit_bad)
        buttons.addWidget(back)
        buttons.addWidget(self.submit_button)
        bv.addLayout(buttons)
        self.stack.addWidget(bad)

        # page 3: thanks
        thanks = QLabel("感谢您的评价！")
        thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        thanks.setStyleSheet("font-size: 32px; font-weight: bold; color: #1e7d32;")
        self.stack.addWidget(thanks)

        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)

    # -- driven by the clerk window -------------------------------------------------------------
    def show_clerk(self, name: str, staff_no: str, window_no: str) -> None:
        self.clerk_label.setText(f"{window_no}号窗口<br>工作人员：{name}<br>工号：{staff_no}")
        self.photo.setPixmap(clerk_photo(self._photo_template, staff_no))

    def show_serving(self, ticket_number: str) -> None:
        self._timeout.stop()
        self.ticket_label.setText(f"正在为 {ticket_number} 号办理")
        self.stack.setCurrentIndex(0)

    def show_idle(self) -> None:
        self.ticket_label.setText("欢迎光临")
        self.stack.setCurrentIndex(0)

    def invite_review(self) -> None:
        self._level = None
        for box in self.reason_boxes:
            box.setChecked(False)
        self.comment.clear()
        self.stack.setCurrentIndex(1)
        self._timeout.start()

    @property
    def awaiting_review(self) -> bool:
        return self.stack.currentIndex() in (1, 2)

    # -- the customer's actions -----------------------------------------------------------------
    def choose_level(self, level: int) -> None:
        self._level = level
        if RatingLevel(level).is_bad:
            self.bad_title.setText(f"您选择了「{RatingLevel(level).label}」，请选择原因（至少一项）")
            self.stack.setCurrentIndex(2)
            self._update_submit()
            return
        self._finish(level, [], "")

    @Slot(int, tuple)
    def pad_rating(self, level: int, reason_codes: tuple[int, ...] = ()) -> bool:
        """A rating from a keypad: the same path as the buttons, and only while a review is invited.

        Reason codes are 1-based positions in the configured list. A bad level without a usable
        reason shows the reasons page, as a bad button does. Returns whether the input was taken."""
        if not self.awaiting_review:
            return False  # no invitation, no review: a stray key press is not a rating
        reasons = [self._reasons[c - 1] for c in reason_codes if 1 <= c <= len(self._reasons)]
        self.choose_level(level)
        if RatingLevel(level).is_bad and reasons:
            self.choose_reasons(reasons)
            self._submit_bad()
        return True

    def choose_reasons(self, reasons: list[str], comment: str = "") -> None:
        for box in self.reason_boxes:
            box.setChecked(box.text() in reasons)
        self.comment.setText(comment)

    def _update_submit(self) -> None:
        self.submit_button.setEnabled(any(b.isChecked() for b in self.reason_boxes))

    def _submit_bad(self) -> None:
        reasons = [b.text() for b in self.reason_boxes if b.isChecked()]
        if self._level is None or not reasons:
            return
        self._finish(self._level, reasons, self.comment.text().strip())

    def _finish(self, level: int, reasons: list[str], comment: str) -> None:
        self._timeout.stop()
        self.stack.setCurrentIndex(3)
        self.review_given.emit(level, reasons, comment)
        QTimer.singleShot(3000, self.show_idle)

    def _on_timeout(self) -> None:
        self.show_idle()
        self.review_timed_out.emit()
