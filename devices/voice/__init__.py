"""Voice role: call announcements from shipped (or hall-recorded) Mandarin clips, no network needed.

    from devices.voice import ClipVoice
    voice = ClipVoice()                       # the shipped clips, template 请{ticket}号到{window}号窗口办理
    announcement = voice.prepare("A003", "12")
    announcement.wav                          # one WAV: chime, the call, a pause, the call again

Pure library: no Qt, no hallclient. Playing (and the queue that never overlaps) is the UI layer's
``hallclient.ui.voice.Announcer``. ``python -m devices.voice --help`` renders, checks and times clips.
"""

from __future__ import annotations

from devices.voice.backends import Announcement, ClipVoice, SpeechVoice, VoiceBackend
from devices.voice.clips import DEFAULT_CLIP_DIR, AudioFormat, ClipSet, render_announcement, wav_duration
from devices.voice.errors import ClipFormatMismatch, ClipMissing, ClipUnreadable, TemplateError, VoiceError
from devices.voice.tokens import CHIME, DEFAULT_TEMPLATE, PAUSE, check_template, spoken_tokens, tokens_for

__all__ = [
    "CHIME",
    "DEFAULT_CLIP_DIR",
    "DEFAULT_TEMPLATE",
    "PAUSE",
    "Announcement",
    "AudioFormat",
    "ClipFormatMismatch",
    "ClipMissing",
    "ClipSet",
    "ClipUnreadable",
    "ClipVoice",
    "SpeechVoice",
    "TemplateError",
    "VoiceBackend",
    "VoiceError",
    "check_template",
    "render_announcement",
    "spoken_tokens",
    "tokens_for",
    "wav_duration",
]
