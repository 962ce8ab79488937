"""The column mapping of a catalogue table import (docs/catalogue-format.md, "Import from a table"):
which column is which field, what cell values mean, where the materials are. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hallclient.domain.catalogue import Catalogue, CatalogueError, RowError

MAPPING_FORMAT = "hallclient-catalogue-mapping"
MAPPING_VERSION = 1

Cell = str | int | float | bool | None
Row = tuple[int, Mapping[str, Cell]]  # spreadsheet row number (1-based, as Excel shows it), cells

ITEM_FIELDS = {
    # field: kind
    "task_code": "code",
    "catalog_code": "code",
    "handle_item_code": "code",
    "name": "text",
    "department": "text",
    "department_code": "text",
    "item_type": "text",
    "legal_basis": "list",
    "accept_conditions": "text",
    "statutory_days": "int",
    "statutory_unit": "unit",
    "promised_days": "int",
    "promised_unit": "unit",
    "fee_charged": "bool",
    "fee_basis": "text",
    "place": "text",
    "hours": "text",
    "phone": "text",
    "allows_deferred": "bool",
    "keywords": "list",
}
MATERIAL_FIELDS = {
    "item_code": "code",
    "name": "text",
    "form": "text",
    "originals": "int",
    "copies": "int",
    "necessity": "necessity",
    "deferrable": "bool",
    "e_license_exempt": "bool",
    "source": "text",
    "spec": "text",
    "notes": "text",
}
CHECKS = ("credit_code", "org_code")


class MappingError(CatalogueError):
    """The mapping file cannot be used; the message says which key to fix."""


@dataclass(frozen=True)
class TableMapping:
    """How one table (items or materials) maps to fields."""

    columns: Mapping[str, str]  # field → column title
    defaults: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # field → {cell: value}
    checks: Mapping[str, str] = field(default_factory=dict)  # field → check name
    sheet: str | None = None  # XLSX sheet; None: the first (items) / required (materials in XLSX)
    file: str | None = None  # CSV: the materials file, relative to the mapping file
    header_row: int = 1
    encoding: str = "auto"
    delimiter: str = ","


@dataclass(frozen=True)
class CatalogueMapping:
    items: TableMapping
    materials: TableMapping | None = None
    hall: str = ""


@dataclass(frozen=True)
class ImportReport:
    """What an import found: the catalogue of the good rows, and every row left out and why."""

    catalogue: Catalogue
    rows_read: int
    rejected: tuple[RowError, ...] = ()  # rows (items) left out
    warnings: tuple[RowError, ...] = ()  # rows kept with a value dropped
    material_rows: int = 0
    items_without_materials: int = 0

    @property
    def imported(self) -> int:
        return len(self.catalogue)


# ---- the mapping file --------------------------------------------------------------------------


def parse_mapping(data: Mapping[str, Any], source: str = "mapping") -> CatalogueMapping:
    """Validate a decoded mapping document (TOML or JSON); MappingError names the bad key."""
    if data.get("format") != MAPPING_FORMAT:
        raise MappingError(f"{source}：format 应为 {MAPPING_FORMAT!r}，实际为 {data.get('format')!r}")
    if data.get("version") != MAPPING_VERSION:
        raise MappingError(
            f"{source}：不支持的映射版本 {data.get('version')!r}（本程序支持 {MAPPING_VERSION}）"
        )
    unknown = set(data) - {"format", "version", "hall", "items", "materials"}
    if unknown:
        raise MappingError(f"{source}：未知的键 {sorted(unknown)}")
    items = _table(data.get("items"), ITEM_FIELDS, f"{source} [items]")
    for required in ("task_code", "name"):
        if required not in items.columns:
            raise MappingError(f"{source} [items.columns]：缺少 {required} 对应的列")
    materials = None
    if data.get("materials") is not None:
        materials = _table(data["materials"], MATERIAL_FIELDS, f"{source} [materials]")
        for required in ("item_code", "name"):
            if required not in materials.columns:
                raise MappingError(f"{source} [materials.columns]：缺少 {required} 对应的列")
    hall = data.get("hall", "")
    return CatalogueMapping(items, materials, hall if isinstance(hall, str) else "")


def _table(raw: Any, fields: Mapping[str, str], where: str) -> TableMapping:
    if not isinstance(raw, Mapping):
        raise MappingError(f"{where}：应为一个表")
    unknown = set(raw) - {
        "columns",
        "defaults",
        "values",
        "checks",
        "sheet",
        "file",
        "header_row",
        "encoding",
        "delimiter",
    }
    if unknown:
        raise MappingError(f"{where}：未知的键 {sorted(unknown)}")

    def fields_of(key: str) -> Mapping[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, Mapping):
            raise MappingError(f"{where}.{key}：应为一个表")
        bad = set(value) - set(fields)
        if bad:
            raise MappingError(f"{where}.{key}：未知的字段 {sorted(bad)}（可用：{'、'.join(fields)}）")
        return dict(value)

    columns = fields_of("columns")
    if not all(isinstance(c, str) and c.strip() for c in columns.values()):
        raise MappingError(f"{where}.columns：列名应为非空文本")
    values = fields_of("values")
    if not all(isinstance(v, Mapping) for v in values.values()):
        raise MappingError(f"{where}.values：每个字段应为一个「单元格值 = 字段值」的表")
    checks = fields_of("checks")
    for fld, check in checks.items():
        if check not in CHECKS:
            raise MappingError(f"{where}.checks.{fld}：未知的校验 {check!r}（可用：{'、'.join(CHECKS)}）")
    header_row = raw.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise MappingError(f"{where}.header_row：应为不小于 1 的整数")
    texts = {}
    for key in ("sheet", "file", "encoding", "delimiter"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise MappingError(f"{where}.{key}：应为非空文本")
        texts[key] = value
    delimiter = texts["delimiter"] or ","
    if len(delimiter) != 1:
        raise MappingError(f"{where}.delimiter：应为单个字符")
    return TableMapping(
        columns=columns,
        defaults=fields_of("defaults"),
        values={k: {str(cell): v for cell, v in m.items()} for k, m in values.items()},
        checks=checks,
        sheet=texts["sheet"],
        file=texts["file"],
        header_row=header_row,
        encoding=texts["encoding"] or "auto",
        delimiter=delimiter,
    )


def missing_columns(table: TableMapping, header: Sequence[str]) -> list[str]:
    """Columns the mapping names that the table does not have (the import cannot start)."""
    present = set(header)
    return [column for column in table.columns.values() if column not in present]


# ---- rows → items ------------------------------------------------------------------------------
