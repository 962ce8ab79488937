"""A folder of WAV clips, one per token, joined into one announcement with the standard ``wave`` module.

The folder is described by ``manifest.json``: ``{"clips": {"请": "qing.wav", "A": "letter-a.wav", ...}}``
(token -> file name in the folder; ``sample_rate`` and ``source`` are informative). A hall's own folder may
bring its own manifest (to add tokens, or name files freely); without one the shipped manifest's file names
are used, so a hall can simply re-record the shipped files under the same names.

All clips of one announcement must share one format (channels, sample width, rate): joining them is then a
byte concatenation, no resampling. A clip in another format is refused with its file name.
"""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import resources
from devices.voice.errors import ClipFormatMismatch, ClipMissing, ClipUnreadable, VoiceError

__all__ = ["DEFAULT_CLIP_DIR", "AudioFormat", "Clip", "ClipSet", "render_announcement", "wav_duration"]

DEFAULT_CLIP_DIR = resources.path("voice", "default")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class AudioFormat:
    channels: int
    sample_width: int  # bytes per sample
    sample_rate: int

    def describe(self) -> str:
        channels = {1: "单声道", 2: "立体声"}.get(self.channels, f"{self.channels} 声道")
        return f"{channels} {8 * self.sample_width} 位 {self.sample_rate} Hz"


@dataclass(frozen=True)
class Clip:
    token: str
    path: Path
    format: AudioFormat
    frames: bytes

    @property
    def frame_count(self) -> int:
        return len(self.frames) // (self.format.channels * self.format.sample_width)


def read_clip(token: str, path: Path) -> Clip:
    try:
        with wave.open(str(path), "rb") as w:
            fmt = AudioFormat(w.getnchannels(), w.getsampwidth(), w.getframerate())
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ClipUnreadable(path, str(exc) or type(exc).__name__) from exc
    except OSError as exc:
        raise ClipUnreadable(path, exc.strerror or str(exc)) from exc
    return Clip(token, path, fmt, frames)


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VoiceError(
            f"叫号语音清单 {path} 无法读取：{exc}", code="voice_manifest", detail=f"{path}: {exc}"
        ) from exc
    clips = data.get("clips") if isinstance(data, dict) else None
    if not isinstance(clips, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v and Path(v).name == v for k, v in clips.items()
    ):
        raise VoiceError(
            f'叫号语音清单 {path} 格式不对：应有 "clips": {{"片段": "文件名.wav", …}}，文件名不含路径',
            code="voice_manifest",
            detail=f"{path}: 'clips' must map token -> bare file name",
        )
    return dict(clips)


class ClipSet:
    """The clips of one folder. Files are read when first needed and kept (one instance per voice)."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder else DEFAULT_CLIP_DIR
        if not self.folder.is_dir():
            raise VoiceError(
                f"叫号语音文件夹 {self.folder} 不存在，请检查配置 [voice] clip_dir（留空则使用自带语音）",
                code="voice_folder",
                detail=f"{self.folder} is not a directory",
            )
        own = self.folder / MANIFEST
        self.table: Mapping[str, str] = _read_manifest(own if own.is_file() else DEFAULT_CLIP_DIR / MANIFEST)
        self._clips: dict[str, Clip] = {}

    @property
    def tokens(self) -> frozenset[str]:
        return frozenset(self.table)

    def clip(self, token: str) -> Clip:
        clip = self._clips.get(token)
        if clip is None:
            name = self.table.get(token)
            if name is None:
                raise ClipMissing(token, self.folder)
            path = self.folder / name
            if not path.is_file():
                raise ClipMissing(token, self.folder, name)
            clip = self._clips[token] = read_clip(token, path)
        return clip

    def clips(self, tokens: Iterable[str]) -> list[Clip]:
        """The clips for ``tokens``, checked to share one format (the first clip's)."""
        out: list[Clip] = []
        for token in tokens:
            clip = self.clip(token)
            if out and clip.format != out[0].format:
                raise ClipFormatMismatch(
                    clip.path, clip.format.describe(), out[0].format.describe(), out[0].path
                )
            out.append(clip)
        return out

    def render(self, tokens: Iterable[str]) -> bytes:
        """One WAV file (bytes) saying ``tokens`` in order."""
        clips = self.clips(tokens)
        if not clips:
            raise ValueError("nothing to say: no tokens")
        fmt = clips[0].format
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(fmt.channels)
            w.setsampwidth(fmt.sample_width)
            w.setframerate(fmt.sample_rate)
            w.writeframes(b"".join(c.frames for c in clips))
        return out.getvalue()


def render_announcement(text_tokens: Iterable[str], clip_dir: Path | str | None = None) -> bytes:
    """Join the clips of ``text_tokens`` from ``clip_dir`` (None or "": the shipped clips) into one WAV.

    Reads the needed files on every call; a long-lived voice keeps a :class:`ClipSet` instead.
    Raises :class:`ClipMissing` (names the token and the folder), :class:`ClipFormatMismatch` (names the
    file), :class:`ClipUnreadable`.
    """
    return ClipSet(clip_dir).render(text_tokens)


def wav_duration(wav: bytes) -> float:
    """Seconds of audio in a WAV file held in memory."""
    with wave.open(io.BytesIO(wav), "rb") as w:
        return w.getnframes() / w.getframerate()
