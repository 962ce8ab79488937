"""A player for the Announcer that plays nothing: it records what it was asked and finishes on command."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from devices.voice import Announcement
from hallclient.ui.voice import AudioUnavailable, PlaybackError


class FakePlayer(QObject):
    """Implements ``hallclient.ui.voice.Player``.

    ``finish()`` ends the current announcement (as the sound card would); with ``auto_finish`` it ends by
    itself on its own thread's next event loop turn. ``overlaps`` counts plays started while another was
    still playing: the announcer must keep it at zero. ``available = False`` is a machine with no audio
    device; ``fail_next`` makes the next play refuse to start.
    """

    finished = Signal(bool, str)

    def __init__(self, *, available: bool = True, auto_finish: bool = False) -> None:
        super().__init__()
        self.available = available
        self.auto_finish = auto_finish
        self.fail_next = ""
        self.played: list[Announcement] = []
        self.current: Announcement | None = None
        self.overlaps = 0
        self.threads: set[QThread] = set()

    def check(self) -> None:
        if not self.available:
            raise AudioUnavailable()

    def play(self, announcement: Announcement) -> None:
        self.threads.add(QThread.currentThread())
        self.check()
        if self.fail_next:
            message, self.fail_next = self.fail_next, ""
            raise PlaybackError(message)
        if self.current is not None:
            self.overlaps += 1
        self.current = announcement
        self.played.append(announcement)
        if self.auto_finish:
            QTimer.singleShot(0, self, self.finish)

    def finish(self, ok: bool = True, message: str = "") -> None:
        assert self.current is not None, "nothing is playing"
        self.current = None
        self.finished.emit(ok, message)

    def stop(self) -> None:
        self.current = None
