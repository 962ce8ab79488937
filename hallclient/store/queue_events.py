"""QueueEvents adapters: PostgreSQL LISTEN/NOTIFY with a polling fallback; polling alone on SQLite.

Every queue change inserts a call event; on PostgreSQL a trigger on ``call_event`` (migration
0002_queue) sends ``NOTIFY hallclient_queue`` in that transaction, so the notification arrives when
the change commits. Notifications only wake the waiters early: the truth is always the store's
queue version, polled every ``poll_interval`` seconds, so a lost notification, a dropped listening
connection or a server restart delays a change by at most one poll interval.

No Qt here: kiosk, board and clerk windows call ``wait_for_change`` from a worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine

from hallclient.store.queue_repo import VERSION_SQL, version_from_row

log = logging.getLogger(__name__)

CHANNEL = "hallclient_queue"


class PollingQueueEvents:
    """Implements the QueueEvents port by polling the queue version."""

    def __init__(self, engine: Engine, poll_interval: float = 0.5) -> None:
        self.engine = engine
        self.poll_interval = poll_interval
        self._changed = threading.Condition()
        self._generation = 0  # bumped by every notification
        self._closed = False
        self._read_lock = threading.Lock()
        self._last_read: tuple[float, int] | None = None  # (monotonic start of the read, version)

    def current_version(self) -> int:
        # A plain read on the driver's connection: no unit of work, so on SQLite no BEGIN IMMEDIATE
        # and no place in the writers' queue (in WAL mode a reader needs no lock at all).
        with self.engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(VERSION_SQL)
                return version_from_row(cursor.fetchone())
            finally:
                cursor.close()

    def wait_for_change(self, last_version: int, timeout: float) -> int:
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            with self._changed:
                generation = self._generation  # read before the version: no wake-up can slip between
            version = self._version_read_after(time.monotonic())
            remaining = deadline - time.monotonic()
            if version != last_version or remaining <= 0 or self._closed:
                return version
            with self._changed:
                self._changed.wait_for(
                    lambda g=generation: self._generation != g or self._closed,  # type: ignore[misc]
                    timeout=min(self.poll_interval, remaining),
                )

    def _version_read_after(self, moment: float) -> int:
        """The version from a read that started at or after ``moment``: waiters woken together
        (one notification wakes every window of a process) share one read instead of one each."""
        with self._read_lock:
            if self._last_read is not None and self._last_read[0] >= moment:
                return self._last_read[1]
            started = time.monotonic()
            version = self.current_version()
            self._last_read = (started, version)
            return version

    def _wake(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


class PgQueueEvents(PollingQueueEvents):
    """Adds a listener thread with its own autocommit connection doing ``LISTEN hallclient_queue``."""

    def __init__(self, engine: Engine, poll_interval: float = 1.0, *, listen: bool = True) -> None:
        super().__init__(engine, poll_interval)
        self.notifications = 0  # received so far (diagnostics and tests)
        self.listening = threading.Event()  # set while a LISTEN connection is up
        self._stop = threading.Event()
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._thread: threading.Thread | None = None
        if listen:
            self._thread = threading.Thread(target=self._listen_forever, name="queue-listen", daemon=True)
            self._thread.start()

    def _listen_forever(self) -> None:
        import psycopg  # only in hall mode (PostgreSQL); a SQLite station never pays its import

        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    backoff = 0.5
                    self._wake()  # anything that happened while not listening: let waiters re-read
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5):
                            self.notifications += 1
                            self._wake()
            except psycopg.Error as exc:
                log.warning(
                    "queue notifications lost (%s); polling every %.1f s meanwhile", exc, self.poll_interval
                )
            finally:
                self.listening.clear()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 30.0)

    def close(self) -> None:
        self._stop.set()
        super().close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def open_queue_events(
    engine: Engine, poll_interval: float | None = None, **kwargs: Any
) -> PollingQueueEvents:
    """The right adapter for the store behind ``engine``; close it when done."""
    if engine.dialect.name == "postgresql":
        return PgQueueEvents(engine, poll_interval if poll_interval is not None else 1.0, **kwargs)
    return PollingQueueEvents(engine, poll_interval if poll_interval is not None else 0.5)
