"""Adapter: the DocumentRenderer port, implemented with the printing/ library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hallclient.domain.reviews import review_url


class PdfDocumentRenderer:
    def __init__(self, watermark: str | None = None, review_url_template: str = "") -> None:
        self._watermark = watermark  # training mode stamps every printout 练习
        self._review_url = review_url_template

    @staticmethod
    def warm_up() -> None:
        """Import reportlab and register the font (~0.3 s) off the start-up path, before the first document."""
        import printing

        printing.register_fonts()

    def render(self, kind: str, data: Mapping[str, Any]) -> bytes:
        # Imported here: reportlab costs ~0.5 s of start-up that a clerk should not wait for.
        from printing import DocumentData, DocumentKind, HallInfo, MaterialLine, render

        values = dict(data)
        values["hall"] = HallInfo(**values["hall"])
        values["materials"] = tuple(MaterialLine(**mat) for mat in values.get("materials", ()))
        values["legal_basis"] = tuple(values.get("legal_basis", ()))
        if self._watermark and not values.get("watermark"):
            values["watermark"] = self._watermark
        if values.get("case_no") and values.get("query_code"):
            # The review invitation the acceptance notices' QR carries (templates.json: extra[review_url]).
            url = review_url(self._review_url, values["case_no"], values["query_code"])
            values["extra"] = {**values.get("extra", {}), "review_url": url}
        return render(DocumentData(kind=DocumentKind(kind), **values))
