"""A slip drawn as a 1-bit image, the way every driver prints it.

ESC/POS printers print text through a code page; Chinese then depends on the printer's firmware and comes
out garbled on many (python-escpos#269, escpos-php#63; queue.md §6). Drawing the slip with the shipped
WenQuanYi Micro Hei and sending it as a raster image (``GS v 0``) makes it print the same on any printer
that prints images, and the file driver saves the very same image, so a PDF shows what the roll would.

Sizes are for 203 dpi thermal heads (8 dots per mm): the printable width is 576 dots on 80 mm paper and
384 dots on 58 mm paper.
"""

from __future__ import annotations

import functools

import segno
from PIL import Image, ImageDraw, ImageFont

import resources
from devices.ticketprinter.base import PAPER_WIDTHS_MM, TicketSlip

__all__ = ["DPI", "FONT_PATH", "paper_width_px", "render_slip"]

DPI = 203
FONT_PATH = resources.path("fonts", "wqy-microhei.ttc")
_PRINTABLE_PX = {58: 384, 80: 576}
_BLACK, _WHITE = 0, 255


def paper_width_px(paper_mm: int) -> int:
    """Printable dots across a roll of ``paper_mm`` (58 or 80)."""
    if paper_mm not in PAPER_WIDTHS_MM:
        raise ValueError(f"小票纸宽只能是 58 或 80 毫米，而不是 {paper_mm}")
    return _PRINTABLE_PX[paper_mm]


@functools.lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, index=0)


class _Pen:
    """Draws lines of text down a white canvas; ``y`` is where the next line starts."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.margin = max(8, width // 36)
        self.image = Image.new("L", (width, 4000), _WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.y = self.margin

    def text(self, text: str, size: int, *, gap: float = 0.3, bold: int = 0) -> None:
        """One line, centred; shrunk to fit the width if it must (a long hall name). ``bold``: a stroke of
        that many dots (the font has no bold face; a thin 1-bit line is hard to read from a thermal head)."""
        usable = self.width - 2 * self.margin
        while size > 12 and _font(size).getlength(text) > usable:
            size -= 2
        for line in _wrap(text, _font(size), usable):
            self._line(line, size, bold)
        self.y += int(size * gap)

    def wrapped(self, text: str, size: int) -> None:
        for line in _wrap(text, _font(size), self.width - 2 * self.margin):
            self._line(line, size)
        self.y += int(size * 0.2)

    def _line(self, line: str, size: int, bold: int = 0) -> None:
        font = _font(size)
        left, top, right, bottom = font.getbbox(line, stroke_width=bold)
        x = (self.width - (right - left)) // 2 - left
        self.draw.text((x, self.y - top), line, font=font, fill=_BLACK, stroke_width=bold, stroke_fill=_BLACK)
        self.y += (bottom - top) + int(size * 0.25)

    def rule(self) -> None:
        self.y += 4
        self.draw.line((self.margin, self.y, self.width - self.margin, self.y), fill=_BLACK, width=2)
        self.y += 14

    def qr(self, text: str) -> None:
        code = segno.make(text, error="m")
        rows = [list(row) for row in code.matrix]
        border = 2
        scale = max(2, int(self.width * 0.42) // (len(rows) + 2 * border))
        side = (len(rows) + 2 * border) * scale
        x0 = (self.width - side) // 2 + border * scale
        y0 = self.y + border * scale
        for r, row in enumerate(rows):
            for c, dark in enumerate(row):
                if dark:
                    x, y = x0 + c * scale, y0 + r * scale
                    self.draw.rectangle((x, y, x + scale - 1, y + scale - 1), fill=_BLACK)
        self.y += side + 6

    def finish(self) -> Image.Image:
        height = self.y + self.margin
        # No dithering: text edges stay sharp (a dithered grey fringe prints as speckles).
        return self.image.crop((0, 0, self.width, height)).convert("1", dither=Image.Dither.NONE)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: between any two characters (Chinese has no
    spaces), but a run of Latin letters or digits stays whole when it fits on a line."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if font.getlength(line + token) <= width or not line:
            line += token
            while font.getlength(line) > width and len(line) > 1:  # a single token wider than a line
                cut = len(line) - 1
                while cut > 1 and font.getlength(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for ch in text:
        if (
            tokens
            and ch.isascii()
            and ch.isalnum()
            and tokens[-1][-1:].isascii()
            and tokens[-1][-1:].isalnum()
        ):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def render_slip(slip: TicketSlip, width_px: int = 576) -> Image.Image:
    """The slip as a 1-bit image ``width_px`` dots wide (576: 80 mm paper; 384: 58 mm)."""
    if width_px % 8 or width_px < 256:
        raise ValueError(f"slip width must be a multiple of 8 dots and at least 256, got {width_px}")
    k = width_px / 576
    pen = _Pen(width_px)
    pen.text(slip.hall_name, round(30 * k))
    pen.rule()
    pen.text(slip.business_name, round(38 * k), gap=0.4, bold=1)
    pen.text("您的号码", round(26 * k), gap=0.0)
    pen.text(slip.ticket_number, round(150 * k), gap=0.1, bold=max(2, round(4 * k)))
    pen.text(f"前面还有 {slip.waiting_ahead} 人等候", round(32 * k))
    pen.text(f"取号时间 {slip.issued_at:%Y-%m-%d %H:%M}", round(24 * k))
    if slip.qr_text:
        pen.qr(slip.qr_text)
    if slip.footer:
        pen.rule()
        for line in slip.footer:
            pen.wrapped(line, round(24 * k))
    return pen.finish()
