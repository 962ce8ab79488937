"""The hall's public faces: ``hallclient kiosk`` (取号机) and ``hallclient board`` (叫号屏).

Each is its own process on its own PC (or screen), over the same store as the clerk windows; changes reach
them through the queue's change notification (LISTEN/NOTIFY on PostgreSQL, polling on SQLite).
"""

from __future__ import annotations

import argparse
from typing import Any

from hallclient.cli.base import opened_wiring


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
    from hallclient.app import run_kiosk

    with opened_wiring(args) as w:
        return run_kiosk(w, fullscreen=w.config.kiosk.fullscreen and not args.windowed)


def cmd_board(args: argparse.Namespace) -> int:
    from hallclient.app import run_board

    with opened_wiring(args) as w:
        return run_board(
            w, fullscreen=w.config.board.fullscreen and not args.windowed, voice=not args.no_voice
        )
