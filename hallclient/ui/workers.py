"""The two dedicated lanes: the device thread (owns every driver) and the sync thread (own HTTP + DB sessions)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from hallclient.ui.device_worker import DeviceWorker

log = logging.getLogger(__name__)

__all__ = ["DeviceWorker", "Lane", "SyncWorker"]  # DeviceWorker lives in device_worker.py


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
        try:
            self._engine.close()  # hands the hall's sync lease to the next client at once
        except Exception:
            log.warning("closing the sync engine failed", exc_info=True)


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
