"""The ``hallclient`` command line.

Each area registers its subcommands in its own module (``register(sub, bench)``); ``bench`` is the
sub-parser set of ``hallclient bench``. Qt is imported only by the subcommands that open windows.
"""

from __future__ import annotations

from hallclient.cli.base import EXIT_FAIL, EXIT_OK, EXIT_USAGE, CliError, build_parser, main

__all__ = ["EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "CliError", "build_parser", "main"]
