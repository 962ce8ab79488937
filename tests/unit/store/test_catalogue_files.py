"""Catalogue import from the documented JSON and from CSV/XLSX exports with a column mapping."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import resources
from hallclient.domain.catalogue import CatalogueError, ItemType, Necessity, TimeUnit
from hallclient.domain.catalogue_import import MappingError, group_problems
from hallclient.store.catalogue_files import import_file

DATA = Path(__file__).resolve().parents[2] / "data" / "catalogue"
SICHUAN_CSV = Path(__file__).resolve().parents[4] / "shared" / "data" / "sichuan_511602_item_codes.csv"


def test_sample_csv_with_a_mapping_loads_good_rows_and_reports_every_bad_one() -> None:
    report = import_file(DATA / "items.csv", DATA / "mapping.toml")
    assert report.rows_read == 4 and report.material_rows == 9
    assert [i.name for i in report.catalogue] == ["食品经营许可（新办）", "个体工商户设立登记"]
    food = report.catalogue.items[0]
    assert food.item_type is ItemType.LICENSING and food.allows_deferred
    assert (food.promised_limit.days, food.promised_limit.unit) == (10, TimeUnit.WORKING_DAY)
    assert food.statutory_limit is not None and food.statutory_limit.days == 20
    assert food.legal_basis == (
        "《中华人民共和国食品安全法》第三十五条",
        "《食品经营许可和备案管理办法》第十条",
    )
    assert food.keywords == ("开饭店", "小餐馆")
    assert [m.name for m in food.materials] == ["食品经营许可申请书", "营业执照", "食品安全管理制度文本"]
    assert food.materials[1].e_license_exempt and food.materials[2].deferrable
    assert report.catalogue.items[1].materials[2].necessity is Necessity.CONDITIONAL

    rejected = {(e.row, e.field): e.reason for e in report.rejected}
    assert "应为不小于 0 的整数" in rejected[(4, "promised_days")]  # 承诺时限 "五"
    assert "申请材料有错误" in rejected[(5, "materials")]  # its 户口簿 has originals "一"
    assert "应为不小于 0 的整数" in rejected[(9, "材料.originals")]
    assert "不在事项表中" in rejected[(10, "材料.item_code")]
    assert all(e.unit == "行" and str(e).startswith(f"第 {e.row} 行") for e in report.rejected)
    # A bad department code is reported and dropped; the item itself is fine.
    assert [(w.row, w.field) for w in report.warnings] == [(4, "department_code"), (5, "department_code")]


def test_a_gb18030_csv_from_excel_reads_like_utf8(tmp_path: Path) -> None:
    for name in ("items.csv", "materials.csv"):
        text = (DATA / name).read_text(encoding="utf-8")
        (tmp_path / name).write_bytes(text.encode("gb18030"))  # Excel's 另存为 CSV on Chinese Windows
    shutil.copy(DATA / "mapping.toml", tmp_path / "mapping.toml")
    report = import_file(tmp_path / "items.csv", tmp_path / "mapping.toml")
    assert report.imported == 2 and report.catalogue.items[0].name == "食品经营许可（新办）"


def test_xlsx_with_items_and_materials_sheets(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    book = openpyxl.Workbook()
    items = book.active
    items.title = "事项"
    with (DATA / "items.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            items.append(row)
    items["I2"] = 20  # a number cell, as Excel stores 法定时限
    materials = book.create_sheet("材料")
    with (DATA / "materials.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            materials.append(row)
    items.append(
        ["按数字存的编码", 1.2345678901234568e30, "", "某局", "", "1", 5, "工作日", "", "否", "", ""]
    )
    book.save(tmp_path / "export.xlsx")
    mapping = (
        (DATA / "mapping.toml")
        .read_text(encoding="utf-8")
        .replace('file = "materials.csv"', 'sheet = "材料"')
        .replace("[items]\n", '[items]\nsheet = "事项"\n')
    )
    (tmp_path / "mapping.toml").write_text(mapping, encoding="utf-8")

    report = import_file(tmp_path / "export.xlsx", tmp_path / "mapping.toml")
    assert [i.name for i in report.catalogue] == ["食品经营许可（新办）", "个体工商户设立登记"]
    assert report.catalogue.items[0].statutory_limit.days == 20
    lost = [e for e in report.rejected if e.row == 6]
    assert lost and "丢失精度" in lost[0].reason


def test_mapping_problems_stop_the_import_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'format = "hallclient-catalogue-mapping"\nversion = 1\n[items.columns]\nname = "事项名称"\n'
    )
    with pytest.raises(MappingError, match="缺少 task_code"):
        import_file(DATA / "items.csv", bad)
    bad.write_text(
        'format = "hallclient-catalogue-mapping"\nversion = 1\n'
        '[items.columns]\nname = "名称"\ntask_code = "实施编码"\n'
    )
    with pytest.raises(MappingError, match="没有映射文件所列的列：名称"):
        import_file(DATA / "items.csv", bad)
    bad.write_text('format = "hallclient-catalogue-mapping"\nversion = 1\n[items.columns]\ncolour = "x"\n')
    with pytest.raises(MappingError, match="未知的字段"):
        import_file(DATA / "items.csv", bad)
    with pytest.raises(MappingError, match="--mapping"):
        import_file(DATA / "items.csv")
    with pytest.raises(CatalogueError, match="不支持的文件类型"):
        import_file(DATA / "mapping.toml", DATA / "mapping.toml")


def test_the_documented_json_imports_without_a_mapping() -> None:
    report = import_file(resources.path("catalogue", "items.json"))
    assert report.imported > 0 and report.rejected == ()


@pytest.mark.skipif(not SICHUAN_CSV.exists(), reason=f"reference data {SICHUAN_CSV} is not present")
def test_the_real_sichuan_export_imports_and_reports_its_dirty_department_codes() -> None:
    report = import_file(SICHUAN_CSV, DATA / "sichuan_mapping.toml")
    assert report.rows_read == 1135 and report.imported == 1135 and report.rejected == ()
    dashed = "511A0138000000-511602000000-000-115113010833722043-1-00"
    item = report.catalogue.get(dashed)
    assert item is not None and item.task_code == dashed  # stored exactly as given
    assert report.catalogue.search(item.name)[0] is item
    truncated = [w for w in report.warnings if "'1151130000877869M'" in w.reason]
    assert truncated and "18位" in truncated[0].reason  # the 17-character codes are reported
    lines = group_problems(report.warnings)
    assert any(line.startswith("共 ") and "1151130000877869M" in line for line in lines)
    assert len(lines) < 30  # grouped by value, readable by hall IT
