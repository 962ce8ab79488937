"""The one CJK font documents are set in.

reportlab refuses the CFF outlines of Noto CJK, and its built-in CID font STSong-Light is not
embedded (poppler shows it blank without poppler-data). WenQuanYi Micro Hei is TrueType, ships
in ``resources/fonts`` so output is the same on every machine, and reportlab embeds a subset.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

import resources

__all__ = ["FONT_NAME", "font_in_use", "font_path", "register_fonts"]

log = logging.getLogger(__name__)

FONT_NAME = "WQYMicroHei"

# reportlab's font registry is process-wide, so the "done" flag must be too. Parsing the 5 MB TTC
# costs ~0.1-0.15 s: do it once, on first use, and never twice when two threads render at once.
_register_lock = threading.Lock()
_registered = False

# reportlab's subsetter reads the one shared font file through a single cursor (TTFontFile._pos),
# so two documents embedding the font at the same time corrupt each other's subsets (a KeyError in
# TTFontFile.makeSubset, or wrong glyphs). Building is CPU-bound under the GIL anyway, so taking
# turns costs no throughput.
_build_lock = threading.Lock()


def font_path() -> Path:
    return resources.path("fonts", "wqy-microhei.ttc")


def register_fonts() -> str:
    """Register the document font (once per process) and return its reportlab name."""
    global _registered
    if _registered:
        return FONT_NAME
    with _register_lock:
        if not _registered:
            path = font_path()
            if not path.is_file():
                raise FileNotFoundError(f"document font missing: {path} (reinstall hallclient)")
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            # The face has no bold or italic; map them to itself so that <b>/<i> never fail.
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
            log.debug("registered document font %s from %s", FONT_NAME, path)
            _registered = True
    return FONT_NAME


@contextmanager
def font_in_use() -> Iterator[str]:
    """Register the font if needed and hold it while one document is built with it."""
    name = register_fonts()
    with _build_lock:
        yield name
