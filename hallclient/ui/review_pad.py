"""The keypad review pad on the device thread: polls the driver, hands ratings to the customer screen.

The customer screen stays the one place a rating is completed and submitted (``review_given``):
this worker only reports what the keypad gave (``rating_given``), which the screen takes while a
review is invited and ignores otherwise. Polls with a zero timeout so the card reader, which
shares the device thread, is never kept waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QTimer, Signal, Slot

from hallclient.ui.workers import Lane

log = logging.getLogger(__name__)

SCREEN = "screen"  # devices.review_pad: the customer screen alone, no keypad driver


class ReviewPadWorker(QObject):
    rating_given = Signal(int, tuple)  # level, reason codes (1-based positions in review.bad_reasons)
    state_changed = Signal(str, str)  # ready / error, clerk-facing text

    def __init__(self, pad_factory: Callable[[], Any], *, poll_ms: int = 100, retry_ms: int = 5000) -> None:
        super().__init__()
        self._factory = pad_factory
        self._poll_ms = poll_ms
        self._retry_ms = retry_ms
        self.pad: Any = None
        self._timer: QTimer | None = None
        self._last_error = ""

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)
        self._open()

    def _open(self) -> None:
        assert self._timer is not None
        try:
            if self.pad is None:
                self.pad = self._factory()
            self.pad.open()
        except Exception as exc:
            self._report_error(exc)
            self._timer.start(self._retry_ms)
            return
        self._last_error = ""
        self.state_changed.emit("ready", f"评价器就绪（{self.pad.describe()}）")
        self._timer.start(self._poll_ms)

    @Slot()
    def poll(self) -> None:
        if self._timer is None:
            return
        if self._last_error:
            self._open()
            return
        try:
            event = self.pad.read_rating(0.0)
        except Exception as exc:
            self._report_error(exc)
            self._timer.start(self._retry_ms)
            return
        if event is not None:
            log.info("review pad gave a rating")  # never the level: the clerk's log is not for that
            self.rating_given.emit(int(event.level), tuple(event.reason_codes))

    def _report_error(self, exc: Exception) -> None:
        text = getattr(exc, "message", "") or "评价器无法使用，请检查评价器设置"
        if text != self._last_error:
            log.warning("review pad: %s", getattr(exc, "detail", "") or type(exc).__name__)
            self.state_changed.emit("error", text)
        self._last_error = text

    @Slot()
    def close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.pad is not None:
            try:
                self.pad.close()
            except Exception:
                log.warning("review pad close failed", exc_info=True)


def attach_to_lane(worker: ReviewPadWorker, lane: Lane) -> None:
    """Put the pad on the device lane (one thread owns every driver); call before the lane starts."""
    worker.moveToThread(lane.thread)
    lane.thread.started.connect(worker.start)


def stop_on_lane(worker: ReviewPadWorker, lane: Lane) -> None:
    """Close the pad on its own thread before the lane stops (blocking, like Lane.stop's slot)."""
    if lane.thread.isRunning():
        QMetaObject.invokeMethod(worker, "close", Qt.ConnectionType.BlockingQueuedConnection)
