"""Core subcommands: the window client, demo, config, db, clerk, platform (idcard: cli/idcard.py).

``sync`` lives in hallclient.cli.sync_cmds."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import shutil
from pathlib import Path
from typing import Any

from hallclient.cli.base import EXIT_FAIL, EXIT_OK, EXIT_USAGE, CliError, effective_config, opened_wiring
from hallclient.config import Config, describe, load_config


def register(sub: Any, bench: Any) -> None:
    d = sub.add_parser(
        "demo", help="run one full scripted service cycle and write screenshots, PDFs, summary.json"
    )
    d.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory (emptied first)")
    d.add_argument("--visible", action="store_true", help="show the windows (needs a display)")
    d.set_defaults(handler=cmd_demo)

    c = sub.add_parser("config", help="configuration")
    csub = c.add_subparsers(dest="action", required=True)
    csub.add_parser("show", help="print the effective configuration (secrets masked)").set_defaults(
        handler=cmd_config_show
    )

    ps = sub.add_parser("platform", help="the reference central platform")
    psub = ps.add_subparsers(dest="action", required=True)
    serve = psub.add_parser("serve", help="serve the reference platform on 127.0.0.1")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", dest="platform_db", type=Path, default=Path("reference-platform.db"))
    serve.add_argument("--faults", default="", help="e.g. error=0.2,drop=0.1,latency_ms=50,reject=0.05")
    serve.add_argument("--token", default=None, help="accept only this bearer token (default: any non-empty)")
    serve.set_defaults(handler=cmd_platform_serve)

    db = sub.add_parser("db", help="store maintenance")
    dbsub = db.add_subparsers(dest="action", required=True)
    dbsub.add_parser("upgrade", help="create or migrate the store to the current schema").set_defaults(
        handler=cmd_db_upgrade
    )

    clerk = sub.add_parser("clerk", help="staff accounts")
    clsub = clerk.add_subparsers(dest="action", required=True)
    add = clsub.add_parser("add", help="add a clerk (password from HALLCLIENT_NEW_PASSWORD or a prompt)")
    add.add_argument("staff_no")
    add.add_argument("name")
    add.add_argument("--role", default="clerk", choices=["clerk", "manager", "trainer", "admin"])
    add.set_defaults(handler=cmd_clerk_add)
    pw = clsub.add_parser(
        "passwd", help="reset a clerk's password (HALLCLIENT_NEW_PASSWORD or a prompt); unlocks"
    )
    pw.add_argument("staff_no")
    pw.set_defaults(handler=cmd_clerk_passwd)
    unlock = clsub.add_parser("unlock", help="lift the lock after repeated wrong passwords")
    unlock.add_argument("staff_no")
    unlock.set_defaults(handler=cmd_clerk_unlock)


def cmd_gui(args: argparse.Namespace) -> int:
    """Sign-in window first; the store opens on a worker thread meanwhile (DESIGN.md §9)."""
    import socket

    from hallclient.config import log_dir
    from hallclient.logs import setup_logging

    cfg = effective_config(args)
    setup_logging(log_dir(), console=args.verbose)

    def open_services() -> Any:
        from hallclient.wiring import build

        return build(cfg)

    from hallclient.ui.signin import sign_in

    runner, session, services = sign_in(open_services, cfg.hall.name, cfg.window.number, socket.gethostname())
    if session is None:
        if services.done() and services.exception() is None:
            services.result().close()
        return EXIT_FAIL
    wiring = services.result()
    try:
        from hallclient.app import run_workstation

        return run_workstation(wiring, session, runner)
    finally:
        wiring.close()


def cmd_config_show(args: argparse.Namespace) -> int:
    for key, value in describe(effective_config(args)):
        print(f"{key} = {value}")
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        print(f"数据库已是最新结构：{w.config.store_url}")
    return EXIT_OK


def cmd_clerk_add(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        password = os.environ.get("HALLCLIENT_NEW_PASSWORD") or getpass.getpass("新密码：")
        clerk_id = w.auth.add_clerk(args.staff_no, args.name, password, role=args.role)
        print(f"已添加工作人员 {args.staff_no} {args.name}（id {clerk_id}）")
    return EXIT_OK


def cmd_platform_serve(args: argparse.Namespace) -> int:
    from hallclient.logs import setup_logging
    from hallclient.sync.reference_platform import ReferencePlatform, parse_faults

    setup_logging(None, console=True)
    try:
        parse_faults(args.faults)
    except ValueError as exc:
        raise CliError(f"--faults 无效：{exc}", EXIT_USAGE) from exc
    if args.token is not None and not args.token.strip():
        raise CliError("--token 不能为空：不指定 --token 时接受任何非空令牌", EXIT_USAGE)
    try:
        platform = ReferencePlatform(
            args.platform_db, host=args.host, port=args.port, faults=args.faults, token=args.token
        )
    except OSError as exc:
        raise CliError(
            f"无法在 {args.host}:{args.port} 上监听（{exc.strerror or exc}）。端口可能已被占用，请换一个 --port。"
        ) from exc
    # platform.url carries the real port (with --port 0 the system picks one).
    print(f"reference platform on {platform.url} (store {args.platform_db}); Ctrl+C to stop", flush=True)
    try:
        platform.serve_forever()
    except KeyboardInterrupt:
        platform.stop()
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
        cfg = (load_config(args.config, env={}) if args.config else Config()).with_overrides(
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


def cmd_clerk_passwd(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        password = os.environ.get("HALLCLIENT_NEW_PASSWORD") or getpass.getpass("新密码：")
        w.auth.set_password(args.staff_no, password)
        print(f"已重设工号 {args.staff_no} 的密码，并解除锁定")
    return EXIT_OK


def cmd_clerk_unlock(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        w.auth.unlock(args.staff_no)
        print(f"已解除工号 {args.staff_no} 的锁定")
    return EXIT_OK
