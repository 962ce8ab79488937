"""不予受理 from the window: the clerk's decision, always with a written reason, and its document."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from pytestqt.qtbot import QtBot

from hallclient.services.cases import CaseOutcome
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.wiring import Wiring
from tests.ui.helpers import call, card_check, issue, succeeds


def _ready(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    window.on_card_checked(card_check())
    window.case_panel.choose_item(wiring.catalogue.items[0].key)
    assert window.case_panel.reject_button.isEnabled()


def test_reject_with_a_reason_issues_the_decision_with_its_remedies(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    _ready(qtbot, wiring, window)
    with succeeds(qtbot, window.case_decided, window.operation_failed) as decided:
        window.reject_case("申请事项不属于本机关职权范围，请向市场监督管理局申请")
    outcome: CaseOutcome = decided.args[0]
    assert str(outcome.decision) == "reject"
    assert outcome.document.kind == "rejection"
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "r.pdf"
        pdf.write_bytes(outcome.document.pdf)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "不予受理决定书" in flat
    assert "不属于本机关职权范围" in flat
    assert "行政复议" in flat and "行政诉讼" in flat
    assert window.case_panel.document.text().startswith("已不予受理")


def test_reject_without_a_reason_is_refused_and_nothing_is_written(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    _ready(qtbot, wiring, window)
    with (
        qtbot.waitSignal(window.operation_failed, timeout=1000) as failed,
        qtbot.assertNotEmitted(window.case_decided),
    ):
        window.reject_case("   ")
    assert failed.args[0] == "不予受理必须写明理由"
    with wiring.uow() as uow:
        assert uow.cases.count("cases") == 0
