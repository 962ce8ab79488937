"""Composition root for the Qt faces: builds the application, the lanes and the windows."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import devices
from hallclient.config import Config
from hallclient.domain.queue import business_date
from hallclient.services.auth import ClerkSession
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen, choose_screen
from hallclient.ui.review_pad import SCREEN, ReviewPadWorker, attach_to_lane, stop_on_lane
from hallclient.ui.signin import make_qapp
from hallclient.ui.threads import BackgroundRunner
from hallclient.ui.voice import VoiceLane, start_voice_lane
from hallclient.ui.workers import DeviceWorker, Lane, SyncWorker
from hallclient.wiring import Wiring

log = logging.getLogger(__name__)


def reader_factory(cfg: Config) -> Any:
    options: dict[str, Any] = {}
    if cfg.devices.card_reader_port:
        options["port"] = cfg.devices.card_reader_port
    if cfg.devices.card_reader_library and cfg.devices.card_reader == "vendor-sdk":  # its key alone
        options["library"] = cfg.devices.card_reader_library
    return lambda: devices.create(devices.CARD_READER, cfg.devices.card_reader, **options)


def review_pad_factory(cfg: Config) -> Any:
    d = cfg.devices
    return lambda: devices.create(
        devices.REVIEW_PAD, d.review_pad, port=d.review_pad_port, key_map=d.review_pad_keys
    )


@dataclass
class Workstation:
    """One signed-in clerk's running faces and lanes; ``shutdown`` stops everything in order."""

    wiring: Wiring
    session: ClerkSession
    runner: BackgroundRunner
    window: ClerkWindow
    customer: CustomerScreen
    device_lane: Lane
    sync_lane: Lane | None
    review_pad: ReviewPadWorker | None = None  # a keypad on the device lane; None: the screen alone
    voice: VoiceLane | None = None  # [voice] at_window: this PC announces its own calls

    def shutdown(self) -> None:
        log.info("shutting down workstation")
        if self.voice is not None:
            self.voice.stop()
        if self.sync_lane is not None:
            self.sync_lane.stop("stop")
        if self.review_pad is not None:
            stop_on_lane(self.review_pad, self.device_lane)
        self.device_lane.stop("close")
        self.runner.wait(10_000)


def open_workstation(
    wiring: Wiring, session: ClerkSession, runner: BackgroundRunner, *, sync: bool = True
) -> Workstation:
    cfg = wiring.config
    r = cfg.review
    customer = CustomerScreen(wiring.hall.name, r.bad_reasons, r.timeout_s, r.photo)
    window = ClerkWindow(wiring, session, runner, customer)
    tz = wiring.hall.timezone
    worker = DeviceWorker(
        reader_factory(cfg),
        lambda: business_date(dt.datetime.now(dt.UTC), tz),
        poll_ms=cfg.devices.card_reader_poll_ms,
    )
    device_lane = Lane("device", worker)
    worker.card_checked.connect(window.on_card_checked)
    worker.state_changed.connect(window.on_reader_state)
    window.card_read_requested.connect(worker.read_once)
    pad = None
    if cfg.devices.review_pad != SCREEN:
        pad = ReviewPadWorker(review_pad_factory(cfg))
        pad.rating_given.connect(customer.pad_rating)
        pad.state_changed.connect(window.on_review_pad_state)
        attach_to_lane(pad, device_lane)
    device_lane.start(worker.start)
    sync_lane = None
    if sync:
        sync_worker = SyncWorker(wiring.sync_engine(), cfg.platform.sync_interval_s)
        sync_lane = Lane("sync", sync_worker)
        sync_worker.status_changed.connect(window.on_sync_status)
        window.sync_requested.connect(sync_worker.sync_now)
        sync_lane.start(sync_worker.start)
    voice = start_voice_lane(cfg.voice) if cfg.voice.at_window else None
    if voice is not None:
        announce_at_window(window, voice, session.window_no)
    place_customer_screen(customer, r.screen)
    return Workstation(wiring, session, runner, window, customer, device_lane, sync_lane, pad, voice)


def announce_at_window(window: ClerkWindow, voice: VoiceLane, window_no: str) -> None:
    """Speak this window's calls, again on a recall; a missing audio device is told, never fatal."""
    window.ticket_called.connect(lambda t: voice.announcer.announce(t.number, t.window_no or window_no))
    window.queue_ops.ticket_recalled.connect(
        lambda t: voice.announcer.recall(t.number, t.window_no or window_no)
    )
    voice.announcer.audio_unavailable.connect(window.show_device_message)
    voice.announcer.voice_failed.connect(window.show_device_message)


def place_customer_screen(customer: CustomerScreen, configured: int = -1) -> None:
    """On the configured monitor (review.screen), else the second one when there is one."""
    screens = QApplication.screens()
    index = choose_screen(len(screens), configured)
    if index is None:
        customer.show()
        return
    customer.setScreen(screens[index])
    customer.move(screens[index].geometry().topLeft())
    customer.showFullScreen()


def run_workstation(wiring: Wiring, session: ClerkSession, runner: BackgroundRunner) -> int:
    """After sign-in: the clerk window, the customer screen and the lanes, until the window closes."""
    app = make_qapp()
    station = open_workstation(wiring, session, runner)
    station.window.show()
    try:
        return app.exec()
    finally:
        station.shutdown()


# ---- benchmarks of the window client (DESIGN.md §9); driven by `hallclient bench start|memory` ----------


def bench_memory_day(wiring: Wiring, session: ClerkSession, tickets: int) -> tuple[float, float, float]:
    """A day at one window in the real window: call, card, finish, review. Returns (seconds, rss0, rss1)."""
    from hallclient.ui.demo import read_card, wait_for

    make_qapp()
    station = open_workstation(wiring, session, BackgroundRunner(), sync=False)
    win = station.window
    rss0 = _rss_mb()
    started = time.perf_counter()
    try:
        for _ in range(tickets):
            wiring.queue.issue_ticket("general")
            win.call_next()
            wait_for(win.ticket_called, failed=win.operation_failed)
            read_card(win)
            win.finish()
            wait_for(win.service_finished, failed=win.operation_failed)
            win.customer.choose_level(5)
            wait_for(win.review_recorded, failed=win.operation_failed)
        return time.perf_counter() - started, rss0, _rss_mb()
    finally:
        station.shutdown()
        win.close()


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the hall's public faces: kiosk (取号机) and board (叫号屏) --------------------------------------


def _quit_on_signals(app: Any) -> Any:
    """Ctrl+C and SIGTERM end the event loop, so the stations shut down in order (kiosk and board run
    unattended and are stopped by a service manager). Python runs signal handlers only between Qt
    events: a timer makes sure there are some."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def run_kiosk(w: Wiring, *, fullscreen: bool) -> int:
    from hallclient.services.hall_display import HallDisplay
    from hallclient.ui.kiosk import open_kiosk
    from hallclient.ui.threads import BackgroundRunner
    from hallclient.ui.ticket_printing import ticket_printer_factory

    cfg = w.config
    app = make_qapp()
    _quit_on_signals(app)
    runner = BackgroundRunner()
    station = open_kiosk(
        w.queue,
        HallDisplay(w.uow, w.clock, w.hall.timezone),
        w.queue_events(),
        runner,
        w.hall.name,
        w.hall.timezone,
        cfg.kiosk,
        ticket_printer_factory(cfg),
        reader_factory(cfg) if cfg.kiosk.id_card else None,
        reader_poll_ms=cfg.devices.card_reader_poll_ms or 400,
    )
    if fullscreen:
        station.window.showFullScreen()
    else:
        station.window.resize(1080, 1200)
        station.window.show()
    try:
        return app.exec()
    finally:
        station.shutdown()
        runner.wait(10_000)


def run_board(w: Wiring, *, fullscreen: bool, voice: bool) -> int:
    from hallclient.services.hall_display import HallDisplay
    from hallclient.ui.board import open_board

    cfg = w.config
    app = make_qapp()
    _quit_on_signals(app)
    voice_lane = start_voice_lane(cfg.voice) if voice else None
    station = open_board(
        HallDisplay(w.uow, w.clock, w.hall.timezone),
        w.queue_events(),
        w.hall.name,
        w.hall.timezone,
        cfg.board,
        voice_lane,
    )
    if fullscreen:
        station.window.showFullScreen()
    else:
        station.window.resize(1600, 900)
        station.window.show()
    try:
        return app.exec()
    finally:
        station.shutdown()
