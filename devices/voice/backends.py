"""Voice backends: turn a call (ticket, window) into an :class:`Announcement` ready to be played.

Two backends behind one :class:`VoiceBackend` interface:

- :class:`ClipVoice` (default, offline, deterministic): shipped or hall-recorded clips joined into a WAV.
- :class:`SpeechVoice`: only the text, spelled out for a text-to-speech engine. The engine itself is not
  here: it is a player in the UI layer (Qt's QTextToSpeech, Windows SAPI), which speaks
  ``Announcement.text_for_speech`` when ``Announcement.wav`` is empty.

Backends are blocking, thread-agnostic and keep no Qt object; the announcer calls them on its own thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from devices.voice.clips import ClipSet, wav_duration
from devices.voice.tokens import CHIME, DEFAULT_TEMPLATE, DIGITS, PAUSE, check_template, tokens_for

__all__ = ["Announcement", "ClipVoice", "SpeechVoice", "VoiceBackend"]


@dataclass(frozen=True)
class Announcement:
    """One call to be announced. Immutable: it crosses from the announcer's thread to the GUI in signals."""

    ticket: str
    window: str
    text: str  # as written, e.g. "请A003号到12号窗口办理" (logs, captions)
    tokens: tuple[str, ...]
    wav: bytes = field(default=b"", repr=False)  # the rendered audio; empty for a speech engine
    duration_s: float = 0.0

    @property
    def text_for_speech(self) -> str:
        """The tokens as text an engine reads one by one: "请 A 零 零 三 号 到 …。请 …"."""
        parts = ["。" if t == PAUSE else t for t in self.tokens if t != CHIME]
        return " ".join(parts).replace(" 。 ", "。")


@runtime_checkable
class VoiceBackend(Protocol):
    """What the announcer needs from a voice."""

    name: str

    def check(self) -> None:
        """Raise a ``VoiceError`` naming what is missing if some call could not be announced."""

    def prepare(self, ticket: str, window: str) -> Announcement:
        """The announcement for a call; raises ``VoiceError`` (e.g. ``ClipMissing``) if it cannot be made."""
        ...


class ClipVoice:
    """Announcements joined from clips (the default): ``ClipVoice()`` uses the shipped Mandarin clips."""

    name = "clips"

    def __init__(
        self, clip_dir: Path | str | None = None, template: str = DEFAULT_TEMPLATE, repeat: int = 2
    ) -> None:
        check_template(template)
        if repeat < 1:
            raise ValueError(f"repeat must be at least 1, got {repeat}")
        self.clips = ClipSet(clip_dir)
        self.template = template
        self.repeat = repeat

    def tokens(self, ticket: str, window: str) -> tuple[str, ...]:
        return tokens_for(self.template, ticket, window, repeat=self.repeat, phrases=tuple(self.clips.tokens))

    def check(self) -> None:
        """Every letter and digit, the template's phrases, chime and pause: present and in one format."""
        letters = "".join(chr(c) for c in range(ord("A"), ord("Z") + 1))
        probe = set(self.tokens(letters + "".join(DIGITS), "0"))
        self.clips.clips(sorted(probe))

    def prepare(self, ticket: str, window: str) -> Announcement:
        tokens = self.tokens(ticket, window)
        wav = self.clips.render(tokens)
        text = self.template.format(ticket=ticket, window=window)
        return Announcement(ticket, window, text, tokens, wav, wav_duration(wav))


class SpeechVoice:
    """Text only, for a speech engine played by the UI layer (an optional backend; clips are the default)."""

    name = "speech"

    def __init__(self, template: str = DEFAULT_TEMPLATE, repeat: int = 2) -> None:
        check_template(template)
        self.template = template
        self.repeat = repeat

    def check(self) -> None:
        """Nothing to check here: whether an engine and a Mandarin voice exist is the player's business."""

    def prepare(self, ticket: str, window: str) -> Announcement:
        tokens = tokens_for(self.template, ticket, window, repeat=self.repeat)
        return Announcement(ticket, window, self.template.format(ticket=ticket, window=window), tokens)
