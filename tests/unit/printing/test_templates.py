from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import resources
from printing.model import DocumentKind
from printing.templates import (
    PLACEHOLDERS,
    TemplateError,
    default_templates,
    fill,
    load_templates,
    parse_templates,
    placeholder_values,
)

from .samples import make_data


def shipped() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        resources.path("documents", "templates.json").read_text(encoding="utf-8")
    )
    return raw


def test_shipped_file_has_a_template_for_every_kind() -> None:
    templates = default_templates()
    assert set(templates) == set(DocumentKind)
    assert templates[DocumentKind.ONE_TIME_NOTICE].title == "一次性告知书"
    assert templates[DocumentKind.DEFERRED_ACCEPTANCE_NOTICE].annex is not None


def test_common_keys_fill_kinds_but_not_the_annex() -> None:
    deferred = default_templates()[DocumentKind.DEFERRED_ACCEPTANCE_NOTICE]
    assert deferred.copy_labels == ("第一联（申请人留存）", "第二联（窗口存档）")
    assert deferred.annex is not None
    # The 承诺书 is signed by the applicant: no seal, no QR code of its own.
    assert deferred.annex.seal_lines == ()
    assert deferred.annex.qr_content == ""


def test_placeholder_values_cover_every_known_placeholder() -> None:
    data = make_data(DocumentKind.ONE_TIME_NOTICE)
    values = placeholder_values(data, default_templates()[data.kind])
    assert set(values) == PLACEHOLDERS - {"extra"}
    assert values["deadline_date"] == "2026年12月4日"
    assert values["received_at"] == "2026年11月27日 09:05"
    assert (
        values["legal_basis"]
        == "《中华人民共和国行政许可法》第三十二条；《食品经营许可和备案管理办法》第十四条"
    )


def test_a_line_naming_an_absent_value_is_dropped() -> None:
    values = {"deadline_date": "", "clerk_name": "李四"}
    assert fill("请于{deadline_date}前补正", values) is None
    assert fill("经办人：{clerk_name}", values) == "经办人：李四"
    assert fill("复议机关：{extra[review_authority]}", values, {}) is None
    assert (
        fill("复议机关：{extra[review_authority]}", values, {"review_authority": "区人民政府"})
        == "复议机关：区人民政府"
    )


@pytest.mark.parametrize(
    "text",
    ["{no_such_value}", "{hall_name.__class__}", "{extra}", "{extra[a][b]}", "{clerk_name:{doc_no}}", "{"],
)
def test_unknown_or_unsafe_placeholders_are_refused_at_load(text: str) -> None:
    raw = shipped()
    raw["kinds"]["receipt"]["intro"] = [text]
    with pytest.raises(TemplateError, match="receipt"):
        parse_templates(raw)


def test_missing_kind_is_refused() -> None:
    raw = shipped()
    del raw["kinds"]["rejection"]
    with pytest.raises(TemplateError, match="no template for rejection"):
        parse_templates(raw)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("kinds", "receipt", "titel"), "x", "unknown keys"),
        (("kinds", "receipt", "intro"), "not a list", "must be a list"),
        (("kinds", "receipt", "material_columns"), [["colour", "颜色"]], "unknown column"),
        (("kinds", "receipt", "sections"), [{"heading": "x", "paragrafs": []}], "unknown keys"),
        (("version",), 2, "version"),
    ],
)
def test_malformed_entries_are_refused_with_their_location(
    path: tuple[str, ...], value: Any, message: str
) -> None:
    raw = copy.deepcopy(shipped())
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(TemplateError, match=message):
        parse_templates(raw)


def test_unreadable_file_is_a_template_error(tmp_path: Any) -> None:
    broken = tmp_path / "templates.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(TemplateError, match="cannot read"):
        load_templates(broken)
