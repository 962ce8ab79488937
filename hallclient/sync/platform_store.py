"""The reference platform's own store: SQLite, one connection behind a lock.

Idempotency lives here: a record id is the primary key and ``INSERT OR IGNORE`` tells a new record
from one the platform already has (a duplicate). Arrival order is the ``seq`` column.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from hallclient.domain.outbox import RecordKind

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    operation TEXT NOT NULL,
    version INTEGER NOT NULL,
    device_time TEXT NOT NULL,
    ordering_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_kind ON records (kind);
CREATE TABLE IF NOT EXISTS pull_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    resource TEXT NOT NULL,
    item TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pull_items_resource ON pull_items (resource, seq);
"""

_COLUMNS = ("id", "kind", "operation", "version", "device_time", "ordering_key", "payload", "received_at")


class PlatformStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._lock = threading.Lock()
        # One connection shared by the handler threads, serialised by the lock; autocommit mode
        # with explicit BEGIN so that a batch is stored whole or not at all.
        self._conn = sqlite3.connect(os.fspath(path), check_same_thread=False, isolation_level=None)
        with self._lock:
            if os.fspath(path) != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def store(self, records: Sequence[Mapping[str, Any]], received_at: str) -> list[bool]:
        """Store in order, in one transaction; per record True if new, False if already there."""
        fresh: list[bool] = []
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for r in records:
                    cursor = self._conn.execute(
                        f"INSERT OR IGNORE INTO records ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            r["id"],
                            r["kind"],
                            r["operation"],
                            r["version"],
                            r["device_time"],
                            r["ordering_key"],
                            json.dumps(r["payload"], ensure_ascii=False),
                            received_at,
                        ),
                    )
                    fresh.append(cursor.rowcount == 1)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return fresh

    def count(self, kind: str | None = None) -> int:
        with self._lock:
            if kind is None:
                row = self._conn.execute("SELECT count(*) FROM records").fetchone()
            else:
                row = self._conn.execute(
                    "SELECT count(*) FROM records WHERE kind = ?", (str(kind),)
                ).fetchone()
        return int(row[0])

    def records(self, kind: str | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM records"
        args: tuple[str, ...] = ()
        if kind is not None:
            sql += " WHERE kind = ?"
            args = (str(kind),)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY seq", args).fetchall()
        out = []
        for row in rows:
            record = dict(zip(_COLUMNS, row, strict=True))
            record["payload"] = json.loads(record["payload"])
            out.append(record)
        return out

    def by_kind(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT kind, count(*) FROM records GROUP BY kind").fetchall()
        counts = {str(k): 0 for k in RecordKind}
        counts.update({kind: int(n) for kind, n in rows})
        return counts

    def add_items(self, resource: str, items: Sequence[Mapping[str, Any]]) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT INTO pull_items (resource, item) VALUES (?, ?)",
                [(resource, json.dumps(dict(item), ensure_ascii=False)) for item in items],
            )
            self._conn.execute("COMMIT")

    def page(self, resource: str, after: int, limit: int) -> tuple[list[Any], int | None]:
        """Items after position ``after``; the position to continue from, or None at the end."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, item FROM pull_items WHERE resource = ? AND seq > ? ORDER BY seq LIMIT ?",
                (resource, after, limit + 1),
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        items = [json.loads(item) for _, item in rows]
        return items, (rows[-1][0] if more else None)
