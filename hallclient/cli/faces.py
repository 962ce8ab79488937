"""The hall's public faces: ``hallclient kiosk`` (取号机) and ``hallclient board`` (叫号屏).

Each is its own process on its own PC (or screen), over the same store as the clerk windows; changes reach
them through the queue's change notification (LISTEN/NOTIFY on PostgreSQL, polling on SQLite).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from hallclient.cli.base import opened_wiring

if TYPE_CHECKING:
    from hallclient.wiring import Wiring


def register(sub: Any, bench: Any) -> None:
    k = sub.add_parser(
        "kiosk",
        help="取号机 (ticket kiosk): touch a business, get a number and a printed slip",
        description="Full screen unless --windowed. Printer: [devices] ticket_printer / ticket_printer_port; "
        "businesses, footer, QR and ID-card reading: [kiosk] (docs/configuration.md).",
    )
    k.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    k.set_defaults(handler=cmd_kiosk)
    b = sub.add_parser(
        "board",
        help="叫号屏 (hall display): numbers called at each window, the last calls, waiting counts; "
        "speaks the calls when [voice] enabled",
    )
    b.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    b.add_argument("--no-voice", action="store_true", help="do not announce calls, whatever [voice] says")
    b.set_defaults(handler=cmd_board)


def cmd_kiosk(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        return run_kiosk(w, fullscreen=w.config.kiosk.fullscreen and not args.windowed)


def cmd_board(args: argparse.Namespace) -> int:
    with opened_wiring(args) as w:
        return run_board(
            w, fullscreen=w.config.board.fullscreen and not args.windowed, voice=not args.no_voice
        )


def _quit_on_signals(app: Any) -> Any:
    """Ctrl+C and SIGTERM end the event loop, so the stations shut down in order (kiosk and board run
    unattended and are stopped by a service manager). Python runs signal handlers only between Qt
    events: a timer makes sure there are some."""
    import signal

    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def run_kiosk(w: Wiring, *, fullscreen: bool) -> int:
    from hallclient.app import make_qapp, reader_factory
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
    from hallclient.app import make_qapp
    from hallclient.services.hall_display import HallDisplay
    from hallclient.ui.board import open_board
    from hallclient.ui.voice import start_voice_lane

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
