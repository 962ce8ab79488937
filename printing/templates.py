"""Document wording, loaded from the editable ``resources/documents/templates.json``.

Halls word their notices differently (退件 or 视为撤回, which channels they accept …), so every
sentence lives in the template file and the code only decides where things go. Lines are plain
text with str.format placeholders; ``resources/documents/README.md`` lists them. A line that
refers to a value the document does not have (None or "") is left out, so optional sentences
need no conditions in the file.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import resources

from .model import DocumentData, DocumentKind

__all__ = [
    "MATERIAL_FIELDS",
    "PLACEHOLDERS",
    "DocumentTemplate",
    "SectionTemplate",
    "TemplateError",
    "default_template",
    "default_templates",
    "fill",
    "load_templates",
    "parse_templates",
    "placeholder_values",
]

# Columns a material table may show, in the order the caller's MaterialLine defines them.
MATERIAL_FIELDS = ("no", "name", "problem", "requirement", "source", "note")

PLACEHOLDERS = frozenset(
    {
        "doc_no",
        "case_no",
        "query_code",
        "hall_name",
        "hall_address",
        "hall_phone",
        "issuer",
        "item_name",
        "item_code",
        "applicant_name",
        "applicant_id_masked",
        "applicant_phone_masked",
        "received_at",
        "received_date",
        "issued_on",
        "deadline_days",
        "deadline_date",
        "promised_days",
        "window_no",
        "clerk_name",
        "clerk_staff_no",
        "reason",
        "material_count",
        "legal_basis",
        "extra",
    }
)


class TemplateError(ValueError):
    """The template file is malformed; the message names the entry to fix."""


@dataclass(frozen=True, slots=True)
class SectionTemplate:
    heading: str = ""
    paragraphs: tuple[str, ...] = ()
    numbered: bool = False
    # The material table is drawn under this section's heading, before its paragraphs.
    materials: bool = False


@dataclass(frozen=True, slots=True)
class DocumentTemplate:
    title: str
    subtitle: str = ""
    header_left: str = ""
    doc_no_label: str = ""
    salutation: str = ""
    intro: tuple[str, ...] = ()
    info_rows: tuple[tuple[str, str], ...] = ()
    material_columns: tuple[tuple[str, str], ...] = ()
    materials_empty: str = ""
    sections: tuple[SectionTemplate, ...] = ()
    number_headings: bool = True
    legal_basis: tuple[str, ...] = ()
    contact_lines: tuple[str, ...] = ()
    qr_content: str = ""
    qr_caption: tuple[str, ...] = ()
    seal_lines: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    copy_labels: tuple[str, ...] = ()
    footer: str = ""
    # A page that follows the document in every copy (the 承诺书 of a deferred acceptance).
    annex: DocumentTemplate | None = None

    def texts(self) -> Iterator[str]:
        """Every string that gets formatted, for validation."""
        yield from (self.title, self.subtitle, self.header_left, self.doc_no_label, self.salutation)
        yield from self.intro
        yield from (text for _, text in self.info_rows)
        yield self.materials_empty
        for section in self.sections:
            yield section.heading
            yield from section.paragraphs
        yield from self.contact_lines
        yield self.qr_content
        yield from self.qr_caption
        yield from self.seal_lines
        yield from self.signatures
        yield from self.copy_labels
        yield self.footer


# --- filling -------------------------------------------------------------------------------------


class _Absent(Exception):
    """A line referred to a value this document does not have."""


class _Extra(Mapping[str, str]):
    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> str:
        value = self._values.get(key, "")
        if not value:
            raise _Absent(f"extra[{key}]")
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class _Context(Mapping[str, object]):
    def __init__(self, values: Mapping[str, str], extra: Mapping[str, str]) -> None:
        self._values = values
        self._extra = _Extra(extra)

    def __getitem__(self, key: str) -> object:
        if key == "extra":
            return self._extra
        value = self._values.get(key, "")
        if not value:
            raise _Absent(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def fill(text: str, values: Mapping[str, str], extra: Mapping[str, str] | None = None) -> str | None:
    """``text`` with its placeholders filled, or None when it refers to an absent value."""
    if not text:
        return None
    try:
        return text.format_map(_Context(values, extra or {}))
    except _Absent:
        return None


def _format_date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def placeholder_values(data: DocumentData, template: DocumentTemplate) -> dict[str, str]:
    """The values a template's placeholders stand for; absent ones are "" (the line is dropped)."""
    basis = list(dict.fromkeys((*template.legal_basis, *data.legal_basis)))
    return {
        "doc_no": data.doc_no,
        "case_no": data.case_no,
        "query_code": data.query_code,
        "hall_name": data.hall.name,
        "hall_address": data.hall.address,
        "hall_phone": data.hall.phone,
        "issuer": data.issuer_name,
        "item_name": data.item_name,
        "item_code": data.item_code,
        "applicant_name": data.applicant_name,
        "applicant_id_masked": data.applicant_id_masked,
        "applicant_phone_masked": data.applicant_phone_masked,
        "received_at": f"{_format_date(data.received_at)} {data.received_at:%H:%M}",
        "received_date": _format_date(data.received_at),
        "issued_on": _format_date(data.issued_on),
        "deadline_days": "" if data.deadline_days is None else str(data.deadline_days),
        "deadline_date": "" if data.deadline_date is None else _format_date(data.deadline_date),
        "promised_days": "" if data.promised_days is None else str(data.promised_days),
        "window_no": data.window_no,
        "clerk_name": data.clerk_name,
        "clerk_staff_no": data.clerk_staff_no,
        "reason": data.reason,
        "material_count": str(len(data.materials)) if data.materials else "",
        "legal_basis": "；".join(basis),
    }


# --- loading -------------------------------------------------------------------------------------


def default_templates_path() -> Path:
    return resources.path("documents", "templates.json")


@cache
def default_templates() -> Mapping[DocumentKind, DocumentTemplate]:
    """The shipped templates, parsed once per process (they are immutable)."""
    return load_templates(default_templates_path())


def default_template(kind: DocumentKind) -> DocumentTemplate:
    return default_templates()[DocumentKind(kind)]


def load_templates(path: Path) -> Mapping[DocumentKind, DocumentTemplate]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TemplateError(f"cannot read document templates {path}: {exc}") from exc
    return parse_templates(raw, source=str(path))


def parse_templates(raw: Any, source: str = "templates") -> Mapping[DocumentKind, DocumentTemplate]:
    """Build one template per DocumentKind from the decoded JSON; "common" fills unset keys."""
    if not isinstance(raw, dict) or not isinstance(raw.get("kinds"), dict):
        raise TemplateError(f'{source}: expected an object with a "kinds" object')
    if raw.get("version", 1) != 1:
        raise TemplateError(
            f"{source}: template format version {raw['version']!r} is not supported (expected 1)"
        )
    common = raw.get("common", {})
    if not isinstance(common, dict):
        raise TemplateError(f'{source}: "common" must be an object')
    kinds: dict[str, Any] = raw["kinds"]
    unknown = set(kinds) - {kind.value for kind in DocumentKind}
    if unknown:
        raise TemplateError(f"{source}: unknown document kinds {sorted(unknown)}")
    result: dict[DocumentKind, DocumentTemplate] = {}
    for kind in DocumentKind:
        if kind.value not in kinds:
            raise TemplateError(f"{source}: no template for {kind.value}")
        where = f"{source}: {kind.value}"
        entry = kinds[kind.value]
        if not isinstance(entry, dict):
            raise TemplateError(f"{where}: must be an object")
        result[kind] = _parse_template({**common, **entry}, where)
    return MappingProxyType(result)


_STRING_LISTS = (
    "intro",
    "legal_basis",
    "contact_lines",
    "qr_caption",
    "seal_lines",
    "signatures",
    "copy_labels",
)
_STRINGS = (
    "title",
    "subtitle",
    "header_left",
    "doc_no_label",
    "salutation",
    "materials_empty",
    "qr_content",
    "footer",
)


def _parse_template(entry: Mapping[str, Any], where: str) -> DocumentTemplate:
    known = {f.name for f in fields(DocumentTemplate)}
    unknown = set(entry) - known
    if unknown:
        raise TemplateError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(known)})")
    if not isinstance(entry.get("title"), str) or not entry["title"]:
        raise TemplateError(f'{where}: "title" is required')
    kwargs: dict[str, Any] = {}
    for key, value in entry.items():
        here = f"{where}.{key}"
        if key in _STRINGS:
            kwargs[key] = _string(value, here)
        elif key in _STRING_LISTS:
            kwargs[key] = _strings(value, here)
        elif key == "number_headings":
            kwargs[key] = _bool(value, here)
        elif key == "info_rows":
            kwargs[key] = tuple(_pair(row, f"{here}[{i}]") for i, row in enumerate(_list(value, here)))
        elif key == "material_columns":
            columns = tuple(_pair(col, f"{here}[{i}]") for i, col in enumerate(_list(value, here)))
            for name, _ in columns:
                if name not in MATERIAL_FIELDS:
                    raise TemplateError(
                        f"{here}: unknown column {name!r} (known: {', '.join(MATERIAL_FIELDS)})"
                    )
            kwargs[key] = columns
        elif key == "sections":
            kwargs[key] = tuple(_section(s, f"{here}[{i}]") for i, s in enumerate(_list(value, here)))
        elif key == "annex":
            if not isinstance(value, dict):
                raise TemplateError(f"{here}: must be an object")
            # The annex stands alone: it does not inherit "common" (no seal, no QR on a 承诺书).
            kwargs[key] = _parse_template(value, here)
    template = DocumentTemplate(**kwargs)
    for text in template.texts():
        _check_placeholders(text, where)
    return template


def _section(value: Any, where: str) -> SectionTemplate:
    if not isinstance(value, dict):
        raise TemplateError(f"{where}: must be an object")
    unknown = set(value) - {"heading", "paragraphs", "numbered", "materials"}
    if unknown:
        raise TemplateError(f"{where}: unknown keys {sorted(unknown)}")
    return SectionTemplate(
        heading=_string(value.get("heading", ""), f"{where}.heading"),
        paragraphs=_strings(value.get("paragraphs", []), f"{where}.paragraphs"),
        numbered=_bool(value.get("numbered", False), f"{where}.numbered"),
        materials=_bool(value.get("materials", False), f"{where}.materials"),
    )


_EXTRA_FIELD = re.compile(r"extra\[[A-Za-z0-9_]+\]")


def _check_placeholders(text: str, where: str) -> None:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"{where}: bad braces in {text!r}: {exc}") from exc
    for _, name, spec, _ in parsed:
        if name is None:
            continue
        # Only plain names and extra[key]: attribute access ({hall_name.__class__}) or nested
        # fields in a format spec would let an edited file reach into Python objects.
        plain = name in PLACEHOLDERS and name != "extra"
        if not (plain or _EXTRA_FIELD.fullmatch(name)) or "{" in (spec or ""):
            raise TemplateError(
                f"{where}: unknown placeholder {{{name}}} in {text!r} "
                f"(known: {', '.join(sorted(PLACEHOLDERS - {'extra'}))}, extra[key])"
            )


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise TemplateError(f"{where}: must be a string")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise TemplateError(f"{where}: must be true or false")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise TemplateError(f"{where}: must be a list")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    return tuple(_string(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where)))


def _pair(value: Any, where: str) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise TemplateError(f"{where}: must be a pair of strings [first, second]")
    return value[0], value[1]
