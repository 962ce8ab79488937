"""What the reference platform checks in one record before it stores it.

A record that fails a check is answered ``rejected`` with the reason below: a short Chinese text
naming the field, never its value (reasons reach logs and screens; values may be personal data).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from hallclient.domain.outbox import RecordKind
from hallclient.sync import contract
from hallclient.sync.codes import CODED_FIELDS, REFERENCE_CODES, TABLE_LABELS

_KINDS = frozenset(str(k) for k in RecordKind)
# The reference platform speaks REFERENCE_CODES: it knows the target values, not the internal ones.
_ALLOWED_CODES = {table: {str(v) for v in mapping.values()} for table, mapping in REFERENCE_CODES.items()}


def check_record(record: Mapping[str, Any]) -> str | None:
    """The reason to reject ``record``, or None if it may be stored."""
    try:
        uuid.UUID(str(record.get("id")))
    except ValueError:
        return "记录标识 id 不是 UUID"
    kind = record.get("kind")
    if kind not in _KINDS:
        return "记录类型 kind 无效"
    if record.get("operation") not in contract.OPERATIONS:
        return "同步类型 operation 应为 I、U 或 D"
    version = record.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return "版本号 version 应为正整数"
    try:
        contract.parse_rfc3339(str(record.get("device_time")))
    except ValueError:
        return "设备时间 device_time 不是带时区的 RFC 3339 时间"
    key = record.get("ordering_key")
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        return "排序键 ordering_key 为空或过长"
    payload = record.get("payload")
    if not isinstance(payload, dict):
        return "业务数据 payload 应为对象"
    record_kind = RecordKind(kind)
    missing = [f for f in contract.REQUIRED_FIELDS[record_kind] if payload.get(f) in (None, "", [])]
    if missing:
        return f"缺少必填字段：{', '.join(missing)}"
    for field, table in CODED_FIELDS.get(record_kind, {}).items():
        value = payload.get(field)
        if value not in (None, "") and str(value) not in _ALLOWED_CODES.get(table, set()):
            return f"字段 {field} 的代码不在「{TABLE_LABELS.get(table, table)}」代码表中"
    return None
