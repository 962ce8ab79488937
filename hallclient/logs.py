"""Logging set-up: a rotating file in the user log directory; personal data is scrubbed on the way out."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from hallclient.domain.idnumber import redact_ids


class RedactingFilter(logging.Filter):
    """Last line of defence: whatever a careless message contains, a full ID number never reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_ids(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class RedactingFormatter(logging.Formatter):
    """Scrubs the whole formatted record, tracebacks included (the filter only sees the message)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_ids(super().format(record))


def setup_logging(log_dir: Path | None, level: int = logging.INFO, console: bool = False) -> Path | None:
    root = logging.getLogger()
    root.setLevel(level)
    for h in list(root.handlers):
        if getattr(h, "_hallclient", False):
            root.removeHandler(h)
    fmt = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = []
    path = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "hallclient.log"
        handlers.append(
            logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
        )
    if console:
        handlers.append(logging.StreamHandler())
    for h in handlers:
        h.setFormatter(fmt)
        h.addFilter(RedactingFilter())
        h._hallclient = True  # type: ignore[attr-defined]
        root.addHandler(h)
    return path
