"""Play calls through the real Announcer and QtAudioPlayer, then print what happened as one JSON object.

    python -m tests.integration.voice.play_announcement --call A003:12 [--call B001:3] [--template T]
        [--repeat N] [--volume V] [--slack-ms MS] [--timeout S]

A process of its own so that its audio server is the one in its environment (``PULSE_SERVER``): Qt binds
the PulseAudio connection once per process. Exit status 0 when every call was played or dropped, 2 on
timeout. Events: {"event": "started"|"finished"|"dropped"|"no_audio"|"failed", "ticket"|"message", "t"}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

from devices.voice import Announcement
from hallclient.config import VoiceSection
from hallclient.ui.voice import QtAudioPlayer, start_voice_lane


class Recorder(QObject):
    """Lives on the main thread: the announcer's signals arrive here queued, in order."""

    def __init__(self, app: QCoreApplication, expected: int) -> None:
        super().__init__()
        self.app = app
        self.expected = expected
        self.t0 = time.monotonic()
        self.events: list[dict[str, Any]] = []
        self.durations: dict[str, float] = {}

    def _add(self, event: str, **fields: Any) -> None:
        self.events.append({"event": event, "t": round(time.monotonic() - self.t0, 3), **fields})

    @Slot(object)
    def on_started(self, a: Announcement) -> None:
        self.durations[a.ticket] = a.duration_s
        self._add("started", ticket=a.ticket)

    @Slot(object)
    def on_finished(self, a: Announcement) -> None:
        self._add("finished", ticket=a.ticket)
        self._maybe_done()

    @Slot(object)
    def on_dropped(self, a: Announcement) -> None:
        self._add("dropped", ticket=a.ticket)
        self._maybe_done()

    @Slot(str)
    def on_no_audio(self, message: str) -> None:
        self._add("no_audio", message=message)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self._add("failed", message=message)

    def _maybe_done(self) -> None:
        if sum(e["event"] in ("finished", "dropped") for e in self.events) >= self.expected:
            self.app.quit()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--call", action="append", required=True, help="TICKET:WINDOW")
    parser.add_argument("--template", default=VoiceSection.template)
    parser.add_argument("--repeat", type=int, default=VoiceSection.repeat)
    parser.add_argument("--volume", type=float, default=1.0)
    parser.add_argument("--slack-ms", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    app = QCoreApplication(sys.argv[:1])
    cfg = VoiceSection(template=args.template, repeat=args.repeat, volume=args.volume)
    voice = start_voice_lane(cfg, player_factory=lambda: QtAudioPlayer(args.volume, slack_ms=args.slack_ms))
    assert voice is not None
    recorder = Recorder(app, len(args.call))
    a = voice.announcer
    a.announcement_started.connect(recorder.on_started)
    a.announcement_finished.connect(recorder.on_finished)
    a.announcement_dropped.connect(recorder.on_dropped)
    a.audio_unavailable.connect(recorder.on_no_audio)
    a.voice_failed.connect(recorder.on_failed)
    for call in args.call:
        ticket, _, window = call.partition(":")
        a.announce(ticket, window)
    timed_out = []
    QTimer.singleShot(int(args.timeout * 1000), lambda: (timed_out.append(True), app.quit()))
    app.exec()
    voice.stop()
    print(
        json.dumps({"events": recorder.events, "durations": recorder.durations, "timed_out": bool(timed_out)})
    )
    return 2 if timed_out else 0


if __name__ == "__main__":
    sys.exit(main())
