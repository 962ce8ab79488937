"""Parser, dispatch and the helpers every subcommand module shares."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from hallclient import __version__
from hallclient.config import Config, ConfigError, load_config, log_dir

if TYPE_CHECKING:
    from hallclient.wiring import Wiring

log = logging.getLogger("hallclient")

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

# Subcommand modules, in help order. Each has ``register(sub, bench) -> None``.
MODULES = (
    "hallclient.cli.core",
    "hallclient.cli.idcard",
    "hallclient.cli.app_cmds",
    "hallclient.cli.sync_cmds",
    "hallclient.cli.cases",
    "hallclient.cli.queue",
    "hallclient.cli.faces",
)


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hallclient", description="政务服务大厅窗口工作台 (window workstation)")
    p.add_argument("--version", action="version", version=f"hallclient {__version__}")
    p.add_argument("--config", type=Path, help="配置文件路径 (default: user config dir/config.toml)")
    p.add_argument("--db", help="store URL, e.g. sqlite:///path/hall.db or postgresql+psycopg://user@host/db")
    p.add_argument("--window", help="window number of this workstation")
    p.add_argument("--platform-url", help="central platform base URL")
    p.add_argument("-v", "--verbose", action="store_true", help="log to the console too")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    bench_parser = sub.add_parser("bench", help="measure the quality budgets (DESIGN.md §9); prints figures")
    bench = bench_parser.add_subparsers(dest="bench", required=True, metavar="WHAT")
    for name in MODULES:
        importlib.import_module(name).register(sub, bench)
    return p


def effective_config(args: argparse.Namespace) -> Config:
    cfg = load_config(args.config)
    return cfg.with_overrides(
        {"store.url": args.db, "window.number": args.window, "platform.url": args.platform_url}
    )


@contextmanager
def opened_wiring(args: argparse.Namespace) -> Iterator[Wiring]:
    """Config → logging → store (migrated) → services; closed at the end."""
    from hallclient.logs import setup_logging
    from hallclient.wiring import build

    cfg = effective_config(args)
    setup_logging(log_dir(), console=args.verbose)
    w = build(cfg)
    try:
        yield w
    finally:
        w.close()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from hallclient.cli.core import cmd_gui

        handler = cmd_gui
    try:
        return int(handler(args))
    except (ConfigError, CliError) as exc:
        print(f"hallclient: {exc.message}", file=sys.stderr)
        return getattr(exc, "code", EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hallclient catalogue list | head`: the reader left; not an error
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        message = getattr(exc, "message", None)
        if message:  # an expected failure with words for people: no traceback
            print(f"hallclient: {message}", file=sys.stderr)
            return EXIT_FAIL
        raise
