"""The review pad in the application: the clerk's photo, the monitor, a keypad on the device thread,
the clerk never seeing a pending rating, a bad review opening its rectification, the manager's dialog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from hallclient.app import Workstation, open_workstation
from hallclient.config import Config
from hallclient.domain.outbox import RecordKind
from hallclient.domain.rectifications import RectificationAction, RectificationStatus
from hallclient.domain.reviews import RATING_LABELS
from hallclient.services.auth import ClerkSession
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import PHOTO_SIZE, CustomerScreen, choose_screen
from hallclient.ui.threads import BackgroundRunner
from hallclient.wiring import Wiring
from tests.ui.helpers import PASSWORD, call, dispose, drain, issue, succeeds

LOOK = Path("/tmp/ui-look")
HALL = "西安市雁塔区政务服务中心"


def shoot(widget, name: str) -> None:
    QApplication.processEvents()
    LOOK.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(LOOK / f"{name}.png"))


# -- the customer screen: photo and monitor -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("screens", "configured", "chosen"),
    [
        (1, -1, None),  # one monitor: a normal window, never full-screen over the clerk's
        (1, 0, None),
        (1, 1, None),
        (2, -1, 1),  # the second monitor by default
        (3, -1, 1),
        (3, 2, 2),  # the configured one
        (2, 0, 0),
        (2, 5, 1),  # a configured monitor that is unplugged: back to automatic
    ],
)
def test_which_monitor_shows_the_customer_screen(screens: int, configured: int, chosen: int | None) -> None:
    assert choose_screen(screens, configured) == chosen


def test_the_clerks_configured_photo_is_shown(qtbot: QtBot, tmp_path: Path) -> None:
    photo = QImage(300, 400, QImage.Format.Format_RGB32)
    photo.fill(QColor("#aa3355"))
    assert photo.save(str(tmp_path / "1001.png"))
    screen = CustomerScreen(HALL, photo_template=str(tmp_path / "{staff_no}.png"))
    try:
        screen.show()
        screen.show_clerk("张敏", "1001", "1")
        screen.show_serving("A001")
        image = screen.photo.pixmap().toImage()
        assert image.pixelColor(image.width() // 2, image.height() // 2) == QColor("#aa3355")
        assert "工号：1001" in screen.clerk_label.text() and "张敏" in screen.clerk_label.text()
        shoot(screen, "customer-serving-with-photo")
        screen.show_clerk("李华", "1002", "2")  # no file for 1002: the silhouette
        image = screen.photo.pixmap().toImage()
        assert (image.width(), image.height()) == PHOTO_SIZE
        assert image.pixelColor(image.width() // 2, image.height() // 2) != QColor("#aa3355")
    finally:
        dispose(screen)


def test_without_a_photo_a_silhouette_is_drawn(qtbot: QtBot) -> None:
    screen = CustomerScreen(HALL)
    try:
        screen.show()
        screen.show_clerk("张敏", "1001", "1")
        screen.show_serving("A002")
        image = screen.photo.pixmap().toImage()
        assert (image.width(), image.height()) == PHOTO_SIZE
        colours = {
            image.pixelColor(x, y).name()
            for x in range(0, image.width(), 11)
            for y in range(0, image.height(), 11)
        }
        assert len(colours) >= 2  # a figure on a background, not an empty box
        shoot(screen, "customer-serving-silhouette")
    finally:
        dispose(screen)


# -- the clerk cannot see a pending rating ---------------------------------------------------------------


def _visible_texts(window: ClerkWindow) -> str:
    labels = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    edits = [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]
    return "\n".join(labels + edits + [window.statusBar().currentMessage()])


def test_the_clerk_window_never_shows_a_pending_rating(
    qtbot: QtBot, wiring: Wiring, window: ClerkWindow, customer: CustomerScreen
) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    with succeeds(qtbot, window.service_finished, window.operation_failed):
        window.finish()
    with qtbot.assertNotEmitted(window.review_recorded, wait=200):
        customer.choose_level(1)  # chosen on the pad, reasons not yet
        customer.choose_reasons(["服务态度不好"])
    assert window.review_state.text() == "评价：评价中…"
    texts = _visible_texts(window)
    assert not any(label in texts for label in RATING_LABELS.values())
    assert "服务态度不好" not in texts
    with wiring.uow() as uow:
        assert uow.cases.count("reviews") == 0
    with succeeds(qtbot, window.review_recorded, window.operation_failed):
        customer.submit_button.click()
    assert window.review_state.text() == "评价：已评价"  # that it was rated, never how
    assert not any(label in _visible_texts(window) for label in RATING_LABELS.values())


# -- a keypad on the device thread ---------------------------------------------------------------------------


@pytest.fixture
def pad_cfg(cfg: Config) -> Config:
    return cfg.with_overrides({"devices.review_pad": "simulated", "review.rectification_days": 5})


@pytest.fixture
def pad_station(
    qtbot: QtBot, pad_cfg: Config, runner: BackgroundRunner
) -> Iterator[tuple[Workstation, Wiring, ClerkSession]]:
    from hallclient.wiring import build

    w = build(pad_cfg)  # the same store as the ``wiring`` fixture (which ``runner`` sets up, with clerk 1001)
    w.auth.add_clerk("9001", "王主任", PASSWORD, role="manager")
    session = w.auth.login("1001", PASSWORD, "1", "pc-1")
    st = open_workstation(w, session, runner, sync=False)
    st.window.show()
    assert st.review_pad is not None
    qtbot.waitUntil(lambda: st.review_pad.pad is not None, timeout=5000)
    drain(qtbot, runner)
    yield st, w, session
    drain(qtbot, runner)
    st.shutdown()
    drain(qtbot, runner)
    dispose(st.window, st.customer)
    w.close()


def test_a_keypad_bad_rating_reaches_the_store_and_opens_a_rectification(
    qtbot: QtBot, pad_station: tuple[Workstation, Wiring, ClerkSession], runner: BackgroundRunner
) -> None:
    st, w, _session = pad_station
    win = st.window
    issue(w, 1)
    call(qtbot, win)
    with qtbot.assertNotEmitted(win.review_recorded, wait=300):
        st.review_pad.pad.press(5)  # pressed while serving, before any invitation: nothing
    with succeeds(qtbot, win.service_finished, win.operation_failed):
        win.finish()
    with succeeds(qtbot, win.review_recorded, win.operation_failed):
        st.review_pad.pad.press(2, (2, 3))  # the customer's keypad, read on the device thread
    drain(qtbot, runner)
    board = w.rectifications.board()
    (task,) = board.rows
    assert task.review.level == 2 and task.review.reasons == ("服务态度不好", "办事效率低")
    assert task.deadline_date - task.opened_at.date() >= dt.timedelta(days=5)  # review.rectification_days
    with w.uow() as uow:
        kinds = [p.record.kind for p in uow.outbox.pending(50, w.clock.now())]
    assert kinds[-2:] == [RecordKind.REVIEW, RecordKind.RECTIFICATION]


def test_the_rectification_dialog_lists_the_task_and_offers_only_allowed_steps(
    qtbot: QtBot, pad_station: tuple[Workstation, Wiring, ClerkSession], runner: BackgroundRunner
) -> None:
    st, w, session = pad_station
    started = w.clock.now()
    w.reviews.submit(session, "service-x", 1, ["等候时间过长"], "等了一个小时", started)
    win = st.window
    dialog = win.open_rectifications()
    try:
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
        dialog.table.selectRow(0)
        enabled = {a for a, b in dialog.action_buttons.items() if b.isEnabled()}
        assert enabled == {RectificationAction.START, RectificationAction.APPEAL}
        assert "待核实" in dialog.table.item(0, 1).text() and "等候时间过长" in dialog.table.item(0, 5).text()
        shoot(dialog, "rectifications-dialog")

        with qtbot.waitSignal(dialog.operation_failed, timeout=5000) as failed:
            dialog.act(RectificationAction.REVIEW)  # not offered; asked anyway: refused in words
        assert "不能「复核」" in failed.args[0] and "不能「复核」" in win.message_label.text()

        dialog.note.setText("经核实，当日叫号系统故障")
        with qtbot.waitSignal(dialog.rectification_changed, timeout=5000):
            qtbot.mouseClick(dialog.action_buttons[RectificationAction.START], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: "整改中" in (dialog.table.item(0, 1).text() if dialog.table.rowCount() else ""),
            timeout=5000,
        )
        dialog.table.selectRow(0)
        assert dialog.action_buttons[RectificationAction.FEED_BACK].isEnabled()
        assert not dialog.action_buttons[RectificationAction.START].isEnabled()
        assert w.rectifications.board().rows[0].status == RectificationStatus.RECTIFYING
        shoot(dialog, "rectifications-dialog-rectifying")
    finally:
        drain(qtbot, runner)
        dialog.close()


def test_a_keypad_that_cannot_open_is_reported_and_the_screen_still_takes_the_review(
    qtbot: QtBot, cfg: Config, runner: BackgroundRunner, wiring: Wiring
) -> None:
    broken = cfg.with_overrides({"devices.review_pad": "hid-keys", "devices.review_pad_port": ""})
    from hallclient.wiring import build

    w = build(broken)
    session = w.auth.login("1001", PASSWORD, "1", "pc-1")
    st = open_workstation(w, session, runner, sync=False)
    try:
        st.window.show()
        qtbot.waitUntil(lambda: "评价器" in st.window.review_state.text(), timeout=5000)
        assert "设备路径" in st.window.review_state.text()
        issue(w, 1)
        call(qtbot, st.window)
        with succeeds(qtbot, st.window.service_finished, st.window.operation_failed):
            st.window.finish()
        with succeeds(qtbot, st.window.review_recorded, st.window.operation_failed):
            st.customer.choose_level(5)
    finally:
        drain(qtbot, runner)
        st.shutdown()
        drain(qtbot, runner)
        dispose(st.window, st.customer)
        w.close()
