"""The two dedicated lanes: the device thread (owns every driver) and the sync thread (own HTTP + DB sessions)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from hallclient.services.applicants import check_card

log = logging.getLogger(__name__)


class DeviceWorker(QObject):
    """Owns the card reader. Lives on its own QThread; talks to the GUI only through signals."""

    card_checked = Signal(object)  # ApplicantCheck (frozen)
    state_changed = Signal(str, str)  # state (ready/no_reader/reading/error), clerk-facing text

    def __init__(self, reader_factory: Callable[[], Any], today: Callable[[], dt.date]) -> None:
        super().__init__()
        self._factory = reader_factory
        self._today = today
        self._reader: Any = None

    @Slot()
    def open(self) -> None:
        try:
            self._reader = self._factory()
            self._reader.open()
        except Exception as exc:
            self._reader = None
            self.state_changed.emit("no_reader", getattr(exc, "message", "读卡器未连接，可手工录入"))
            return
        self.state_changed.emit("ready", f"读卡器就绪（{self._reader.describe()}）")

    @Slot(float)
    def read_once(self, timeout: float) -> None:
        if self._reader is None:
            self.open()
            if self._reader is None:
                return
        self.state_changed.emit("reading", "正在读卡，请勿移动证件…")
        try:
            card = self._reader.read_card(timeout)
        except Exception as exc:
            self.state_changed.emit("error", getattr(exc, "message", "读卡失败，请重新放置证件"))
            return
        if card is None:
            self.state_changed.emit("ready", "未检测到证件，请将身份证放在读卡器上")
            return
        check = check_card(
            name=card.name or getattr(card, "english_name", ""),
            id_number=card.id_number,
            card_type=str(card.card_type),
            birth=card.birth,
            valid_to=card.valid_to,
            long_term=card.valid_long_term,
            sex=card.sex,
            today=self._today(),
        )
        del card  # the photo and raw block go no further than this frame (privacy.md §3)
        self.card_checked.emit(check)
        self.state_changed.emit("ready", "读卡成功")

    @Slot()
    def close(self) -> None:
        if self._reader is not None:
            try:
                self._reader.close()
            except Exception:
                log.warning("card reader close failed", exc_info=True)
            self._reader = None


class SyncWorker(QObject):
    """Runs the sync engine on its own thread, on a timer and on demand."""

    status_changed = Signal(object)  # SyncStatus (frozen)
    report_ready = Signal(object)  # SyncReport (frozen)

    def __init__(self, engine: Any, interval_s: float) -> None:
        super().__init__()
        self._engine = engine
        self._interval_ms = int(interval_s * 1000)
        self._timer: QTimer | None = None

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setInterval(self._interval_ms)
        self._timer.timeout.connect(self.sync_now)
        self._timer.start()
        self.sync_now()

    @Slot()
    def sync_now(self) -> None:
        try:
            report = self._engine.run_once()
            while (
                report.sent + report.duplicates + report.rejected
                and not report.error
                and report.pending_after
            ):
                report = self._engine.run_once()  # drain while the platform keeps answering
            self.report_ready.emit(report)
            self.status_changed.emit(self._engine.status())
        except Exception:
            log.exception("sync round failed")

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()


class Lane:
    """A QThread with one worker on it; explicit, logged, bounded shutdown."""

    def __init__(self, name: str, worker: QObject) -> None:
        self.name = name
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.worker = worker
        worker.moveToThread(self.thread)

    def start(self, entry: Callable[[], None] | None = None) -> None:
        if entry is not None:
            self.thread.started.connect(entry)
        self.thread.start()

    def stop(self, slot: str | None = None, wait_ms: int = 5000) -> None:
        if slot is not None and self.thread.isRunning():
            # Blocking: the worker releases its device/connections on its own thread before the loop ends.
            QMetaObject.invokeMethod(self.worker, slot, Qt.ConnectionType.BlockingQueuedConnection)
        self.thread.quit()
        if not self.thread.wait(wait_ms):
            log.warning("%s thread did not stop within %d ms", self.name, wait_ms)
        else:
            log.info("%s thread stopped", self.name)
