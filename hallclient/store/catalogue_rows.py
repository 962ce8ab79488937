"""Catalogue items ↔ rows. The full item is kept as its documented JSON form (docs/catalogue-format.md);
a few columns are split out for lookups and the materials table."""

from __future__ import annotations

import dataclasses
from typing import Any

from hallclient.domain.catalogue import FORMAT_NAME, FORMAT_VERSION, Item, parse_catalogue
from hallclient.store import models as m


def item_to_dict(item: Item) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, str):
            return str(value)  # StrEnum → its plain value
        return value

    return clean(dataclasses.asdict(item))


def item_from_row(data: dict[str, Any]) -> Item:
    catalogue, errors = parse_catalogue({"format": FORMAT_NAME, "version": FORMAT_VERSION, "items": [data]})
    if errors or len(catalogue) != 1:
        raise ValueError(f"stored catalogue item is not valid: {'; '.join(str(e) for e in errors)}")
    return catalogue.items[0]


def item_to_rows(item: Item) -> tuple[m.CatalogueItem, list[m.CatalogueMaterial]]:
    row = m.CatalogueItem(
        task_code=item.key,
        catalog_code=item.catalog_code or "",
        handle_item_code=item.handle_item_code or "",
        name=item.name,
        department=item.department,
        allows_deferred=item.allows_deferred,
        data=item_to_dict(item),
    )
    materials = [
        m.CatalogueMaterial(
            position=i,
            name=mat.name,
            necessity=str(mat.necessity),
            deferrable=mat.deferrable,
            e_license_exempt=mat.e_license_exempt,
        )
        for i, mat in enumerate(item.materials)
    ]
    return row, materials
