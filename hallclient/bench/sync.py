"""``hallclient bench sync``: drain N outbox records to the reference platform on 127.0.0.1.

The platform runs in its own process (as it would on another machine) with its own SQLite file,
optionally with injected faults. The client's store is a SQLite file built by the real wiring;
the records are put in the outbox directly (the drain is measured, not the use cases). Each case
has three records (accept, process, result) under one ordering key, so the order check means
something. Back-off is shortened (base 20 ms, cap 0.5 s) so that faults cost retries, not idle
minutes; the seconds measured include those waits.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from hallclient import wiring as wiring_mod
from hallclient.config import Config
from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.services.ports import SystemClock
from hallclient.store import models as m
from hallclient.sync.client import HttpPlatformClient
from hallclient.sync.worker import SyncEngine

TOKEN = "bench-window-1"
_URL = re.compile(rb"(http://127\.0\.0\.1:\d+)")


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _records(case: int, at: dt.datetime) -> list[OutboxRecord]:
    key = f"BENCH-{case:06d}"
    common = {"project_no": key, "handle_user_name": "压测窗口人员"}
    stamp = at.isoformat()
    return [
        OutboxRecord(
            RecordKind.CASE_ACCEPT,
            key,
            {
                **common,
                "task_code": "11610000MB2D06811W4000117051000",
                "task_name": "食品经营许可（新办）",
                "applyer_type": "person",
                "applyer_name": "压测申请人",
                "applyer_page_type": "111",
                "applyer_page_code": "11010519491231002X",  # the GB 11643 example number
                "accept_date": stamp,
                "org_name": "压测政务服务中心",
            },
            at,
        ),
        OutboxRecord(
            RecordKind.CASE_PROCESS,
            key,
            {**common, "process_name": "受理", "event_name": "accept", "event_start_time": stamp},
            at,
        ),
        OutboxRecord(
            RecordKind.CASE_RESULT, key, {**common, "result_date": stamp, "result_type": "issued"}, at
        ),
    ]


class _Platform:
    """``python -m hallclient.sync.reference_platform`` in a child process."""

    def __init__(self, db: Path, faults: str, log: Path) -> None:
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hallclient.sync.reference_platform", "--db", str(db), "--port", "0"]
            + ["--faults", faults, "--token", TOKEN],
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.proc.stdout is not None
        self.url = self._read_url(self.proc.stdout.readline)

    def _read_url(self, readline: Any) -> str:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(readline()), daemon=True)
        reader.start()
        reader.join(30)  # a bounded wait for the one line the platform prints when it listens
        match = _URL.search(found[0]) if found else None
        if match is None:
            self.stop()
            raise RuntimeError("the reference platform did not start (see platform.log)")
        return match.group(1).decode()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self._log.close()


def run_sync_bench(workdir: Path, records: int, *, faults: str = "", batch_size: int = 200) -> dict[str, Any]:
    cases = -(-records // 3)
    platform = _Platform(workdir / "platform.db", faults, workdir / "platform.log")
    try:
        cfg = Config().with_overrides(
            {
                "store.url": f"sqlite:///{workdir / 'client.db'}",
                "platform.url": platform.url,
                "platform.token": TOKEN,
            }
        )
        w = wiring_mod.build(cfg)
        try:
            local = _fill(w, cases, records)
            session = requests.Session()
            session.trust_env = False  # loopback: never through a proxy from the environment
            client = HttpPlatformClient(platform.url, TOKEN, session=session)
            engine = SyncEngine(
                w.uow, client, SystemClock(), batch_size=batch_size, base_delay=0.02, max_delay=0.5
            )
            drained = _drain(engine)
            engine.close()
        finally:
            w.close()
    finally:
        platform.stop()
    arrived = _platform_records(workdir / "platform.db")
    return _figures(records, faults, batch_size, local, arrived, drained)


def _fill(w: wiring_mod.Wiring, cases: int, records: int) -> list[tuple[str, str]]:
    """Records into the outbox in transactions of 1,000; (id, key) in creation order."""
    at = dt.datetime.now(dt.UTC)
    made = 0
    for first in range(0, cases, 334):
        with w.uow() as uow:
            for case in range(first, min(first + 334, cases)):
                for record in _records(case, at):
                    if made < records:
                        uow.outbox.add(record)
                        made += 1
            uow.commit()
    with w.uow() as uow:
        assert uow.session is not None
        rows = uow.session.execute(select(m.Outbox.record_id, m.Outbox.ordering_key).order_by(m.Outbox.seq))
        return [(str(rid), str(key)) for rid, key in rows]


def _drain(engine: SyncEngine, deadline_s: float = 1800.0) -> dict[str, Any]:
    rss_start = _rss_mb()
    rss_max = rss_start
    rounds = failed_rounds = duplicates = 0
    started = time.perf_counter()
    deadline = started + deadline_s
    idle = threading.Event()  # never set: its wait() is a bounded pause until the next retry is due
    while time.perf_counter() < deadline:
        report = engine.run_once()
        rounds += 1
        failed_rounds += bool(report.error)
        duplicates += report.duplicates
        if rounds % 10 == 0:
            rss_max = max(rss_max, _rss_mb())
        if report.pending_after == 0 and not report.error:
            break
        if not report.progressed:
            idle.wait(0.01)
    seconds = time.perf_counter() - started
    status = engine.status()
    return {
        "seconds": seconds,
        "rounds": rounds,
        "failed_rounds": failed_rounds,
        "duplicate_answers": duplicates,
        "pending_left": status.pending,
        "rejected": status.rejected,
        "rss_start_mb": rss_start,
        "rss_end_mb": _rss_mb(),
        "rss_max_during_drain_mb": rss_max,
    }


def _platform_records(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return [
            (str(a), str(b)) for a, b in conn.execute("SELECT id, ordering_key FROM records ORDER BY seq")
        ]
    finally:
        conn.close()


def _figures(
    records: int,
    faults: str,
    batch_size: int,
    local: list[tuple[str, str]],
    arrived: list[tuple[str, str]],
    drained: dict[str, Any],
) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for rid, _ in arrived:
        counts[rid] += 1
    local_ids = {rid for rid, _ in local}
    created: dict[str, list[str]] = defaultdict(list)
    for rid, key in local:
        created[key].append(rid)
    came: dict[str, list[str]] = defaultdict(list)
    for rid, key in arrived:
        came[key].append(rid)
    seconds = drained["seconds"]
    return {
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds, 1) if seconds > 0 else None,
        "duplicates_on_platform": sum(n - 1 for n in counts.values() if n > 1),
        "missing_on_platform": sum(1 for rid in local_ids if counts[rid] == 0),
        "unknown_on_platform": len(set(counts) - local_ids),
        "out_of_order_keys": sum(1 for key, ids in created.items() if came.get(key) != ids),
        "pending_left": drained["pending_left"],
        "rejected": drained["rejected"],
        "rounds": drained["rounds"],
        "failed_rounds": drained["failed_rounds"],
        "duplicate_answers": drained["duplicate_answers"],
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "rss_start_mb": round(drained["rss_start_mb"], 1),
        "rss_end_mb": round(drained["rss_end_mb"], 1),
        "rss_max_during_drain_mb": round(drained["rss_max_during_drain_mb"], 1),
        "batch_size": batch_size,
        "faults": faults or "none",
    }
