"""Call announcements: one queue, played strictly one at a time, on the voice lane (its own thread).

``Announcer`` takes calls (``announce``/``recall``, callable from any thread: they only emit a signal),
asks its voice backend (``devices.voice``: shipped clips by default) for the announcement, and plays the
queue in order through a player. The next announcement starts only when the player reports the current
one finished, so announcements never overlap. A recall replays the same announcement (rendered from the
same clips and template, byte for byte). When more than ``max_queue`` are waiting, the oldest waiting one
is dropped with a log line: in a busy hall a call from a minute ago is stale.

``QtAudioPlayer`` plays through QtMultimedia's ``QAudioSink`` (PulseAudio on Linux, WASAPI on Windows). It
must live on a thread with an event loop: the Announcer creates it on its own thread at ``start``. With no
audio device the announcer reports ``audio_unavailable("未检测到音频设备，叫号语音不可用")`` and carries on
(announcements are dropped, the window keeps working); every new announcement looks for a device again.
"""

from __future__ import annotations

import io
import logging
import time
import wave
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer, Signal, Slot
from PySide6.QtMultimedia import QAudio, QAudioDevice, QAudioFormat, QAudioSink, QMediaDevices

from devices.voice import Announcement, ClipVoice, VoiceBackend, VoiceError
from hallclient.config import VoiceSection
from hallclient.ui.workers import Lane

log = logging.getLogger(__name__)

NO_AUDIO_MESSAGE = "未检测到音频设备，叫号语音不可用"

# Works around PySide6 6.12: the converter for the QAudio::State argument of QAudioSink.stateChanged exists only
# once the QAudio namespace has been touched. Without this line every state change fails with "TypeError: Cannot
# call meta function ... QAudio::State cannot be converted" and the end of playback is never seen. The value
# then arrives as a QAudio.State, which never compares equal to the QtAudio.State of the same name: states and
# errors are compared by name below.
QAudio.State  # noqa: B018


def _name(value: object) -> str:
    return str(getattr(value, "name", value))


_SAMPLE_FORMATS = {
    1: QAudioFormat.SampleFormat.UInt8,
    2: QAudioFormat.SampleFormat.Int16,
    4: QAudioFormat.SampleFormat.Int32,
}


class PlaybackError(Exception):
    """This announcement cannot be played; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AudioUnavailable(PlaybackError):
    """No audio output device: nothing can be played until one appears."""

    def __init__(self, message: str = NO_AUDIO_MESSAGE) -> None:
        super().__init__(message)


class Player(Protocol):
    """Plays one announcement at a time and emits ``finished(ok: bool, message: str)`` exactly once per
    ``play`` that did not raise. A speech-engine player (QTextToSpeech) would speak ``text_for_speech``."""

    finished: Any  # SignalInstance(bool, str)

    def check(self) -> None:
        """Raise :class:`AudioUnavailable` when there is no output device."""

    def play(self, announcement: Announcement) -> None:
        """Start playing; raise :class:`PlaybackError` if it cannot start."""

    def stop(self) -> None:
        """Stop now, without emitting ``finished``."""


class QtAudioPlayer(QObject):
    """Plays the announcement's WAV through a ``QAudioSink`` on the default (or a given) output device."""

    finished = Signal(bool, str)

    def __init__(
        self,
        volume: float = 1.0,
        device: Callable[[], QAudioDevice] | None = None,
        *,
        slack_ms: int = 5000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._volume = volume
        self._device = device or QMediaDevices.defaultAudioOutput
        self._slack_ms = slack_ms
        self._sink: QAudioSink | None = None
        self._buffer: QBuffer | None = None
        # A sink that never drains (device gone mid-play, a stalled server) must not block the queue forever.
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._on_watchdog_timeout)

    def check(self) -> None:
        if self._device().isNull():
            raise AudioUnavailable()

    def play(self, announcement: Announcement) -> None:
        if not announcement.wav:
            raise PlaybackError("该叫号语音没有录音数据（文字转语音需要语音引擎播放器）")
        device = self._device()
        if device.isNull():
            raise AudioUnavailable()
        with wave.open(io.BytesIO(announcement.wav), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
        fmt = QAudioFormat()
        fmt.setSampleRate(rate)
        fmt.setChannelCount(channels)
        fmt.setSampleFormat(_SAMPLE_FORMATS.get(width, QAudioFormat.SampleFormat.Unknown))
        if not device.isFormatSupported(fmt):
            raise PlaybackError(
                f"音频设备“{device.description()}”不支持叫号语音的格式（{channels} 声道 {8 * width} 位 {rate} Hz）"
            )
        self._release()
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(frames))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QAudioSink(device, fmt, self)
        self._sink.setVolume(self._volume)
        self._sink.stateChanged.connect(self._on_sink_state_changed)
        self._sink.start(self._buffer)
        if _name(self._sink.error()) != "NoError":
            error = _name(self._sink.error())
            self._release()
            raise PlaybackError(f"无法在音频设备“{device.description()}”上播放叫号语音（{error}）")
        self._watchdog.start(int(announcement.duration_s * 1000) + self._slack_ms)

    def stop(self) -> None:
        self._watchdog.stop()
        self._release()

    def _on_sink_state_changed(self, state: object) -> None:
        if self._sink is None:
            return
        if _name(state) == "IdleState":  # the buffer is drained and the device has played it
            self._done(True, "")
        elif _name(state) == "StoppedState" and _name(self._sink.error()) != "NoError":
            self._done(False, f"叫号语音播放中断（{_name(self._sink.error())}），请检查音箱或耳机")

    @Slot()
    def _on_watchdog_timeout(self) -> None:
        log.warning("announcement did not finish playing in time: stopped (audio device stalled?)")
        self._done(False, "叫号语音播放超时，请检查音箱或耳机")

    def _done(self, ok: bool, message: str) -> None:
        self._watchdog.stop()
        self._release()
        self.finished.emit(ok, message)

    def _release(self) -> None:
        sink, buffer, self._sink, self._buffer = self._sink, self._buffer, None, None
        if sink is not None:
            sink.stateChanged.disconnect(self._on_sink_state_changed)
            sink.stop()
            sink.deleteLater()  # we may be inside its own signal
        if buffer is not None:
            buffer.close()
            buffer.deleteLater()


@dataclass(frozen=True)
class _Queued:
    announcement: Announcement
    kind: str  # "call" or "recall"
    queued_at: float  # time.monotonic()


class Announcer(QObject):
    """The announcement queue. Lives on the voice lane; ``announce``/``recall`` may be called from any thread."""

    announce_requested = Signal(str, str)  # ticket, window
    recall_requested = Signal(str, str)
    announcement_started = Signal(object)  # Announcement (frozen)
    announcement_finished = Signal(object)  # Announcement, played to the end or not
    announcement_dropped = Signal(object)  # Announcement, dropped unplayed (queue full, no audio device)
    audio_unavailable = Signal(str)  # NO_AUDIO_MESSAGE, once each time the device goes missing
    voice_failed = Signal(str)  # clerk-facing text: a clip missing, a clip in another format, playback broke

    def __init__(
        self,
        voice_factory: Callable[[], VoiceBackend],
        player_factory: Callable[[], Player],
        *,
        max_queue: int = 10,
    ) -> None:
        super().__init__()
        self._voice_factory = voice_factory
        self._player_factory = player_factory
        self._max_queue = max_queue
        self._voice: VoiceBackend | None = None
        self._player: Player | None = None
        self._started = False
        self._stopped = False
        self._audio_ok: bool | None = None
        self._waiting: deque[_Queued] = deque()
        self._playing: _Queued | None = None
        self.announce_requested.connect(self._on_announce_requested)
        self.recall_requested.connect(self._on_recall_requested)

    # -- any thread --------------------------------------------------------------------------------
    def announce(self, ticket: str, window: str) -> None:
        self.announce_requested.emit(ticket, window)

    def recall(self, ticket: str, window: str) -> None:
        self.recall_requested.emit(ticket, window)

    # -- the announcer's own thread -----------------------------------------------------------------
    @property
    def playing(self) -> Announcement | None:
        return self._playing.announcement if self._playing else None

    @property
    def waiting(self) -> tuple[Announcement, ...]:
        return tuple(q.announcement for q in self._waiting)

    @Slot()
    def start(self) -> None:
        """Load the voice and open the player on this thread; report what is missing, never raise."""
        if self._started:
            return
        self._started = True
        try:
            self._voice = self._voice_factory()
            self._voice.check()
        except VoiceError as exc:
            log.warning("voice not ready: %s", exc)
            self.voice_failed.emit(exc.message)
        self._player = self._player_factory()
        self._player.finished.connect(self._on_player_finished)
        try:
            self._player.check()
        except AudioUnavailable as exc:
            self._report_audio(False, exc.message)
        else:
            self._report_audio(True, "")

    @Slot()
    def stop(self) -> None:
        """Stop playing and forget the queue (shutdown: the lane invokes it before its thread quits)."""
        self._stopped = True
        dropped = len(self._waiting) + (self._playing is not None)
        self._waiting.clear()
        self._playing = None
        if self._player is not None:
            self._player.stop()
            if isinstance(self._player, QObject):
                self._player.deleteLater()  # on this thread, where its sink and timer live
            self._player = None
        log.info("announcer stopped (%d announcements not played)", dropped)

    @Slot(str, str)
    def _on_announce_requested(self, ticket: str, window: str) -> None:
        self._enqueue(ticket, window, "call")

    @Slot(str, str)
    def _on_recall_requested(self, ticket: str, window: str) -> None:
        self._enqueue(ticket, window, "recall")

    def _enqueue(self, ticket: str, window: str, kind: str) -> None:
        if self._stopped:
            return
        self.start()
        if any(q.announcement.ticket == ticket and q.announcement.window == window for q in self._waiting):
            log.info("%s %s at window %s already waiting to be announced", kind, ticket, window)
            return
        if self._voice is None:
            log.warning("%s %s at window %s not announced: no voice", kind, ticket, window)
            return
        try:
            announcement = self._voice.prepare(ticket, window)
        except VoiceError as exc:
            log.warning("%s %s at window %s not announced: %s", kind, ticket, window, exc)
            self.voice_failed.emit(exc.message)
            return
        self._waiting.append(_Queued(announcement, kind, time.monotonic()))
        while len(self._waiting) > self._max_queue:
            stale = self._waiting.popleft()
            log.warning(
                "announcement queue full (%d waiting): dropped %s %s at window %s, queued %.0f s ago",
                self._max_queue,
                stale.kind,
                stale.announcement.ticket,
                stale.announcement.window,
                time.monotonic() - stale.queued_at,
            )
            self.announcement_dropped.emit(stale.announcement)
        self._play_next()

    def _play_next(self) -> None:
        assert self._player is not None
        while self._playing is None and self._waiting:
            item = self._waiting.popleft()
            try:
                self._player.play(item.announcement)
            except AudioUnavailable as exc:
                self._report_audio(False, exc.message)
                log.warning("%s %s not announced: no audio device", item.kind, item.announcement.ticket)
                self.announcement_dropped.emit(item.announcement)
                continue
            except PlaybackError as exc:
                log.warning("%s %s not announced: %s", item.kind, item.announcement.ticket, exc.message)
                self.voice_failed.emit(exc.message)
                self.announcement_dropped.emit(item.announcement)
                continue
            self._report_audio(True, "")
            self._playing = item
            log.info(
                "announcing %s %s at window %s", item.kind, item.announcement.ticket, item.announcement.window
            )
            self.announcement_started.emit(item.announcement)

    @Slot(bool, str)
    def _on_player_finished(self, ok: bool, message: str) -> None:
        item, self._playing = self._playing, None
        if item is None:  # stopped meanwhile
            return
        if not ok:
            log.warning("announcement of %s ended early: %s", item.announcement.ticket, message)
            self.voice_failed.emit(message)
        self.announcement_finished.emit(item.announcement)
        self._play_next()

    def _report_audio(self, ok: bool, message: str) -> None:
        if ok != self._audio_ok:
            self._audio_ok = ok
            if not ok:
                log.warning("no audio output device: announcements are dropped until one appears")
                self.audio_unavailable.emit(message)


def clip_voice_factory(cfg: VoiceSection) -> Callable[[], VoiceBackend]:
    return lambda: ClipVoice(cfg.clip_dir or None, cfg.template, cfg.repeat)


@dataclass
class VoiceLane:
    """The announcer on its own thread; ``stop`` ends playback and the thread (bounded, logged)."""

    lane: Lane
    announcer: Announcer

    def stop(self) -> None:
        self.lane.stop("stop")


def start_voice_lane(
    cfg: VoiceSection, player_factory: Callable[[], Player] | None = None
) -> VoiceLane | None:
    """The voice lane for ``[voice]`` (None when disabled), started: voice and player open on its thread."""
    if not cfg.enabled:
        return None
    announcer = Announcer(
        clip_voice_factory(cfg),
        player_factory or (lambda: QtAudioPlayer(cfg.volume)),
        max_queue=cfg.max_queue,
    )
    lane = Lane("voice", announcer)
    lane.start(announcer.start)
    return VoiceLane(lane, announcer)
