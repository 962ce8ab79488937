"""The exchange contract in code: paths, limits and wire encoding shared by the client and the
reference platform. The authoritative text is ``resources/platform/openapi.yaml``; a unit test
keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from hallclient.domain.outbox import OutboxRecord, RecordKind

API_PREFIX = "/api/v1"
BATCH_PATH = f"{API_PREFIX}/records:batch"
HEALTH_PATH = f"{API_PREFIX}/health"
STATS_PATH = f"{API_PREFIX}/stats"
PULL_RESOURCES = ("catalogue", "calendar", "staff")

MAX_BATCH = 500
MAX_BODY_BYTES = 16 * 1024 * 1024
OPERATIONS = ("I", "U", "D")
ANSWERS = ("accepted", "duplicate", "rejected")

# Fields a record of each kind must carry (a subset of the columns in openapi.yaml). The reference
# platform rejects a record without them; real platforms have their own, stricter lists.
REQUIRED_FIELDS: Mapping[RecordKind, tuple[str, ...]] = {
    RecordKind.CASE_ACCEPT: ("project_no", "task_code", "task_name", "applyer_name", "accept_date"),
    RecordKind.CASE_PROCESS: ("project_no", "process_name", "event_name", "event_start_time"),
    RecordKind.CASE_RESULT: ("project_no", "result_date", "result_type"),
    RecordKind.CASE_MATERIAL: ("project_no", "material_name"),
    RecordKind.NOTICE: ("notice_no", "task_code", "task_name", "notice_date", "materials"),
    RecordKind.REVIEW: ("review_no", "eval_process", "level", "evaluated_at"),
    RecordKind.INQUIRY: ("inquiry_no", "channel", "action", "inquiry_date"),
    RecordKind.INSPECTION: ("inspection_no", "inspection_date", "checkpoints"),
    RecordKind.RECTIFICATION: ("rectification_no", "review_no", "status", "updated_at"),
}


def rfc3339(moment: dt.datetime) -> str:
    """UTC, millisecond precision, ``Z`` suffix. A naive datetime is a bug: the Clock port is aware."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime on the wire; the clock must give aware UTC datetimes")
    text = moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_rfc3339(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without a UTC offset: {text!r}")
    return moment.astimezone(dt.UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return rfc3339(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot put a {type(value).__name__} on the wire")


def dumps(document: Any) -> bytes:
    """JSON as UTF-8 with Chinese kept readable; datetimes as RFC 3339."""
    text = json.dumps(
        document, ensure_ascii=False, default=_json_default, separators=(",", ":"), allow_nan=False
    )
    return text.encode()


def record_to_wire(record: OutboxRecord, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One record as the batch body carries it; ``payload`` replaces the record's (after code mapping)."""
    return {
        "id": record.record_id,
        "kind": str(record.kind),
        "operation": record.operation,
        "version": record.version,
        "device_time": rfc3339(record.created_at),
        "ordering_key": record.ordering_key,
        "payload": dict(record.payload if payload is None else payload),
    }
