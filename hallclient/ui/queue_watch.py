"""Follow the queue from a worker thread: wait for a change, read a snapshot, hand it to the GUI.

``QueueWatcher`` runs on its own thread (a :class:`~hallclient.ui.workers.Lane`): it blocks in
``QueueEvents.wait_for_change`` (LISTEN/NOTIFY on PostgreSQL, polling on SQLite; store/queue_events.py),
then calls ``read`` (a use case returning a frozen value) and emits it. The GUI thread never waits for the
database. With no change for ``idle_s`` seconds it reads anyway: waiting counts restart at the hall's
midnight without any event. A failed read is reported once per outage and retried with a back-off.

Its ``run`` loop blocks the thread's event loop, so it has no slots to be called while it runs: ``stop``
is called from the GUI thread and wakes the waiting loop through ``QueueEvents.close``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from hallclient.services.queue_ports import QueueEvents
from hallclient.ui.threads import error_text
from hallclient.ui.workers import Lane

log = logging.getLogger(__name__)


class QueueWatcher(QObject):
    snapshot_ready = Signal(object)  # whatever ``read`` returns (frozen)
    read_failed = Signal(str)  # Chinese, once per outage
    read_recovered = Signal()

    def __init__(self, events: QueueEvents, read: Callable[[], Any], *, idle_s: float = 30.0) -> None:
        super().__init__()
        self._events = events
        self._read = read
        self._idle_s = idle_s
        self._stop = threading.Event()

    @Slot()
    def run(self) -> None:
        version: int | None = None
        failures = 0
        while not self._stop.is_set():
            try:
                if version is None:
                    new = self._events.current_version()
                else:
                    new = self._events.wait_for_change(version, self._idle_s)
                if self._stop.is_set():
                    break
                snapshot = self._read()
            except Exception as exc:
                failures += 1
                if failures == 1:
                    log.warning("queue read failed: %s", exc, exc_info=not hasattr(exc, "message"))
                    self.read_failed.emit(error_text(exc))
                self._stop.wait(min(30.0, 0.5 * 2 ** min(failures, 6)))
                continue
            if failures:
                log.info("queue read works again after %d failures", failures)
                failures = 0
                self.read_recovered.emit()
            version = new
            self.snapshot_ready.emit(snapshot)
        log.info("queue watcher stopped")

    def stop(self) -> None:
        """Any thread: end the loop now (a pending wait returns at once)."""
        self._stop.set()
        self._events.close()


@dataclass
class WatchLane:
    watcher: QueueWatcher
    lane: Lane

    def stop(self) -> None:
        self.watcher.stop()
        self.lane.stop()


def start_watching(
    events: QueueEvents,
    read: Callable[[], Any],
    on_snapshot: Callable[[Any], None],
    on_failed: Callable[[str], None] | None = None,
    on_recovered: Callable[[], None] | None = None,
    *,
    idle_s: float = 30.0,
) -> WatchLane:
    """A watcher on its own thread, connected (before it starts, so no snapshot is missed) and running."""
    watcher = QueueWatcher(events, read, idle_s=idle_s)
    watcher.snapshot_ready.connect(on_snapshot)
    if on_failed is not None:
        watcher.read_failed.connect(on_failed)
    if on_recovered is not None:
        watcher.read_recovered.connect(on_recovered)
    lane = Lane("queue-watch", watcher)
    lane.start(watcher.run)
    return WatchLane(watcher, lane)
