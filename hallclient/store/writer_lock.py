"""One queue of writers per SQLite file in this process, granted in arrival order.

Every unit of work on SQLite runs under BEGIN IMMEDIATE (decisions.md §4). When the file is locked,
SQLite's busy handler polls with growing sleeps (1, 2, 5, 10 … 100 ms), so a writer may sleep far
longer than the lock is held: with four windows in one process call-next had a p99 of ~750 ms for
operations that take 2–5 ms. Units of work of one process queue here instead and are woken the
moment the previous one ends. BEGIN IMMEDIATE and the busy timeout still guard against other
processes on the same file.
"""

from __future__ import annotations

import os
import threading

from sqlalchemy import Engine

from hallclient.store.db import StoreError

WAIT_S = 30.0  # as long as the busy timeout


class FifoLock:
    """Re-entrant; a waiter that gives up after ``timeout`` loses its turn without blocking others."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._next = 0
        self._serving = 0
        self._abandoned: set[int] = set()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float = WAIT_S) -> None:
        with self._cond:
            if self._owner == threading.get_ident():
                self._depth += 1
                return
        self.wait_turn(self.take_turn(), timeout)

    def take_turn(self) -> int:
        """A place in the queue (acquire = take_turn + wait_turn)."""
        with self._cond:
            turn = self._next
            self._next += 1
            return turn

    def wait_turn(self, turn: int, timeout: float = WAIT_S) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._serving == turn, timeout=timeout):
                self._abandoned.add(turn)
                raise StoreError("数据库忙：其他操作长时间未完成，请稍后重试")
            self._owner, self._depth = threading.get_ident(), 1

    def release(self) -> None:
        with self._cond:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()


_LOCKS: dict[str, FifoLock] = {}
_GUARD = threading.Lock()


def writer_lock(engine: Engine) -> FifoLock | None:
    """The writer queue of the SQLite file behind ``engine`` (shared by all its engines); None otherwise."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if database in ("", ":memory:"):
        return None  # every connection is a database of its own: nothing to share
    key = os.path.realpath(database)
    with _GUARD:
        return _LOCKS.setdefault(key, FifoLock())
