"""The A4 page: margins, footer, copy label, page number within a copy, and the watermark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

__all__ = ["CONTENT_WIDTH", "CopyStart", "PageDecor", "build_pdf"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

_CHINESE_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class PageDecor:
    font: str
    footer: str
    copy_labels: tuple[str, ...]  # one per copy; empty when a single copy is printed
    watermark: str | None


class _CopyState:
    """Which copy the page being drawn belongs to; set by CopyStart as the copy begins."""

    def __init__(self) -> None:
        self.index = 0
        self.first_page = 1


class CopyStart(Flowable):
    """Invisible marker at the top of each copy, so page decorations know where they are.

    Page callbacks run outside the story; this flowable is drawn on the first page of its copy
    before the page-end callback, which is where label and page number are drawn.
    """

    def __init__(self, state: _CopyState, index: int) -> None:
        super().__init__()
        self._state = state
        self._index = index

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self._state.index = self._index
        self._state.first_page = self.canv.getPageNumber()


def copy_label(labels: Sequence[str], index: int) -> str:
    if index < len(labels):
        return labels[index]
    number = index + 1
    return f"第{_CHINESE_DIGITS[number] if number <= 10 else number}联"


def _draw_watermark(canv: Canvas, decor: PageDecor) -> None:
    if not decor.watermark:
        return
    canv.saveState()
    canv.setFont(decor.font, 60)
    canv.setFillColor(colors.HexColor("#9A9A9A"))
    canv.setFillAlpha(0.16)
    canv.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canv.rotate(35)
    # Tiled, so that no part of a training printout can be cut off and pass for a real one.
    for row, y in enumerate(range(-330, 331, 165)):
        shift = 120 if row % 2 else 0
        for x in (-300, 0, 300):
            canv.drawCentredString(x + shift, y, decor.watermark)
    canv.restoreState()


def _draw_page_end(canv: Canvas, decor: PageDecor, state: _CopyState) -> None:
    canv.saveState()
    grey = colors.HexColor("#555555")
    y = MARGIN_BOTTOM - 8 * mm
    canv.setStrokeColor(colors.HexColor("#B0B0B0"))
    canv.setLineWidth(0.5)
    canv.line(MARGIN_X, y + 4 * mm, PAGE_WIDTH - MARGIN_X, y + 4 * mm)
    canv.setFont(decor.font, 8)
    canv.setFillColor(grey)
    canv.drawString(MARGIN_X, y, decor.footer)
    page = canv.getPageNumber() - state.first_page + 1
    canv.drawRightString(PAGE_WIDTH - MARGIN_X, y, f"第 {page} 页")
    if decor.copy_labels:
        label = copy_label(decor.copy_labels, state.index)
        canv.setFont(decor.font, 9)
        canv.setFillColor(colors.black)
        width = canv.stringWidth(label, decor.font, 9)
        top = PAGE_HEIGHT - 9 * mm
        canv.setStrokeColor(colors.black)
        canv.rect(PAGE_WIDTH - MARGIN_X - width - 4 * mm, top - 2 * mm, width + 4 * mm, 6 * mm)
        canv.drawRightString(PAGE_WIDTH - MARGIN_X - 2 * mm, top, label)
    canv.restoreState()


def build_pdf(copies: Sequence[list[Flowable]], decor: PageDecor, title: str, author: str) -> bytes:
    """Lay out each copy from a new page and return the PDF."""
    state = _CopyState()
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        creator="hallclient printing",
        # Else the canvas starts in Helvetica, which is listed in the PDF and never embedded.
        initialFontName=decor.font,
        # Same data, same bytes: archived documents can be re-rendered and compared by hash.
        invariant=True,
    )
    # No frame padding: tables are laid out to CONTENT_WIDTH and must line up with the footer rule.
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        CONTENT_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def on_page_end(canv: Canvas, _doc: Any) -> None:
        _draw_page_end(canv, decor, state)
        # Over the content, not under it: table shading would otherwise hide parts of it.
        _draw_watermark(canv, decor)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=on_page_end)])
    story: list[Flowable] = []
    for index, flowables in enumerate(copies):
        if index:
            story.append(PageBreak())
        story.append(CopyStart(state, index))
        story.extend(flowables)
    doc.build(story)
    return buffer.getvalue()
