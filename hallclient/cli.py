"""The ``hallclient`` command line. Qt is imported only by the subcommands that open windows."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from hallclient import __version__
from hallclient.config import Config, ConfigError, describe, load_config, log_dir

log = logging.getLogger("hallclient")

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hallclient", description="政务服务大厅窗口工作台 (window workstation)")
    p.add_argument("--version", action="version", version=f"hallclient {__version__}")
    p.add_argument("--config", type=Path, help="配置文件路径 (default: user config dir/config.toml)")
    p.add_argument("--db", help="store URL, e.g. sqlite:///path/hall.db or postgresql+psycopg://user@host/db")
    p.add_argument("--window", help="window number of this workstation")
    p.add_argument("--platform-url", help="central platform base URL")
    p.add_argument("-v", "--verbose", action="store_true", help="log to the console too")
    sub = p.add_subparsers(dest="command")

    d = sub.add_parser(
        "demo", help="run one full scripted service cycle and write screenshots, PDFs, summary.json"
    )
    d.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory (emptied first)")
    d.add_argument("--visible", action="store_true", help="show the windows (needs a display)")

    c = sub.add_parser("config", help="configuration")
    csub = c.add_subparsers(dest="action", required=True)
    csub.add_parser("show", help="print the effective configuration (secrets masked)")

    ps = sub.add_parser("platform", help="the reference central platform")
    psub = ps.add_subparsers(dest="action", required=True)
    serve = psub.add_parser("serve", help="serve the reference platform on 127.0.0.1")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", dest="platform_db", type=Path, default=Path("reference-platform.db"))
    serve.add_argument("--faults", default="", help="e.g. error=0.2,drop=0.1,latency_ms=50,reject=0.05")
    serve.add_argument("--token", default=None, help="accept only this bearer token (default: any non-empty)")

    db = sub.add_parser("db", help="store maintenance")
    dbsub = db.add_subparsers(dest="action", required=True)
    dbsub.add_parser("upgrade", help="create or migrate the store to the current schema")

    clerk = sub.add_parser("clerk", help="staff accounts")
    clsub = clerk.add_subparsers(dest="action", required=True)
    add = clsub.add_parser("add", help="add a clerk (password from HALLCLIENT_NEW_PASSWORD or a prompt)")
    add.add_argument("staff_no")
    add.add_argument("name")
    add.add_argument("--role", default="clerk", choices=["clerk", "manager", "trainer", "admin"])

    idc = sub.add_parser("idcard", help="ID card tools for hall IT")
    isub = idc.add_subparsers(dest="action", required=True)
    chk = isub.add_parser("check", help="check ID numbers; exit 0 only if all are valid")
    chk.add_argument("numbers", nargs="+")

    sy = sub.add_parser("sync", help="sync with the central platform")
    ssub = sy.add_subparsers(dest="action", required=True)
    ssub.add_parser("status", help="pending / sent / rejected records")
    ssub.add_parser("run", help="push everything pending now and report")

    cat = sub.add_parser("catalogue", help="the item catalogue")
    catsub = cat.add_subparsers(dest="action", required=True)
    lst = catsub.add_parser("list", help="list the items in the store")
    lst.add_argument("--json", action="store_true")
    return p


def effective_config(args: argparse.Namespace) -> Config:
    cfg = load_config(args.config)
    return cfg.with_overrides(
        {"store.url": args.db, "window.number": args.window, "platform.url": args.platform_url}
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except (ConfigError, CliError) as exc:
        print(f"hallclient: {exc.message}", file=sys.stderr)
        return getattr(exc, "code", EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = getattr(exc, "message", None)
        if message:  # an expected failure with words for people: no traceback
            print(f"hallclient: {message}", file=sys.stderr)
            return EXIT_FAIL
        raise


def dispatch(args: argparse.Namespace) -> int:
    from hallclient.logs import setup_logging

    cmd = args.command
    if cmd == "idcard":
        return cmd_idcard(args)
    if cmd == "platform":
        setup_logging(None, console=True)
        return cmd_platform_serve(args)
    if cmd == "demo":
        return cmd_demo(args)
    cfg = effective_config(args)
    setup_logging(log_dir(), console=args.verbose)
    if cmd == "config":
        for key, value in describe(cfg):
            print(f"{key} = {value}")
        return EXIT_OK
    from hallclient import wiring as wiring_mod

    w = wiring_mod.build(cfg)
    try:
        if cmd == "db":
            print(f"数据库已是最新结构：{cfg.store_url}")
            return EXIT_OK
        if cmd == "clerk":
            password = os.environ.get("HALLCLIENT_NEW_PASSWORD") or getpass.getpass("新密码：")
            clerk_id = w.auth.add_clerk(args.staff_no, args.name, password, role=args.role)
            print(f"已添加工作人员 {args.staff_no} {args.name}（id {clerk_id}）")
            return EXIT_OK
        if cmd == "sync":
            return cmd_sync(w, args)
        if cmd == "catalogue":
            return cmd_catalogue_list(w, args)
        from hallclient.app import run_gui

        return run_gui(w)
    finally:
        w.close()


def cmd_idcard(args: argparse.Namespace) -> int:
    from hallclient.domain.idnumber import IdNumberError, mask_id, parse_id_number

    ok = True
    for text in args.numbers:
        try:
            number = parse_id_number(text)
            print(f"{number.masked()}  有效  出生 {number.birth_date}  性别 {number.sex}")
        except IdNumberError as exc:
            ok = False
            print(f"{mask_id(text)}  无效  {exc.message}")
    return EXIT_OK if ok else EXIT_FAIL


def cmd_platform_serve(args: argparse.Namespace) -> int:
    from hallclient.sync.reference_platform import ReferencePlatform, parse_faults

    try:
        parse_faults(args.faults)
    except ValueError as exc:
        raise CliError(f"--faults 无效：{exc}", EXIT_USAGE) from exc
    platform = ReferencePlatform(
        args.platform_db, host=args.host, port=args.port, faults=args.faults, token=args.token
    )
    print(f"reference platform on http://{args.host}:{args.port} (store {args.platform_db}); Ctrl+C to stop")
    platform.serve_forever()
    return EXIT_OK


def cmd_sync(w: Any, args: argparse.Namespace) -> int:
    engine = w.sync_engine()
    if args.action == "run":
        report = engine.drain()
        print(
            f"已上报 {report.sent} 条，重复 {report.duplicates} 条，被拒 {report.rejected} 条"
            + (f"；错误：{report.error}" if report.error else "")
        )
    with w.uow() as uow:
        counts = uow.outbox.counts()
    print(
        f"待上报 {counts.pending}，已上报 {counts.sent}，被拒 {counts.rejected}"
        + (f"，最早待上报 {counts.oldest_pending_at:%Y-%m-%d %H:%M}" if counts.oldest_pending_at else "")
    )
    return EXIT_OK if counts.pending == 0 and counts.rejected == 0 else EXIT_FAIL


def cmd_catalogue_list(w: Any, args: argparse.Namespace) -> int:
    items = w.catalogue.items
    if args.json:
        from hallclient.store.catalogue_rows import item_to_dict

        print(json.dumps([item_to_dict(i) for i in items], ensure_ascii=False, indent=2))
    else:
        for i in items:
            print(
                f"{i.key}\t{i.name}\t{i.department}\t承诺{i.promised_limit.days}日\t材料{len(i.materials)}项"
            )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    out: Path = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if not args.visible and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hallclient.logs import setup_logging

    setup_logging(out / "logs", console=args.verbose)
    from hallclient.sync.reference_platform import ReferencePlatform

    platform = ReferencePlatform(out / "platform.db", port=0).start()
    try:
        cfg = load_config(args.config if args.config else out / "no-config.toml", env={}).with_overrides(
            {
                "store.url": f"sqlite:///{out / 'hallclient.db'}",
                "platform.url": platform.url,
                "platform.token": "demo-window-1",
                "platform.sync_interval_s": 0.5,
                "devices.card_reader": "simulated",
            }
        )
        from hallclient import wiring as wiring_mod
        from hallclient.app import make_qapp, open_workstation
        from hallclient.ui.demo import run_demo_cycle

        make_qapp()
        w = wiring_mod.build(cfg)
        try:
            summary = run_demo_cycle(w, open_workstation, out, platform)
        finally:
            w.close()
    finally:
        platform.stop()
    print(f"演示完成：截图 {out / 'screens'}，文书 {out / 'documents'}，摘要 {out / 'summary.json'}")
    print(
        json.dumps({k: v for k, v in summary.items() if k not in ("pdfs", "screenshots")}, ensure_ascii=False)
    )
    ok = not summary["errors"] and summary["outbox_synced"] == summary["outbox_created"] > 0
    return EXIT_OK if ok else EXIT_FAIL
