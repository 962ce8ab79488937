"""Transfer files: pending outbox records carried to another machine as a last resort.

Layout (docs/platform-contract.md §10)::

    HALLCLIENT-OUTBOX-TRANSFER 1\\n
    {"key_id": "<16 hex>", "hmac_sha256": "<64 hex>"}\\n
    <body: JSON, UTF-8>

The body holds the records exactly as the batch push carries them (record ids kept, internal code
values, not yet mapped) plus where and when they were exported. ``hmac_sha256`` is HMAC-SHA256 of
the body bytes under the hall's transfer key (kept in the secret store like the token); the
key id tells a file of another hall or installation from a file that was changed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.sync import contract

MAGIC = b"HALLCLIENT-OUTBOX-TRANSFER 1\n"
KEY_BYTES = 32
_RECORD_FIELDS = ("id", "kind", "operation", "version", "device_time", "ordering_key", "payload")


class TransferError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transfer:
    records: tuple[OutboxRecord, ...]
    exported_at: dt.datetime
    origin: Mapping[str, str]


def new_key() -> str:
    """A fresh transfer key as text (base64 of 32 random bytes), for `sync key generate`."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise TransferError("导出签名密钥格式无效（应为 base64 文本）") from None
    if len(key) < KEY_BYTES:
        raise TransferError(f"导出签名密钥太短（至少 {KEY_BYTES} 字节）")
    return key


def key_id(key: bytes) -> str:
    """Names a key without revealing it: the same on every machine of the hall."""
    return hashlib.sha256(b"hallclient transfer key id\0" + key).hexdigest()[:16]


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def write_transfer(
    path: Path,
    records: Sequence[OutboxRecord],
    key: bytes,
    *,
    exported_at: dt.datetime,
    origin: Mapping[str, str],
) -> int:
    """Write the file whole or not at all (temporary file, fsync, rename); returns its size in bytes."""
    body = contract.dumps(
        {
            "exported_at": contract.rfc3339(exported_at),
            "origin": dict(origin),
            "count": len(records),
            "records": [contract.record_to_wire(r) for r in records],
        }
    )
    header = contract.dumps({"key_id": key_id(key), "hmac_sha256": _sign(key, body)})
    data = MAGIC + header + b"\n" + body
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial")
    # The records carry personal data: readable by this user only, like any copy of the store.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return len(data)


def read_transfer(path: Path, key: bytes) -> Transfer:
    """Verify and parse a transfer file; TransferError with a message for the person importing."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TransferError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    if not data.startswith(MAGIC):
        raise TransferError("这不是 hallclient 导出的待上报记录文件，已拒绝导入")
    header_line, sep, body = data[len(MAGIC) :].partition(b"\n")
    try:
        header = json.loads(header_line) if sep else None
        file_key_id, mac = str(header["key_id"]), str(header["hmac_sha256"])  # type: ignore[index]
    except (ValueError, TypeError, KeyError):
        raise TransferError("文件头已损坏，无法校验签名，已拒绝导入") from None
    if not hmac.compare_digest(file_key_id, key_id(key)):
        raise TransferError(
            "该文件不是用本大厅的导出签名密钥签名的（来自其他大厅或其他安装），已拒绝导入；"
            "请确认两台电脑配置了同一个密钥（hallclient sync key show）"
        )
    if not hmac.compare_digest(mac, _sign(key, body)):
        raise TransferError("文件签名校验失败：文件在导出后被改动或已损坏，已拒绝导入")
    try:
        document = json.loads(body)
        records = tuple(_record(item) for item in document["records"])
        exported_at = contract.parse_rfc3339(str(document["exported_at"]))
        origin = {str(k): str(v) for k, v in dict(document.get("origin") or {}).items()}
    except (ValueError, TypeError, KeyError):
        # Signed by a key of this hall, yet not readable: a version mismatch, not tampering.
        raise TransferError("文件内容格式不受支持（可能来自不同版本的 hallclient），已拒绝导入") from None
    if len(records) != document.get("count"):
        raise TransferError("文件记录数与文件头不符，已拒绝导入")
    return Transfer(records, exported_at, origin)


def _record(item: Any) -> OutboxRecord:
    if not isinstance(item, dict) or any(f not in item for f in _RECORD_FIELDS):
        raise ValueError("record fields missing")
    if not isinstance(item["payload"], dict):
        raise ValueError("payload is not an object")
    record_id = str(item["id"])
    uuid.UUID(record_id)  # kept as written: the id is the platform's idempotency key
    return OutboxRecord(
        kind=RecordKind(item["kind"]),
        ordering_key=str(item["ordering_key"]),
        payload=item["payload"],
        created_at=contract.parse_rfc3339(str(item["device_time"])),
        operation=str(item["operation"]),
        version=int(item["version"]),
        record_id=record_id,
    )
