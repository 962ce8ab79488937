"""The device lane's worker: owns the card reader, polls it, and tells the GUI what it read and how it is.

It lives on its own QThread (``Lane("device", worker)``, started with :meth:`DeviceWorker.start`) and talks to
the GUI only through signals carrying frozen values. Drivers are blocking (``read_card(timeout)``), so a
single-shot QTimer on the device thread asks the reader every ``poll_ms`` with a short timeout: a card put
down fills the applicant panel without a key press, and a reader unplugged and plugged back in is noticed and
reopened without restarting. 读卡 (F2) is a manual read with a longer timeout on the same thread.

Reader states (``state_changed(state, text)``): ``ready``, ``no_reader``, ``reading`` (manual reads only),
``error`` (a card or reader fault; ``text`` is the driver's message for the clerk). A state is announced
when it changes, so a reader polled five times a second does not repaint the window five times a second.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from devices.errors import (
    CardReadFailed,
    DeviceNotConnected,
    DeviceUnavailable,
    NoCard,
    PinRequired,
    UnsupportedCard,
)
from hallclient.services.applicants import check_card

log = logging.getLogger(__name__)

POLL_READ_TIMEOUT_S = 0.05  # a poll only looks; the device thread stays free for F2 and shutdown
MAX_BACKOFF_MS = 5000  # a reader that cannot be opened is retried at most this far apart
_NO_READER = "读卡器未连接，可手工录入"
# Faults of the card on the reader: their message stays until the next card (a poll that finds the same card
# still lying there returns nothing). Reader faults (no answer, a garbled frame) clear once it answers again.
_CARD_FAULTS = (CardReadFailed, NoCard, PinRequired, UnsupportedCard)


class DeviceWorker(QObject):
    """Owns the card reader. Lives on its own QThread; talks to the GUI only through signals."""

    card_checked = Signal(object)  # ApplicantCheck (frozen)
    state_changed = Signal(str, str)  # state (ready/no_reader/reading/error), clerk-facing text

    def __init__(
        self, reader_factory: Callable[[], Any], today: Callable[[], dt.date], poll_ms: int = 0
    ) -> None:
        super().__init__()
        self._factory = reader_factory
        self._today = today
        self._poll_ms = max(0, poll_ms)
        self._reader: Any = None
        self._opened = False
        self._failures = 0  # consecutive failures to reach the reader: the poll backs off
        self._timer: QTimer | None = None
        self._last: tuple[str, str] | None = None
        self._sticky = False  # the error shown is about the card: keep it until the next card

    @property
    def polling(self) -> bool:
        return self._timer is not None

    # -- slots (device thread) ------------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """The lane's entry: open the reader, then poll it unless polling is off or pointless."""
        self._make_reader()
        # A scripted simulated reader puts its next card down whenever it is asked: polled, it would fill
        # the panel with a new synthetic person every other poll. It is read on 读卡 (F2) only.
        if self._poll_ms and not getattr(self._reader, "on_demand", False):
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self._on_timer_timeout)
        self.open()
        self._schedule()

    @Slot()
    def open(self) -> bool:
        if not self._make_reader():
            return False
        try:
            self._reader.open()
        except Exception as exc:
            self._opened = False
            self._set_state("no_reader", _message(exc, _NO_READER))
            return False
        self._opened, self._failures = True, 0
        self._set_state("ready", f"读卡器就绪（{self._reader.describe()}）")
        return True

    def _make_reader(self) -> bool:
        if self._reader is None:
            try:
                self._reader = self._factory()
            except Exception as exc:  # an unknown driver key, a missing component: configuration
                self._set_state("no_reader", _message(exc, _NO_READER))
                return False
        return True

    @Slot(float)
    def read_once(self, timeout: float) -> None:
        """读卡 (F2): read now, waiting up to ``timeout`` s for a card."""
        self._read(timeout, manual=True)

    @Slot()
    def close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._reader is not None:
            try:
                self._reader.close()
            except Exception:
                log.warning("card reader close failed", exc_info=True)
            self._reader = None
        self._opened = False

    # -- polling ----------------------------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        try:
            self._read(POLL_READ_TIMEOUT_S, manual=False)
        finally:
            self._schedule()

    def _schedule(self) -> None:
        if self._timer is None:
            return
        delay = self._poll_ms if not self._failures else min(MAX_BACKOFF_MS, self._poll_ms << self._failures)
        self._timer.start(delay)

    # -- reading --------------------------------------------------------------------------------------------

    def _read(self, timeout: float, *, manual: bool) -> None:
        if not self._opened and not self.open():
            self._failures = min(self._failures + 1, 16)
            return
        if manual:
            self._set_state("reading", "正在读卡，请勿移动证件…", force=True)
        try:
            card = self._reader.read_card(timeout)
        except (DeviceNotConnected, DeviceUnavailable) as exc:
            # Unplugged, or its service went away: close it, and open it again on the next poll.
            log.info("card reader lost: %s", exc.detail or exc.code)
            self._drop()
            self._failures = min(self._failures + 1, 16)
            self._set_state("no_reader", exc.message, force=manual)
            return
        except Exception as exc:
            self._sticky = isinstance(exc, _CARD_FAULTS)
            self._set_state("error", _message(exc, "读卡失败，请重新放置证件"), force=manual)
            return
        if card is None:
            if manual:
                self._set_state(
                    "ready", "未检测到新的证件，请将证件放在读卡器上（已读过的证件请拿起后重新放置）"
                )
            elif self._last is not None and self._last[0] != "ready" and not self._sticky:
                self._set_state("ready", f"读卡器就绪（{self._reader.describe()}）")
            return
        self._sticky = False
        check = check_card(
            name=card.name or getattr(card, "english_name", ""),
            id_number=card.id_number,
            card_type=str(card.card_type),
            birth=card.birth,
            valid_to=card.valid_to,
            long_term=card.valid_long_term,
            sex=card.sex,
            today=self._today(),
            photo=getattr(card, "photo_image", None),
        )
        del card  # the raw photo and the other fields go no further than this frame (privacy.md §3)
        self.card_checked.emit(check)
        self._set_state("ready", "读卡成功", force=True)

    def _drop(self) -> None:
        self._opened = False
        try:
            self._reader.close()
        except Exception:
            log.debug("closing a lost reader failed", exc_info=True)

    def _set_state(self, state: str, text: str, *, force: bool = False) -> None:
        if force or self._last != (state, text):
            self._last = (state, text)
            self.state_changed.emit(state, text)


def _message(exc: BaseException, default: str) -> str:
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) and message else default
