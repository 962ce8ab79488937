"""Render a window document: DocumentData in, PDF bytes out.

The template decides the wording and which blocks a kind has; this module puts them in the
order of a Chinese administrative notice: hall and document number, title (QR code beside it),
addressee and opening, the facts in a grid, numbered sections (the material table among them),
window and hall contacts beside the issuer, date and seal space, then the signature lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from .fonts import font_in_use, register_fonts
from .layout import (
    BoldParagraph,
    Styles,
    info_table,
    markup,
    materials_table,
    signature_lines,
    signoff_block,
    table_style,
    title_block,
)
from .model import DocumentData
from .pages import CONTENT_WIDTH, PageDecor, build_pdf
from .templates import DocumentTemplate, SectionTemplate, default_template, fill, placeholder_values

__all__ = ["render"]

_CHINESE_NUMBERS = "一二三四五六七八九十"
_MIN_TABLE_START = 40 * mm  # heading, column titles and two or three rows


def render(data: DocumentData, template: DocumentTemplate | None = None) -> bytes:
    """The document as PDF bytes: A4, font embedded, ``data.copies`` copies each from a new page.

    ``template`` replaces the shipped wording for ``data.kind`` (e.g. a hall's own template file
    loaded with ``load_templates``).
    """
    styles = _styles(register_fonts())
    template = template or default_template(data.kind)
    text = _Text.of(data, template)

    copies: list[list[Flowable]] = []
    for _ in range(data.copies):
        # Flowables keep layout state once drawn, so every copy gets its own.
        story = _body(data, template, styles)
        if template.annex is not None:
            story += [PageBreak(), *_body(data, template.annex, styles)]
        copies.append(story)
    labels = tuple(text.one(label) for label in template.copy_labels) if data.copies > 1 else ()
    decor = PageDecor(
        font=styles.font, footer=text.one(template.footer), copy_labels=labels, watermark=data.watermark
    )
    with font_in_use():
        return build_pdf(copies, decor, title=text.one(template.title), author=data.issuer_name)


@cache
def _styles(font: str) -> Styles:
    return Styles.for_font(font)


@dataclass(frozen=True, slots=True)
class _Text:
    """Template lines filled for one document; lines naming an absent value come back as None."""

    values: Mapping[str, str]
    extra: Mapping[str, str]

    @classmethod
    def of(cls, data: DocumentData, template: DocumentTemplate) -> _Text:
        return cls(placeholder_values(data, template), data.extra)

    def optional(self, line: str) -> str | None:
        return fill(line, self.values, self.extra)

    def one(self, line: str) -> str:
        return self.optional(line) or ""

    def many(self, lines: Sequence[str]) -> list[str]:
        return [text for line in lines if (text := self.optional(line)) is not None]


def _body(data: DocumentData, template: DocumentTemplate, styles: Styles) -> list[Flowable]:
    text = _Text.of(data, template)
    story: list[Flowable] = [_header(text.one(template.header_left), text.one(template.doc_no_label), styles)]
    qr = text.optional(template.qr_content)
    story.append(
        title_block(
            text.one(template.title), text.one(template.subtitle), qr, text.many(template.qr_caption), styles
        )
    )
    story.append(Spacer(1, 2 * mm))
    if salutation := text.one(template.salutation):
        story.append(Paragraph(markup(salutation), styles.body))
    story += [Paragraph(markup(line), styles.indented) for line in text.many(template.intro)]

    rows = [(label, value) for label, line in template.info_rows if (value := text.optional(line))]
    if rows:
        story += [Spacer(1, 1.5 * mm), info_table(rows, CONTENT_WIDTH, styles)]

    number = 0
    for section in template.sections:
        flowables = _section(section, data, template, text, styles)
        if not flowables:
            continue
        if heading := text.one(section.heading):
            if template.number_headings:
                heading = f"{_CHINESE_NUMBERS[number] if number < 10 else number + 1}、{heading}"
            number += 1
            title = BoldParagraph(markup(heading), styles.heading)
            if section.materials:
                # A long table must start on this page and split (its column titles repeat), so
                # it cannot be kept together with its heading; ask only for room for a few rows.
                story += [CondPageBreak(_MIN_TABLE_START), title]
            else:
                # A heading must not end a page apart from what it introduces.
                story.append(KeepTogether([title, flowables[0]]))
                flowables = flowables[1:]
        else:
            story.append(Spacer(1, 1.5 * mm))
        story += flowables

    closing: list[Flowable] = []
    signoff = signoff_block(text.many(template.contact_lines), text.many(template.seal_lines), styles)
    if signoff is not None:
        closing += [Spacer(1, 3 * mm), signoff]
    signatures = signature_lines(text.many(template.signatures), CONTENT_WIDTH, styles)
    if signatures is not None:
        closing += [Spacer(1, 2 * mm), signatures] if signoff is None else [signatures]
    if closing:
        # Sign-off, seal and signatures belong together on the last page.
        story.append(KeepTogether(closing))
    return story


def _section(
    section: SectionTemplate, data: DocumentData, template: DocumentTemplate, text: _Text, styles: Styles
) -> list[Flowable]:
    flowables: list[Flowable] = []
    if section.materials:
        if not (template.material_columns and (data.materials or template.materials_empty)):
            # No table, so the section's remarks about the materials go too.
            return []
        empty = text.one(template.materials_empty)
        flowables += [
            materials_table(template.material_columns, data.materials, CONTENT_WIDTH, styles, empty),
            Spacer(1, 1 * mm),
        ]
    for index, line in enumerate(text.many(section.paragraphs), start=1):
        if section.numbered:
            flowables.append(Paragraph(markup(line), styles.numbered, bulletText=f"{index}."))
        else:
            flowables.append(Paragraph(markup(line), styles.indented))
    return flowables


def _header(left: str, right: str, styles: Styles) -> Flowable:
    table = Table(
        [[Paragraph(markup(left), styles.header), Paragraph(markup(right), styles.header_right)]],
        colWidths=[CONTENT_WIDTH * 0.55, CONTENT_WIDTH * 0.45],
        hAlign="LEFT",
    )
    table.setStyle(
        table_style(
            styles,
            [
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ],
        )
    )
    return KeepTogether([table, HRFlowable(width="100%", thickness=0.8, color="#000000", spaceAfter=1 * mm)])
