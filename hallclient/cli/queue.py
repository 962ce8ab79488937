"""``hallclient bench queue``: windows racing through tickets on one store (DESIGN.md §9)."""

from __future__ import annotations

import argparse
import json
import shutil
from typing import Any

from hallclient.cli.base import EXIT_FAIL, EXIT_OK, EXIT_USAGE, CliError


def register(sub: Any, bench: Any) -> None:
    b = bench.add_parser(
        "queue",
        help="W windows and several kiosks race through T tickets; checks the store; prints figures",
        description="Budget (DESIGN.md §9): call next p99 ≤ 20 ms on SQLite, ≤ 50 ms on PostgreSQL with 50 "
        "windows; double_calls, lost_tickets and duplicate_numbers must be 0 (exit status 1 otherwise).",
    )
    b.add_argument("--windows", type=int, default=4, help="concurrent windows (threads, one connection each)")
    b.add_argument("--tickets", type=int, default=2000, help="tickets issued during the run")
    b.add_argument("--kiosks", type=int, default=None, help="issuing threads (default: windows/8, 2..8)")
    b.add_argument(
        "--db",
        dest="bench_db",
        metavar="URL",
        help="store URL (default: a new SQLite file in a temporary directory), "
        "e.g. postgresql+psycopg://user:password@host:5432/postgres",
    )
    b.add_argument(
        "--service-ms",
        type=float,
        default=None,
        help="median service time of the compressed day in ms (default: windows × 10, i.e. about "
        "100 median-length services a second across the hall)",
    )
    b.add_argument("--seed", type=int, default=2026)
    b.add_argument("--json", action="store_true", help="print only the JSON object")
    b.set_defaults(handler=cmd_bench_queue)


def cmd_bench_queue(args: argparse.Namespace) -> int:
    from hallclient.bench.queue import QueueBench, default_url

    if args.windows < 1 or args.tickets < 1:
        raise CliError("--windows 和 --tickets 应为正整数", EXIT_USAGE)
    url = args.bench_db or getattr(args, "db", None)
    folder = None
    if not url:
        url, folder = default_url()
    try:
        bench = QueueBench(
            url,
            args.windows,
            args.tickets,
            kiosks=args.kiosks,
            median_service_ms=args.service_ms,
            seed=args.seed,
        )
        if not args.json:
            print(
                f"bench queue: {args.windows} windows, {bench.kiosks} kiosks, {args.tickets} tickets "
                f"over a {bench.day_s:.0f} s compressed day on {url.split('://')[0]} …",
                flush=True,
            )
        result = bench.run()
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result.figures, ensure_ascii=False, indent=None if args.json else 2))
    return EXIT_OK if result.ok else EXIT_FAIL
