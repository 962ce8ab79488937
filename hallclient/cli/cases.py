"""Catalogue and case-document subcommands for hall IT and support.

``catalogue import|list``, ``notice render``, ``bench search`` and ``bench notice``. Catalogue
commands work on the store; ``notice render`` and the benches need no store when given a
catalogue file (``--catalogue``), so a template can be checked on any machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hallclient.cli.base import EXIT_FAIL, EXIT_OK, EXIT_USAGE, CliError, opened_wiring
from hallclient.domain.catalogue import (
    Catalogue,
    CatalogueError,
    Item,
    ItemType,
    Material,
    MaterialForm,
    Necessity,
    TimeLimit,
    TimeUnit,
)


def register(sub: Any, bench: Any) -> None:
    cat = sub.add_parser("catalogue", help="the item catalogue (事项目录)")
    catsub = cat.add_subparsers(dest="action", required=True)
    imp = catsub.add_parser(
        "import",
        help="replace the store's catalogue from a JSON catalogue, or a CSV/XLSX export with a column mapping",
    )
    imp.add_argument("file", type=Path, help=".json (documented format), .csv or .xlsx")
    imp.add_argument("--mapping", type=Path, help="column mapping (TOML or JSON; docs/catalogue-format.md)")
    imp.add_argument("--materials", type=Path, help="CSV of the materials (instead of the mapping's file)")
    imp.add_argument("--dry-run", action="store_true", help="check and report only; the store is not changed")
    imp.set_defaults(handler=cmd_catalogue_import)
    lst = catsub.add_parser("list", help="items with codes, department, time limits and materials with flags")
    lst.add_argument("--json", action="store_true", help="the items in the documented JSON form")
    lst.set_defaults(handler=cmd_catalogue_list)

    case = sub.add_parser("case", help="cases (办件)")
    casesub = case.add_subparsers(dest="action", required=True)
    overdue = casesub.add_parser(
        "overdue",
        help="open cases past their 补正 / 容缺 / notice deadline (all windows: the manager's list)",
    )
    overdue.add_argument("--window-no", dest="only_window", help="only this window's cases")
    overdue.add_argument("--json", action="store_true")
    overdue.set_defaults(handler=cmd_case_overdue)

    notice = sub.add_parser("notice", help="one-time notices (一次性告知书)")
    nsub = notice.add_subparsers(dest="action", required=True)
    render = nsub.add_parser(
        "render", help="render a one-time notice from the catalogue, for support and templates"
    )
    render.add_argument("--item", required=True, help="handle-item, task or catalog code")
    render.add_argument("--missing", nargs="+", default=[], metavar="NAME", help="missing materials")
    render.add_argument(
        "--nonconforming", nargs="+", default=[], metavar="NAME", help="non-conforming materials"
    )
    render.add_argument("--out", type=Path, required=True, help="the PDF to write")
    render.add_argument(
        "--catalogue", type=Path, help="a catalogue JSON file instead of the store's catalogue"
    )
    render.set_defaults(handler=cmd_notice_render)

    bs = bench.add_parser("search", help="item search latency on a 5,000-item catalogue (budget 30 ms)")
    bs.add_argument("--items", type=int, default=5000)
    bs.add_argument("--rounds", type=int, default=20, help="times each query is run")
    bs.add_argument("--catalogue", type=Path, help="search this catalogue file instead of synthetic items")
    bs.add_argument("--json", action="store_true")
    bs.set_defaults(handler=cmd_bench_search)
    bn = bench.add_parser("notice", help="one-time notice PDFs per second and latency (budget 50 ms each)")
    bn.add_argument("--count", type=int, default=200)
    bn.add_argument("--json", action="store_true")
    bn.set_defaults(handler=cmd_bench_notice)


# ---- catalogue ---------------------------------------------------------------------------------


def _limit(limit: TimeLimit | None) -> str:
    if limit is None:
        return "—"
    if limit.days == 0:
        return "即办"
    return f"{limit.days}{'个工作日' if limit.unit is TimeUnit.WORKING_DAY else '日'}"


_NECESSITY = {Necessity.REQUIRED: "必要", Necessity.CONDITIONAL: "情形必要", Necessity.OPTIONAL: "非必要"}


def material_flags(item: Item, mat: Material) -> str:
    flags = [_NECESSITY[mat.necessity], str(mat.form), f"原件{mat.originals} 复印件{mat.copies}"]
    if mat.deferrable and item.allows_deferred:
        flags.append("可容缺")
    if mat.e_license_exempt:
        flags.append("电子证照免提交")
    flags.append(str(mat.source))
    return "，".join(flags)


def cmd_catalogue_list(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        items = w.setup.catalogue()
    if args.json:
        from hallclient.store.catalogue_rows import item_to_dict

        print(json.dumps([item_to_dict(i) for i in items], ensure_ascii=False, indent=2))
        return EXIT_OK
    for i in items:
        codes = "　".join(f"{label} {code}" for label, code in _codes(i))
        print(f"{i.name}　{codes}")
        print(f"  实施主体 {i.department}　承诺时限 {_limit(i.promised_limit)}　法定时限 {_limit(i.statutory_limit)}"
              + ("　可容缺受理" if i.allows_deferred else ""))  # fmt: skip
        for n, mat in enumerate(i.materials, start=1):
            print(f"  {n}. {mat.name}（{material_flags(i, mat)}）")
    print(f"共 {len(items)} 项")
    return EXIT_OK


def _codes(item: Item) -> list[tuple[str, str]]:
    pairs = [
        ("业务办理项编码", item.handle_item_code),
        ("实施编码", item.task_code),
        ("基本编码", item.catalog_code),
    ]
    return [(label, code) for label, code in pairs if code]


def cmd_catalogue_import(args: argparse.Namespace) -> int:
    from hallclient.domain.catalogue_import import group_problems
    from hallclient.store.catalogue_files import import_file

    try:
        report = import_file(args.file, args.mapping, args.materials)
    except CatalogueError as exc:  # MappingError too: nothing could be read
        raise CliError(str(exc), EXIT_USAGE) from exc
    print(f"读取 {report.rows_read} 项，可导入 {report.imported} 项，拒绝 {len(report.rejected)} 条"
          + (f"；读取材料 {report.material_rows} 行" if report.material_rows else ""))  # fmt: skip
    if report.rejected:
        print("被拒绝的行及原因：")
        for line in group_problems(report.rejected):
            print(f"  {line}")
    if report.warnings:
        print("已导入但忽略了无效值的行：")
        for line in group_problems(report.warnings):
            print(f"  {line}")
    if report.items_without_materials:
        print(f"提示：{report.items_without_materials} 项没有申请材料清单，受理时无法核验材料")
    if report.imported == 0:
        print("没有可导入的事项，目录未改变", file=sys.stderr)
        return EXIT_FAIL
    if args.dry_run:
        print("试运行：未写入数据库")
    else:
        with opened_wiring(args) as w:
            n = w.setup.load_catalogue(list(report.catalogue.items))
        print(f"已导入 {n} 项，替换了原有目录；正在运行的窗口客户端重启后生效")
    return EXIT_FAIL if report.rejected else EXIT_OK


# ---- cases -------------------------------------------------------------------------------------


def cmd_case_overdue(args: argparse.Namespace) -> int:
    from hallclient.domain.cases import CASE_STATUS_LABELS, CaseStatus

    with opened_wiring(args) as w:
        window_id = None
        if args.only_window:
            with w.uow() as uow:
                window = uow.staff.window_by_number(args.only_window)
            if window is None:
                raise CliError(f"没有编号为 {args.only_window} 的窗口", EXIT_USAGE)
            window_id = window.id
        rows = w.cases.overdue(window_id)
    if args.json:
        print(json.dumps([
            {"case_no": r.case_no, "status": r.status, "item": r.item_name, "applicant": r.applicant_name,
             "deadline": r.deadline_date.isoformat() if r.deadline_date else None, "window": r.window_no,
             "clerk": r.clerk_name}
            for r in rows
        ], ensure_ascii=False, indent=2))  # fmt: skip
        return EXIT_OK
    for r in rows:
        status = CASE_STATUS_LABELS[CaseStatus(r.status)]
        print(
            f"{r.case_no}　{status}　期限 {r.deadline_date}　{r.window_no}号窗口 {r.clerk_name}　{r.item_name}　{r.applicant_name}"
        )
    print(f"逾期办件 {len(rows)} 件")
    return EXIT_OK


# ---- notice render -----------------------------------------------------------------------------

_SAMPLE_HALL = ("（大厅名称）", "（大厅地址）", "（咨询电话）")


def _catalogue_for(args: argparse.Namespace) -> tuple[Catalogue, tuple[str, str, str], str]:
    """The catalogue, the hall (name, address, phone) and its time zone: from a file, or the store."""
    if args.catalogue is not None:
        from hallclient.domain.catalogue import read_catalogue

        try:
            catalogue, _errors = read_catalogue(args.catalogue)
        except CatalogueError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        return catalogue, (catalogue.hall or _SAMPLE_HALL[0], *_SAMPLE_HALL[1:]), "Asia/Shanghai"
    with opened_wiring(args) as w:
        h = w.hall
        return Catalogue(w.setup.catalogue()), (h.name, h.address, h.phone), h.timezone


def notice_pdf(
    item: Item,
    missing: Sequence[str],
    nonconforming: Sequence[str],
    hall: tuple[str, str, str],
    timezone: str,
    now: dt.datetime,
    supplement_days: int = 20,
    watermark: str | None = "样本",
) -> bytes:
    """A one-time notice through the same path as the case service (decide → gaps → document data)."""
    from hallclient.domain.cases import MaterialCheck, MaterialStatus, decide
    from hallclient.domain.workdays import add_working_days
    from hallclient.printouts import PdfDocumentRenderer
    from hallclient.services.auth import ClerkSession
    from hallclient.services.case_documents import DocumentContext, Party, document_data, gap_lines
    from hallclient.services.ports import HallInfo

    status = {name: MaterialStatus.MISSING for name in missing} | {
        name: MaterialStatus.NONCONFORMING for name in nonconforming
    }
    checks = [MaterialCheck(m.name, status.get(m.name, MaterialStatus.PRESENT)) for m in item.materials]
    result = decide(item, checks)
    today = now.astimezone(dt.UTC).date()
    session = ClerkSession(0, "0000", "（经办人）", "clerk", 0, "（窗口）", ())
    party = Party("person", "（申请人）", "111", "", "", "")
    ctx = DocumentContext(
        HallInfo("", *hall, timezone), session, item, party, "（办件编号）", now, now, timezone, watermark
    )
    deadline = add_working_days(today, supplement_days)
    data = document_data(
        ctx,
        "（文书编号）",
        gap_lines(item, result.gaps),
        deadline_days=supplement_days,
        deadline_date=deadline,
        copies=1,
    )
    return PdfDocumentRenderer().render("one_time_notice", data)


def cmd_notice_render(args: argparse.Namespace) -> int:
    if not (args.missing or args.nonconforming):
        raise CliError("请用 --missing 或 --nonconforming 至少给出一项材料", EXIT_USAGE)
    catalogue, hall, tz = _catalogue_for(args)
    item = catalogue.get(args.item)
    if item is None:
        near = "、".join(f"{i.name}（{i.key}）" for i in catalogue.search(args.item, limit=3))
        raise CliError(
            f"目录中没有编码为 {args.item} 的事项" + (f"；相近的有：{near}" if near else ""), EXIT_USAGE
        )
    names = {m.name for m in item.materials}
    unknown = [n for n in (*args.missing, *args.nonconforming) if n not in names]
    if unknown:
        raise CliError(
            f"事项「{item.name}」没有材料：{'、'.join(unknown)}。该事项的材料为：{'、'.join(m.name for m in item.materials)}",
            EXIT_USAGE,
        )
    pdf = notice_pdf(item, args.missing, args.nonconforming, hall, tz, dt.datetime.now(dt.UTC))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pdf)
    print(f"已生成一次性告知书：{args.out}（{len(pdf)} 字节）")
    return EXIT_OK


# ---- benches -----------------------------------------------------------------------------------

_SUBJECTS = (
    "食品经营", "药品零售", "公共场所卫生", "建筑工程施工", "城镇污水排入排水管网", "户外广告设施设置", "医疗机构执业",
    "道路运输经营", "出版物零售", "娱乐场所经营", "燃气经营", "特种设备使用", "养老机构设立", "民办学校办学",
    "人力资源服务", "劳务派遣经营", "危险化学品经营", "烟草专卖零售", "酒类商品零售", "网络预约出租汽车经营",
    "城市道路占用挖掘", "临时占用林地", "取水", "河道管理范围内建设项目", "生产建设项目水土保持方案", "动物防疫条件",
    "兽药经营", "农药经营", "种子生产经营", "渔业捕捞", "文物保护单位修缮", "营业性演出", "互联网上网服务营业场所",
    "旅行社设立", "机动车维修经营", "放射诊疗", "母婴保健技术服务", "饮用水供水单位卫生", "消毒产品生产企业卫生",
    "校外培训机构",
)  # fmt: skip
_ACTIONS = ("许可（新办）", "许可（延续）", "许可（变更）", "许可（注销）", "许可证补办", "备案", "登记", "审批",
            "核准", "年度报告", "证明开具", "信息查询", "资格认定")  # fmt: skip
_PREFIXES = (
    "",
    "个体工商户",
    "企业",
    "农民专业合作社",
    "外商投资企业",
    "分支机构",
    "事业单位",
    "社会团体",
    "民办非企业单位",
    "跨区域",
)
_DEPARTMENTS = ("区市场监督管理局", "区卫生健康局", "区住房和城乡建设局", "区交通运输局", "区农业农村局", "区文化和旅游局",
                "区水务局", "区教育局", "区人力资源和社会保障局", "区民政局")  # fmt: skip


def synthetic_catalogue(n: int) -> Catalogue:
    """``n`` distinct items named like a district's real catalogue, with national-form codes."""
    items = []
    for index in range(n):
        subject = _SUBJECTS[index % len(_SUBJECTS)]
        action = _ACTIONS[(index // len(_SUBJECTS)) % len(_ACTIONS)]
        prefix = _PREFIXES[(index // (len(_SUBJECTS) * len(_ACTIONS))) % len(_PREFIXES)]
        catalog = f"{index:012d}"
        items.append(
            Item(
                task_code=f"11610199MB16{index % 9999:04d}XF4{catalog}{index // 100_000}",
                catalog_code=catalog,
                name=f"{prefix}{subject}{action}" + (f"（{index // 5200 + 1}）" if index >= 5200 else ""),
                department=_DEPARTMENTS[index % len(_DEPARTMENTS)],
                item_type=ItemType.LICENSING,
                promised_limit=TimeLimit(10, TimeUnit.WORKING_DAY),
                materials=(Material("申请书", MaterialForm.PAPER, 1, 0, Necessity.REQUIRED),),
                keywords=("开店",) if index % 7 == 0 else (),
            )
        )
    return Catalogue(items)


def _percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _queries(catalogue: Catalogue) -> list[str]:
    names = [i.name for i in catalogue.items]
    sample = names[len(names) // 3]
    code = catalogue.items[len(names) // 2].task_code
    return [
        "食品", "食品经营许可", "许可 变更", "卫生", "spjy", "yyzz", "gcs", "xk", "开店", "区民政局 备案",
        sample, sample[:3], code, code[:10], code[12:20], "a", "s", "变更", "（延续）", "特种设备使用登记",
    ]  # fmt: skip


def _measure(fn: Callable[[], Any], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def cmd_bench_search(args: argparse.Namespace) -> int:
    if args.catalogue is not None:
        from hallclient.domain.catalogue import read_catalogue

        catalogue, _ = read_catalogue(args.catalogue)
    else:
        catalogue = synthetic_catalogue(args.items)
    start = time.perf_counter()
    catalogue.warm_up()
    index_ms = (time.perf_counter() - start) * 1000
    queries = _queries(catalogue)
    samples: list[float] = []
    cpu_start = time.process_time()
    for query in queries:
        samples += _measure(lambda q=query: catalogue.search(q, limit=30), args.rounds)
    cpu = time.process_time() - cpu_start
    p50, p99 = _percentiles(samples)
    figures = {
        "items": len(catalogue),
        "queries": len(queries),
        "searches": len(samples),
        "search_ms_p50": round(p50, 3),
        "search_ms_p99": round(p99, 3),
        "search_ms_max": round(max(samples) * 1000, 3),
        # CPU time per search: the figure on an idle machine (wall time includes waiting for a core).
        "search_cpu_ms_mean": round(cpu / len(samples) * 1000, 3),
        "index_build_ms": round(index_ms, 1),
        "budget_ms": 30,
        "within_budget": p99 <= 30,
    }
    _print(figures, args.json, "catalogue search")
    return EXIT_OK


def cmd_bench_notice(args: argparse.Namespace) -> int:
    import resources
    from hallclient.domain.catalogue import load_catalogue

    catalogue = load_catalogue(resources.path("catalogue", "items.json"))
    item = max(catalogue.items, key=lambda i: len(i.materials))
    missing = [m.name for m in item.materials[: max(1, len(item.materials) // 2)]]
    hall = ("西安市示例区政务服务中心", "西安市示例区政务服务中心一楼大厅", "029-12345678")
    now = dt.datetime.now(dt.UTC)

    def one() -> bytes:
        return notice_pdf(item, missing, [], hall, "Asia/Shanghai", now, watermark=None)

    one()  # font registration: once per process
    total_start, cpu_start = time.perf_counter(), time.process_time()
    samples = _measure(one, args.count)
    total, cpu = time.perf_counter() - total_start, time.process_time() - cpu_start
    p50, p99 = _percentiles(samples)
    figures = {
        "notices": args.count,
        "materials_per_notice": len(missing),
        "notices_per_s": round(args.count / total, 1),
        "notice_ms_p50": round(p50, 2),
        "notice_ms_p99": round(p99, 2),
        # CPU time per notice: what the figure would be on an idle machine (wall time includes waiting).
        "notice_cpu_ms_mean": round(cpu / args.count * 1000, 2),
        "budget_ms": 50,
        "within_budget": p99 <= 50,
    }
    _print(figures, args.json, "one-time notice")
    return EXIT_OK


def _print(figures: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(title)
        for key, value in figures.items():
            print(f"  {key}: {value}")
