"""Benchmarks of the window client itself (DESIGN.md §9): ``bench start`` and ``bench memory``."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hallclient.cli.base import EXIT_FAIL, EXIT_OK
from hallclient.config import Config

_STAFF, _PASSWORD = "9001", "Bench#2026window"


def register(sub: Any, bench: Any) -> None:
    s = bench.add_parser("start", help="start to a usable clerk window vs a bare PySide6 window (offscreen)")
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_bench_start)
    child = bench.add_parser("_window", help=argparse.SUPPRESS)  # the timed child process
    child.add_argument("store_url")
    child.set_defaults(handler=cmd_bench_child)
    m = bench.add_parser("memory", help="RSS of the clerk window after a day of tickets (offscreen)")
    m.add_argument("--tickets", type=int, default=500)
    m.add_argument("--json", action="store_true")
    m.set_defaults(handler=cmd_bench_memory)


def _print(result: dict[str, Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value}")
    return EXIT_OK if result.get("within_budget", True) else EXIT_FAIL


def _timed(argv: list[str]) -> dict[str, float]:
    """Seconds from spawning ``argv`` to each marker line it prints (LOGIN, READY)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    marks: dict[str, float] = {}
    for line in proc.stdout:
        marks[line.strip()] = time.perf_counter() - start
        if line.strip() == "READY":
            break
    else:
        proc.wait()
        raise RuntimeError(f"{argv[-1]}: child exited ({proc.returncode}) before its window was ready")
    proc.wait(timeout=60)
    return marks


def _prepared_store(tmp: str) -> str:
    from hallclient.wiring import build

    url = f"sqlite:///{Path(tmp) / 'bench.db'}"
    w = build(Config().with_overrides({"store.url": url}))
    w.auth.add_clerk(_STAFF, "测试员", _PASSWORD)
    w.close()
    return url


def cmd_bench_start(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = _prepared_store(tmp)
        clerk_argv = [sys.executable, "-m", "hallclient", "bench", "_window", url]
        bare_argv = [sys.executable, "-m", "hallclient.ui.bench_bare"]
        _timed(clerk_argv)  # a warm file cache, as every start but the first of the day has
        bare = statistics.median(_timed(bare_argv)["READY"] for _ in range(args.runs))
        runs = [_timed(clerk_argv) for _ in range(args.runs)]
    login = statistics.median(r["LOGIN"] for r in runs)
    clerk = statistics.median(r["READY"] for r in runs)
    result = {
        "runs": args.runs,
        "bare_window_s": round(bare, 3),
        "login_window_s": round(login, 3),  # the first usable window: what the budget speaks of
        "clerk_window_s": round(clerk, 3),  # + password check + the full clerk window
        "ratio": round(login / bare, 2),
        "budget_s": 1.0,
        "budget_ratio": 5.0,
        "within_budget": login <= 1.0 and login / bare <= 5.0,
    }
    return _print(result, args.json)


def cmd_bench_child(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hallclient.ui.bench_bare import clerk_window_child

    def open_services() -> Any:
        from hallclient.wiring import build

        return build(Config().with_overrides({"store.url": args.store_url}))

    clerk_window_child(open_services, _STAFF, _PASSWORD)
    return EXIT_OK


def cmd_bench_memory(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hallclient.wiring import build

    with tempfile.TemporaryDirectory() as tmp:
        url = _prepared_store(tmp)
        w = build(Config().with_overrides({"store.url": url, "devices.card_reader": "simulated"}))
        try:
            session = w.auth.login(_STAFF, _PASSWORD, "1", "bench")
            from hallclient.app import bench_memory_day

            seconds, rss0, rss1 = bench_memory_day(w, session, args.tickets)
        finally:
            w.close()
    result = {
        "tickets": args.tickets,
        "seconds": round(seconds, 1),
        "rss_start_mb": round(rss0, 1),
        "rss_end_mb": round(rss1, 1),
        "budget_mb": 250,
        "within_budget": rss1 <= 250,
    }
    return _print(result, args.json)
