"""Work off the GUI thread: one helper for the thread pool, callbacks always on the GUI thread.

Only immutable values travel back (the callables' return values), never ORM objects or sessions.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class Runner(Protocol):
    def run_in_background(
        self, fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None: ...


class _Relay(QObject):
    """Lives on the GUI thread; queued signals bring results back to it."""

    done = Signal(object, object)
    failed = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(self._on_done)
        self.failed.connect(self._on_failed)

    @Slot(object, object)
    def _on_done(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)

    @Slot(object, object)
    def _on_failed(self, callback: Callable[[BaseException], None], exc: BaseException) -> None:
        callback(exc)


class _Task(QRunnable):
    def __init__(self, relay: _Relay, fn: Callable[[], Any], on_done: Any, on_error: Any) -> None:
        super().__init__()
        self._relay, self._fn, self._on_done, self._on_error = relay, fn, on_done, on_error

    def run(self) -> None:
        try:
            value = self._fn()
        except BaseException as exc:
            if not _is_expected(exc):
                log.error("background task failed: %s", "".join(traceback.format_exception(exc)).strip())
            self._relay.failed.emit(self._on_error, exc)
        else:
            self._relay.done.emit(self._on_done, value)


def _is_expected(exc: BaseException) -> bool:
    return hasattr(exc, "message")


class BackgroundRunner:
    """``run_in_background(fn, on_done, on_error)``: fn runs in the pool; callbacks run on the GUI thread."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self._pool = pool or QThreadPool.globalInstance()
        self._relay = _Relay()
        self.active = 0

    def run_in_background(
        self, fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        self.active += 1

        def done(value: Any) -> None:
            self.active -= 1
            on_done(value)

        def failed(exc: BaseException) -> None:
            self.active -= 1
            on_error(exc)

        self._pool.start(_Task(self._relay, fn, done, failed))

    def wait(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)


def error_text(exc: BaseException) -> str:
    """The Chinese sentence for a person; unexpected errors get a generic one (details are in the log)."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return f"操作未完成：发生意外错误（{type(exc).__name__}）。数据未丢失，请重试；如仍失败请联系大厅IT并提供日志。"
