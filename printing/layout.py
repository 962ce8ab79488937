"""Building blocks of a window document: styles, tables, the QR code, sign-off and signatures.

Every text goes through a CJK-wrapping Paragraph so that long Chinese material names and item
codes wrap inside their cells instead of running out of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from .model import MaterialLine
from .pages import CONTENT_WIDTH

__all__ = [
    "GRID",
    "LABEL_FILL",
    "BoldParagraph",
    "Styles",
    "info_table",
    "markup",
    "materials_table",
    "QrCode",
    "signature_lines",
    "signoff_block",
    "table_style",
    "title_block",
]

GRID = colors.HexColor("#8C8C8C")
LABEL_FILL = colors.HexColor("#F0F0F0")
HEADER_FILL = colors.HexColor("#E2E2E2")
MUTED = colors.HexColor("#555555")


def markup(text: str) -> str:
    """Plain template text as Paragraph markup: data may contain '&' or '<'."""
    # Paragraph collapses U+3000 like any blank, but templates use it to space out fields;
    # four no-break spaces of this font are about one ideographic space wide.
    return escape(text).replace("\n", "<br/>").replace("\u3000", "\xa0" * 4)


@dataclass(frozen=True, slots=True)
class Styles:
    font: str
    title: ParagraphStyle
    subtitle: ParagraphStyle
    header: ParagraphStyle
    header_right: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    indented: ParagraphStyle
    numbered: ParagraphStyle
    small: ParagraphStyle
    contact: ParagraphStyle
    qr_caption: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_header: ParagraphStyle
    label: ParagraphStyle
    seal: ParagraphStyle

    @classmethod
    def for_font(cls, font: str) -> Styles:
        def style(name: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
            # wordWrap="CJK" breaks between any two characters, which Chinese text needs.
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **kw)

        body_size = 10  # a little under 五号 (10.5), so that a usual notice fits one sheet
        return cls(
            font=font,
            title=style("title", 20, 26, alignment=TA_CENTER, spaceBefore=2 * mm, spaceAfter=0.5 * mm),
            subtitle=style("subtitle", 12, 16, alignment=TA_CENTER, spaceAfter=1 * mm),
            header=style("header", 9.5, 13, textColor=MUTED),
            header_right=style("header_right", 9.5, 13, alignment=TA_RIGHT),
            heading=style("heading", 11.5, 15, spaceBefore=1.8 * mm, spaceAfter=0.6 * mm),
            body=style("body", body_size, 14.5, spaceAfter=0.5 * mm),
            indented=style("indented", body_size, 14.5, firstLineIndent=2 * body_size, spaceAfter=0.5 * mm),
            numbered=style(
                "numbered",
                body_size,
                14.5,
                leftIndent=3 * body_size,
                bulletIndent=2 * body_size,
                bulletFontName=font,
                bulletFontSize=body_size,
                spaceAfter=0.5 * mm,
            ),
            small=style("small", 9, 13, textColor=MUTED),
            contact=style("contact", 9.5, 14),
            qr_caption=style("qr_caption", 6.5, 8, alignment=TA_CENTER, textColor=MUTED),
            cell=style("cell", 9.5, 13),
            cell_center=style("cell_center", 9.5, 13, alignment=TA_CENTER),
            cell_header=style("cell_header", 9.5, 13, alignment=TA_CENTER),
            label=style("label", 9.5, 13, alignment=TA_LEFT),
            seal=style("seal", body_size, 18, alignment=TA_RIGHT),
        )


class BoldParagraph(Paragraph):
    """A paragraph drawn with filled-and-stroked glyphs.

    WenQuanYi Micro Hei has no bold face; stroking the outlines (text render mode 2) is the
    usual way to embolden a single-weight CJK font without shipping a second 5 MB file.
    """

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(self.style.textColor)
        canv.setLineWidth(self.style.fontSize * 0.035)
        canv.addLiteral("2 Tr")
        super().draw()
        canv.restoreState()


def table_style(styles: Styles, commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    # Cells that hold plain strings (span fillers) are set in the table's own font, Helvetica by
    # default, which would then be listed in the PDF without being embedded.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.font), *commands])


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup(text), style)


# --- information grid ----------------------------------------------------------------------------


def info_table(rows: Sequence[tuple[str, str]], width: float, styles: Styles) -> Table:
    """Label/value pairs, two pairs per line where the values are short enough.

    A value that would wrap in a half-width cell (a long item name, a 50-character item code)
    gets the whole line, which keeps short fields compact without squeezing long ones.
    """
    label_w = 22 * mm
    value_w = width / 2 - label_w
    padding = 8  # left + right cell padding, points

    def fits_half(value: str) -> bool:
        return (
            "\n" not in value and stringWidth(value, styles.font, styles.cell.fontSize) <= value_w - padding
        )

    cells: list[list[Any]] = []
    spans: list[int] = []  # indexes of lines whose value spans to the right edge
    pending: tuple[str, str] | None = None

    def flush_single(label: str, value: str) -> None:
        cells.append([_para(label, styles.label), _para(value, styles.cell), "", ""])
        spans.append(len(cells) - 1)

    for label, value in rows:
        if fits_half(value):
            if pending is None:
                pending = (label, value)
                continue
            cells.append(
                [
                    _para(pending[0], styles.label),
                    _para(pending[1], styles.cell),
                    _para(label, styles.label),
                    _para(value, styles.cell),
                ]
            )
            pending = None
        else:
            if pending is not None:
                flush_single(*pending)
                pending = None
            flush_single(label, value)
    if pending is not None:
        flush_single(*pending)

    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    for line, cells_line in enumerate(cells):
        if line in spans:
            commands.append(("SPAN", (1, line), (3, line)))
        elif cells_line[2] != "":
            commands.append(("BACKGROUND", (2, line), (2, line), LABEL_FILL))
    table = Table(cells, colWidths=[label_w, value_w, label_w, value_w], hAlign="LEFT")
    table.setStyle(table_style(styles, commands))
    return table


# --- materials -----------------------------------------------------------------------------------

# Relative widths of the columns after the fixed 序号 column.
_COLUMN_WEIGHTS = {"name": 4.8, "problem": 2.3, "requirement": 3.4, "source": 2.6, "note": 2.6}
_NO_WIDTH = 11 * mm


def materials_table(
    columns: Sequence[tuple[str, str]],
    materials: Sequence[MaterialLine],
    width: float,
    styles: Styles,
    empty_text: str,
) -> Table:
    names = [name for name, _ in columns]
    flexible = [name for name in names if name != "no"]
    rest = width - (_NO_WIDTH if "no" in names else 0)
    total = sum(_COLUMN_WEIGHTS[name] for name in flexible) or 1.0
    widths = [_NO_WIDTH if name == "no" else rest * _COLUMN_WEIGHTS[name] / total for name in names]

    header = [_para(title, styles.cell_header) for _, title in columns]
    body: list[list[Any]] = []
    for index, line in enumerate(materials, start=1):
        row: list[Any] = []
        for name in names:
            if name == "no":
                row.append(_para(str(index), styles.cell_center))
            elif name == "requirement" and line.note and "note" not in names:
                # The note must not be lost when the template shows no 备注 column.
                text = (
                    f"{markup(line.requirement)}<br/><font size=8 color='#555555'>{markup(line.note)}</font>"
                )
                row.append(Paragraph(text, styles.cell))
            else:
                row.append(_para(getattr(line, name), styles.cell))
        body.append(row)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    if not body:
        body.append([_para(empty_text, styles.cell_center)] + [""] * (len(names) - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    # repeatRows: a list that runs onto a second page keeps its column titles.
    table = Table([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(styles, commands))
    return table


# --- QR, seal, signatures ------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _qr_modules(content: str) -> tuple[tuple[bool, ...], ...]:
    # segno, not reportlab's encoder: 3 ms instead of 9-13 ms per code, a quarter of a notice's
    # budget, and every document has its own code (docs/decisions.md). Level M survives a smudged
    # or folded sheet better than L; boost_error=False keeps the level we asked for.
    code = segno.make_qr(content, error="m", boost_error=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


class QrCode(Flowable):
    """A QR code encoded by segno, drawn as one filled path.

    The widget's own drawing makes a graphics shape per run of dark modules, which took more
    time than the rest of a page; one path is ~20x faster and a smaller file. ``quiet`` modules
    of white border stay inside ``size`` as scanners need.
    """

    def __init__(self, content: str, size: float, quiet: int = 2) -> None:
        super().__init__()
        self.content = content
        self.size = size
        self._modules = _qr_modules(content)
        self._quiet = quiet

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self._modules) + 2 * self._quiet
        box = self.size / count
        path = self.canv.beginPath()
        for r, row in enumerate(self._modules):
            y = self.size - (r + 1 + self._quiet) * box
            c = 0
            for dark, run in groupby(row):
                length = len(list(run))
                if dark:
                    path.rect((c + self._quiet) * box, y, length * box, box)
                c += length
        self.canv.saveState()
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)
        self.canv.restoreState()


def title_block(
    title: str, subtitle: str, qr_content: str | None, qr_caption: Sequence[str], styles: Styles
) -> Flowable:
    """Title and subtitle centred on the page, the QR code and its caption at the right.

    The QR code sits in the empty space beside the title (a document number's usual companion,
    procedures.md §3) rather than in a block of its own, which keeps a notice on one page.
    """
    heading: list[Flowable] = [BoldParagraph(markup(title), styles.title)]
    if subtitle:
        heading.append(_para(subtitle, styles.subtitle))
    if not qr_content:
        # Without the code beside it the title would sit right under the header rule.
        return KeepTogether([Spacer(1, 3 * mm), *heading])
    qr_size = 21 * mm
    side = qr_size + 4 * mm
    code = [QrCode(qr_content, qr_size), *(_para(line, styles.qr_caption) for line in qr_caption)]
    table = Table([["", heading, code]], colWidths=[side, CONTENT_WIDTH - 2 * side, side], hAlign="LEFT")
    table.setStyle(
        table_style(
            styles,
            [
                ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ("VALIGN", (2, 0), (2, 0), "TOP"),
                ("ALIGN", (2, 0), (2, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ],
        )
    )
    return table


def signoff_block(contact_lines: Sequence[str], seal_lines: Sequence[str], styles: Styles) -> Table | None:
    """Window, clerk and hall contacts on the left; issuer, date and room for the seal on the right."""
    if not contact_lines and not seal_lines:
        return None
    seal_w = 66 * mm
    left = [_para(line, styles.contact) for line in contact_lines]
    right = [_para(line, styles.seal) for line in seal_lines]
    table = Table(
        [[left, right]],
        colWidths=[CONTENT_WIDTH - seal_w, seal_w],
        # A 42 mm round seal is stamped over issuer and date; the minimum height leaves it room.
        rowHeights=[max(_height(left, CONTENT_WIDTH - seal_w), 20 * mm)] if seal_lines else None,
        hAlign="LEFT",
    )
    table.setStyle(
        table_style(
            styles,
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), 5 * mm),
            ],
        )
    )
    return table


def _height(flowables: Sequence[Flowable], width: float) -> float:
    padding = 6  # the table's default top + bottom cell padding
    return sum(f.wrap(width - 12, 10_000)[1] + f.getSpaceAfter() for f in flowables) + padding


def signature_lines(labels: Sequence[str], width: float, styles: Styles) -> Table | None:
    """ "申请人（签字）：______  日期：______", two labels per line."""
    if not labels:
        return None
    pairs = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    rows: list[list[Any]] = []
    label_w = [0.0, 0.0]
    for pair in pairs:
        row: list[Any] = []
        for column, label in enumerate(pair):
            text = f"{label}："
            label_w[column] = max(label_w[column], stringWidth(text, styles.font, styles.body.fontSize) + 8)
            row += [_para(text, styles.body), ""]
        row += ["", ""] * (2 - len(pair))
        rows.append(row)
    blank_w = (width - sum(label_w) - 10 * mm) / 2
    table = Table(
        rows,
        colWidths=[label_w[0], blank_w, label_w[1] + 10 * mm, blank_w],
        rowHeights=[9 * mm] * len(rows),
        hAlign="LEFT",
    )
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
    ]
    for line, pair in enumerate(pairs):
        for column in range(len(pair)):
            blank = 2 * column + 1
            commands.append(("LINEBELOW", (blank, line), (blank, line), 0.6, colors.black))
    table.setStyle(table_style(styles, commands))
    return table
