"""Code-table mapping: the one place where internal code values become a target system's values.

The same number means different things on different platforms (platform.md §6: result ``1`` is
不予许可 for one vendor and 退回办结 for another), so nothing coded leaves this client unmapped.
Tables come from configuration, one set per target; a value (or a whole table) that the target's
configuration does not know means the record is not sent (``UnmappedCodeError``) and is parked with
a reason the hall IT can act on, instead of reaching the platform with a code that means something
else there.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hallclient.domain.outbox import RecordKind

CodeValue = str | int

# Which payload fields hold a code, and from which table. Payload field names follow the exchange
# tables (openapi.yaml); table names are ours and are the keys of the configuration.
CODED_FIELDS: Mapping[RecordKind, Mapping[str, str]] = {
    RecordKind.CASE_ACCEPT: {
        "applyer_type": "applicant_type",
        "applyer_page_type": "document_type",
        "contact_type": "document_type",
        "project_type": "project_type",
        "apply_type": "apply_type",
    },
    RecordKind.CASE_PROCESS: {"event_name": "process_event"},
    RecordKind.CASE_RESULT: {"result_type": "case_result"},
    RecordKind.NOTICE: {"applyer_page_type": "document_type"},
    RecordKind.REVIEW: {"applyer_page_type": "document_type", "level": "review_level"},
}

# 证件类型 (numbers.md §4, GA/T 517 style): the internal value is the national code itself.
_DOCUMENT_TYPES = [
    "111",
    "112",
    "113",
    "114",
    "115",
    "117",
    "121",
    "123",
    "125",
    "127",
    "128",
    "131",
    "133",
    "211",
    "213",
    "217",
    "219",
    "221",
    "223",
    "225",
    "227",
    "229",
    "231",
    "335",
    "411",
    "412",
    "413",
    "414",
    "417",
    "418",
    "419",
    "420",
    "421",
    "423",
    "511",
    "513",
    "515",
    "516",
    "517",
    "518",
    "551",
    "552",
    "553",
    "554",
    "555",
    "556",
    "557",
    "558",
    "990",
]

# The tables the reference platform speaks. A province's configuration replaces them whole.
REFERENCE_CODES: Mapping[str, Mapping[str, CodeValue]] = {
    "document_type": {code: code for code in _DOCUMENT_TYPES},
    "applicant_type": {"person": "1", "organisation": "2"},
    "project_type": {"immediate": "1", "promised": "2"},  # 即办件 / 承诺件
    "apply_type": {"window": "1", "online": "2", "mail": "3"},
    "process_event": {
        "receive": "SJ",  # 收件
        "accept": "SL",  # 受理
        "defer": "RQ",  # 容缺受理
        "notice": "BZ",  # 一次性告知 / 补正告知
        "supplement": "BQ",  # 补正补齐
        "reject": "BY",  # 不予受理
        "conclude": "BJ",  # 办结
    },
    # One internal outcome enum; the reference platform uses the 电子监察 numbering (platform.md §6).
    "case_result": {
        "issued": "0",  # 出证办结
        "denied": "1",  # 不予许可
        "voided": "2",  # 作废办结
        "deleted": "3",  # 删除办结
        "forwarded": "4",  # 转报办结
        "returned": "5",  # 退件
        "not_accepted": "6",  # 不予受理
    },
    "review_level": {str(level): level for level in range(1, 6)},
}

TABLE_LABELS = {
    "document_type": "证件类型",
    "applicant_type": "申请人类型",
    "project_type": "办件类型",
    "apply_type": "申请方式",
    "process_event": "办理环节",
    "case_result": "办结结果",
    "review_level": "评价等级",
}


class UnmappedCodeError(ValueError):
    """A coded value the target's tables do not map: the record must not be sent."""

    def __init__(self, table: str, field: str, value: object) -> None:
        label = TABLE_LABELS.get(table, table)
        self.message = f"代码表「{label}」没有值「{value}」的对应代码（字段 {field}），记录未发送，请联系大厅IT配置代码表"
        super().__init__(self.message)
        self.table = table
        self.field = field
        self.value = value


class CodeMapper:
    """Maps the coded fields of a payload through per-target tables (``{table: {internal: target}}``)."""

    def __init__(
        self,
        tables: Mapping[str, Mapping[Any, CodeValue]],
        coded_fields: Mapping[RecordKind, Mapping[str, str]] = CODED_FIELDS,
    ) -> None:
        # Keys are compared as text, so that 111 from one config and "111" from another agree.
        self._tables = MappingProxyType(
            {name: MappingProxyType({str(k): v for k, v in table.items()}) for name, table in tables.items()}
        )
        self._fields = coded_fields

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CodeMapper:
        """Build from a configuration dict: ``{"tables": {...}}`` or the tables themselves."""
        tables = config.get("tables", config)
        if not isinstance(tables, Mapping) or not all(isinstance(t, Mapping) for t in tables.values()):
            raise ValueError("code tables must be a mapping of table name to {internal value: target value}")
        return cls(tables)

    @classmethod
    def reference(cls) -> CodeMapper:
        return cls(REFERENCE_CODES)

    def lookup(self, table: str, value: object, field: str = "") -> CodeValue:
        mapping = self._tables.get(table)
        key = str(value)
        if mapping is None or key not in mapping:
            raise UnmappedCodeError(table, field or table, value)
        return mapping[key]

    def map_payload(self, kind: RecordKind, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``payload`` with every coded field mapped; empty values are left alone."""
        mapped = dict(payload)
        for field, table in self._fields.get(kind, {}).items():
            value = payload.get(field)
            if value is None or value == "":
                continue
            mapped[field] = self.lookup(table, value, field)
        return mapped
