"""``hallclient bench queue``: W windows and several kiosks race through T tickets on one store.

Every window and every kiosk is a thread with its own engine (its own connection), as separate PCs
in a hall would be; they share nothing but the store. Kiosks issue tickets on a compressed synthetic
day (queue_profile.py); windows call next and then finish, recall, mark no-show, hold and call back,
or transfer to another business or window, in a realistic mix, and now and then pause. The run uses
businesses, windows and clerks of its own, so it can run again on the same store. Afterwards the
store is checked (queue_check.py) and one JSON object is printed.

The timings include the driver's own Python (all threads share one interpreter lock), which a hall —
one process per PC — does not pay.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hallclient import wiring as wiring_mod
from hallclient.bench.queue_check import check_store
from hallclient.bench.queue_profile import Arrival, Profile
from hallclient.config import Config
from hallclient.domain.passwords import hash_password
from hallclient.domain.queue import Ticket
from hallclient.services.auth import ClerkSession
from hallclient.services.errors import QueueError
from hallclient.services.ports import SystemClock
from hallclient.services.queue import QueueService
from hallclient.services.queue_figures import percentile
from hallclient.services.queue_ports import QueueEvents
from hallclient.services.setup import BusinessSpec, WindowSpec
from hallclient.store.db import make_engine
from hallclient.store.queue_events import open_queue_events
from hallclient.store.uow import SqlUnitOfWorkFactory

PASSWORD = "Bench#queue2026"
BUSINESS_NAMES = ("综合受理", "社保医保", "企业开办", "不动产登记")
PREFIXES = ("Q", "R", "S", "T")


@dataclass
class Shared:
    """What the threads record, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: list[str] = field(default_factory=list)
    in_service: set[str] = field(default_factory=set)
    double_seen: int = 0
    done: int = 0  # tickets that reached their end: finished, or left as no-show
    left_no_show: set[str] = field(default_factory=set)
    call_ms: list[float] = field(default_factory=list)
    empty_ms: list[float] = field(default_factory=list)
    op_ms: list[float] = field(default_factory=list)
    issue_ms: list[float] = field(default_factory=list)
    ops: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    kiosks_done: int = 0


@dataclass(frozen=True)
class BenchResult:
    figures: dict[str, Any]

    @property
    def ok(self) -> bool:
        f = self.figures
        return (
            f["double_calls"] == 0
            and f["lost_tickets"] == 0
            and f["duplicate_numbers"] == 0
            and not f["errors"]
        )


class QueueBench:
    def __init__(
        self,
        url: str,
        windows: int,
        tickets: int,
        *,
        kiosks: int | None = None,
        median_service_ms: float | None = None,
        seed: int = 2026,
    ) -> None:
        self.url, self.windows, self.tickets = url, windows, tickets
        self.kiosks = kiosks or max(2, min(8, windows // 8))
        # Service time: at the median a window is busy this long per ticket (compressed from 117 s).
        # Default windows × 10 ms: the hall serves ~100 median-length services a second, whatever W,
        # a load the driver itself (every window in this one process) can still keep up with.
        self.median_service_s = (median_service_ms or 10.0 * windows) / 1000.0
        capacity = windows / (self.median_service_s * 1.65 * 1.15)  # mean service, repeat services
        self.day_s = max(2.0, tickets / (0.8 * capacity))
        self.profile = Profile(tickets, self.day_s, self.median_service_s, seed)
        self.seed = seed
        self.tag = secrets.token_hex(2)
        self.shared = Shared()
        self.engines: list[Any] = []
        self.events: QueueEvents | None = None

    # ---- set-up ----------------------------------------------------------------------------------
    def _setup(self) -> tuple[wiring_mod.Wiring, list[str], list[ClerkSession], int]:
        cfg = Config().with_overrides({"store.url": self.url})
        main = wiring_mod.build(cfg, SystemClock())
        codes = [f"bq{self.tag}{k}" for k in range(len(BUSINESS_NAMES))]
        businesses = [BusinessSpec(c, n, p) for c, n, p in zip(codes, BUSINESS_NAMES, PREFIXES, strict=True)]
        rng = random.Random(self.seed)
        specs = []
        for i in range(self.windows):
            # Every window serves a main business and, mostly, one or two others at lower priority.
            main_biz = i % len(codes)
            others = rng.sample([c for k, c in enumerate(codes) if k != main_biz], rng.choice((0, 1, 1, 2)))
            served = (codes[main_biz], *others)
            specs.append(
                WindowSpec(f"{self.tag}-{i:03d}", f"压测{i}号窗", served, tuple(range(len(served), 0, -1)))
            )
        main.setup.ensure(main.hall, businesses, specs)
        hashed = hash_password(PASSWORD)
        with main.uow() as uow:
            clerk_ids = [
                uow.staff.add_clerk(f"b{self.tag}{i:03d}", f"压测{i}", "clerk", hashed)
                for i in range(self.windows)
            ]
            uow.commit()
        sessions = [
            main.auth.login(f"b{self.tag}{i:03d}", PASSWORD, spec.number, f"bench-{i}")
            for i, spec in enumerate(specs)
        ]
        return main, codes, sessions, clerk_ids[0]

    def _service(self, main: wiring_mod.Wiring) -> QueueService:
        engine = make_engine(self.url, pool_size=1, max_overflow=2)
        self.engines.append(engine)
        return QueueService(SqlUnitOfWorkFactory(engine), main.clock, main.hall.timezone, main.queue.rules)

    # ---- threads ---------------------------------------------------------------------------------
    def _kiosk(
        self, q: QueueService, arrivals: list[Arrival], codes: list[str], desk: int, t0: float
    ) -> None:
        sh = self.shared
        for a in arrivals:
            delay = t0 + a.at_s - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            kwargs: dict[str, Any] = {}
            if a.priority:
                kwargs = {"priority_code": a.priority, "verifier_id": desk, "document_type": "居民身份证"}
            start = time.perf_counter()
            ticket = q.issue_ticket(codes[a.business], **kwargs)
            ms = (time.perf_counter() - start) * 1000
            with sh.lock:
                sh.issued.append(ticket.id)
                sh.issue_ms.append(ms)
        with sh.lock:
            sh.kiosks_done += 1

    def _window(self, q: QueueService, s: ClerkSession, codes: list[str], numbers: list[str], n: int) -> None:
        sh = self.shared
        rng = random.Random(self.seed * 1000 + n)
        parked: list[str] = []  # held here, or no-show that will come back
        idle = self.median_service_s / 2
        call_back_now = False
        while True:
            with sh.lock:
                if sh.done >= self.tickets:
                    return
            if parked and (call_back_now or rng.random() < 0.3 or len(parked) > 3):
                call_back_now = False
                ticket_id = parked.pop(0)
                ticket = self._timed(q.call_back, s, ticket_id, op="call_back")
                if ticket is None:
                    self._end(ticket_id)
                    continue
            else:
                if rng.random() < 0.002:
                    self._timed(q.pause, s, "临时离开", op="pause")
                    time.sleep(idle * 4)
                    self._timed(q.resume, s, op="resume")
                start = time.perf_counter()
                ticket = q.call_next(s)
                ms = (time.perf_counter() - start) * 1000
                with sh.lock:
                    (sh.call_ms if ticket else sh.empty_ms).append(ms)
                    sh.ops["call" if ticket else "call_empty"] += 1
                if ticket is None:
                    call_back_now = bool(parked)
                    if not parked:  # the clerk glances at the board, then waits for the queue to change
                        assert self.events is not None
                        seen = self.events.current_version()
                        time.sleep(idle)
                        self.events.wait_for_change(seen, timeout=idle * 4)
                    continue
            self._claimed(ticket)
            self._serve(q, s, ticket, codes, numbers, rng, parked)

    def _claimed(self, ticket: Ticket) -> None:
        sh = self.shared
        with sh.lock:
            if ticket.id in sh.in_service:
                sh.double_seen += 1
            sh.in_service.add(ticket.id)

    def _serve(
        self,
        q: QueueService,
        s: ClerkSession,
        ticket: Ticket,
        codes: list[str],
        numbers: list[str],
        rng: random.Random,
        parked: list[str],
    ) -> None:
        sh = self.shared
        outcome = self.profile.outcome(rng)
        kind = outcome.kind
        if ticket.transfers or ticket.parked_at or ticket.first_called_at != ticket.called_at:
            kind = "finish"  # a second service is simply finished: keeps the run finite
        time.sleep(outcome.service_s)
        with sh.lock:
            sh.in_service.discard(ticket.id)
        if kind == "recall":
            self._timed(q.recall, s, ticket.id, op="recall")
            kind = "finish"
        if kind == "finish":
            self._timed(q.finish, s, ticket.id, op="finish")
            self._end(ticket.id)
            return
        if kind in ("no_show", "no_show_back"):
            done = self._timed(q.no_show, s, ticket.id, op="no_show")
            if kind == "no_show" or done is None:
                with sh.lock:
                    sh.left_no_show.add(ticket.id)
                self._end(ticket.id)
            else:
                parked.append(ticket.id)
            return
        if kind == "hold":
            if self._timed(q.hold, s, ticket.id, op="hold") is None:
                self._end(ticket.id)
            else:
                parked.append(ticket.id)
            return
        if kind == "transfer_business":
            others = [c for c in codes if c != ticket.business_code]
            moved = self._timed(q.transfer, s, ticket.id, business_code=rng.choice(others), op="transfer")
        else:
            target = rng.choice([w for w in numbers if w != s.window_no])
            moved = self._timed(q.transfer, s, ticket.id, window_no=target, op="transfer")
        if moved is None:
            self._end(ticket.id)

    def _end(self, _ticket_id: str) -> None:
        with self.shared.lock:
            self.shared.done += 1

    def _timed(self, fn: Any, *args: Any, op: str, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
        except QueueError as exc:  # reported; the run goes on (the store check will tell the rest)
            with self.shared.lock:
                self.shared.errors.append(f"{op}: {exc.message}")
            return None
        ms = (time.perf_counter() - start) * 1000
        with self.shared.lock:
            self.shared.op_ms.append(ms)
            self.shared.ops[op] += 1
        return result

    def _guard(self, name: str, body: Any) -> Any:
        def run() -> None:
            try:
                body()
            except BaseException as exc:  # every thread's failure is reported, not only the first
                with self.shared.lock:
                    self.shared.errors.append(f"{name}: {type(exc).__name__}: {exc}")
                    self.shared.done = self.tickets  # stop the others: the run is spoiled

        return run

    # ---- the run ---------------------------------------------------------------------------------
    def run(self, deadline_s: float = 1800.0) -> BenchResult:
        main, codes, sessions, desk = self._setup()
        try:
            arrivals = self.profile.arrivals()
            window_services = [self._service(main) for _ in sessions]
            kiosk_services = [self._service(main) for _ in range(self.kiosks)]
            numbers = [s.window_no for s in sessions]
            events_engine = make_engine(self.url, pool_size=2, max_overflow=2)
            self.engines.append(events_engine)
            self.events = open_queue_events(events_engine, poll_interval=self.median_service_s / 4)
            t0 = time.perf_counter() + 0.2
            threads = [
                threading.Thread(
                    target=self._guard(
                        f"kiosk {k}",
                        lambda q=q, k=k: self._kiosk(q, arrivals[k :: self.kiosks], codes, desk, t0),
                    ),
                    daemon=True,
                )
                for k, q in enumerate(kiosk_services)
            ] + [
                threading.Thread(
                    target=self._guard(
                        f"window {s.window_no}", lambda q=q, s=s, n=n: self._window(q, s, codes, numbers, n)
                    ),
                    daemon=True,
                )
                for n, (q, s) in enumerate(zip(window_services, sessions, strict=True))
            ]
            for t in threads:
                t.start()
            end = time.monotonic() + deadline_s
            for t in threads:
                t.join(timeout=max(0.1, end - time.monotonic()))
            elapsed = time.perf_counter() - t0
            stuck = [t.name for t in threads if t.is_alive()]
            if stuck:
                self.shared.errors.append(f"{len(stuck)} threads still running after {deadline_s:.0f} s")
            checks = check_store(main, codes, self.shared.issued, self.shared.left_no_show)
            return BenchResult(self._figures(main, elapsed, checks))
        finally:
            if self.events is not None:
                self.events.close()
            for engine in self.engines:
                engine.dispose()
            main.close()

    def _figures(self, main: wiring_mod.Wiring, elapsed: float, checks: dict[str, Any]) -> dict[str, Any]:
        sh = self.shared

        def ms(values: list[float], q: float) -> float | None:
            v = percentile(values, q)
            return None if v is None else round(v, 2)

        engine = main.engine
        with engine.connect() as conn:
            version = conn.dialect.server_version_info or ()
        return {
            "windows": self.windows,
            "kiosks": self.kiosks,
            "tickets": self.tickets,
            "calls": len(sh.call_ms),
            "calls_per_s": round(len(sh.call_ms) / elapsed, 1) if elapsed > 0 else None,
            "call_p50_ms": ms(sh.call_ms, 0.50),
            "call_p99_ms": ms(sh.call_ms, 0.99),
            "call_max_ms": ms(sh.call_ms, 1.0),
            "empty_calls": len(sh.empty_ms),
            "empty_call_p99_ms": ms(sh.empty_ms, 0.99),
            "other_op_p99_ms": ms(sh.op_ms, 0.99),
            "issue_p50_ms": ms(sh.issue_ms, 0.50),
            "issue_p99_ms": ms(sh.issue_ms, 0.99),
            "ops": dict(sorted(sh.ops.items())),
            "double_calls": checks["double_calls"] + sh.double_seen,
            "lost_tickets": checks["lost_tickets"],
            "duplicate_numbers": checks["duplicate_numbers"],
            "number_gaps": checks["number_gaps"],
            "final_statuses": checks["statuses"],
            "errors": sh.errors[:10],
            "error_count": len(sh.errors),
            "elapsed_s": round(elapsed, 2),
            "compressed_day_s": round(self.day_s, 2),
            "median_service_ms": round(self.median_service_s * 1000, 2),
            "db": f"{engine.dialect.name} {'.'.join(str(p) for p in version)}",
            "db_url": engine.url.render_as_string(hide_password=True),
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }


def default_url() -> tuple[str, Path]:
    folder = Path(tempfile.mkdtemp(prefix="hallclient-bench-queue-"))
    return f"sqlite:///{folder / 'bench.db'}", folder


def run_queue_bench(url: str | None, windows: int, tickets: int, **kwargs: Any) -> BenchResult:
    return QueueBench(url or default_url()[0], windows, tickets, **kwargs).run()
