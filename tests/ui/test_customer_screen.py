"""The customer-facing review pad on its own, and the one-review-per-service rule behind it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from hallclient.domain.reviews import DEFAULT_BAD_REASONS, ReviewError
from hallclient.services.auth import ClerkSession
from hallclient.ui.clerk_window import ClerkWindow
from hallclient.ui.customer_screen import CustomerScreen
from hallclient.wiring import Wiring
from tests.ui.helpers import call, check_box_target, dispose, issue, succeeds

HALL = "西安市雁塔区政务服务中心"
LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


@pytest.fixture
def pad(qtbot: QtBot) -> Iterator[CustomerScreen]:
    screen = CustomerScreen(HALL)
    screen.show()
    screen.invite_review()
    yield screen
    dispose(screen)


def tick(qtbot: QtBot, box: QCheckBox) -> None:
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=check_box_target(box))


def test_five_level_buttons_from_best_to_worst(pad: CustomerScreen) -> None:
    assert pad.stack.currentIndex() == 1 and pad.awaiting_review
    assert {lv: b.text() for lv, b in pad.level_buttons.items()} == LABELS
    by_position = sorted(
        pad.level_buttons.items(), key=lambda kv: kv[1].mapTo(pad, kv[1].rect().topLeft()).x()
    )
    assert [lv for lv, _b in by_position] == [5, 4, 3, 2, 1]
    assert all(b.isVisible() and b.isEnabled() for b in pad.level_buttons.values())


@pytest.mark.parametrize("level", [1, 2])
def test_a_bad_level_asks_for_a_reason_before_it_can_be_submitted(
    qtbot: QtBot,
    pad: CustomerScreen,
    level: int,
) -> None:
    with qtbot.assertNotEmitted(pad.review_given):
        qtbot.mouseClick(pad.level_buttons[level], Qt.MouseButton.LeftButton)
    assert pad.stack.currentIndex() == 2
    assert LABELS[level] in pad.bad_title.text()
    assert [b.text() for b in pad.reason_boxes] == list(DEFAULT_BAD_REASONS)
    assert not pad.submit_button.isEnabled()

    tick(qtbot, pad.reason_boxes[0])
    assert pad.submit_button.isEnabled()
    tick(qtbot, pad.reason_boxes[0])  # untick again: nothing chosen, nothing to submit
    assert not pad.submit_button.isEnabled()

    tick(qtbot, pad.reason_boxes[1])
    tick(qtbot, pad.reason_boxes[2])
    pad.comment.setText("  希望增加周末窗口 ")
    with qtbot.waitSignal(pad.review_given, timeout=1000) as given:
        qtbot.mouseClick(pad.submit_button, Qt.MouseButton.LeftButton)
    assert given.args == [level, [DEFAULT_BAD_REASONS[1], DEFAULT_BAD_REASONS[2]], "希望增加周末窗口"]
    assert pad.stack.currentIndex() == 3  # thanks


def test_back_from_the_reasons_returns_to_the_levels(qtbot: QtBot, pad: CustomerScreen) -> None:
    qtbot.mouseClick(pad.level_buttons[1], Qt.MouseButton.LeftButton)
    back = next(b for b in pad.findChildren(type(pad.submit_button)) if b.text() == "返回")
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert pad.stack.currentIndex() == 1
    with qtbot.waitSignal(pad.review_given, timeout=1000) as given:
        qtbot.mouseClick(pad.level_buttons[4], Qt.MouseButton.LeftButton)
    assert given.args == [4, [], ""]


@pytest.mark.parametrize("level", [3, 4, 5])
def test_a_good_level_is_given_at_once(qtbot: QtBot, pad: CustomerScreen, level: int) -> None:
    with qtbot.waitSignal(pad.review_given, timeout=1000) as given:
        qtbot.mouseClick(pad.level_buttons[level], Qt.MouseButton.LeftButton)
    assert given.args == [level, [], ""]
    assert pad.stack.currentIndex() == 3
    assert not pad.awaiting_review


def test_a_timeout_returns_to_idle_and_gives_no_review(qtbot: QtBot) -> None:
    screen = CustomerScreen(HALL, timeout_s=1)
    try:
        screen.show()
        screen.show_serving("A001")
        screen.invite_review()
        with (
            qtbot.assertNotEmitted(screen.review_given, wait=100),
            qtbot.waitSignal(screen.review_timed_out, timeout=3000),
        ):
            pass
        assert screen.stack.currentIndex() == 0
        assert screen.ticket_label.text() == "欢迎光临"
        assert not screen.awaiting_review
    finally:
        dispose(screen)


def test_a_new_invitation_starts_with_nothing_ticked(qtbot: QtBot, pad: CustomerScreen) -> None:
    qtbot.mouseClick(pad.level_buttons[2], Qt.MouseButton.LeftButton)
    pad.choose_reasons([DEFAULT_BAD_REASONS[0]], "上一位群众的意见")
    pad.invite_review()
    assert pad.stack.currentIndex() == 1
    assert not any(b.isChecked() for b in pad.reason_boxes)
    assert pad.comment.text() == ""


# -- one review per service ------------------------------------------------------------------------------


def test_the_service_refuses_a_second_review_for_the_same_service(
    wiring: Wiring, session: ClerkSession
) -> None:
    started = wiring.clock.now()
    wiring.reviews.submit(session, "service-1", 5, [], "", started, ticket_id=None)
    with pytest.raises(ReviewError, match="已评价"):
        wiring.reviews.submit(session, "service-1", 4, [], "", started, ticket_id=None)
    with wiring.uow() as uow:
        assert uow.cases.count("reviews") == 1


def test_a_refused_review_shows_the_services_reason_to_the_clerk(
    qtbot: QtBot,
    wiring: Wiring,
    window: ClerkWindow,
    customer: CustomerScreen,
) -> None:
    issue(wiring, 1)
    call(qtbot, window)
    with succeeds(qtbot, window.service_finished, window.operation_failed):
        window.finish()
    with succeeds(qtbot, window.review_recorded, window.operation_failed):
        customer.choose_level(5)
    with qtbot.waitSignal(window.operation_failed, timeout=5000) as failed:
        customer.review_given.emit(4, [], "")  # the same service, reviewed again
    assert "已评价" in failed.args[0]
    assert "已评价" in window.message_label.text()


# -- a keypad feeds the same path -------------------------------------------------------------------------


def test_a_keypad_good_level_is_given_like_a_button(qtbot: QtBot, pad: CustomerScreen) -> None:
    with qtbot.waitSignal(pad.review_given, timeout=1000) as given:
        assert pad.pad_rating(4, ())
    assert given.args == [4, [], ""]
    assert pad.stack.currentIndex() == 3


def test_a_keypad_bad_level_with_reason_codes_gives_the_configured_reasons(
    qtbot: QtBot, pad: CustomerScreen
) -> None:
    with qtbot.waitSignal(pad.review_given, timeout=1000) as given:
        pad.pad_rating(1, (3, 1))
    assert given.args == [1, [DEFAULT_BAD_REASONS[0], DEFAULT_BAD_REASONS[2]], ""]


@pytest.mark.parametrize("codes", [(), (99,)], ids=["no reasons", "unknown code only"])
def test_a_keypad_bad_level_without_a_usable_reason_asks_on_the_screen(
    qtbot: QtBot, pad: CustomerScreen, codes: tuple[int, ...]
) -> None:
    with qtbot.assertNotEmitted(pad.review_given):
        pad.pad_rating(2, codes)
    assert pad.stack.currentIndex() == 2 and "不满意" in pad.bad_title.text()
    assert not pad.submit_button.isEnabled()


def test_keypad_presses_without_an_invitation_or_after_the_review_count_for_nothing(
    qtbot: QtBot,
) -> None:
    screen = CustomerScreen(HALL)
    try:
        screen.show()
        screen.show_serving("A001")
        with qtbot.assertNotEmitted(screen.review_given):
            assert not screen.pad_rating(5, ())  # serving, not invited: a stray key
        screen.invite_review()
        with qtbot.waitSignal(screen.review_given, timeout=1000):
            screen.pad_rating(3, ())
        with qtbot.assertNotEmitted(screen.review_given):
            assert not screen.pad_rating(1, (1,))  # one review per invitation
    finally:
        dispose(screen)


def test_a_keypad_press_after_the_timeout_is_not_a_review(qtbot: QtBot) -> None:
    screen = CustomerScreen(HALL, timeout_s=1)
    try:
        screen.show()
        screen.invite_review()
        with qtbot.waitSignal(screen.review_timed_out, timeout=3000):
            pass
        with qtbot.assertNotEmitted(screen.review_given):
            assert not screen.pad_rating(5, ())
    finally:
        dispose(screen)


def test_the_reasons_are_the_halls_configured_list(qtbot: QtBot) -> None:
    reasons = ("窗口人员离岗", "材料反复要求", "其他")
    screen = CustomerScreen(HALL, reasons=reasons)
    try:
        screen.show()
        screen.invite_review()
        screen.choose_level(1)
        assert [b.text() for b in screen.reason_boxes] == list(reasons)
        with qtbot.waitSignal(screen.review_given, timeout=1000) as given:
            screen.pad_rating(2, (2,))
        assert given.args == [2, ["材料反复要求"], ""]
    finally:
        dispose(screen)
