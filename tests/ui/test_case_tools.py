"""Keyboard checklist, pinyin search, the case list, document preview and printing (into a PDF file
through QPrinter, offscreen; and the clerk's message when there is no printer)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from hallclient.domain.cases import MaterialStatus
from hallclient.services.applicants import check_card
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.document_printer import DocumentPrinter, PrintError, describe_reasons
from hallclient.wiring import Wiring
from tests.ui.helpers import SAMPLE_ID, drain, issue, succeeds

HYGIENE = "11610199MB162734XN4000141001000"
SHOTS = (
    Path(os.environ.get("HALLCLIENT_SCREENSHOTS", "")) if os.environ.get("HALLCLIENT_SCREENSHOTS") else None
)


def applicant_check():
    return check_card(
        name="韩梅梅",
        id_number=SAMPLE_ID,
        card_type="resident",
        birth=dt.date(1949, 12, 31),
        valid_to=None,
        long_term=True,
        sex="女",
        today=dt.date.today(),
    )


def shot(widget, tmp_path: Path, name: str) -> Path:
    path = (SHOTS or tmp_path) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(path))
    return path


def test_checklist_is_driven_by_the_keyboard(
    qtbot, wiring: Wiring, window: ClerkWindow, tmp_path: Path
) -> None:
    panel = window.case_panel
    panel.choose_item(HYGIENE)
    table = panel.table
    table.setFocus()
    table.setCurrentCell(0, 3)
    qtbot.keyClick(table, Qt.Key.Key_2)  # 缺失, and on to the next material
    assert panel.row_status(0) is MaterialStatus.MISSING and table.currentRow() == 1
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentRow() == 3
    qtbot.keyClick(table, Qt.Key.Key_3)  # 不符合: the note opens at once
    assert panel.row_status(3) is MaterialStatus.NONCONFORMING
    assert table.state() == QAbstractItemView.State.EditingState
    assert "请说明不符合之处" in panel.decision.text()
    editor = table.viewport().findChild(QLineEdit)  # the note's editor (focus is not given offscreen)
    assert editor is not None
    qtbot.keyClicks(editor, "scale 1:500 missing")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits through a queued call
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState, timeout=2000)
    checks = {c.name: c for c in panel.checks()}
    item = wiring.catalogue.get(HYGIENE)
    assert checks[item.materials[3].name].note == "scale 1:500 missing"
    assert "请说明不符合之处" not in panel.decision.text()
    assert panel.decision.text().startswith("系统判定：一次性告知")
    table.setCurrentCell(1, 3)
    qtbot.keyClick(table, Qt.Key.Key_Space)  # cycles 已提交 → 缺失
    assert panel.row_status(1) is MaterialStatus.MISSING
    shot(panel, tmp_path, "checklist_keyboard")


def test_search_by_pinyin_initials_runs_off_the_gui_thread(qtbot, window: ClerkWindow) -> None:
    panel = window.case_panel
    with qtbot.waitSignal(panel.results_shown, timeout=5000) as shown:
        qtbot.keyClicks(panel.search, "ggcs")
    assert shown.args == ["ggcs"]
    first = panel.results.item(0)
    assert first.text().startswith("公共场所卫生许可")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)  # Enter takes the first result
    assert panel.item is not None and panel.item.key == HYGIENE


def decide_notice(qtbot, wiring: Wiring, window: ClerkWindow):
    issue(wiring, 1)
    with succeeds(qtbot, window.ticket_called, window.operation_failed):
        window.call_next()
    window.on_card_checked(applicant_check())
    window.case_panel.choose_item(HYGIENE)
    item = wiring.catalogue.get(HYGIENE)
    window.case_panel.set_status(item.materials[0].name, MaterialStatus.MISSING)
    with (
        qtbot.waitSignal(window.case_tools.panel.lists_shown, timeout=10_000),
        succeeds(qtbot, window.case_decided, window.operation_failed) as decided,
    ):
        window.submit_case()
    return decided.args[0]


def test_a_decision_appears_in_the_case_list_and_can_be_previewed(
    qtbot,
    wiring: Wiring,
    window: ClerkWindow,
    tmp_path: Path,
) -> None:
    outcome = decide_notice(qtbot, wiring, window)
    tools = window.case_tools
    today = tools.panel.tables["today"]
    assert today.rowCount() == 1 and today.item(0, 0).text() == outcome.case_no
    awaiting = tools.panel.tables["awaiting"]
    assert awaiting.item(0, 3).text() == "待补正"
    assert window.case_panel.preview_button.isEnabled() and window.case_panel.print_button.isEnabled()
    assert window.minimumSizeHint().height() <= 1000  # the list costs no height: it fits a 1080-line screen
    window.resize(1280, 800)  # the window's own default size
    window.work_tabs.setCurrentWidget(tools.panel)
    shot(window, tmp_path, "clerk_window_case_list")
    window.work_tabs.setCurrentWidget(window.case_panel)

    qtbot.mouseClick(window.case_panel.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tools.dialog is not None and tools.dialog.isVisible(), timeout=5000)
    dialog = tools.dialog
    assert dialog.pdf.pageCount() == 2  # two copies of the one-time notice
    assert dialog.choice.currentText().startswith("一次性告知书")
    qtbot.wait(50)  # let QPdfView render its first page before the screenshot
    shot(dialog, tmp_path, "document_preview")
    dialog.close()


def test_without_a_printer_the_clerk_is_told_and_the_case_stays(
    qtbot, wiring: Wiring, window: ClerkWindow
) -> None:
    if QPrinterInfo.availablePrinters():
        pytest.skip("this machine has printers; the no-printer message cannot be seen here")
    outcome = decide_notice(qtbot, wiring, window)
    panel = window.case_panel
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "打印机" in panel.print_state.text() and "正在" not in panel.print_state.text(),
        timeout=10_000,
    )
    assert "没有安装打印机" in panel.print_state.text() and "已归档" in panel.print_state.text()
    assert wiring.cases.case(outcome.case_id).status == "awaiting_supplement"
    assert [d.doc_no for d in wiring.cases.archive(outcome.case_id)] == [outcome.document.doc_no]


def test_printing_into_a_pdf_file_through_qprinter(qtbot, tmp_path: Path) -> None:
    import resources
    from hallclient.cli.cases import notice_pdf
    from hallclient.domain.catalogue import load_catalogue

    catalogue = load_catalogue(resources.path("catalogue", "items.json"))
    item = catalogue.get(HYGIENE)
    pdf = notice_pdf(
        item, [item.materials[0].name], [], ("大厅", "地址", "电话"), "Asia/Shanghai", dt.datetime.now(dt.UTC)
    )
    out = tmp_path / "printed.pdf"
    result = DocumentPrinter(dpi=150).print_pdf(pdf, "一次性告知书", output_file=out)
    assert result.pages == 1 and out.stat().st_size > 10_000
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in info and "595 x 842" in info  # A4
    with pytest.raises(PrintError, match="已损坏"):
        DocumentPrinter().print_pdf(b"%PDF-1.4 not really", "x", output_file=tmp_path / "bad.pdf")


def test_printer_problems_are_described_for_the_clerk() -> None:
    assert "缺纸" in describe_reasons({"media-empty-error"}, "窗口1")
    assert "卡纸" in describe_reasons({"media-jam"}, "窗口1")
    assert "脱机" in describe_reasons({"offline-report"}, "窗口1")
    assert "脱机" in describe_reasons({"paused"}, "窗口1")
    assert describe_reasons(set(), "窗口1") is None
    assert describe_reasons({"none"}, "窗口1") is None
    with pytest.raises(PrintError, match="找不到配置的打印机「不存在的打印机」"):
        DocumentPrinter("不存在的打印机").target()
    with pytest.raises(PrintError, match="未配置打印机"):
        DocumentPrinter("none").print_pdf(b"%PDF", "x")


def test_the_case_list_survives_a_runner_drain(qtbot, window: ClerkWindow, runner) -> None:
    window.case_tools.refresh()
    drain(qtbot, runner)
    assert window.case_tools.panel.tabs.count() == 3


def test_a_supplement_from_the_case_list_accepts_the_case(
    qtbot, wiring: Wiring, window: ClerkWindow, tmp_path: Path
) -> None:
    outcome = decide_notice(qtbot, wiring, window)
    tools = window.case_tools
    awaiting = tools.panel.tables["awaiting"]
    tools.panel.tabs.setCurrentWidget(awaiting)
    awaiting.setCurrentCell(0, 0)
    tools.panel.step_requested.emit("supplement", tools.panel.selected_case_id())
    qtbot.waitUntil(
        lambda: tools.supplement_dialog is not None and tools.supplement_dialog.isVisible(), timeout=5000
    )
    dialog = tools.supplement_dialog
    item = wiring.catalogue.get(HYGIENE)
    assert dialog.panel.row_status(0) is MaterialStatus.MISSING  # the case's checklist as it stands
    table = dialog.panel.table
    table.setFocus()
    table.setCurrentCell(0, 3)
    qtbot.keyClick(table, Qt.Key.Key_1)  # the missing form was brought
    assert dialog.panel.decision.text().startswith("系统判定：受理")
    with qtbot.waitSignal(tools.panel.lists_shown, timeout=10_000):
        qtbot.mouseClick(dialog.panel.submit_button, Qt.MouseButton.LeftButton)
    assert "已出具受理通知书" in dialog.result.text()
    assert wiring.cases.case(outcome.case_id).status == "accepted"
    assert tools.panel.tables["awaiting"].rowCount() == 0
    shot(dialog, tmp_path, "supplement_dialog")
    dialog.close()
    assert item.materials[0].name in [m[0] for m in wiring.cases.case(outcome.case_id).materials]


def test_withdraw_from_the_case_list_needs_a_reason(
    qtbot, wiring: Wiring, window: ClerkWindow, tmp_path: Path
) -> None:
    outcome = decide_notice(qtbot, wiring, window)
    tools = window.case_tools
    failures: list[str] = []
    tools.panel.step_failed.connect(failures.append)
    tools.panel.step_requested.emit("withdraw", outcome.case_id)
    qtbot.waitUntil(lambda: tools.step_dialog is not None and tools.step_dialog.isVisible(), timeout=5000)
    shot(tools.step_dialog, tmp_path, "withdraw_dialog")
    tools.step_dialog.accept()  # no reason typed
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert "撤回必须填写理由" in failures[0]

    tools.panel.step_requested.emit("withdraw", outcome.case_id)
    qtbot.waitUntil(lambda: tools.step_dialog.isVisible(), timeout=5000)
    tools.step_dialog.reason.setText("申请人申请撤回")
    with qtbot.waitSignal(tools.panel.lists_shown, timeout=10_000):
        tools.step_dialog.accept()
    assert wiring.cases.case(outcome.case_id).status == "withdrawn"
    assert "已撤回" in tools.panel.message.text()
