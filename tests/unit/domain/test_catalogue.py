from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from stdnum.cn import uscc

from hallclient.domain.catalogue import (
    Catalogue,
    CatalogueError,
    ItemType,
    Necessity,
    TimeUnit,
    load_catalogue,
    parse_catalogue,
    read_catalogue,
)

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "resources" / "catalogue" / "items.json"
SICHUAN_CSV = ROOT.parent / "shared" / "data" / "sichuan_511602_item_codes.csv"
DASHED = "511A0138000000-511602000000-000-115113010833722043-1-00"


def material(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "申请表",
        "form": "纸质",
        "originals": 1,
        "copies": 0,
        "necessity": "required",
    }
    return data | overrides


def item(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "task_code": "11610199MB162718XF4000172001000",
        "name": "个体工商户设立登记",
        "department": "西安市示例区市场监督管理局",
        "item_type": "行政许可",
        "promised_limit": {"days": 1, "unit": "working_day"},
        "materials": [material()],
    }
    return data | overrides


def document(*items: dict[str, Any]) -> dict[str, Any]:
    return {"format": "hallclient-catalogue", "version": 1, "hall": "测试大厅", "items": list(items)}


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    catalogue, errors = read_catalogue(SHIPPED)
    assert errors == []
    return catalogue


# ---- the bundled catalogue ---------------------------------------------------------------------


def test_shipped_catalogue_loads_every_item_without_errors(shipped: Catalogue) -> None:
    assert len(shipped) >= 24
    assert shipped.hall
    assert all(len(item.materials) >= 3 for item in shipped)
    assert sum(len(item.materials) >= 6 for item in shipped) >= 5
    assert all(item.legal_basis and item.accept_conditions and item.place and item.phone for item in shipped)


def test_shipped_catalogue_offers_deferred_acceptance_on_at_least_six_items(shipped: Catalogue) -> None:
    deferred = [item for item in shipped if item.allows_deferred]
    assert len(deferred) >= 6
    assert all(item.deferrable_materials for item in deferred)


def test_every_shipped_deferrable_material_belongs_to_an_item_allowing_deferred(shipped: Catalogue) -> None:
    for item in shipped:
        for m in item.materials:
            if m.deferrable:
                assert item.allows_deferred, f"{item.name}: {m.name}"
                assert m.necessity is not Necessity.OPTIONAL


def test_shipped_codes_have_the_national_shape(shipped: Catalogue) -> None:
    # 实施编码 = 18-char credit code of the department + level digit + 12-char 基本编码 (platform.md §4)
    for item in shipped:
        assert item.catalog_code is not None and len(item.catalog_code) == 12
        assert len(item.task_code) == 31
        assert item.task_code.startswith(item.department_code)
        assert item.task_code.endswith(item.catalog_code)
        assert uscc.is_valid(item.department_code), item.department
        if item.handle_item_code:
            assert len(item.handle_item_code) == 33 and item.handle_item_code.startswith(item.task_code)


def test_the_example_in_the_format_document_parses() -> None:
    text = (ROOT / "docs" / "catalogue-format.md").read_text(encoding="utf-8")
    example = text.split("```json", 1)[1].split("```", 1)[0]
    catalogue, errors = parse_catalogue(json.loads(example))
    assert errors == [] and len(catalogue) == 1
    assert [m.name for m in catalogue.items[0].deferrable_materials] == ["公共场所卫生检测或者评价报告"]


def test_load_catalogue_returns_the_shipped_items() -> None:
    assert len(load_catalogue(SHIPPED)) >= 24


# ---- validation --------------------------------------------------------------------------------


def test_broken_items_are_rejected_with_a_reason_and_the_rest_load() -> None:
    good = item()
    no_name = item(task_code="T-2")
    del no_name["name"]
    bad_necessity = item(task_code="T-3", name="食品经营许可", materials=[material(necessity="must")])
    negative_days = item(
        task_code="T-4", name="公共场所卫生许可", promised_limit={"days": -1, "unit": "working_day"}
    )

    catalogue, errors = parse_catalogue(document(good, no_name, bad_necessity, negative_days))

    assert [i.name for i in catalogue] == ["个体工商户设立登记"]
    by_row = {e.row: e for e in errors}
    assert set(by_row) == {2, 3, 4}
    assert by_row[2].field == "name" and "T-2" in by_row[2].item and "缺少" in by_row[2].reason
    assert by_row[3].field == "materials[0].necessity" and by_row[3].item == "食品经营许可"
    assert "must" in by_row[3].reason and "required" in by_row[3].reason
    assert by_row[4].field == "promised_limit.days" and "-1" in by_row[4].reason
    assert str(by_row[4]).startswith("第 4 项「公共场所卫生许可」字段 promised_limit.days：")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"item_type": "行政审批"}, "item_type"),
        ({"promised_limit": {"days": 5, "unit": "month"}}, "promised_limit.unit"),
        (
            {
                "statutory_limit": {"days": 3, "unit": "working_day"},
                "promised_limit": {"days": 5, "unit": "working_day"},
            },
            "promised_limit",
        ),
        ({"fee": {"charged": True}}, "fee.basis"),
        ({"allows_deferred": "yes"}, "allows_deferred"),
        ({"materials": [material(deferrable=True)]}, "allows_deferred"),
        ({"allows_deferred": True}, "allows_deferred"),
        ({"materials": [material(), material()]}, "materials[1].name"),
        ({"materials": [material(originals=0)]}, "materials[0]"),
        ({"materials": [material(copies=True)]}, "materials[0].copies"),
        ({"materials": [material(necessity="optional", deferrable=True)]}, "materials[0].deferrable"),
        ({"materials": [material(source="网上下载")]}, "materials[0].source"),
        ({"task_code": "1161 0199"}, "task_code"),
        ({"legal_basis": "《行政许可法》"}, "legal_basis"),
    ],
)
def test_each_invalid_field_is_named(overrides: dict[str, Any], field: str) -> None:
    catalogue, errors = parse_catalogue(document(item(**overrides)))
    assert len(catalogue) == 0
    assert field in [e.field for e in errors]


def test_an_electronic_material_may_have_no_paper_copies() -> None:
    catalogue, errors = parse_catalogue(document(item(materials=[material(form="电子", originals=0)])))
    assert errors == [] and len(catalogue) == 1


def test_duplicate_codes_reject_the_later_item() -> None:
    first, second = item(), item(name="另一个事项")
    catalogue, errors = parse_catalogue(document(first, second))
    assert [i.name for i in catalogue] == ["个体工商户设立登记"]
    assert errors[0].row == 2 and errors[0].field == "task_code" and "第 1 项" in errors[0].reason


def test_a_catalogue_cannot_be_built_with_two_items_under_one_key() -> None:
    catalogue, _ = parse_catalogue(document(item()))
    with pytest.raises(ValueError):
        Catalogue([catalogue.items[0], catalogue.items[0]])


def test_load_catalogue_logs_each_rejected_item(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "items.json"
    path.write_text(json.dumps(document(item(), item(task_code="T-2", item_type="?"))), encoding="utf-8")
    assert len(load_catalogue(path)) == 1
    assert "item_type" in caplog.text and "第 2 项" in caplog.text


def test_handle_items_may_share_a_task_code() -> None:
    new = item(name="食品经营许可（新办）", handle_item_code="TASK01", task_code="TASK")
    renew = item(name="食品经营许可（延续）", handle_item_code="TASK03", task_code="TASK")
    catalogue, errors = parse_catalogue(document(new, renew))
    assert errors == [] and len(catalogue) == 2


def test_unknown_document_format_raises() -> None:
    with pytest.raises(CatalogueError, match="format"):
        parse_catalogue({"format": "something-else", "version": 1, "items": []})
    with pytest.raises(CatalogueError, match="版本"):
        parse_catalogue(document() | {"version": 2})


def test_broken_json_raises_catalogue_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text('{"format": "hallclient-catalogue", "items": [', encoding="utf-8")
    with pytest.raises(CatalogueError) as excinfo:
        load_catalogue(path)
    assert str(path) in str(excinfo.value) and "JSON" in str(excinfo.value)


def test_missing_file_raises_catalogue_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(CatalogueError, match="absent.json"):
        load_catalogue(path)


def test_wrong_format_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "x"}), encoding="utf-8")
    with pytest.raises(CatalogueError, match="other.json"):
        read_catalogue(path)


def test_a_broken_item_in_a_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    broken["items"][0]["materials"][0]["necessity"] = "sometimes"
    path = tmp_path / "items.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    catalogue, errors = read_catalogue(path)
    assert len(catalogue) == len(data["items"]) - 1
    assert [e.row for e in errors] == [1]


# ---- lookup ------------------------------------------------------------------------------------


def test_lookup_by_each_code(shipped: Catalogue) -> None:
    new, renew = (i for i in shipped if i.name.startswith("食品经营许可"))
    assert new.handle_item_code and renew.handle_item_code and new.catalog_code
    assert shipped.get(new.handle_item_code) is new
    assert shipped.get(renew.handle_item_code) is renew
    # A task or catalog code shared by several handle items finds the first; get_all finds all.
    assert shipped.get(new.task_code) is new
    assert shipped.get(new.catalog_code) is new
    assert shipped.get_all(new.task_code) == (new, renew)
    single = shipped.items[0]
    assert single.catalog_code
    assert shipped.get(single.task_code) is single
    assert shipped.get(single.catalog_code) is single
    assert shipped.get(single.task_code.lower()) is single
    assert shipped.get("000000000000") is None
    assert shipped.get_all("000000000000") == ()


def test_dashed_sichuan_codes_are_accepted_and_stored_as_given() -> None:
    other = "G-000007-001-511602000000-000-115113010833722043-1-00"
    catalogue, errors = parse_catalogue(
        document(
            item(
                task_code=DASHED,
                name="适龄儿童、少年因身体状况需要延缓入学或者休学审批",
                department="区教科体局",
            ),
            item(
                task_code=other,
                name="中职和本专科建档立卡特别资助项目",
                department="区教科体局",
                item_type="行政给付",
            ),
        )
    )
    assert errors == []
    assert catalogue.items[0].task_code == DASHED
    assert catalogue.get(DASHED.lower()) is catalogue.items[0]
    assert catalogue.get(other) is catalogue.items[1]
    assert catalogue.items[1].item_type is ItemType.BENEFIT
    assert catalogue.search("511A0138")[0] is catalogue.items[0]


# ---- search ------------------------------------------------------------------------------------


def _catalogue(*items: dict[str, Any]) -> Catalogue:
    catalogue, errors = parse_catalogue(document(*items))
    assert errors == []
    return catalogue


def test_search_ranks_exact_code_over_code_prefix_over_name_matches() -> None:
    catalogue = _catalogue(
        item(task_code="X-1", name="编码 ABC123 出现在名称中的事项"),
        item(task_code="ABC1234", name="编码前缀匹配的事项"),
        item(task_code="ABC123", name="编码完全匹配的事项"),
    )
    assert [i.task_code for i in catalogue.search("abc123")] == ["ABC123", "ABC1234", "X-1"]


def test_search_ranks_name_prefix_over_name_substring_over_keywords() -> None:
    catalogue = _catalogue(
        item(task_code="A", name="变更食品经营许可", department="区市场监督管理局"),
        item(task_code="B", name="食品许可证补办", department="区市场监督管理局"),
        item(task_code="C", name="食品经营许可（新办）", department="区市场监督管理局"),
        item(task_code="D", name="公共场所卫生许可", department="区卫生健康局"),
    )
    assert [i.task_code for i in catalogue.search("食品经营")] == ["C", "A"]
    assert [i.task_code for i in catalogue.search("食品")] == ["B", "C", "A"]
    assert [i.task_code for i in catalogue.search("许可 卫生健康")] == ["D"]
    # Keyword matches (here on the department) tie on rank: the shorter name comes first.
    assert [i.task_code for i in catalogue.search("市场监督")] == ["B", "A", "C"]


def test_search_with_several_keywords_needs_all_of_them(shipped: Catalogue) -> None:
    assert [i.name for i in shipped.search("食品 延续")] == ["食品经营许可（延续）"]
    assert [i.name for i in shipped.search("  许可   施工 ")] == ["建筑工程施工许可证核发"]
    assert shipped.search("食品 养老") == []


def test_search_ignores_case_width_and_blank_queries(shipped: Catalogue) -> None:
    code = shipped.items[0].catalog_code
    assert code is not None
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)  # 全角 digits from a Chinese IME
    assert shipped.search(full_width)[0] is shipped.items[0]
    assert shipped.search("   ") == []
    assert len(shipped.search("许可", limit=3)) == 3


# ---- real data ---------------------------------------------------------------------------------

_TASK_TYPES = {
    "1": "行政许可",
    "5": "行政给付",
    "7": "行政确认",
    "8": "行政奖励",
    "9": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
}


@pytest.mark.skipif(not SICHUAN_CSV.exists(), reason=f"reference data {SICHUAN_CSV} is not present")
def test_real_item_names_and_codes_of_a_sichuan_district_parse_and_search() -> None:
    with SICHUAN_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    raw = [
        {
            "task_code": row["implementation_code(itemCode)"],
            "name": row["item_name"],
            "department": row["department"],
            "department_code": row["deptCode"],  # includes truncated 17-char codes: stored, not judged
            "item_type": _TASK_TYPES[row["taskType"]],
            "promised_limit": {"days": 20, "unit": TimeUnit.WORKING_DAY.value},
            "materials": [material(name="申请材料（占位）")],
        }
        for row in rows
    ]
    catalogue, errors = parse_catalogue(document(*raw))

    assert errors == []
    assert len(catalogue) == len(rows) == 1135
    for row in rows:
        code = row["implementation_code(itemCode)"]
        found = catalogue.get(code)
        assert found is not None and found.task_code == code
        hits = catalogue.search(row["item_name"], limit=5)
        assert row["item_name"] in [hit.name for hit in hits]
    assert catalogue.search(DASHED)[0].task_code == DASHED
    by_department = catalogue.search("115113010833722043", limit=2000)
    assert by_department and all("115113010833722043" in i.task_code for i in by_department)
