"""Render every document kind and read it back with poppler, as a reader's viewer would."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from printing import render
from printing.fonts import FONT_NAME, register_fonts
from printing.model import DocumentKind, MaterialLine
from printing.templates import default_template

from .samples import CLERK, LONG_MATERIAL, MASKED_ID, MATERIALS, make_data

Text = Callable[..., str]

# Kinds whose template shows a deadline, with the date the sample data carries.
DEADLINE_KINDS = {
    DocumentKind.ONE_TIME_NOTICE,
    DocumentKind.ACCEPTANCE_NOTICE,
    DocumentKind.DEFERRED_ACCEPTANCE_NOTICE,
    DocumentKind.RECEIPT,
    DocumentKind.INQUIRY_RECEIPT,
}
MATERIAL_KINDS = set(DocumentKind) - {DocumentKind.INQUIRY_RECEIPT}


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_document_shows_title_applicant_deadline_and_clerk(
    kind: DocumentKind, pdf_file: Callable[[bytes], Path], pdftotext: Text
) -> None:
    data = make_data(kind)
    text = compact(pdftotext(pdf_file(render(data))))

    assert compact(default_template(kind).title) in text
    assert MASKED_ID in text
    assert CLERK in text
    assert data.doc_no in text
    if kind in DEADLINE_KINDS:
        assert "2026年12月4日" in text
    if kind in MATERIAL_KINDS:
        for line in MATERIALS:
            assert compact(line.name) in text, line.name


def test_one_time_notice_has_every_required_part(pdf_file: Callable[[bytes], Path], pdftotext: Text) -> None:
    text = compact(pdftotext(pdf_file(render(make_data(DocumentKind.ONE_TIME_NOTICE)))))
    for part in (
        "《中华人民共和国行政许可法》第三十二条",  # statutory basis
        "《食品经营许可和备案管理办法》第十四条",  # the item's own basis
        "511A0138000000-511602000000-000-115113010833722043-1-00",  # item code
        "2026年11月27日09:05",  # received at
        "5个工作日内",  # deadline as a working-day count ...
        "即2026年12月4日前",  # ... and as a date
        "视为撤回申请",  # consequence
        "现场提交",
        "邮寄提交",
        "网上提交",
        "12号窗口",
        "工号：GA0471",
        "四川省广安市广安区金安大道二段166号",
        "0826-2345678",
        "（盖章）",
        "申请人（签字）",
        "问题",
        "来源渠道",
        "不符合法定形式",
        "注明委托期限",  # a note is kept even without a 备注 column
    ):
        assert part in text, part


def test_long_material_name_wraps_inside_its_cell(pdf_file: Callable[[bytes], Path], pdftotext: Text) -> None:
    path = pdf_file(render(make_data(DocumentKind.ONE_TIME_NOTICE)))
    assert len(LONG_MATERIAL) >= 40
    # Nothing clipped: every character is there ...
    assert LONG_MATERIAL in compact(pdftotext(path))
    # ... and it was broken over several lines rather than drawn past the cell on one.
    assert not any(LONG_MATERIAL in compact(line) for line in pdftotext(path, layout=True).splitlines())


def test_rejection_states_reason_and_both_remedies(
    pdf_file: Callable[[bytes], Path], pdftotext: Text
) -> None:
    data = make_data(DocumentKind.REJECTION, extra={"review_authority": "广安市广安区人民政府"})
    text = compact(pdftotext(pdf_file(render(data))))
    assert compact(data.reason) in text
    assert "六十日内依法申请行政复议" in text
    assert "六个月内依法向人民法院提起行政诉讼" in text
    assert "行政复议机关：广安市广安区人民政府" in text


def test_optional_line_is_left_out_when_its_value_is_absent(
    pdf_file: Callable[[bytes], Path], pdftotext: Text
) -> None:
    text = compact(pdftotext(pdf_file(render(make_data(DocumentKind.REJECTION)))))
    assert "行政复议机关" not in text
    assert "六十日内" in text


def test_deferred_acceptance_is_followed_by_the_commitment_letter(
    pdf_file: Callable[[bytes], Path], pdftotext: Text, page_count: Callable[[Path], int]
) -> None:
    path = pdf_file(render(make_data(DocumentKind.DEFERRED_ACCEPTANCE_NOTICE)))
    assert page_count(path) == 2
    letter = compact(pdftotext(path, first=2, last=2))
    assert "容缺受理承诺书" in letter
    assert "承诺人（签字）" in letter
    assert "按退件处理" in letter
    assert compact(LONG_MATERIAL) in letter


def test_two_copies_are_labelled_on_their_own_pages(
    pdf_file: Callable[[bytes], Path], pdftotext: Text, page_count: Callable[[Path], int]
) -> None:
    path = pdf_file(render(make_data(DocumentKind.ONE_TIME_NOTICE, copies=2)))
    assert page_count(path) == 2
    first, second = (compact(pdftotext(path, first=page, last=page)) for page in (1, 2))
    assert "第一联（申请人留存）" in first and "第二联" not in first
    assert "第二联（窗口存档）" in second and "第一联" not in second
    assert "一次性告知书" in second


def test_a_single_copy_carries_no_copy_label(pdf_file: Callable[[bytes], Path], pdftotext: Text) -> None:
    assert "联（" not in pdftotext(pdf_file(render(make_data(DocumentKind.ONE_TIME_NOTICE))))


def test_each_copy_of_a_deferred_acceptance_has_its_letter(
    pdf_file: Callable[[bytes], Path], pdftotext: Text, page_count: Callable[[Path], int]
) -> None:
    path = pdf_file(render(make_data(DocumentKind.DEFERRED_ACCEPTANCE_NOTICE, copies=2)))
    assert page_count(path) == 4
    assert "容缺受理承诺书" in compact(pdftotext(path, first=4, last=4))
    assert "第二联（窗口存档）" in compact(pdftotext(path, first=4, last=4))


def test_watermark_appears_only_when_set(pdf_file: Callable[[bytes], Path], pdftotext: Text) -> None:
    # Raw (content-stream) order: poppler breaks rotated text into single characters otherwise.
    plain = compact(pdftotext(pdf_file(render(make_data(DocumentKind.RECEIPT))), raw=True))
    training = compact(
        pdftotext(pdf_file(render(make_data(DocumentKind.RECEIPT, watermark="练习"))), raw=True)
    )
    assert "练" not in plain
    # Tiled over the page, so no part of a training printout can pass for a real one.
    assert training.count("练习") >= 6


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_font_is_embedded_as_a_subset(
    kind: DocumentKind, pdf_file: Callable[[bytes], Path], pdffonts: Callable[[Path], list[dict[str, str]]]
) -> None:
    fonts = pdffonts(pdf_file(render(make_data(kind, watermark="练习"))))
    assert fonts, "no fonts listed"
    for font in fonts:
        assert font["emb"] == "yes", font
        assert font["sub"] == "yes", font
        assert re.fullmatch(r"[A-Z]{6}\+WenQuanYiMicroHei.*", font["name"]), font


def test_data_is_escaped_not_read_as_markup(pdf_file: Callable[[bytes], Path], pdftotext: Text) -> None:
    odd = MaterialLine("R&D <说明> 材料", "缺失", "原件1份")
    text = pdftotext(pdf_file(render(make_data(DocumentKind.ONE_TIME_NOTICE, materials=(odd,)))))
    assert "R&D <说明> 材料" in text


def test_a_long_material_list_runs_onto_more_pages_without_losing_rows(
    pdf_file: Callable[[bytes], Path], pdftotext: Text, page_count: Callable[[Path], int]
) -> None:
    materials = tuple(
        MaterialLine(f"第{i}项证明材料{LONG_MATERIAL[:12]}", "缺失", "原件1份") for i in range(1, 41)
    )
    path = pdf_file(render(make_data(DocumentKind.ONE_TIME_NOTICE, materials=materials)))
    assert page_count(path) >= 2
    text = compact(pdftotext(path))
    for line in materials:
        assert line.name in text
    # Column titles repeat on the continuation page.
    assert "材料名称" in compact(pdftotext(path, first=2, last=2))


def test_custom_template_replaces_the_shipped_wording(
    pdf_file: Callable[[bytes], Path], pdftotext: Text
) -> None:
    template = replace(default_template(DocumentKind.ACCEPTANCE_NOTICE), title="行政许可受理通知书")
    text = compact(pdftotext(pdf_file(render(make_data(DocumentKind.ACCEPTANCE_NOTICE), template))))
    assert "行政许可受理通知书" in text


def test_same_data_gives_the_same_bytes() -> None:
    data = make_data(DocumentKind.ONE_TIME_NOTICE, copies=2)
    assert render(data) == render(data)


def test_font_registration_is_safe_from_several_threads() -> None:
    names: list[str] = []
    threads = [threading.Thread(target=lambda: names.append(register_fonts())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert names == [FONT_NAME] * 8


def test_renders_on_several_threads_match_a_serial_render() -> None:
    """The application renders on a thread pool, and reportlab subsets the shared font through
    one file cursor. Without printing's lock, about one round in four here broke (KeyError in
    makeSubset); four rounds catch a regression most of the time in about a second."""
    samples = [make_data(kind) for kind in DocumentKind]
    expected = [render(data) for data in samples]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(4):
            assert list(pool.map(render, samples * 2)) == expected * 2


def test_printing_loads_neither_qt_nor_the_application() -> None:
    # A fresh interpreter: this test process may have loaded Qt through another plugin.
    code = (
        "import sys, printing; from printing import render; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'hallclient')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
