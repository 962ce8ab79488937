"""The outbox drain: read due records, push one batch, record what the platform answered.

No threads here: the UI layer (or the CLI's ``sync run``) calls ``run_once``/``run_forever`` on
its own sync thread. Rules (DESIGN.md §6):

- nothing is marked before the platform answered, and nothing is ever deleted;
- accepted and duplicate both mean "the platform has it" → sent;
- rejected → parked with the platform's reason (retryable by a person after correction);
- a failed push (``PlatformError``) → the whole batch stays pending with ``retry_at`` = now +
  exponential backoff with full jitter, counted per engine and reset by the next success
  (``max_delay`` straight away when the error is not retryable, e.g. a refused token);
- order per ordering key is kept by ``OutboxRepository.pending`` (nothing after a record that is
  not yet due, rejected or exported) and by sending each batch in the order the repository gave it;
- in hall mode only the holder of the sync lease pushes; the others still probe the platform's
  health so that every window shows online/offline and its clock skew.

Log lines carry record ids, kinds and counts, never payloads (personal data).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from hallclient.domain.outbox import PendingRecord
from hallclient.services.ports import (
    Clock,
    PlatformClient,
    PlatformError,
    PlatformHealth,
    PushResult,
    SyncLease,
    UnitOfWorkFactory,
)

log = logging.getLogger(__name__)

NO_ANSWER = "平台未返回该记录的结果，稍后自动重试"
REJECTED_WITHOUT_REASON = "平台拒收（未说明原因）"
# Beyond this the status bar asks the clerk to set the clock: stamps on records come from it.
CLOCK_SKEW_WARN_SECONDS = 120.0


@dataclass(frozen=True)
class SyncReport:
    """One round. ``sent`` counts every record now marked sent, ``duplicates`` included."""

    sent: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0
    pending_after: int = 0
    online: bool = False
    error: str = ""
    lease_held: bool = True

    @property
    def progressed(self) -> bool:
        return self.sent + self.rejected > 0


@dataclass(frozen=True)
class SyncStatus:
    """For the indicator: online is None until the first exchange with the platform."""

    online: bool | None
    offline_since: dt.datetime | None
    pending: int
    oldest_pending_at: dt.datetime | None
    last_error: str
    clock_skew_seconds: float | None
    rejected: int = 0
    exported: int = 0
    lease_held: bool = True

    def clock_warning(self, threshold: float = CLOCK_SKEW_WARN_SECONDS) -> str:
        """The clerk-facing warning when this machine's clock is off by more than ``threshold`` s."""
        skew = self.clock_skew_seconds
        if skew is None or abs(skew) <= threshold:
            return ""
        return f"本机时间与平台相差 {round(abs(skew))} 秒，请校准时钟"


@dataclass(frozen=True)
class _State:
    # Replaced whole (one attribute assignment), so status() on another thread sees a consistent value.
    online: bool | None = None
    offline_since: dt.datetime | None = None
    last_error: str = ""
    clock_skew_seconds: float | None = None
    failures: int = 0
    last_probe_at: dt.datetime | None = None


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base · 2^(failures-1))]; 0 before any failure."""
    if failures <= 0:
        return 0.0
    ceiling = min(cap, base * 2.0 ** min(failures - 1, 60))
    return rng.uniform(0.0, ceiling)


def skew_seconds(server_time: dt.datetime, before: dt.datetime, after: dt.datetime) -> float:
    """Server clock minus local clock, against the local midpoint of the exchange."""
    return (server_time - (before + (after - before) / 2)).total_seconds()


class SyncEngine:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        client: PlatformClient,
        clock: Clock,
        *,
        batch_size: int = 200,
        base_delay: float = 2.0,
        max_delay: float = 300.0,
        rng: random.Random | None = None,
        health_interval: float = 60.0,
        lease: SyncLease | None = None,
    ) -> None:
        if batch_size < 1 or base_delay <= 0 or max_delay < base_delay:
            raise ValueError("need batch_size ≥ 1 and 0 < base_delay ≤ max_delay")
        self._uow_factory = uow_factory
        self._client = client
        self._clock = clock
        self._batch_size = batch_size
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._rng = rng if rng is not None else random.Random()
        self._health_interval = dt.timedelta(seconds=health_interval)
        self._state = _State()
        self._lease: SyncLease = lease if lease is not None else _AlwaysHeld()
        self._lease_held = True

    # ---- one round ----------------------------------------------------------------------------

    def run_once(self) -> SyncReport:
        now = self._clock.now()
        held = self._lease.acquire()
        if held != self._lease_held:
            log.info("sync lease %s", "taken" if held else "held by another client; not pushing")
            self._lease_held = held
        if not held:
            with self._uow_factory() as uow:
                pending = uow.outbox.counts().pending
            return replace(self._idle(now, pending), lease_held=False)
        with self._uow_factory() as uow:
            batch = uow.outbox.pending(self._batch_size, now)
            idle_pending = uow.outbox.counts().pending if not batch else 0
        if not batch:
            return self._idle(now, idle_pending)
        records = [p.record for p in batch]
        try:
            results = self._client.push(records)
        except PlatformError as exc:
            return self._failed(batch, exc)
        return self._answered(batch, {r.record_id: r for r in results})

    def _idle(self, now: dt.datetime, pending: int) -> SyncReport:
        state = self._state
        error = ""
        if state.last_probe_at is None or now - state.last_probe_at >= self._health_interval:
            health = self.check_health()
            error = "" if health.ok else health.detail
        return SyncReport(pending_after=pending, online=bool(self._state.online), error=error)

    def _failed(self, batch: Sequence[PendingRecord], exc: PlatformError) -> SyncReport:
        at = self._clock.now()
        failures = self._state.failures + 1
        delay = backoff_delay(failures, self._base_delay, self._max_delay, self._rng)
        if not exc.retryable:
            # A refused token or a malformed request will not mend itself in seconds: slowest pace.
            delay = self._max_delay
        ids = [p.record.record_id for p in batch]
        with self._uow_factory() as uow:
            uow.outbox.mark_failed(ids, exc.message, at + dt.timedelta(seconds=delay))
            pending = uow.outbox.counts().pending
            uow.commit()
        log.warning(
            "push of %d records failed (%s, retryable=%s); next try in %.1f s",
            len(ids),
            exc.message,
            exc.retryable,
            delay,
        )
        self._went_offline(at, exc.message, failures)
        return SyncReport(failed=len(ids), pending_after=pending, online=False, error=exc.message)

    def _answered(self, batch: Sequence[PendingRecord], answers: Mapping[str, PushResult]) -> SyncReport:
        at = self._clock.now()
        sent: list[str] = []
        duplicates = 0
        rejected: list[tuple[str, str]] = []
        unanswered: list[str] = []
        for p in batch:
            rid = p.record.record_id
            answer = answers.get(rid)
            status = answer.status if answer is not None else None
            if status in ("accepted", "duplicate"):
                sent.append(rid)
                duplicates += status == "duplicate"
            elif status == "rejected":
                rejected.append((rid, (answer.reason if answer else "") or REJECTED_WITHOUT_REASON))
                log.warning("record %s (%s) rejected by the platform; parked", rid, p.record.kind)
            else:
                unanswered.append(rid)
        failures = self._state.failures + 1 if unanswered else 0
        delay = backoff_delay(failures, self._base_delay, self._max_delay, self._rng)
        with self._uow_factory() as uow:
            if sent:
                uow.outbox.mark_sent(sent, at)
            for rid, reason in rejected:
                uow.outbox.mark_rejected(rid, reason, at)
            if unanswered:
                uow.outbox.mark_failed(unanswered, NO_ANSWER, at + dt.timedelta(seconds=delay))
            pending = uow.outbox.counts().pending
            uow.commit()
        log.info(
            "pushed %d records: %d sent (%d duplicates), %d rejected, %d unanswered; %d pending",
            len(batch),
            len(sent),
            duplicates,
            len(rejected),
            len(unanswered),
            pending,
        )
        error = NO_ANSWER if unanswered else ""
        self._state = replace(
            self._state, online=True, offline_since=None, last_error=error, failures=failures
        )
        return SyncReport(
            sent=len(sent),
            duplicates=duplicates,
            rejected=len(rejected),
            failed=len(unanswered),
            pending_after=pending,
            online=True,
            error=error,
        )

    def _went_offline(self, at: dt.datetime, message: str, failures: int | None = None) -> None:
        state = self._state
        self._state = replace(
            state,
            online=False,
            offline_since=state.offline_since if state.online is False else at,
            last_error=message,
            failures=state.failures if failures is None else failures,
        )

    # ---- health, status, loops ----------------------------------------------------------------

    def check_health(self) -> PlatformHealth:
        """Probe the platform; updates online state and the clock skew (server minus local)."""
        before = self._clock.now()
        health = self._client.health()
        after = self._clock.now()
        if health.ok and health.server_time is not None:
            skew = skew_seconds(health.server_time, before, after)
            self._state = replace(
                self._state,
                online=True,
                offline_since=None,
                last_error="",
                clock_skew_seconds=skew,
                last_probe_at=after,
            )
        else:
            self._went_offline(after, health.detail or "平台健康检查未通过")
            self._state = replace(self._state, last_probe_at=after)
        return health

    def status(self) -> SyncStatus:
        with self._uow_factory() as uow:
            counts = uow.outbox.counts()
        state = self._state
        return SyncStatus(
            online=state.online,
            offline_since=state.offline_since,
            pending=counts.pending,
            oldest_pending_at=counts.oldest_pending_at,
            last_error=state.last_error,
            clock_skew_seconds=state.clock_skew_seconds,
            rejected=counts.rejected,
            exported=counts.exported,
            lease_held=self._lease_held,
        )

    def close(self) -> None:
        """Give the lease up (another client takes over at once) and close the HTTP session."""
        self._lease.release()
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def drain(self, max_rounds: int = 1000) -> SyncReport:
        """Rounds while they make progress and meet no error; the totals, with the last round's state."""
        sent = duplicates = rejected = failed = 0
        report = SyncReport(online=bool(self._state.online))
        for _ in range(max_rounds):
            report = self.run_once()
            sent += report.sent
            duplicates += report.duplicates
            rejected += report.rejected
            failed += report.failed
            if report.error or not report.progressed:
                break
        return replace(report, sent=sent, duplicates=duplicates, rejected=rejected, failed=failed)

    def run_forever(
        self,
        stop_event: threading.Event,
        idle_interval: float = 5.0,
        wake_event: threading.Event | None = None,
    ) -> int:
        """Run rounds until ``stop_event`` is set; returns the number of rounds.

        Between rounds without progress it waits ``idle_interval`` seconds, or until ``wake_event``
        (e.g. set after a commit that added outbox records) is set. To stop promptly when a wake
        event is used, set ``stop_event`` first, then ``wake_event``.
        """
        rounds = 0
        waiter = wake_event if wake_event is not None else stop_event
        while not stop_event.is_set():
            rounds += 1
            try:
                progressed = self.run_once().progressed
            except Exception as exc:  # a store failure must not end the sync thread
                # Frames only: an exception's message may carry SQL parameters, i.e. personal data.
                frames = "".join(traceback.format_tb(exc.__traceback__))
                log.error("sync round failed with %s\n%s", type(exc).__name__, frames)
                progressed = False
            if progressed:
                continue
            waiter.wait(idle_interval)
            if wake_event is not None:
                wake_event.clear()
        log.info("sync loop stopped after %d rounds", rounds)
        return rounds


class _AlwaysHeld:
    """No lease needed: a standalone store has one client."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass
