"""``hallclient bench idcard``, the Qt part: card → filled applicant panel through the device lane.

A DeviceWorker on its own QThread reads a simulated reader (device time measured inside ``read_card`` and
taken out), checks the card, and its ``card_checked`` signal crosses to the GUI thread, where the applicant
panel is filled. Measured: from the GUI's read request to the panel showing the name, minus device time.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from devices.idcard.model import IdCard
from devices.idcard.sample_cards import SAMPLE_CARDS, SOCIAL_SECURITY_CARDS
from devices.idcard.simulated import SimulatedCardReader
from hallclient.ui.device_worker import DeviceWorker
from hallclient.ui.panels import ApplicantPanel
from hallclient.ui.workers import Lane


class _TimedReader(SimulatedCardReader):
    """Times its own ``read_card``: that is device time, not ours."""

    def __init__(self) -> None:
        super().__init__(cards=[])
        self.device_s = 0.0

    def read_card(self, timeout: float) -> IdCard | None:
        start = time.perf_counter()
        try:
            return super().read_card(timeout)
        finally:
            self.device_s = time.perf_counter() - start


class _Requests(QObject):
    read = Signal(float)
    checked = Signal(object)  # the worker's card_checked, re-emitted on the GUI thread (queued)


def bench_signal_path(rounds: int = 200) -> dict[str, Any]:
    app = QApplication.instance() or QApplication([])
    reader = _TimedReader()
    worker = DeviceWorker(lambda: reader, lambda: dt.date(2026, 3, 2))
    panel = ApplicantPanel()
    requests = _Requests()
    lane = Lane("bench-device", worker)
    requests.read.connect(worker.read_once)
    loop = QEventLoop()
    filled: list[float] = []

    def on_checked(check: Any) -> None:
        panel.show_check(check)
        filled.append(time.perf_counter())
        loop.quit()

    worker.card_checked.connect(requests.checked)  # crosses to the GUI thread, as in the application
    requests.checked.connect(on_checked)
    lane.start(worker.open)
    cards = [*SAMPLE_CARDS, *SOCIAL_SECURITY_CARDS]
    beyond_ms: list[float] = []
    total_ms: list[float] = []
    try:
        for n in range(rounds + 20):
            reader.place(cards[n % len(cards)])
            start = time.perf_counter()
            requests.read.emit(0.0)
            QTimer.singleShot(5000, loop.quit)
            loop.exec()
            if not filled:
                raise RuntimeError("no card reached the panel within 5 s")
            total = (filled.pop() - start) * 1000
            if n >= 20:  # warm-up rounds are not counted
                total_ms.append(total)
                beyond_ms.append(total - reader.device_s * 1000)
            reader.lift()
    finally:
        lane.stop("close")
        panel.deleteLater()
        app.processEvents()
    total_ms.sort()
    beyond_ms.sort()

    def pct(values: list[float], p: float) -> float:
        return round(values[min(len(values) - 1, int(len(values) * p))], 3)

    return {
        "rounds": rounds,
        "signal_path_ms": {"p50": pct(total_ms, 0.5), "p99": pct(total_ms, 0.99)},
        "beyond_device_ms": {
            "p50": pct(beyond_ms, 0.5),
            "p99": pct(beyond_ms, 0.99),
            "max": round(beyond_ms[-1], 3),
        },
    }
