"""Window documents as PDF: plain data in, bytes out.

A library: it never imports ``hallclient`` or Qt (an import-linter contract says so), so the
application, the CLI (``notice render``) and benchmarks all render the same way.

    from printing import DocumentData, DocumentKind, render
    pdf = render(DocumentData(kind=DocumentKind.ONE_TIME_NOTICE, ...))

The caller passes personal data already masked (privacy.md §2); wording lives in
``resources/documents/templates.json``.
"""

from __future__ import annotations

from .documents import render
from .fonts import register_fonts
from .model import DocumentData, DocumentKind, HallInfo, MaterialLine
from .templates import DocumentTemplate, SectionTemplate, TemplateError, default_template, load_templates

__all__ = [
    "DocumentData",
    "DocumentKind",
    "DocumentTemplate",
    "HallInfo",
    "MaterialLine",
    "SectionTemplate",
    "TemplateError",
    "default_template",
    "load_templates",
    "register_fonts",
    "render",
]
