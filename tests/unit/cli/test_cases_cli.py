"""``hallclient catalogue import|list``, ``notice render`` and the two benches, as hall IT runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import resources
from hallclient.cli import main

DATA = Path(__file__).resolve().parents[2] / "data" / "catalogue"
SICHUAN_CSV = Path(__file__).resolve().parents[4] / "shared" / "data" / "sichuan_511602_item_codes.csv"
FOOD_NEW = "11610199MB162718XF400017201000001"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the CLI's log file
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "config.toml"
    path.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "store.db"}"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str) -> int:
    return main(["--config", str(config), *args])


def test_import_a_csv_with_a_mapping_reports_rejected_rows_and_lists_the_result(config, capsys) -> None:
    assert (
        run(config, "catalogue", "import", str(DATA / "items.csv"), "--mapping", str(DATA / "mapping.toml"))
        == 1
    )
    out = capsys.readouterr().out
    assert "读取 4 项，可导入 2 项" in out
    assert "第 4 行「高龄津贴申领」字段 promised_days" in out
    assert "不在事项表中" in out and "已导入 2 项" in out

    assert run(config, "catalogue", "list") == 0
    listing = capsys.readouterr().out
    assert "食品经营许可（新办）　实施编码 11610199MB162718XF4000172001000" in listing
    assert "承诺时限 10个工作日　法定时限 20个工作日　可容缺受理" in listing
    assert "食品安全管理制度文本（必要，纸质，原件0 复印件1，可容缺，申请人自备）" in listing
    assert "营业执照（必要，纸质，原件1 复印件1，电子证照免提交，政府部门核发）" in listing
    assert listing.rstrip().endswith("共 2 项")

    assert run(config, "catalogue", "list", "--json") == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["name"] for i in items] == ["食品经营许可（新办）", "个体工商户设立登记"]
    assert items[0]["materials"][2]["deferrable"] is True


def test_dry_run_and_unusable_input_leave_the_store_alone(config, capsys, tmp_path) -> None:
    assert run(config, "catalogue", "list") == 0
    shipped = capsys.readouterr().out
    code = run(
        config,
        "catalogue",
        "import",
        str(DATA / "items.csv"),
        "--mapping",
        str(DATA / "mapping.toml"),
        "--dry-run",
    )
    assert code == 1 and "试运行：未写入数据库" in capsys.readouterr().out
    assert run(config, "catalogue", "import", str(DATA / "items.csv")) == 2
    assert "--mapping" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("事项名称,实施编码\n", encoding="utf-8")
    assert run(config, "catalogue", "import", str(empty), "--mapping", str(DATA / "mapping.toml")) == 2
    assert "没有映射文件所列的列" in capsys.readouterr().err
    assert run(config, "catalogue", "list") == 0
    assert capsys.readouterr().out == shipped


def test_import_the_documented_json(config, capsys) -> None:
    assert run(config, "catalogue", "import", str(resources.path("catalogue", "items.json"))) == 0
    assert "拒绝 0 条" in capsys.readouterr().out


@pytest.mark.skipif(not SICHUAN_CSV.exists(), reason=f"reference data {SICHUAN_CSV} is not present")
def test_import_the_real_sichuan_export(config, capsys) -> None:
    code = run(
        config, "catalogue", "import", str(SICHUAN_CSV), "--mapping", str(DATA / "sichuan_mapping.toml")
    )
    out = capsys.readouterr().out
    assert code == 0 and "读取 1135 项，可导入 1135 项，拒绝 0 条" in out
    assert "1151130000877869M" in out  # the truncated department codes are reported
    assert "提示：1135 项没有申请材料清单" in out


def test_notice_render_writes_a_notice_with_every_named_material(config, capsys, tmp_path) -> None:
    out = tmp_path / "notice.pdf"
    code = run(
        config, "notice", "render", "--item", FOOD_NEW, "--missing", "营业执照", "--nonconforming", "食品经营许可申请书",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "营业执照" in text and "食品经营许可申请书" in text and "不符合法定形式" in text


def test_notice_render_from_a_catalogue_file_needs_no_store(tmp_path, capsys) -> None:
    out = tmp_path / "n.pdf"
    catalogue = str(resources.path("catalogue", "items.json"))
    assert (
        main(
            [
                "notice",
                "render",
                "--catalogue",
                catalogue,
                "--item",
                FOOD_NEW,
                "--missing",
                "营业执照",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.exists()


def test_notice_render_refuses_unknown_items_and_materials_with_status_2(config, capsys, tmp_path) -> None:
    out = tmp_path / "x.pdf"
    assert run(config, "notice", "render", "--item", "NO-SUCH-CODE", "--missing", "x", "--out", str(out)) == 2
    assert "目录中没有编码为 NO-SUCH-CODE 的事项" in capsys.readouterr().err
    assert run(config, "notice", "render", "--item", FOOD_NEW, "--missing", "户口本", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "没有材料：户口本" in err and "食品经营许可申请书" in err
    assert run(config, "notice", "render", "--item", FOOD_NEW, "--out", str(out)) == 2
    assert not out.exists()


def test_benches_print_their_figures_as_json(capsys) -> None:
    assert main(["bench", "search", "--json", "--items", "600", "--rounds", "2"]) == 0
    search = json.loads(capsys.readouterr().out)
    assert search["items"] == 600 and search["queries"] == 20
    assert {"search_ms_p50", "search_ms_p99", "index_build_ms"} <= set(search)
    assert main(["bench", "notice", "--json", "--count", "3"]) == 0
    notice = json.loads(capsys.readouterr().out)
    assert {"notices_per_s", "notice_ms_p50", "notice_ms_p99"} <= set(notice)


def test_case_overdue_lists_every_windows_overdue_cases_for_the_manager(config, capsys, tmp_path) -> None:
    import datetime as dt

    from hallclient.config import Config
    from hallclient.domain.cases import MaterialCheck, MaterialStatus
    from hallclient.services.applicants import manual_applicant
    from hallclient.wiring import build
    from tests.fakes.clock import FakeClock

    w = build(
        Config().with_overrides({"store.url": f"sqlite:///{tmp_path / 'store.db'}"}),
        FakeClock(dt.datetime(2020, 1, 6, 2, tzinfo=dt.UTC)),
    )
    try:
        w.auth.add_clerk("1001", "张敏", "Window#2026pass")
        session = w.auth.login("1001", "Window#2026pass", "2", "pc")
        item = w.catalogue.get("11610199MB162734XN4000141001000")
        checks = [
            MaterialCheck(m.name, MaterialStatus.MISSING if i == 4 else MaterialStatus.PRESENT)
            for i, m in enumerate(item.materials)
        ]
        deferred = w.cases.submit(
            session, item, manual_applicant("张三", "11010519491231002X", "", dt.date(2020, 1, 6)), checks
        )
    finally:
        w.close()
    assert run(config, "case", "overdue") == 0
    out = capsys.readouterr().out
    assert deferred.case_no in out and "容缺受理" in out and "2号窗口 张敏" in out and "逾期办件 1 件" in out
    assert run(config, "case", "overdue", "--window-no", "1", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run(config, "case", "overdue", "--window-no", "99") == 2
