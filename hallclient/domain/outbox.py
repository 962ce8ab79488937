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
    RECTIFICATION = "rectification"  # 差评整改 work order, its steps and callbacks


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"
    # Written to a signed transfer file for another machine to deliver (docs/platform-contract.md
    # §10): not pushed from here, still counted, put back to pending by a person.
    EXPORTED = "exported"


# A record in one of these states holds back every later record of its ordering key: a case's later
# records must not reach the platform before its parked or exported earlier record.
HOLDING_STATUSES = (OutboxStatus.REJECTED, OutboxStatus.EXPORTED)


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
    exported: int = 0
