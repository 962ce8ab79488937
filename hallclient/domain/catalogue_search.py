"""Ranked item search over a catalogue: name, any code, keywords and pinyin initials.

Fast enough to run on every keystroke (DESIGN.md §9: ≤ 30 ms on 5,000 items): every item's
searchable text is joined into one string, so finding the candidates is a C-level ``str.find``
scan; only the candidates are ranked in Python.

Pinyin initials come from pypinyin's phrase-aware conversion (银行 → yh, not yx). It costs about
0.1 ms per name, so the index is built once, on first use, under a lock; the UI runs searches
off the GUI thread, and the application warms the index in the background at start.
"""

from __future__ import annotations

import heapq
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hallclient.domain.catalogue import Item

# Ranks, best first.
EXACT_CODE, CODE_PREFIX, NAME_PREFIX, INITIALS_PREFIX, NAME_PART, INITIALS_PART, CODE_PART, KEYWORDS = range(
    8
)
_MIN_CODE_PART = 4  # a code fragment shorter than this matches far too much to mean anything
_SEP = "\x00"  # between items in the joined text; never typed
_FIELD = "\x01"  # between the fields of one item


def normalise(text: str) -> str:
    # NFKC folds full-width letters, digits and brackets typed with a Chinese IME.
    return unicodedata.normalize("NFKC", text).casefold().strip()


@lru_cache(maxsize=50_000)
def initials(text: str) -> str:
    """Pinyin initials of ``text``, letters and digits kept, the rest dropped: 营业执照（变更） → yyzzbg."""
    from pypinyin import Style, lazy_pinyin  # imported here: 0.2 s, paid by the first search only

    syllables = lazy_pinyin(normalise(text), style=Style.FIRST_LETTER, errors=lambda chunk: list(chunk))
    return "".join(ch for syllable in syllables for ch in syllable if ch.isascii() and ch.isalnum())


class SearchIndex:
    """Built lazily on first search; immutable after that, so concurrent searches are safe."""

    __slots__ = ("_built", "_codes", "_initials", "_items", "_lock", "_names", "_starts", "_text")

    def __init__(self, items: Sequence[Item]) -> None:
        self._items = tuple(items)
        self._lock = threading.Lock()
        self._built = False
        self._names: list[str] = []
        self._initials: list[str] = []
        self._codes: list[tuple[str, ...]] = []
        self._starts: list[int] = []
        self._text = ""

    def build(self) -> None:
        """Compute the index now (idempotent); call it from a background thread to warm it up."""
        if self._built:
            return
        with self._lock:
            if self._built:
                return
            parts: list[str] = []
            start = 0
            for item in self._items:
                name = normalise(item.name)
                abbrev = initials(item.name)
                codes = tuple(normalise(c) for c in item.codes)
                fields = (
                    name,
                    abbrev,
                    *codes,
                    normalise(item.department),
                    *(normalise(k) for k in item.keywords),
                )
                text = _FIELD.join(fields)
                self._names.append(name)
                self._initials.append(abbrev)
                self._codes.append(codes)
                self._starts.append(start)
                parts.append(text)
                start += len(text) + len(_SEP)
            self._text = _SEP.join(parts)
            self._built = True

    def _candidates(self, word: str) -> list[int]:
        """Indexes of the items whose text contains ``word``, in catalogue order."""
        found: list[int] = []
        text, starts, find = self._text, self._starts, self._text.find
        pos = find(word)
        while pos >= 0:
            index = bisect_right(starts, pos) - 1
            found.append(index)
            nxt = starts[index + 1] if index + 1 < len(starts) else len(text)
            pos = find(word, nxt)
        return found

    def _item_text(self, index: int) -> str:
        end = self._starts[index + 1] - len(_SEP) if index + 1 < len(self._starts) else len(self._text)
        return self._text[self._starts[index] : end]

    def search(self, text: str, limit: int = 20) -> list[Item]:
        """Items ranked: exact code > code prefix > name prefix > initials prefix > name part >
        initials part > code part > every keyword somewhere (name, initials, codes, department,
        keywords). Within a rank: earlier match in the name, shorter name, catalogue order."""
        query = normalise(text)
        if not query or limit <= 0:
            return []
        self.build()
        words = query.split()
        longest = max(words, key=len)
        others = [w for w in words if w is not longest]
        ascii_query = query.isascii() and query.isalnum()
        ranked: list[tuple[int, int, int, int]] = []
        for index in self._candidates(longest):
            if others and not all(w in self._item_text(index) for w in others):
                continue
            name, codes = self._names[index], self._codes[index]
            pos = 0
            if query in codes:
                rank = EXACT_CODE
            elif any(code.startswith(query) for code in codes):
                rank = CODE_PREFIX
            elif name.startswith(query):
                rank = NAME_PREFIX
            elif ascii_query and self._initials[index].startswith(query):
                rank = INITIALS_PREFIX
            elif (pos := name.find(query)) >= 0:
                rank = NAME_PART
            elif ascii_query and (pos := self._initials[index].find(query)) >= 0:
                rank = INITIALS_PART
            elif len(query) >= _MIN_CODE_PART and any(query in code for code in codes):
                rank, pos = CODE_PART, 0
            elif query in self._item_text(index) or len(words) > 1:
                rank, pos = KEYWORDS, 0
            else:
                continue
            ranked.append((rank, pos, len(name), index))
        best = heapq.nsmallest(limit, ranked) if len(ranked) > limit else sorted(ranked)
        return [self._items[r[3]] for r in best]
