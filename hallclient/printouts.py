"""Adapter: the DocumentRenderer port, implemented with the printing/ library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from printing import DocumentData, DocumentKind, HallInfo, MaterialLine, render


class PdfDocumentRenderer:
    def __init__(self, watermark: str | None = None) -> None:
        self._watermark = watermark  # training mode stamps every printout 练习

    def render(self, kind: str, data: Mapping[str, Any]) -> bytes:
        values = dict(data)
        values["hall"] = HallInfo(**values["hall"])
        values["materials"] = tuple(MaterialLine(**mat) for mat in values.get("materials", ()))
        values["legal_basis"] = tuple(values.get("legal_basis", ()))
        if self._watermark and not values.get("watermark"):
            values["watermark"] = self._watermark
        return render(DocumentData(kind=DocumentKind(kind), **values))
