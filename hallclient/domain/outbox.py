"""What goes to the central platform: one record per business change, keyed by a client UUID."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class RecordKind(StrEnum):
    CASE_ACCEPT = "case.accept"
    CASE_PROCESS = "case.process"
    CASE_RESULT = "case.result"
    CASE_MATERIAL = "case.material"
    NOTICE = "notice"
    REVIEW = "review"
    INQUIRY = "inquiry"
    INSPECTION = "inspection"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"


@dataclass(frozen=True)
class OutboxRecord:
    """A record to push. ``ordering_key`` groups records that must arrive in order (one case)."""

    kind: RecordKind
    ordering_key: str
    payload: Mapping[str, Any]
    created_at: dt.datetime
    operation: str = "I"
    version: int = 1
    record_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class PendingRecord:
    seq: int
    record: OutboxRecord
    attempts: int


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    sent: int
    rejected: int
    oldest_pending_at: dt.datetime | None
