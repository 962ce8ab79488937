"""Card input in the clerk window: the polling device worker (hot-plug), the photo, and the audited reveal."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QIODevice, QObject, QPoint, Signal
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from devices.errors import DeviceNotConnected, PinRequired
from devices.idcard.sample_cards import RESIDENT_MALE, SOCIAL_SECURITY_FEMALE
from devices.idcard.simulated import SimulatedCardReader
from hallclient.config import Config
from hallclient.services.applicants import ApplicantCheck
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.demo import DemoRun
from hallclient.ui.device_worker import DeviceWorker
from hallclient.ui.workers import Lane
from hallclient.wiring import Wiring
from tests.ui.helpers import SAMPLE_ID, SAMPLE_ID_MASKED, TODAY, call, card_check, issue, succeeds


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    # As the tier's conftest, plus a one-second reveal so the re-mask can be awaited.
    return Config().with_overrides(
        {
            "store.url": f"sqlite:///{tmp_path}/t.db",
            "platform.url": "http://127.0.0.1:9",
            "privacy.reveal_seconds": 1,
        }
    )


# -- the device worker: polling and hot-plug ---------------------------------------------------------------


class UnpluggableReader(SimulatedCardReader):
    """A manual simulated reader whose cable can be pulled: open and read fail while it is out."""

    def __init__(self) -> None:
        super().__init__(cards=[])
        self.unplugged = threading.Event()
        self.opens = 0

    def open(self) -> None:
        self.opens += 1
        if self.unplugged.is_set():
            raise DeviceNotConnected()
        super().open()

    def read_card(self, timeout: float):  # type: ignore[no-untyped-def]
        if self.unplugged.is_set():
            raise DeviceNotConnected()
        return super().read_card(timeout)


class Relay(QObject):
    """The worker's signals, re-emitted on the GUI thread (queued), where qtbot can wait for them: a
    waitSignal on the worker itself would run qtbot's timer code on the device thread."""

    card_checked = Signal(object)
    state_changed = Signal(str, str)

    def __init__(self, worker: DeviceWorker) -> None:
        super().__init__()
        self.states: list[tuple[str, str]] = []
        worker.card_checked.connect(self.card_checked)
        worker.state_changed.connect(self.state_changed)
        self.state_changed.connect(lambda state, text: self.states.append((state, text)))


@pytest.fixture
def reader() -> UnpluggableReader:
    return UnpluggableReader()


def start_lane(qtbot: QtBot, worker: DeviceWorker) -> tuple[Lane, Relay]:
    relay = Relay(worker)
    lane = Lane("device-test", worker)
    with qtbot.waitSignal(relay.state_changed, timeout=5000):
        lane.start(worker.start)
    return lane, relay


@pytest.fixture
def polled(qtbot: QtBot, reader: UnpluggableReader) -> Iterator[tuple[DeviceWorker, Relay]]:
    worker = DeviceWorker(lambda: reader, lambda: TODAY, poll_ms=20)
    lane, relay = start_lane(qtbot, worker)
    yield worker, relay
    lane.stop("close")


def test_a_card_put_down_is_read_without_a_key_press(
    qtbot: QtBot, polled: tuple[DeviceWorker, Relay], reader: UnpluggableReader
) -> None:
    worker, relay = polled
    assert worker.polling
    with qtbot.waitSignal(relay.card_checked, timeout=5000) as blocker:
        reader.place(RESIDENT_MALE)
    check: ApplicantCheck = blocker.args[0]
    assert check.applicant is not None and check.applicant.name == "李雷"
    assert check.applicant.id_masked == "4405**********0014"
    qtbot.waitUntil(lambda: relay.states[-1] == ("ready", "读卡成功"), timeout=2000)
    # Left on the reader, it is not read again; lifted and put back, it is.
    with qtbot.assertNotEmitted(relay.card_checked, wait=200):
        pass
    reader.lift()
    with qtbot.waitSignal(relay.card_checked, timeout=5000):
        reader.place(RESIDENT_MALE)


def test_an_unplugged_reader_shows_no_reader_and_recovers_when_plugged_back(
    qtbot: QtBot, polled: tuple[DeviceWorker, Relay], reader: UnpluggableReader
) -> None:
    _, relay = polled
    states = relay.states
    reader.unplugged.set()
    qtbot.waitUntil(lambda: ("no_reader", "读卡器未连接，请检查连接线") in states, timeout=5000)
    opens = reader.opens
    qtbot.waitUntil(lambda: reader.opens > opens + 1, timeout=5000)  # it keeps trying, backing off
    reader.unplugged.clear()
    qtbot.waitUntil(lambda: states[-1][0] == "ready" and "读卡器就绪" in states[-1][1], timeout=10_000)
    with qtbot.waitSignal(relay.card_checked, timeout=5000):
        reader.place(RESIDENT_MALE)


def test_a_card_fault_stays_shown_and_is_not_repeated_on_every_poll(
    qtbot: QtBot, polled: tuple[DeviceWorker, Relay], reader: UnpluggableReader
) -> None:
    _, relay = polled
    reader.inject_error(PinRequired())
    qtbot.waitUntil(
        lambda: relay.states[-1] == ("error", "社保卡需要输入密码，请在密码键盘上输入"), timeout=5000
    )
    with qtbot.assertNotEmitted(relay.state_changed, wait=200):
        pass
    with qtbot.waitSignal(relay.card_checked, timeout=5000):
        reader.place(RESIDENT_MALE)
    qtbot.waitUntil(lambda: relay.states[-1] == ("ready", "读卡成功"), timeout=2000)


def test_a_scripted_simulated_reader_is_read_on_f2_only(qtbot: QtBot) -> None:
    worker = DeviceWorker(lambda: SimulatedCardReader(), lambda: TODAY, poll_ms=20)
    lane, relay = start_lane(qtbot, worker)
    try:
        assert not worker.polling
        with qtbot.assertNotEmitted(relay.card_checked, wait=200):
            pass
    finally:
        lane.stop("close")


def test_a_social_security_card_fills_the_panel_with_its_type_and_masked_number(
    qtbot: QtBot, window: ClerkWindow
) -> None:
    worker = DeviceWorker(lambda: SimulatedCardReader(cards=[SOCIAL_SECURITY_FEMALE]), lambda: TODAY)
    worker.card_checked.connect(window.on_card_checked)
    worker.open()
    with succeeds(qtbot, window.applicant_filled, window.operation_failed) as blocker:
        worker.read_once(1.0)
    assert blocker.args[0].id_type == "111"
    panel = window.applicant_panel
    assert (panel.name.text(), panel.id_number.text(), panel.card_type.text()) == (
        "韩梅梅",
        SAMPLE_ID_MASKED,
        "社会保障卡",
    )
    assert panel.photo.text() == "照片不可用"
    worker.close()


# -- the photo -----------------------------------------------------------------------------------------------


def red_bmp() -> bytes:
    image = QImage(102, 126, QImage.Format.Format_RGB888)
    image.fill(QColor(255, 0, 0))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "BMP")
    return bytes(buffer.data().data())


def test_the_photo_is_shown_from_memory_and_never_grabbed_into_a_demo_screenshot(
    qtbot: QtBot, window: ClerkWindow, tmp_path: Path
) -> None:
    window.on_card_checked(dataclasses.replace(card_check(), photo=red_bmp()))
    photo = window.applicant_panel.photo
    assert photo.has_photo and photo.pixmap().toImage().pixelColor(50, 60) == QColor(255, 0, 0)
    run = DemoRun(tmp_path)
    run.shot(window, "card")
    shot = QImage(str(tmp_path / "screens" / "00-card.png"))
    origin = photo.mapTo(window, QPoint(0, 0))
    reds = [
        (x, y)
        for x in range(origin.x(), origin.x() + photo.width(), 3)
        for y in range(origin.y(), origin.y() + photo.height(), 3)
        if shot.pixelColor(x, y) == QColor(255, 0, 0)
    ]
    assert reds == []
    assert photo.has_photo and not photo.pixmap().isNull()  # back on screen after the capture
    assert list(tmp_path.rglob("*.bmp")) == []


def test_the_photo_goes_when_the_service_finishes(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    window.on_card_checked(dataclasses.replace(card_check(), photo=red_bmp()))
    with succeeds(qtbot, window.service_finished, window.operation_failed):
        window.finish()
    assert not window.applicant_panel.photo.has_photo and window.applicant_panel.photo.pixmap().isNull()


# -- the audited reveal ------------------------------------------------------------------------------------


def widget_texts(window: ClerkWindow) -> list[str]:
    return [w.text() for w in window.findChildren(QLabel)] + [
        e.text() for e in window.findChildren(QLineEdit)
    ]


def audit_rows(wiring: Wiring) -> list[tuple[object, ...]]:
    with wiring.engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text(
                    "SELECT clerk_id, window_id, target, detail, reason, at FROM audit_log "
                    "WHERE action = 'privacy.reveal' ORDER BY id"
                )
            )
        ]


def reveal(qtbot: QtBot, window: ClerkWindow, reason: str = "核对证件号码") -> None:
    window.applicant_panel.reveal_button.click()
    dialog = window.id_reveal.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reasons.setCurrentText(reason)
    with qtbot.waitSignal(window.id_reveal.revealed, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_the_full_number_is_shown_only_after_a_reason_and_an_audit_row_then_masked_again(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow
) -> None:
    issue(wiring, 1)
    ticket = call(qtbot, window)
    assert not window.applicant_panel.reveal_button.isEnabled()  # nobody to reveal yet
    window.on_card_checked(card_check())
    assert all(SAMPLE_ID not in t for t in widget_texts(window))
    assert audit_rows(wiring) == []
    reveal(qtbot, window)
    assert window.applicant_panel.id_number.text() == SAMPLE_ID
    ((clerk_id, window_id, target, detail, reason, at),) = audit_rows(wiring)
    assert (clerk_id, window_id) == (window.session.clerk_id, window.session.window_id)
    assert (target, detail, reason) == (f"ticket:{ticket.id}", "field=id_number", "核对证件号码")
    assert at is not None and SAMPLE_ID not in f"{target}{detail}{reason}"
    with qtbot.waitSignal(window.id_reveal.remasked, timeout=5000):  # privacy.reveal_seconds = 1
        pass
    assert window.applicant_panel.id_number.text() == SAMPLE_ID_MASKED


def test_finishing_the_service_masks_at_once(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    window.on_card_checked(card_check())
    reveal(qtbot, window)
    with qtbot.waitSignal(window.id_reveal.remasked, timeout=500):
        window.finish()
    qtbot.waitUntil(lambda: window.ticket is None, timeout=5000)
    assert all(SAMPLE_ID not in t for t in widget_texts(window))


def test_another_applicant_is_never_shown_revealed(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    window.on_card_checked(card_check())
    reveal(qtbot, window)
    with qtbot.waitSignal(window.id_reveal.remasked, timeout=500):
        window.on_card_checked(card_check("440524188001010014"))
    assert window.applicant_panel.id_number.text() == "4405**********0014"


def test_other_needs_a_written_reason(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    window.on_card_checked(card_check())
    window.applicant_panel.reveal_button.click()
    dialog = window.id_reveal.dialog
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.reasons.setCurrentText("其他")
    assert not ok.isEnabled()
    dialog.detail.setText("窗口核对户籍")
    assert ok.isEnabled() and dialog.reason() == "窗口核对户籍"
    dialog.reject()
    assert audit_rows(wiring) == [] and window.applicant_panel.id_number.text() == SAMPLE_ID_MASKED


def test_no_reveal_outside_a_service(qtbot: QtBot, wiring: Wiring, window: ClerkWindow) -> None:
    window.on_card_checked(card_check())
    with qtbot.waitSignal(window.operation_failed, timeout=1000) as failed:
        window.applicant_panel.reveal_button.click()
    assert failed.args[0] == "完整号码只能在办理中的业务中查看，请先叫号"
    assert window.id_reveal.dialog is None and audit_rows(wiring) == []


def test_a_typed_in_number_does_not_stay_in_the_entry_field(qtbot: QtBot, window: ClerkWindow) -> None:
    panel = window.applicant_panel
    panel.manual_name.setText("韩梅梅")
    qtbot.keyClicks(panel.manual_id, SAMPLE_ID)
    with succeeds(qtbot, window.applicant_filled, window.operation_failed):
        window.enter_applicant(panel.manual_name.text(), panel.manual_id.text(), "")
    assert panel.manual_id.text() == "" and all(SAMPLE_ID not in t for t in widget_texts(window))


# -- the bench ---------------------------------------------------------------------------------------------


def test_bench_idcard_prints_the_figures_as_json(qapp: object, capsys: pytest.CaptureFixture[str]) -> None:
    from hallclient.cli import main

    main(["bench", "idcard", "--json", "--frames", "500", "--rounds", "30"])  # figures, not a timed test
    result = json.loads(capsys.readouterr().out)
    assert (
        result["frame_bytes"] == 1295
        and result["decode_budget_ms"] == 1.0
        and result["fill_budget_ms"] == 50.0
    )
    for key in ("decode_us_per_frame", "decode_framed_us_per_frame", "check_card_ms"):
        assert set(result[key]) == {"median_round_mean", "best_round_mean", "p50", "p99"}
    assert set(result["beyond_device_ms"]) == {"p50", "p99", "max"} and result["rounds"] == 30
    assert isinstance(result["within_budget"], bool)
