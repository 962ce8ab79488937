"""``hallclient sync …`` (status, run, retry, token, key, export, import, release-exported) and the
sync benchmarks (``bench sync``, ``bench sync-crash``)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from hallclient.cli.base import EXIT_FAIL, EXIT_OK, EXIT_USAGE, CliError, opened_wiring


def register(sub: Any, bench: Any) -> None:
    sy = sub.add_parser("sync", help="sync with the central platform")
    ssub = sy.add_subparsers(dest="action", required=True)
    ssub.add_parser("status", help="pending / sent / rejected / exported records").set_defaults(
        handler=cmd_sync_status
    )
    ssub.add_parser("run", help="push everything pending now and report").set_defaults(handler=cmd_sync_run)
    retry = ssub.add_parser("retry", help="put rejected records back (after the cause was corrected)")
    retry.add_argument("record_ids", nargs="*", help="only these records (default: every rejected one)")
    retry.set_defaults(handler=cmd_sync_retry)

    token = ssub.add_parser("token", help="this window's platform token (kept in the OS keyring)")
    tsub = token.add_subparsers(dest="token_action", required=True)
    tsub.add_parser("set", help="store the token, read from stdin or a prompt").set_defaults(
        handler=cmd_token_set
    )
    tsub.add_parser("show", help="show the token masked, and where it is kept").set_defaults(
        handler=cmd_token_show
    )

    key = ssub.add_parser("key", help="the hall's transfer-file signing key (same on every window)")
    ksub = key.add_subparsers(dest="key_action", required=True)
    ksub.add_parser("generate", help="make a new key, store it and print it once").set_defaults(
        handler=cmd_key_generate
    )
    ksub.add_parser("set", help="store the key given by hall IT (stdin or a prompt)").set_defaults(
        handler=cmd_key_set
    )
    ksub.add_parser("show", help="show the key's id (never the key)").set_defaults(handler=cmd_key_show)

    export = ssub.add_parser("export", help="write pending records to a signed file (last resort)")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=cmd_export)
    imp = ssub.add_parser("import", help="take in a signed file exported on another machine")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=cmd_import)
    release = ssub.add_parser(
        "release-exported",
        help="push exported records from here again (after the import, or if the file is lost)",
    )
    release.set_defaults(handler=cmd_release_exported)

    b = bench.add_parser("sync", help="outbox drain to the reference platform on 127.0.0.1")
    b.add_argument("--records", type=int, default=10_000)
    b.add_argument("--faults", default="", help="e.g. error=0.1,drop=0.05,latency_ms=5")
    b.add_argument("--batch-size", type=int, default=200)
    b.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    b.set_defaults(handler=cmd_bench_sync)
    c = bench.add_parser(
        "sync-crash", help="kill a syncing client with SIGKILL again and again; check the platform"
    )
    c.add_argument("--runs", type=int, default=300)
    c.add_argument("--per-run", type=int, default=4, help="cases per client run")
    c.add_argument("--faults", default="drop=0.15,seed=11")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_bench_sync_crash)


# ---- status, run, retry ---------------------------------------------------------------------------


def _print_counts(w: Any) -> int:
    with w.uow() as uow:
        counts = uow.outbox.counts()
    print(
        f"待上报 {counts.pending}，已上报 {counts.sent}，被拒 {counts.rejected}，已导出待他机上报 {counts.exported}"
        + (f"，最早待上报 {counts.oldest_pending_at:%Y-%m-%d %H:%M}" if counts.oldest_pending_at else "")
    )
    return EXIT_OK if counts.pending == 0 and counts.rejected == 0 else EXIT_FAIL


def cmd_sync_status(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        return _print_counts(w)


def cmd_sync_run(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        engine = w.sync_engine()
        try:
            report = engine.drain()
            status = engine.status()
        finally:
            engine.close()
        if not report.lease_held:
            print("另一台电脑正持有本大厅的同步租约并负责上报；本机未上报")
        print(
            f"已上报 {report.sent} 条，重复 {report.duplicates} 条，被拒 {report.rejected} 条"
            + (f"；错误：{report.error}" if report.error else "")
        )
        warning = status.clock_warning()
        if warning:
            print(warning)
        return _print_counts(w)


def cmd_sync_retry(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        with w.uow() as uow:
            n = uow.outbox.retry_rejected(args.record_ids or None)
            uow.audit.add(w.clock.now(), None, None, "sync.retry_rejected", detail=f"{n} records")
            uow.commit()
        print(f"已将 {n} 条被拒记录放回待上报队列")
    return EXIT_OK


# ---- secrets --------------------------------------------------------------------------------------


def _read_secret(prompt: str) -> str:
    if sys.stdin is not None and not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    return getpass.getpass(prompt).strip()


def cmd_token_set(args: argparse.Namespace) -> int:
    from hallclient.sync.credentials import SecretError

    with opened_wiring(args) as w:
        tokens = w.token_store()
        try:
            where = tokens.set(_read_secret(f"{tokens.username} 的平台令牌："))
        except SecretError as exc:
            raise CliError(exc.message, EXIT_USAGE) from None
        print(f"已保存 {tokens.username} 的平台令牌：{where}")
        if w.config.platform.token:
            print("注意：配置项 platform.token 已设置，它优先于保存的令牌")
    return EXIT_OK


def cmd_token_show(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        tokens = w.token_store()
        print(f"{tokens.username}：{tokens.masked()}（{tokens.source()}）")
        return EXIT_OK if tokens.token() else EXIT_FAIL


def _transfer_key(w: Any) -> bytes:
    from hallclient.sync.credentials import TRANSFER_KEY_NAME
    from hallclient.sync.transfer import TransferError, decode_key

    text = w.secrets().get(TRANSFER_KEY_NAME)
    if not text:
        raise CliError(
            "未配置导出签名密钥：请在一台电脑上运行 hallclient sync key generate，再在其他电脑上用 sync key set 设置同一密钥"
        )
    try:
        return decode_key(text)
    except TransferError as exc:
        raise CliError(exc.message) from None


def cmd_key_generate(args: argparse.Namespace) -> int:
    from hallclient.sync.credentials import TRANSFER_KEY_NAME
    from hallclient.sync.transfer import decode_key, key_id, new_key

    with opened_wiring(args) as w:
        secrets = w.secrets()
        if secrets.get(TRANSFER_KEY_NAME):
            raise CliError(
                "已有导出签名密钥；换用新密钥会使以前导出的文件无法导入。如确需更换，请用 sync key set"
            )
        key = new_key()
        where = secrets.set(TRANSFER_KEY_NAME, key)
        print(f"已生成并保存导出签名密钥（{where}），密钥标识 {key_id(decode_key(key))}")
        print("请在本大厅其他窗口电脑上运行 hallclient sync key set 并输入下面这行（只显示这一次）：")
        print(key)
    return EXIT_OK


def cmd_key_set(args: argparse.Namespace) -> int:
    from hallclient.sync.credentials import TRANSFER_KEY_NAME
    from hallclient.sync.transfer import TransferError, decode_key, key_id

    with opened_wiring(args) as w:
        text = _read_secret("导出签名密钥：")
        try:
            key = decode_key(text)
        except TransferError as exc:
            raise CliError(exc.message, EXIT_USAGE) from None
        where = w.secrets().set(TRANSFER_KEY_NAME, text.strip())
        print(f"已保存导出签名密钥（{where}），密钥标识 {key_id(key)}")
    return EXIT_OK


def cmd_key_show(args: argparse.Namespace) -> int:
    from hallclient.sync.transfer import key_id

    with opened_wiring(args) as w:
        print(f"导出签名密钥标识 {key_id(_transfer_key(w))}（各窗口应相同）")
    return EXIT_OK


# ---- transfer files -------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from hallclient.sync.transfer import write_transfer

    path: Path = args.file
    if path.exists():
        raise CliError(f"文件 {path} 已存在；请换一个文件名，以免覆盖以前的导出", EXIT_USAGE)
    with opened_wiring(args) as w:
        key = _transfer_key(w)
        with w.uow() as uow:
            records = uow.outbox.exportable()
        if not records:
            print("没有可导出的待上报记录")
            return _print_counts(w)
        now = w.clock.now()
        origin = {"hall": w.hall.code, "window": w.config.window.number, "host": socket.gethostname()}
        # The file first (whole, fsynced), then the status: a crash in between leaves the records
        # pending here as well, which the platform's idempotency by record id absorbs.
        size = write_transfer(path, records, key, exported_at=now, origin=origin)
        with w.uow() as uow:
            marked = uow.outbox.mark_exported([r.record_id for r in records])
            uow.audit.add(
                now, None, None, "sync.exported", target=path.name[:100], detail=f"{marked} records"
            )
            uow.commit()
        print(
            f"已导出 {len(records)} 条待上报记录到 {path}（{size} 字节，已签名）；本机将不再自动上报这 {marked} 条"
        )
        print("文件含个人信息：请用大厅的加密U盘传递，导入后删除")
        return _print_counts(w)


def cmd_import(args: argparse.Namespace) -> int:
    from hallclient.sync.transfer import TransferError, read_transfer

    with opened_wiring(args) as w:
        try:
            transfer = read_transfer(args.file, _transfer_key(w))
        except TransferError as exc:
            raise CliError(exc.message) from None
        with w.uow() as uow:
            added = uow.outbox.import_records(transfer.records)
            uow.audit.add(
                w.clock.now(),
                None,
                None,
                "sync.imported",
                target=args.file.name[:100],
                detail=f"{added} records",
            )
            uow.commit()
        origin = transfer.origin
        print(
            f"文件来自 {origin.get('window', '?')} 号窗口（{origin.get('host', '?')}），"
            f"导出于 {transfer.exported_at.astimezone():%Y-%m-%d %H:%M}：共 {len(transfer.records)} 条，"
            f"新导入 {added} 条，已有 {len(transfer.records) - added} 条（未重复导入）"
        )
        return _print_counts(w)


def cmd_release_exported(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        with w.uow() as uow:
            n = uow.outbox.release_exported()
            uow.audit.add(w.clock.now(), None, None, "sync.release_exported", detail=f"{n} records")
            uow.commit()
        print(f"已将 {n} 条已导出记录放回待上报队列；平台已收到的会答复“重复”，不会重复入库")
        return _print_counts(w)


# ---- benchmarks -----------------------------------------------------------------------------------


def _quiet_sync_log() -> None:
    """Failed pushes are the point of a fault bench: count them, do not print each one."""
    logging.getLogger("hallclient").addHandler(logging.NullHandler())


def _print_figures(figures: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for k, v in figures.items():
            print(f"{k}: {v}")


def cmd_bench_sync(args: argparse.Namespace) -> int:
    from hallclient.bench.sync import run_sync_bench
    from hallclient.sync.faults import parse_faults

    if args.records < 1 or args.batch_size < 1:
        raise CliError("--records and --batch-size must be at least 1", EXIT_USAGE)
    try:
        parse_faults(args.faults)
    except ValueError as exc:
        raise CliError(f"--faults 无效：{exc}", EXIT_USAGE) from None
    _quiet_sync_log()
    with tempfile.TemporaryDirectory(prefix="hallclient-bench-sync-") as tmp:
        figures = run_sync_bench(Path(tmp), args.records, faults=args.faults, batch_size=args.batch_size)
    _print_figures(figures, args.json)
    ok = figures["missing_on_platform"] == 0 and figures["duplicates_on_platform"] == 0
    return EXIT_OK if ok and figures["out_of_order_keys"] == 0 else EXIT_FAIL


def cmd_bench_sync_crash(args: argparse.Namespace) -> int:
    from hallclient.bench.sync_crash import CrashLoopError, run_crash_loop

    if args.runs < 1 or args.per_run < 1:
        raise CliError("--runs and --per-run must be at least 1", EXIT_USAGE)
    _quiet_sync_log()
    with tempfile.TemporaryDirectory(prefix="hallclient-bench-crash-") as tmp:
        try:
            result = run_crash_loop(Path(tmp), args.runs, per_run=args.per_run, faults=args.faults)
        except CrashLoopError as exc:
            raise CliError(exc.message) from None
    figures = result.summary()
    _print_figures(figures, args.json)
    bad = (
        "missing_on_platform",
        "duplicates_on_platform",
        "unknown_on_platform",
        "out_of_order_keys",
        "failed",
    )
    return EXIT_OK if not any(figures[k] for k in bad) else EXIT_FAIL
