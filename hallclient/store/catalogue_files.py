"""Reading catalogue files: the documented JSON, and CSV / XLSX tables through a mapping file.

CSV from Excel on a Chinese Windows is GB18030 ("ANSI"), from other tools UTF-8 with or without a
BOM: ``encoding = "auto"`` tries UTF-8 first and falls back to GB18030. XLSX is read with openpyxl
in read-only mode; codes stored as text there survive intact, which is the main reason to prefer
XLSX over CSV (docs/decisions.md).
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from hallclient.domain.catalogue import CatalogueError, read_catalogue
from hallclient.domain.catalogue_import import (
    CatalogueMapping,
    ImportReport,
    MappingError,
    Row,
    TableMapping,
    import_rows,
    missing_columns,
    parse_mapping,
)

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def read_mapping(path: str | Path) -> CatalogueMapping:
    """A mapping file, TOML (``.toml``) or JSON (``.json``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"无法读取映射文件 {path}：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"映射文件 {path} 不是 UTF-8 编码") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"映射文件 {path} 格式错误：{exc}") from exc
    return parse_mapping(data, source=str(path))


def _decode(raw: bytes, encoding: str, path: Path) -> str:
    if encoding != "auto":
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise CatalogueError(f"{path}：无法按 {encoding} 解码：{exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="strict")


class _Table:
    def __init__(self, header: Sequence[str], rows: Iterator[Row]) -> None:
        self.header = list(header)
        self.rows = rows


def _csv_table(path: Path, spec: TableMapping) -> _Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"无法读取 {path}：{exc.strerror or exc}") from exc
    try:
        text = _decode(raw, spec.encoding, path)
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{path}：既不是 UTF-8 也不是 GB18030 编码，请另存为 UTF-8 CSV") from exc
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter))
    if len(lines) < spec.header_row:
        raise CatalogueError(f"{path}：没有第 {spec.header_row} 行（表头）")
    header = [h.strip() for h in lines[spec.header_row - 1]]

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(lines[spec.header_row :], start=spec.header_row + 1):
            yield number, dict(zip(header, cells, strict=False))

    return _Table(header, rows())


def _xlsx_table(path: Path, spec: TableMapping, sheet: str | None) -> _Table:
    import openpyxl  # only hall IT's import needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise CatalogueError(f"无法读取 Excel 文件 {path}：{exc}") from exc
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise CatalogueError(f"{path}：没有名为「{sheet}」的工作表（有：{'、'.join(book.sheetnames)}）")
        values = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    if len(values) < spec.header_row:
        raise CatalogueError(f"{path} 工作表「{ws.title}」：没有第 {spec.header_row} 行（表头）")
    header = ["" if h is None else str(h).strip() for h in values[spec.header_row - 1]]

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(values[spec.header_row :], start=spec.header_row + 1):
            yield number, {h: _cell(v) for h, v in zip(header, cells, strict=False) if h}

    return _Table(header, rows())


def _cell(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # dates and times: their text is all an item needs


def _open(path: Path, spec: TableMapping, sheet: str | None, what: str) -> _Table:
    table = (
        _xlsx_table(path, spec, sheet)
        if path.suffix.lower() in (".xlsx", ".xlsm")
        else _csv_table(path, spec)
    )
    missing = missing_columns(spec, table.header)
    if missing:
        shown = "、".join(h for h in table.header if h) or "（无）"
        raise MappingError(f"{what} {path} 没有映射文件所列的列：{'、'.join(missing)}。表头为：{shown}")
    return table


def import_file(
    path: str | Path, mapping_path: str | Path | None = None, materials_path: str | Path | None = None
) -> ImportReport:
    """Read a catalogue: JSON in the documented format, or a CSV/XLSX table with a mapping file.

    Raises CatalogueError (MappingError for the mapping) when nothing can be read at all.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json" and mapping_path is None:
        catalogue, errors = read_catalogue(path)
        return ImportReport(
            catalogue=catalogue,
            rows_read=len(catalogue) + len({e.row for e in errors}),
            rejected=tuple(errors),
            items_without_materials=sum(1 for item in catalogue if not item.materials),
        )
    if suffix not in TABLE_SUFFIXES:
        raise CatalogueError(
            f"{path}：不支持的文件类型 {suffix or '（无扩展名）'}，应为 .json、.csv 或 .xlsx"
        )
    if mapping_path is None:
        raise MappingError(
            f"{path} 是表格文件，需要用 --mapping 指定列映射文件（见 docs/catalogue-format.md）"
        )
    mapping = read_mapping(mapping_path)
    items = _open(path, mapping.items, mapping.items.sheet, "事项表")
    material_rows: Iterator[Row] = iter(())
    if mapping.materials is not None:
        spec = mapping.materials
        if materials_path is not None:
            source = Path(materials_path)
        elif suffix in (".xlsx", ".xlsm") and spec.file is None:
            if spec.sheet is None:
                raise MappingError("映射文件 [materials]：Excel 文件需用 sheet 指明材料所在的工作表")
            source = path
        elif spec.file is not None:
            source = Path(mapping_path).parent / spec.file
        else:
            raise MappingError(
                "映射文件 [materials]：CSV 需用 file 指明材料表文件，或在命令行用 --materials 给出"
            )
        material_rows = _open(source, spec, spec.sheet, "材料表").rows
    return import_rows(items.rows, mapping, material_rows)
