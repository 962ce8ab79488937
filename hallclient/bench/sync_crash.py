"""The crash loop: a window client killed with SIGKILL at random points, restarted, and in the end
every record it created is on the reference platform exactly once, in order per ordering key.

Used by ``hallclient bench sync-crash`` and by tests/integration/sync/test_crash_loop.py. The
client runs in child processes (``hallclient.bench.crash_client``, forked by a zygote so that a run
costs milliseconds, or spawned fresh); the reference platform runs here on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import selectors
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests
from sqlalchemy import select

from hallclient import wiring as wiring_mod
from hallclient.bench.crash_client import TOKEN, client_config, prepare_store
from hallclient.domain.outbox import OutboxStatus
from hallclient.services.ports import SystemClock
from hallclient.store import models as m
from hallclient.sync.client import HttpPlatformClient
from hallclient.sync.reference_platform import ReferencePlatform
from hallclient.sync.worker import SyncEngine


class CrashLoopError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CrashResult:
    runs: int = 0
    killed: int = 0
    completed: int = 0
    failed: int = 0
    seconds: float = 0.0
    local: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (record id, ordering key, status) by seq
    platform: list[tuple[str, str, str]] = field(default_factory=list)  # (id, ordering key, kind) by arrival
    local_cases: list[str] = field(default_factory=list)  # case numbers in the client's store
    duplicate_answers: int = 0

    def summary(self) -> dict[str, Any]:
        local_ids = [rid for rid, _, _ in self.local]
        arrived: dict[str, int] = defaultdict(int)
        for rid, _, _ in self.platform:
            arrived[rid] += 1
        accepted = [key for _, key, kind in self.platform if kind == "case.accept"]
        return {
            "runs": self.runs,
            "killed": self.killed,
            "completed": self.completed,
            "failed": self.failed,
            "seconds": round(self.seconds, 1),
            "local_records": len(local_ids),
            "local_cases": len(self.local_cases),
            "platform_records": len(self.platform),
            "missing_on_platform": sum(1 for rid in local_ids if arrived[rid] == 0),
            "duplicates_on_platform": sum(n - 1 for n in arrived.values() if n > 1),
            "unknown_on_platform": len(set(arrived) - set(local_ids)),
            "out_of_order_keys": len(out_of_order_keys(self.local, self.platform)),
            "not_sent_locally": sum(1 for _, _, status in self.local if status != OutboxStatus.SENT),
            "cases_missing_on_platform": len(set(self.local_cases) - set(accepted)),
            "cases_on_platform_more_than_once": len(accepted) - len(set(accepted)),
            "duplicate_answers": self.duplicate_answers,
        }


def out_of_order_keys(local: list[tuple[str, str, str]], platform: list[tuple[str, str, str]]) -> list[str]:
    """Keys whose records arrived in another order than they were created."""
    created: dict[str, list[str]] = defaultdict(list)
    for rid, key, _ in local:
        created[key].append(rid)
    arrived: dict[str, list[str]] = defaultdict(list)
    for rid, key, _ in platform:
        arrived[key].append(rid)
    return [key for key, ids in created.items() if arrived.get(key, []) != ids]


class _Lines:
    """Lines from a child's stdout, with deadlines (no blocking read without a bound)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        os.set_blocking(self._fd, False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self._buffer = b""
        self._lines: list[str] = []

    def next(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while not self._lines:
            left = deadline - time.monotonic()
            if left <= 0 or not self._sel.select(left):
                return None
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise CrashLoopError("the crash client's zygote ended unexpectedly")
            self._buffer += chunk
            *complete, self._buffer = self._buffer.split(b"\n")
            self._lines.extend(line.decode() for line in complete)
        return self._lines.pop(0)

    def wait_for(self, prefix: str, timeout: float) -> str | None:
        """The first line starting with ``prefix`` within ``timeout``; other lines are skipped."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            line = self.next(left)
            if line is None:
                return None
            if line.startswith(prefix):
                return line
        return None

    def close(self) -> None:
        self._sel.close()


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # the token is configured
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"  # loopback only, never via a proxy
    return env


class _LaterClock:
    """The final drain happens "later": every retry time in the store is due by then."""

    def __init__(self, ahead: dt.timedelta) -> None:
        self._ahead = ahead

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._ahead


def run_crash_loop(
    workdir: Path,
    runs: int,
    *,
    per_run: int = 4,
    jitter: float = 0.05,
    faults: str = "drop=0.15,seed=11",
    seed: int = 1,
    spawned: int = 0,
    progress: Callable[[int, str], None] | None = None,
) -> CrashResult:
    """``runs`` client runs, each killed with SIGKILL at a random point, then a final drain without
    faults. The point: a step drawn uniformly from 0 (just ready) to the run's last step (4 per
    case: case, review, inquiry, sync round; the last one lets the run finish), then a random
    delay of 0..``jitter`` s, which lands inside the next step's work (an SQLite commit, a push
    in flight, …). Aiming at steps rather than at wall-clock times keeps the kills spread over
    the work on a loaded machine as on an idle one.

    The first ``spawned`` runs start a fresh interpreter each (the plain way, slow); the others
    are forked by the zygote."""
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    result = CrashResult()
    started = time.monotonic()
    platform = ReferencePlatform(workdir / "platform.db", faults=faults, token=TOKEN).start()
    store_url = f"sqlite:///{workdir / 'client.db'}"
    try:
        prepare_store(store_url, platform.url)
        for run in range(min(spawned, runs)):
            outcome = _spawned_run(workdir, store_url, platform.url, per_run, rng, jitter)
            result.runs += 1
            result.killed += outcome == "killed"
            result.completed += outcome == "completed"
            if progress is not None:
                progress(run, outcome)
        with open(workdir / "clients.log", "ab") as log_file:
            zygote = subprocess.Popen(
                [sys.executable, "-m", "hallclient.bench.crash_client", "--fork-server"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                env=child_environment(),
            )
            assert zygote.stdin is not None and zygote.stdout is not None
            lines = _Lines(zygote.stdout)
            try:
                for run in range(result.runs, runs):
                    outcome = _one_run(zygote.stdin, lines, store_url, platform.url, per_run, rng, jitter)
                    result.runs += 1
                    result.killed += outcome == "killed"
                    result.completed += outcome == "completed"
                    result.failed += outcome == "failed"
                    if progress is not None:
                        progress(run, outcome)
                zygote.stdin.write(b"quit\n")
                zygote.stdin.flush()
                zygote.wait(timeout=30)
            finally:
                lines.close()
                if zygote.poll() is None:
                    zygote.kill()
                    zygote.wait(timeout=30)
        result.duplicate_answers = platform.stats()["answers"]["duplicate"]
        platform.set_faults("")
        _final_drain(store_url, platform.url)
        result.local, result.local_cases = _local_records(store_url, platform.url)
        result.platform = [(r["id"], r["ordering_key"], r["kind"]) for r in platform.records()]
        result.duplicate_answers = platform.stats()["answers"]["duplicate"]
    finally:
        platform.stop()
    result.seconds = time.monotonic() - started
    return result


def _one_run(
    stdin: IO[bytes],
    lines: _Lines,
    store_url: str,
    platform_url: str,
    per_run: int,
    rng: random.Random,
    jitter: float,
) -> str:
    stdin.write(f"run {store_url} {platform_url} {per_run}\n".encode())
    stdin.flush()
    started = lines.wait_for("pid ", 30)
    if started is None:
        raise CrashLoopError("the zygote did not start a client within 30 s")
    pid = int(started.split()[1])
    line = lines.wait_for(f"ready {pid}", 60)
    if line is None:
        raise CrashLoopError(f"client {pid} did not get ready within 60 s (see clients.log)")
    ended = _at_random_point(lines, pid, per_run, rng, jitter, f"exit {pid}")
    if ended is not None:
        return "completed" if ended.split()[2] == "0" else "failed"
    stdin.write(f"kill {pid}\n".encode())  # the zygote kills: only it knows the pid is still its child's
    stdin.flush()
    ended = lines.wait_for(f"exit {pid}", 30)
    if ended is None:
        raise CrashLoopError(f"client {pid} did not end within 30 s of SIGKILL")
    code = ended.split()[2]
    if code == "0":
        return "completed"
    if code == str(-signal.SIGKILL):
        return "killed"
    raise CrashLoopError(f"client {pid} failed with exit code {code} (see clients.log)")


def _at_random_point(
    lines: _Lines, pid: int, per_run: int, rng: random.Random, jitter: float, end: str
) -> str | None:
    """Wait for a random step of the run, then a random moment; the end line if the run ended first."""
    target = rng.randint(0, 4 * per_run)
    if target:
        line = lines.wait_for(f"step {pid} {target}", 60)
        if line is None:
            raise CrashLoopError(f"client {pid} did not reach step {target} within 60 s (see clients.log)")
    return lines.wait_for(end, rng.uniform(0.0, jitter))


def _spawned_run(
    workdir: Path, store_url: str, platform_url: str, per_run: int, rng: random.Random, jitter: float
) -> str:
    with open(workdir / "clients.log", "ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hallclient.bench.crash_client", store_url, platform_url, str(per_run)],
            stdout=subprocess.PIPE,
            stderr=log_file,
            env=child_environment(),
        )
    assert proc.stdout is not None
    lines = _Lines(proc.stdout)
    try:
        if lines.wait_for(f"ready {proc.pid}", 60) is None:
            proc.kill()
            raise CrashLoopError(f"spawned client {proc.pid} did not get ready within 60 s")
        if _at_random_point(lines, proc.pid, per_run, rng, jitter, f"done {proc.pid}") is None:
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(30)
    finally:
        lines.close()
        proc.stdout.close()
    if code == 0:
        return "completed"
    if code == -signal.SIGKILL:
        return "killed"
    raise CrashLoopError(f"spawned client {proc.pid} failed with exit code {code} (see clients.log)")


def _final_drain(store_url: str, platform_url: str, deadline_s: float = 120.0) -> None:
    w = wiring_mod.build(client_config(store_url, platform_url), SystemClock())
    session = requests.Session()
    session.trust_env = False
    client = HttpPlatformClient(platform_url, TOKEN, session=session)
    engine = SyncEngine(w.uow, client, _LaterClock(dt.timedelta(days=1)), batch_size=200)
    try:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            engine.drain(max_rounds=10_000)
            if engine.status().pending == 0:
                return
        raise CrashLoopError(f"records still pending after {deadline_s:.0f} s of draining")
    finally:
        engine.close()
        w.close()


def _local_records(store_url: str, platform_url: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    w = wiring_mod.build(client_config(store_url, platform_url))
    try:
        with w.uow() as uow:
            assert uow.session is not None
            rows = uow.session.execute(
                select(m.Outbox.record_id, m.Outbox.ordering_key, m.Outbox.status).order_by(m.Outbox.seq)
            ).all()
            cases = list(uow.session.scalars(select(m.Case.case_no)))
        return [(str(a), str(b), str(c)) for a, b, c in rows], cases
    finally:
        w.close()
