"""The sync lease (services.ports.SyncLease): who drains the shared outbox.

Hall mode (PostgreSQL): a session-level advisory lock, taken with ``pg_try_advisory_lock`` on a
connection of its own (outside the pool, so that no other work ever runs on it and returning it
can never hand the lock to someone else). PostgreSQL frees the lock when that session ends, so
a holder that dies — process killed, power lost, connection cut — is replaced by the next client
that asks, without an expiry to tune. Each ``acquire`` of the holder checks that its session is
still alive; a holder whose connection was cut gives the lease up and asks again like anyone.

Standalone (SQLite): one client per store file, the lease is trivially held.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from hallclient.services.ports import SyncLease

log = logging.getLogger(__name__)

# "HALLSYNC" in ASCII: one lock per database, i.e. per hall store.
SYNC_LOCK_KEY = 0x48414C4C53594E43


class LocalSyncLease:
    """Standalone store: nobody else drains it."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


class PostgresAdvisoryLease:
    def __init__(self, engine: Engine, key: int = SYNC_LOCK_KEY, connect_timeout: int = 5) -> None:
        # NullPool: closing the connection really ends the session (and with it the lock).
        self._engine = create_engine(
            engine.url, poolclass=NullPool, connect_args={"connect_timeout": connect_timeout}
        )
        self._key = key
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self._conn is not None

    def acquire(self) -> bool:
        with self._lock:
            if self._conn is not None:
                if self._alive(self._conn):
                    return True
                log.warning("sync lease lost: its database session ended; asking again")
                self._drop()
            try:
                conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            except (OperationalError, DBAPIError) as exc:
                log.info("sync lease: cannot reach the store (%s)", type(exc).__name__)
                return False
            try:
                got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar())
            except DBAPIError as exc:
                log.info("sync lease: lock query failed (%s)", type(exc).__name__)
                got = False
            if not got:
                conn.close()
                return False
            self._conn = conn
            log.info("sync lease taken: this client drains the hall outbox")
            return True

    def release(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            except DBAPIError:
                pass  # the session is gone, and the lock with it
            self._drop()
            log.info("sync lease released")

    def close(self) -> None:
        self.release()
        self._engine.dispose()

    @staticmethod
    def _alive(conn: Connection) -> bool:
        try:
            conn.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            return False

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except DBAPIError:
                pass


def lease_for(engine: Engine) -> SyncLease:
    """The lease that fits the store: an advisory lock on PostgreSQL, none needed on SQLite."""
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLease(engine)
    return LocalSyncLease()
