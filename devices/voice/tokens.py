"""From a call (ticket, window) and a template to the list of clip tokens an announcement is made of.

A token is what one clip says: "请", "A", "零", "号窗口办理", or one of the two non-spoken tokens
:data:`CHIME` and :data:`PAUSE`. Rules (queue.md §3):

- Letters and digits of the ticket AND of the window are spoken one by one: "A003" -> A 零 零 三, window
  "12" -> 一 二 (not 十二: one rule for every number, unambiguous for windows over 99, and no clips for 十 and
  百 to record). Lower-case letters are spoken as capitals; spaces and hyphens are not spoken.
- The template's literal text is cut into the longest phrases that have a clip ("号窗口办理" before "号"); a
  character with no phrase becomes a token of its own, which fails at rendering with a message naming it.
- An announcement is the chime, then the spoken call ``repeat`` times, separated by a pause.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Sequence

from devices.voice.errors import TemplateError

__all__ = [
    "CHIME",
    "DEFAULT_PHRASES",
    "DEFAULT_TEMPLATE",
    "DIGITS",
    "PAUSE",
    "check_template",
    "spoken_tokens",
    "tokens_for",
]

CHIME = "<chime>"
PAUSE = "<pause>"
DEFAULT_TEMPLATE = "请{ticket}号到{window}号窗口办理"
DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
DEFAULT_PHRASES: tuple[str, ...] = ("请", "号", "到", "号窗口办理")
FIELDS = ("ticket", "window")
_SILENT = frozenset(" \t\r\n-_")  # not spoken: spaces (NFKC turns the ideographic one into " "), hyphens


def check_template(template: str) -> list[tuple[str, str | None]]:
    """The template as (literal text, field or None) pairs; :class:`TemplateError` if it is malformed."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(template, f"花括号不成对（{exc}）") from exc
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for literal, field, spec, conversion in parts:
        if field is not None:
            if field not in FIELDS:
                shown = "{" + field + "}"
                raise TemplateError(template, f"不认识的占位符 {shown}")
            if spec or conversion:
                raise TemplateError(template, f"占位符 {{{field}}} 不能带格式说明")
            seen.add(field)
        out.append((literal, field))
    if "ticket" not in seen:
        raise TemplateError(template, "缺少 {ticket}")
    return out


def _phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """Greedy longest match of ``text`` against ``phrases``; an unmatched character is its own token."""
    by_length = sorted({p for p in phrases if p}, key=len, reverse=True)
    out: list[str] = []
    i = 0
    while i < len(text):
        match = next((p for p in by_length if text.startswith(p, i)), text[i])
        out.append(match)
        i += len(match)
    return out


def spoken_tokens(text: str, phrases: Iterable[str] = DEFAULT_PHRASES) -> list[str]:
    """Tokens for a piece of text: ASCII letters and digits one by one, everything else by phrase.

    Full-width letters and digits ("Ａ００３", typed with a Chinese input method) count as ASCII ones.
    """
    phrases = tuple(phrases)
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    run = ""  # pending text that is neither letter nor digit, cut into phrases at the next boundary
    for ch in text:
        if ch in DIGITS or (ch.isascii() and ch.isalpha()) or ch in _SILENT:
            out += _phrases(run, phrases)
            run = ""
            if ch in DIGITS:
                out.append(DIGITS[ch])
            elif ch not in _SILENT:
                out.append(ch.upper())
        else:
            run += ch
    out += _phrases(run, phrases)
    return out


def tokens_for(
    template: str,
    ticket: str,
    window: str,
    *,
    repeat: int = 2,
    phrases: Sequence[str] = DEFAULT_PHRASES,
    chime: bool = True,
) -> tuple[str, ...]:
    """The tokens of one announcement: chime, then the call ``repeat`` times with a pause in between.

    >>> tokens_for("请{ticket}号到{window}号窗口办理", "A003", "12", repeat=1, chime=False)
    ('请', 'A', '零', '零', '三', '号', '到', '一', '二', '号窗口办理')
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    values = {"ticket": ticket, "window": window}
    once: list[str] = []
    for literal, field in check_template(template):
        once += spoken_tokens(literal, phrases)
        if field is not None:
            once += spoken_tokens(values[field], phrases)
    out: list[str] = [CHIME] if chime else []
    for i in range(repeat):
        if i:
            out.append(PAUSE)
        out += once
    return tuple(out)
