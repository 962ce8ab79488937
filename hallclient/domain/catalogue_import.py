"""Catalogue import from tables (CSV / XLSX exports) through a column mapping.

Halls get their item list as a spreadsheet exported from the provincial system, with their own
column titles and code values. A mapping file (docs/catalogue-format.md, "Import from a table")
says which column is which field, what the cell values mean, and where the materials are: a
second table keyed by the item code, one row per material. Each row becomes an item in the
documented JSON form and goes through the same checks as a catalogue file, so a table can never
load an item that the JSON format would refuse. Bad rows are left out and reported; the others
load.

Pure: rows arrive as ``(row number, {column: cell})`` from a reader (store/catalogue_files.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from hallclient.domain.catalogue import (
    FORMAT_NAME,
    FORMAT_VERSION,
    RowError,
    parse_catalogue,
)
from hallclient.domain.catalogue_mapping import (  # noqa: F401 - re-exported: the import's public names
    CHECKS,
    ITEM_FIELDS,
    MAPPING_FORMAT,
    MAPPING_VERSION,
    MATERIAL_FIELDS,
    CatalogueMapping,
    Cell,
    ImportReport,
    MappingError,
    Row,
    TableMapping,
    missing_columns,
    parse_mapping,
)
from hallclient.domain.creditcode import CreditCodeError, parse_credit_code, parse_org_code

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "可"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "不可", ""}
_UNITS = {
    "working_day": "working_day",
    "工作日": "working_day",
    "个工作日": "working_day",
    "natural_day": "natural_day",
    "自然日": "natural_day",
    "日": "natural_day",
    "天": "natural_day",
}
_NECESSITY = {
    "required": "required",
    "必要": "required",
    "必需": "required",
    "必须": "required",
    "必交": "required",
    "是": "required",
    "conditional": "conditional",
    "情形必要": "conditional",
    "容缺": "conditional",
    "optional": "optional",
    "非必要": "optional",
    "选交": "optional",
    "可选": "optional",
    "否": "optional",
}
_LIST_SPLIT = re.compile(r"[;；\n]+")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class _Cells:
    """Reads the mapped fields of one row, collecting problems instead of raising."""

    def __init__(
        self, table: TableMapping, kinds: Mapping[str, str], row: int, cells: Mapping[str, Cell]
    ) -> None:
        self.table, self.kinds, self.row, self.cells = table, kinds, row, cells
        self.errors: list[tuple[str, str]] = []  # (field, reason): the row is rejected
        self.warnings: list[tuple[str, str]] = []  # (field, reason): the value is dropped

    def raw(self, fld: str) -> Cell:
        column = self.table.columns.get(fld)
        value: Cell = self.cells.get(column) if column else None
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            return self.table.defaults.get(fld)
        mapped = self.table.values.get(fld)
        if mapped is not None:
            key = str(value)
            if key in mapped:
                return mapped[key]
            if isinstance(value, float) and value.is_integer() and str(int(value)) in mapped:
                return mapped[str(int(value))]
        return value

    def get(self, fld: str) -> Any:
        value = self.raw(fld)
        if value is None:
            return None
        converter = _CONVERTERS[self.kinds[fld]]
        try:
            result = converter(value)
        except ValueError as exc:
            self.errors.append((fld, f"{exc}（单元格值 {value!r}）"))
            return None
        check = self.table.checks.get(fld)
        if check and result:
            try:
                _CHECKERS[check](str(result))
            except CreditCodeError as exc:
                self.warnings.append((fld, f"{exc.args[0]}：{result!r}，已忽略该值"))
                return None
        return result


def _text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code(value: Cell) -> str:
    if isinstance(value, bool):
        raise ValueError("编码应为文本")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        raise ValueError("编码被存成了数字，已丢失精度：请把该列设为文本格式后重新导出")
    text = str(value).strip()
    if _SCIENTIFIC.match(text):
        raise ValueError("编码被 Excel 改写成了科学计数法：请把该列设为文本格式后重新导出")
    return text


def _int(value: Cell) -> int:
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    raise ValueError("应为不小于 0 的整数")


def _bool(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("应为 是/否")


def _choice(table: Mapping[str, str], label: str) -> Callable[[Cell], str]:
    def convert(value: Cell) -> str:
        text = _text(value)
        found = table.get(text) or table.get(text.casefold())
        if found is None:
            raise ValueError(f"无法识别的{label}")
        return found

    return convert


def _list(value: Cell) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in _LIST_SPLIT.split(_text(value)) if part.strip()]


_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "text": _text,
    "code": _code,
    "int": _int,
    "bool": _bool,
    "unit": _choice(_UNITS, "时限单位"),
    "necessity": _choice(_NECESSITY, "必要性"),
    "list": _list,
}


def _org_code(text: str) -> str:
    """A 统一社会信用代码, or the 组织机构代码 that older exports still carry."""
    compact = text.replace("-", "").strip()
    if len(compact) == 9:
        return parse_org_code(text)
    if len(compact) == 18:
        return parse_credit_code(text)
    raise CreditCodeError(f"不是统一社会信用代码（18位）或组织机构代码（9位），而是 {len(compact)} 位")


_CHECKERS: Mapping[str, Callable[[str], str]] = {"credit_code": parse_credit_code, "org_code": _org_code}


def _item_dict(c: _Cells) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for fld in ("task_code", "catalog_code", "handle_item_code", "name", "department", "department_code",
                "item_type", "accept_conditions", "place", "hours", "phone", "legal_basis", "keywords",
                "allows_deferred"):  # fmt: skip
        value = c.get(fld)
        if value is not None:
            data[fld] = value
    for prefix in ("statutory", "promised"):
        days, unit = c.get(f"{prefix}_days"), c.get(f"{prefix}_unit")
        if days is not None:  # a unit alone (a default, say) describes no limit
            data[f"{prefix}_limit"] = {"days": days, "unit": unit or "working_day"}
    charged, basis = c.get("fee_charged"), c.get("fee_basis")
    if charged is not None or basis:
        data["fee"] = {"charged": bool(charged), "basis": basis or ""}
    return data


def _material_dict(c: _Cells) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for fld in MATERIAL_FIELDS:
        if fld == "item_code":
            continue
        value = c.get(fld)
        if value is not None:
            data[fld] = value
    return data


def import_rows(
    item_rows: Iterable[Row],
    mapping: CatalogueMapping,
    material_rows: Iterable[Row] = (),
) -> ImportReport:
    """Build a catalogue from table rows; every row left out is in ``rejected`` with its reason."""
    rejected: list[RowError] = []
    warnings: list[RowError] = []

    def report(
        into: list[RowError], row: int, label: str, problems: list[tuple[str, str]], prefix: str = ""
    ) -> None:
        into.extend(RowError(row, label, prefix + fld, reason, unit="行") for fld, reason in problems)

    # Materials first, grouped by the item code they name, in table order.
    materials: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    material_errors: dict[str, list[RowError]] = defaultdict(list)
    n_materials = 0
    if mapping.materials is not None:
        for row, cells in material_rows:
            if not any(v not in (None, "") for v in cells.values()):
                continue
            n_materials += 1
            c = _Cells(mapping.materials, MATERIAL_FIELDS, row, cells)
            code = c.get("item_code")
            label = f"材料表第 {row} 行"
            if not code:
                report(rejected, row, label, [("item_code", "缺少事项编码，无法归属到事项")], "材料.")
                continue
            data = _material_dict(c)
            report(warnings, row, label, c.warnings, "材料.")
            if c.errors:
                errors = [RowError(row, label, "材料." + f, r, unit="行") for f, r in c.errors]
                material_errors[code].extend(errors)
                rejected.extend(errors)
                continue
            materials[code].append((row, data))

    # Items: each row → the documented JSON form, then the catalogue's own checks.
    raw_items: list[dict[str, Any]] = []
    source_rows: list[int] = []
    seen_codes: set[str] = set()
    rows_read = 0
    for row, cells in item_rows:
        if not any(v not in (None, "") for v in cells.values()):
            continue
        rows_read += 1
        c = _Cells(mapping.items, ITEM_FIELDS, row, cells)
        data = _item_dict(c)
        label = str(data.get("name") or f"实施编码 {data.get('task_code', '?')}")
        report(warnings, row, label, c.warnings)
        if c.errors:
            report(rejected, row, label, c.errors)
            continue
        codes = [data.get("handle_item_code"), data.get("task_code")]
        own = [m for code in codes if code for m in materials.get(code, [])]
        broken = [e for code in codes if code for e in material_errors.get(code, [])]
        seen_codes.update(code for code in codes if code)
        if broken:
            rejected.append(
                RowError(
                    row, label, "materials", f"{len(broken)} 条申请材料有错误（见材料表的报告）", unit="行"
                )
            )
            continue
        data["materials"] = [m for _, m in own]
        raw_items.append(data)
        source_rows.append(row)

    for code, rows in materials.items():
        if code not in seen_codes:
            for row, _data in rows:
                rejected.append(
                    RowError(
                        row,
                        f"材料表第 {row} 行",
                        "材料.item_code",
                        f"事项编码 {code} 不在事项表中",
                        unit="行",
                    )
                )

    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "hall": mapping.hall, "items": raw_items}
    catalogue, errors = parse_catalogue(document)
    rejected.extend(RowError(source_rows[e.row - 1], e.item, e.field, e.reason, unit="行") for e in errors)
    rejected.sort(key=lambda e: (e.item.startswith("材料表"), e.row))
    return ImportReport(
        catalogue=catalogue,
        rows_read=rows_read,
        rejected=tuple(rejected),
        warnings=tuple(warnings),
        material_rows=n_materials,
        items_without_materials=sum(1 for item in catalogue if not item.materials),
    )


def group_problems(problems: Sequence[RowError], limit: int = 12) -> list[str]:
    """Readable report lines: identical problems on many rows become one line listing the rows."""
    groups: dict[tuple[str, str], list[RowError]] = defaultdict(list)
    for problem in problems:
        groups[(problem.field, problem.reason)].append(problem)
    lines = []
    for (fld, reason), group in groups.items():
        if len(group) == 1:
            lines.append(str(group[0]))
            continue
        rows = "、".join(str(p.row) for p in group[:limit]) + ("…" if len(group) > limit else "")
        lines.append(f"共 {len(group)} 行（第 {rows} 行）字段 {fld}：{reason}")
    return lines
