"""The hall display (叫号屏, ``hallclient board``): readable from across the hall.

Light type on a dark ground, big: the newest call as a banner ("请 A012 号到 3 号窗口"), the number being
served at each window, the last N calls (citizens who looked away find theirs there; queue.md §6, FQM #172),
and the waiting count per business. A new call flashes, in the banner and in its window's cell, for
``[board] flash_seconds``. Numbers, windows and business names only: no names, no ID numbers (privacy.md §2).

Snapshots come from a :class:`~hallclient.ui.queue_watch.QueueWatcher` (change notification or polling, off
the GUI thread), so a call shows within a poll interval. The board can host the hall's voice: each new call
is handed to the announcer exactly once (``HallDisplay.board`` reports calls the board has not seen), and a
recall is announced again.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from hallclient.config import BoardSection
from hallclient.services.hall_display import BoardSnapshot, CallShown, HallDisplay, WindowShown
from hallclient.services.queue_ports import QueueEvents
from hallclient.ui.queue_watch import WatchLane, start_watching

__all__ = ["BoardStation", "BoardWindow", "CallAnnouncer", "WindowCell", "call_text", "open_board"]

log = logging.getLogger(__name__)

FLASH_STEP_MS = 400

BOARD_STYLE = """
QWidget#board { background: #0b1220; }
QLabel { color: #f2f5fa; background: transparent; }
QLabel#boardTitle { font-size: 40px; font-weight: bold; color: #ffffff; }
QLabel#boardClock { font-size: 40px; color: #9fb3cc; }
QLabel#banner { font-size: 76px; font-weight: bold; color: #ffd54a; padding: 14px; border-radius: 14px;
    background: #16233a; }
QLabel#banner[flash="on"] { color: #0b1220; background: #ffd54a; }
QFrame[role="cell"] { background: #16233a; border-radius: 14px; }
QFrame[role="cell"][flash="on"] { background: #ffd54a; }
QLabel[role="cellWindow"] { font-size: 30px; color: #9fb3cc; }
QLabel[role="cellNumber"] { font-size: 72px; font-weight: bold; color: #ffffff; }
QFrame[flash="on"] QLabel[role="cellWindow"] { color: #0b1220; }
QFrame[flash="on"] QLabel[role="cellNumber"] { color: #0b1220; }
QLabel#recentTitle, QLabel#waitingTitle { font-size: 32px; color: #9fb3cc; }
QLabel[role="recent"] { font-size: 44px; font-weight: bold; color: #ffffff; }
QLabel[role="recent"][recall="yes"] { color: #ffd54a; }
QLabel[role="waiting"] { font-size: 34px; color: #ffffff; }
QLabel#boardNotice { font-size: 24px; color: #ff8a80; }
"""


class CallAnnouncer(Protocol):
    """hallclient.ui.voice.Announcer: thread-safe, queues and never overlaps."""

    def announce(self, ticket: str, window: str) -> None: ...

    def recall(self, ticket: str, window: str) -> None: ...


def call_text(call: CallShown) -> str:
    return f"请 {call.ticket_number} 号到 {call.window_no} 号窗口"


def _repolish(w: QWidget) -> None:
    w.style().unpolish(w)
    w.style().polish(w)
    for child in w.findChildren(QWidget):
        child.style().unpolish(child)
        child.style().polish(child)


class WindowCell(QFrame):
    def __init__(self, window_no: str) -> None:
        super().__init__(objectName=f"cell_{window_no}")
        self.setProperty("role", "cell")
        self.window_no = window_no
        self.title = QLabel(f"{window_no} 号窗口", alignment=Qt.AlignmentFlag.AlignCenter)
        self.title.setProperty("role", "cellWindow")
        self.number = QLabel("—", alignment=Qt.AlignmentFlag.AlignCenter)
        self.number.setProperty("role", "cellNumber")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.number)

    def show_window(self, w: WindowShown) -> None:
        self.number.setText(w.serving or "—")

    def set_flash(self, on: bool) -> None:
        if (self.property("flash") == "on") != on:
            self.setProperty("flash", "on" if on else "off")
            _repolish(self)


class BoardWindow(QWidget):
    call_shown = Signal(object)  # CallShown, once per new call (flashed, and announced if there is voice)

    def __init__(
        self,
        hall_name: str,
        timezone: str,
        cfg: BoardSection | None = None,
        announcer: CallAnnouncer | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("board")
        self.setWindowTitle(f"{hall_name} 叫号屏")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(BOARD_STYLE)
        self._cfg = cfg or BoardSection()
        self._tz = ZoneInfo(timezone)
        self._announcer = announcer
        self.snapshot: BoardSnapshot | None = None
        self.cells: dict[str, WindowCell] = {}
        self.flashing: set[str] = set()  # window numbers whose cell flashes now
        self.flash_on = False
        self.flash_toggles = 0

        self.title = QLabel(f"{hall_name}　叫号信息", objectName="boardTitle")
        self.clock = QLabel("", objectName="boardClock")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.clock)
        self.banner = QLabel(
            "欢迎光临，请留意叫号", objectName="banner", alignment=Qt.AlignmentFlag.AlignCenter
        )
        self.cell_grid = QGridLayout()
        self.cell_grid.setSpacing(16)
        self.recent_title = QLabel("最近叫号", objectName="recentTitle")
        self.recent_rows = [QLabel("", alignment=Qt.AlignmentFlag.AlignLeft) for _ in range(self._cfg.last_n)]
        recent = QVBoxLayout()
        recent.addWidget(self.recent_title)
        for row in self.recent_rows:
            row.setProperty("role", "recent")
            recent.addWidget(row)
        recent.addStretch(1)
        middle = QHBoxLayout()
        middle.addLayout(self.cell_grid, 3)
        middle.addSpacing(32)
        middle.addLayout(recent, 2)
        self.waiting_title = QLabel("等候人数", objectName="waitingTitle")
        self.waiting_grid = QGridLayout()
        self.waiting_grid.setHorizontalSpacing(48)
        self.waiting_labels: dict[str, QLabel] = {}
        self.notice = QLabel("", objectName="boardNotice")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 28, 40, 20)
        layout.setSpacing(18)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addLayout(middle, 1)
        layout.addWidget(self.waiting_title)
        layout.addLayout(self.waiting_grid)
        layout.addWidget(self.notice)

        self._flash = QTimer(self)
        self._flash.setInterval(FLASH_STEP_MS)
        self._flash.timeout.connect(self._on_flash_timeout)
        self._flash_age = QElapsedTimer()
        self._clock = QTimer(self)
        self._clock.setInterval(10_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._tick()

    # -- snapshots -------------------------------------------------------------------------------------

    def show_snapshot(self, snap: BoardSnapshot) -> None:
        self.snapshot = snap
        self.notice.setText("")
        self._show_windows(snap.windows)
        for row, call in zip(self.recent_rows, [*snap.recent, *[None] * len(self.recent_rows)], strict=False):
            row.setText(f"{call.ticket_number}　→　{call.window_no} 号窗口" if call else "")
            row.setProperty("recall", "yes" if call and call.recall else "no")
            _repolish(row)
        self._show_waiting(snap)
        # A first snapshot has no new calls (HallDisplay.board with seen=None): what happened before the
        # board started is shown, not flashed or announced.
        if snap.recent and self.banner.text().startswith("欢迎"):
            self.banner.setText(call_text(snap.recent[0]))
        for call in snap.new_calls:
            self._new_call(call)

    def _show_windows(self, windows: tuple[WindowShown, ...]) -> None:
        if [w.window_no for w in windows] != list(self.cells):
            for cell in self.cells.values():
                self.cell_grid.removeWidget(cell)
                cell.deleteLater()
            self.cells = {}
            columns = max(1, min(8, math.ceil(math.sqrt(len(windows)))))
            for i, w in enumerate(windows):
                cell = WindowCell(w.window_no)
                self.cell_grid.addWidget(cell, i // columns, i % columns)
                self.cells[w.window_no] = cell
        for w in windows:
            self.cells[w.window_no].show_window(w)

    def _show_waiting(self, snap: BoardSnapshot) -> None:
        if list(self.waiting_labels) != [b.code for b in snap.waiting]:
            for label in self.waiting_labels.values():
                self.waiting_grid.removeWidget(label)
                label.deleteLater()
            self.waiting_labels = {}
            for i, b in enumerate(snap.waiting):
                label = QLabel("", objectName=f"waiting_{b.code}")
                label.setProperty("role", "waiting")
                self.waiting_grid.addWidget(label, i // 4, i % 4)
                self.waiting_labels[b.code] = label
        for b in snap.waiting:
            self.waiting_labels[b.code].setText(f"{b.prefix} {b.name}　{b.waiting} 人")

    def on_read_failed(self, text: str) -> None:
        self.notice.setText(f"叫号信息暂时无法更新：{text}")

    def on_read_recovered(self) -> None:
        self.notice.setText("")

    # -- a new call: flash and announce ----------------------------------------------------------------

    def _new_call(self, call: CallShown) -> None:
        log.info(
            "board: %s %s at window %s",
            "recall" if call.recall else "call",
            call.ticket_number,
            call.window_no,
        )
        self.banner.setText(call_text(call))
        if call.window_no in self.cells:
            self.flashing.add(call.window_no)
        if self._cfg.flash_seconds > 0:
            self._flash_age.start()
            if not self._flash.isActive():
                self._flash.start()
            self._set_flash(True)
        if self._announcer is not None:
            if call.recall:
                self._announcer.recall(call.ticket_number, call.window_no)
            else:
                self._announcer.announce(call.ticket_number, call.window_no)
        self.call_shown.emit(call)

    def _on_flash_timeout(self) -> None:
        if self._flash_age.elapsed() >= self._cfg.flash_seconds * 1000:
            self._flash.stop()
            self._set_flash(False)
            self.flashing.clear()
            return
        self._set_flash(not self.flash_on)

    def _set_flash(self, on: bool) -> None:
        self.flash_on = on
        self.flash_toggles += 1
        self.banner.setProperty("flash", "on" if on else "off")
        _repolish(self.banner)
        for no, cell in self.cells.items():
            cell.set_flash(on and no in self.flashing)

    def _tick(self) -> None:
        self.clock.setText(dt.datetime.now(self._tz).strftime("%H:%M"))

    def texts(self) -> list[str]:
        """Every text on the board (tests check no name or ID number is among them)."""
        return [label.text() for label in self.findChildren(QLabel)]


@dataclass
class BoardStation:
    window: BoardWindow
    watch: WatchLane
    voice: Any = None  # hallclient.ui.voice.VoiceLane

    def shutdown(self) -> None:
        log.info("shutting down board")
        self.watch.stop()
        if self.voice is not None:
            self.voice.stop()


def open_board(
    display: HallDisplay,
    events: QueueEvents,
    hall_name: str,
    timezone: str,
    cfg: BoardSection,
    voice: Any = None,
    *,
    announcer: CallAnnouncer | None = None,
    idle_s: float = 30.0,
) -> BoardStation:
    """Build and start a board. ``voice``: a running VoiceLane whose announcer speaks the calls (or pass
    ``announcer`` directly). ``events`` is closed by the station's shutdown."""
    if announcer is None and voice is not None:
        announcer = voice.announcer
    window = BoardWindow(hall_name, timezone, cfg, announcer)
    last_n, windows = cfg.last_n, cfg.windows
    seen: dict[str, frozenset[int] | None] = {"ids": None}

    def read() -> BoardSnapshot:
        # On the watcher's thread: remembers what it has read, so each call is new exactly once.
        snap = display.board(last_n, seen["ids"], windows)
        seen["ids"] = snap.call_ids
        return snap

    watch = start_watching(
        events, read, window.show_snapshot, window.on_read_failed, window.on_read_recovered, idle_s=idle_s
    )
    return BoardStation(window, watch, voice)
