"""An in-memory outbox behind the OutboxRepository port, inside a unit of work with real
commit/rollback semantics (changes are staged and applied only on commit).

Faithful to the port's promises, so that the sync engine's tests mean something:
- ``pending`` gives due records oldest first and, per ordering key, nothing after a record that
  is not yet due (waiting for its retry time), parked (rejected) or exported;
- nothing is ever deleted; sent and rejected records stay with their status and reason;
- every mark counts an attempt.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, Self

from hallclient.domain.outbox import (
    HOLDING_STATUSES,
    OutboxCounts,
    OutboxRecord,
    OutboxStatus,
    PendingRecord,
    RecordKind,
)


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    record: OutboxRecord
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    retry_at: dt.datetime | None = None
    last_error: str = ""
    sent_at: dt.datetime | None = None


class FakeOutboxStore:
    """The "database": rows by record id, shared by every unit of work made from one factory."""

    def __init__(self) -> None:
        self.rows: dict[str, OutboxRow] = {}
        self.next_seq = 1
        self.commits = 0
        self.lock = threading.Lock()

    def row(self, record_id: str) -> OutboxRow:
        return self.rows[record_id]

    def by_status(self, status: OutboxStatus) -> list[OutboxRow]:
        return sorted((r for r in self.rows.values() if r.status is status), key=lambda r: r.seq)


class FakeOutbox:
    """OutboxRepository over a private copy of the rows; the unit of work publishes it on commit."""

    def __init__(self, rows: dict[str, OutboxRow], next_seq: int) -> None:
        self.rows = rows
        self.next_seq = next_seq
        self.touched: set[str] = set()

    def add(self, record: OutboxRecord) -> None:
        if record.record_id in self.rows:
            raise ValueError(f"record {record.record_id} is already in the outbox")
        self.rows[record.record_id] = OutboxRow(self.next_seq, record)
        self.touched.add(record.record_id)
        self.next_seq += 1

    def pending(self, limit: int, now: dt.datetime) -> list[PendingRecord]:
        blocked: set[str] = set()
        due: list[PendingRecord] = []
        for row in sorted(self.rows.values(), key=lambda r: r.seq):
            key = row.record.ordering_key
            if row.status in HOLDING_STATUSES:
                blocked.add(key)  # parked or exported: later records of this key wait behind it
                continue
            if row.status is not OutboxStatus.PENDING or key in blocked:
                continue
            if row.retry_at is not None and row.retry_at > now:
                blocked.add(key)  # later records of this key wait behind it
                continue
            due.append(PendingRecord(row.seq, row.record, row.attempts))
            if len(due) >= limit:
                break
        return due

    def _update(self, record_id: str, **changes: Any) -> None:
        row = self.rows[record_id]
        self.rows[record_id] = replace(row, attempts=row.attempts + 1, **changes)
        self.touched.add(record_id)

    def mark_sent(self, record_ids: Sequence[str], at: dt.datetime) -> None:
        for rid in record_ids:
            self._update(rid, status=OutboxStatus.SENT, sent_at=at, retry_at=None, last_error="")

    def mark_rejected(self, record_id: str, reason: str, at: dt.datetime) -> None:
        self._update(record_id, status=OutboxStatus.REJECTED, last_error=reason, retry_at=None)

    def mark_failed(self, record_ids: Sequence[str], error: str, retry_at: dt.datetime) -> None:
        for rid in record_ids:
            if self.rows[rid].status is not OutboxStatus.PENDING:
                raise ValueError(f"record {rid} is {self.rows[rid].status}, not pending")
            self._update(rid, last_error=error, retry_at=retry_at)

    def retry_rejected(self, record_ids: Sequence[str] | None = None) -> int:
        chosen = [
            rid
            for rid, row in self.rows.items()
            if row.status is OutboxStatus.REJECTED and (record_ids is None or rid in record_ids)
        ]
        for rid in chosen:
            self.rows[rid] = replace(self.rows[rid], status=OutboxStatus.PENDING, retry_at=None)
            self.touched.add(rid)
        return len(chosen)

    def counts(self) -> OutboxCounts:
        pending = [r for r in self.rows.values() if r.status is OutboxStatus.PENDING]
        return OutboxCounts(
            pending=len(pending),
            sent=sum(r.status is OutboxStatus.SENT for r in self.rows.values()),
            rejected=sum(r.status is OutboxStatus.REJECTED for r in self.rows.values()),
            oldest_pending_at=min((r.record.created_at for r in pending), default=None),
            exported=sum(r.status is OutboxStatus.EXPORTED for r in self.rows.values()),
        )

    def exportable(self) -> list[OutboxRecord]:
        blocked: set[str] = set()
        out: list[OutboxRecord] = []
        for row in sorted(self.rows.values(), key=lambda r: r.seq):
            key = row.record.ordering_key
            if row.status in HOLDING_STATUSES:
                blocked.add(key)
            elif row.status is OutboxStatus.PENDING and key not in blocked:
                out.append(row.record)
        return out

    def mark_exported(self, record_ids: Sequence[str]) -> int:
        chosen = [
            rid for rid in record_ids if rid in self.rows and self.rows[rid].status is OutboxStatus.PENDING
        ]
        for rid in chosen:
            self.rows[rid] = replace(self.rows[rid], status=OutboxStatus.EXPORTED, retry_at=None)
            self.touched.add(rid)
        return len(chosen)

    def release_exported(self, record_ids: Sequence[str] | None = None) -> int:
        chosen = [
            rid
            for rid, row in self.rows.items()
            if row.status is OutboxStatus.EXPORTED and (record_ids is None or rid in record_ids)
        ]
        for rid in chosen:
            self.rows[rid] = replace(self.rows[rid], status=OutboxStatus.PENDING)
            self.touched.add(rid)
        return len(chosen)

    def import_records(self, records: Sequence[OutboxRecord]) -> int:
        added = 0
        for record in records:
            if record.record_id not in self.rows:
                self.add(record)
                added += 1
        return added


class FakeUnitOfWork:
    """Only ``outbox`` is real; the other repositories are absent (None) in this fake."""

    staff: Any = None
    queue: Any = None
    catalogue: Any = None
    cases: Any = None
    audit: Any = None

    def __init__(self, store: FakeOutboxStore) -> None:
        self._store = store
        self.outbox: FakeOutbox

    def __enter__(self) -> Self:
        with self._store.lock:
            self.outbox = FakeOutbox(dict(self._store.rows), self._store.next_seq)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        with self._store.lock:
            # Only what this unit of work changed: two units of work touching different rows both win.
            for rid in self.outbox.touched:
                self._store.rows[rid] = self.outbox.rows[rid]
            self._store.next_seq = max(self._store.next_seq, self.outbox.next_seq)
            self._store.commits += 1
            self.outbox = FakeOutbox(dict(self._store.rows), self._store.next_seq)

    def rollback(self) -> None:
        with self._store.lock:
            self.outbox = FakeOutbox(dict(self._store.rows), self._store.next_seq)


class FakeUnitOfWorkFactory:
    def __init__(self, store: FakeOutboxStore | None = None) -> None:
        self.store = store if store is not None else FakeOutboxStore()

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def add(self, *records: OutboxRecord) -> None:
        """Put records in the outbox, as a use case's committed transaction would."""
        with self() as uow:
            for record in records:
                uow.outbox.add(record)
            uow.commit()


# ---- sample records (synthetic people only) ---------------------------------------------------

_SAMPLE_PAYLOADS: dict[RecordKind, dict[str, Any]] = {
    RecordKind.CASE_ACCEPT: {
        "task_code": "11610000MB2D06811W4000117051000",
        "task_name": "食品经营许可（新办）",
        "applyer_type": "person",
        "applyer_name": "测试申请人",
        "applyer_page_type": "111",
        "applyer_page_code": "11010519491231002X",  # the GB 11643 sample number, not a person
        "accept_date": "2026-03-02T09:15:00.000Z",
        "promise_date": "2026-03-16",
        "handle_user_name": "测试窗口人员",
        "org_name": "测试政务服务中心",
    },
    RecordKind.CASE_PROCESS: {
        "process_name": "受理",
        "event_name": "accept",
        "event_start_time": "2026-03-02T09:15:00.000Z",
        "handle_user_name": "测试窗口人员",
    },
    RecordKind.CASE_RESULT: {"result_date": "2026-03-05T10:00:00.000Z", "result_type": "issued"},
    RecordKind.REVIEW: {"eval_process": 1, "level": 5, "evaluated_at": "2026-03-02T09:20:00.000Z"},
}


def sample_record(
    kind: RecordKind = RecordKind.CASE_ACCEPT,
    ordering_key: str = "case-1",
    created_at: dt.datetime | None = None,
    **payload: Any,
) -> OutboxRecord:
    """A record the reference platform accepts (after the reference code mapping) for the kinds
    case.accept, case.process, case.result and review; ``payload`` keywords override or add
    fields (``project_no=None`` removes a required one)."""
    body = {**_SAMPLE_PAYLOADS.get(kind, {}), "project_no": f"TEST-{ordering_key}"}
    if kind is RecordKind.REVIEW:
        body["review_no"] = f"R-{ordering_key}"
    body.update(payload)
    body = {k: v for k, v in body.items() if v is not None}
    return OutboxRecord(
        kind=kind,
        ordering_key=ordering_key,
        payload=body,
        created_at=created_at or dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC),
    )
