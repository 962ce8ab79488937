"""The contract every review-pad driver passes (``devices.review_pad.base.ReviewPad``).

A test module provides a ``pad_rig`` fixture (parametrised over drivers) returning a :class:`PadRig` and
subclasses :class:`ReviewPadContract`. A rig builds an unopened pad and knows how a customer completes a
rating on it: a simulated pad's ``press``, key events written to an event node, a frame sent by an
emulated keypad on a pty pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest

from devices.errors import DeviceNotConnected
from devices.review_pad.base import PadEvent, ReviewPad


@dataclass
class PadRig:
    make_pad: Callable[[], ReviewPad]
    """A new, unopened pad."""
    press: Callable[[int, Sequence[int]], None]
    """Complete one rating on the pad: a level and, for a bad level, reason codes."""
    read_timeout: float = 3.0
    """Generous: a completed rating must be read within it."""
    idle_timeout: float = 0.3
    """Short: used when no rating is expected."""


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class ReviewPadContract:
    """Behaviours every driver must have. Each test opens its own pad and closes it."""

    @pytest.fixture
    def pad(self, pad_rig: PadRig) -> Iterator[ReviewPad]:
        pad = pad_rig.make_pad()
        yield pad
        pad.close()

    def test_is_a_review_pad(self, pad: ReviewPad) -> None:
        assert isinstance(pad, ReviewPad)

    def test_describe_is_a_non_empty_text_before_and_after_open(self, pad: ReviewPad) -> None:
        assert pad.describe().strip()
        pad.open()
        assert pad.describe().strip()

    def test_close_is_idempotent(self, pad: ReviewPad) -> None:
        pad.close()
        pad.open()
        pad.close()
        pad.close()

    def test_read_before_open_raises_not_connected_with_a_chinese_message(self, pad: ReviewPad) -> None:
        with pytest.raises(DeviceNotConnected) as caught:
            pad.read_rating(0.0)
        assert _chinese(caught.value.message)

    def test_read_after_close_raises_not_connected(self, pad: ReviewPad) -> None:
        pad.open()
        pad.close()
        with pytest.raises(DeviceNotConnected):
            pad.read_rating(0.0)

    def test_nothing_pressed_is_no_rating(self, pad_rig: PadRig, pad: ReviewPad) -> None:
        pad.open()
        assert pad.read_rating(pad_rig.idle_timeout) is None

    @pytest.mark.parametrize("level", [5, 4, 3])
    def test_a_good_level_is_one_rating_without_reasons(
        self, pad_rig: PadRig, pad: ReviewPad, level: int
    ) -> None:
        pad.open()
        pad_rig.press(level, ())
        assert pad.read_rating(pad_rig.read_timeout) == PadEvent(level)
        assert pad.read_rating(pad_rig.idle_timeout) is None

    def test_a_bad_level_carries_its_reason_codes(self, pad_rig: PadRig, pad: ReviewPad) -> None:
        pad.open()
        pad_rig.press(1, (3, 2))
        assert pad.read_rating(pad_rig.read_timeout) == PadEvent(1, (2, 3))

    def test_ratings_come_once_each_in_the_order_given(self, pad_rig: PadRig, pad: ReviewPad) -> None:
        pad.open()
        pad_rig.press(5, ())
        pad_rig.press(2, (1,))
        pad_rig.press(4, ())
        got = [pad.read_rating(pad_rig.read_timeout) for _ in range(3)]
        assert got == [PadEvent(5), PadEvent(2, (1,)), PadEvent(4)]
        assert pad.read_rating(pad_rig.idle_timeout) is None

    def test_reopens_after_close(self, pad_rig: PadRig, pad: ReviewPad) -> None:
        pad.open()
        pad.close()
        pad.open()
        pad_rig.press(3, ())
        assert pad.read_rating(pad_rig.read_timeout) == PadEvent(3)
