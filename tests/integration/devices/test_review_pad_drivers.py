"""What the review-pad drivers do beyond the contract: the exclusive grab, stale keys, resends, noise."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from devices.errors import DeviceError, DeviceNotConnected
from devices.review_pad.base import PadEvent
from devices.review_pad.frames import ACK, NAK, encode, encode_rating
from devices.review_pad.hid_keys import EVIOCGRAB, HidKeysReviewPad
from devices.review_pad.serial_keypad import SerialKeypadReviewPad
from tests.emulators.input_events import FakeEventNode, tap
from tests.emulators.pty_pair import SocatPair
from tests.emulators.review_keypad import SerialKeypadEmulator
from tests.emulators.waiting import wait_until

# -- hid-keys -------------------------------------------------------------------------------------------


@pytest.fixture
def node(tmp_path: Path) -> Iterator[FakeEventNode]:
    n = FakeEventNode(tmp_path, "pad-event-kbd")
    yield n
    n.close()


@pytest.fixture
def clerk_keyboard(tmp_path: Path) -> Iterator[FakeEventNode]:
    n = FakeEventNode(tmp_path, "clerk-event-kbd")
    yield n
    n.close()


def test_the_keypad_is_grabbed_while_open_and_released_on_close(node: FakeEventNode) -> None:
    pad = HidKeysReviewPad(str(node.path), ioctl=node.ioctl)
    assert node.grabs == []
    pad.open()
    assert node.grabbed  # from here on its keys reach no other program: no typing into the clerk's form
    pad.close()
    assert node.grabs == [1, 0]


def test_the_clerks_typing_on_another_keyboard_never_counts(
    node: FakeEventNode, clerk_keyboard: FakeEventNode
) -> None:
    pad = HidKeysReviewPad(str(node.path), ioctl=node.ioctl)
    pad.open()
    try:
        clerk_keyboard.tap_keys(["KEY_1", "KEY_5", "KEY_ENTER"])  # the clerk types digits in a form
        assert pad.read_rating(0.3) is None
        node.tap_keys(["KEY_KP4"])
        assert pad.read_rating(3.0) == PadEvent(4)
    finally:
        pad.close()


def test_keys_pressed_before_the_pad_was_opened_are_not_a_rating(node: FakeEventNode) -> None:
    node.tap_keys(["KEY_KP1", "KEY_KP5"])
    pad = HidKeysReviewPad(str(node.path), ioctl=node.ioctl)
    pad.open()
    try:
        assert pad.read_rating(0.3) is None
    finally:
        pad.close()


def test_auto_repeat_and_unmapped_keys_are_ignored(node: FakeEventNode) -> None:
    pad = HidKeysReviewPad(str(node.path), ioctl=node.ioctl)
    pad.open()
    try:
        node.write(tap("KEY_KP5", repeat=10) + tap("KEY_Q") + tap("KEY_F7"))
        assert pad.read_rating(3.0) == PadEvent(5)
        assert pad.read_rating(0.3) is None
    finally:
        pad.close()


def test_a_file_that_is_not_an_input_device_is_refused_at_open(node: FakeEventNode) -> None:
    pad = HidKeysReviewPad(str(node.path))  # the real ioctl: a FIFO cannot be grabbed
    with pytest.raises(DeviceError) as caught:
        pad.open()
    assert caught.value.code == "not_an_input_device"
    assert "不是输入设备" in caught.value.message


def test_a_keypad_grabbed_by_another_program_is_refused_with_a_reason(node: FakeEventNode) -> None:
    def busy(fd: int, request: int, arg: Any = 0) -> Any:
        if request == EVIOCGRAB:
            raise OSError(errno.EBUSY, "Device or resource busy")
        raise OSError(errno.ENOTTY, "not a tty")

    with pytest.raises(DeviceError) as caught:
        HidKeysReviewPad(str(node.path), ioctl=busy).open()
    assert caught.value.code == "busy" and "独占" in caught.value.message


def test_no_port_and_a_missing_device_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DeviceNotConnected, match="设备路径"):
        HidKeysReviewPad("").open()
    with pytest.raises(DeviceNotConnected, match="未连接"):
        HidKeysReviewPad(str(tmp_path / "event99")).open()


def test_a_wrong_key_map_is_a_device_error_at_construction() -> None:
    with pytest.raises(DeviceError, match="按键设置"):
        HidKeysReviewPad("/dev/null", key_map="KEY_KP5=9")


# -- serial-keypad --------------------------------------------------------------------------------------


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[SocatPair]:
    if not SocatPair.available():
        pytest.skip("socat is not installed")
    p = SocatPair(tmp_path, reader_name="pad", emulator_name="keypad")
    p.start()
    yield p
    p.stop()


@pytest.fixture
def keypad(pair: SocatPair) -> Iterator[SerialKeypadEmulator]:
    emulator = SerialKeypadEmulator(pair.emulator_end)
    yield emulator
    emulator.close()


@pytest.fixture
def serial_pad(pair: SocatPair) -> Iterator[SerialKeypadReviewPad]:
    pad = SerialKeypadReviewPad(str(pair.reader_end))
    pad.open()
    yield pad
    pad.close()


def _in_background(fn: Any, *args: Any) -> Any:
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)
    return future


def test_a_corrupted_frame_is_nakd_and_the_resent_one_counted_once(
    keypad: SerialKeypadEmulator, serial_pad: SerialKeypadReviewPad
) -> None:
    frame = bytearray(keypad.next_frame(2, (1, 4)))
    good = bytes(frame)
    frame[-1] ^= 0x40
    keypad.send_raw(bytes(frame))
    assert serial_pad.read_rating(0.5) is None
    assert keypad.read_answer() == NAK
    keypad.send_raw(good)
    assert serial_pad.read_rating(3.0) == PadEvent(2, (1, 4))
    assert keypad.read_answer() == ACK
    assert serial_pad.frame_errors == 1


def test_a_resend_after_a_lost_ack_is_acknowledged_but_not_counted_twice(
    keypad: SerialKeypadEmulator, serial_pad: SerialKeypadReviewPad
) -> None:
    frame = keypad.next_frame(5)
    keypad.send_raw(frame)
    assert serial_pad.read_rating(3.0) == PadEvent(5)
    keypad.send_raw(frame)  # the pad did not hear the ACK and sends the same frame again
    assert serial_pad.read_rating(0.5) is None
    assert [keypad.read_answer(), keypad.read_answer()] == [ACK, ACK]


def test_noise_and_heartbeats_on_the_line_are_not_ratings(
    keypad: SerialKeypadEmulator, serial_pad: SerialKeypadReviewPad
) -> None:
    keypad.send_raw(b"\x00\xffnoise" + encode(b"H"))
    assert serial_pad.read_rating(0.5) is None
    assert keypad.read_answer() == ACK  # the heartbeat
    done = _in_background(keypad.press, 3, ())
    assert serial_pad.read_rating(3.0) == PadEvent(3)
    done.result(timeout=5)


def test_input_waiting_at_open_is_discarded(pair: SocatPair, keypad: SerialKeypadEmulator) -> None:
    pad = SerialKeypadReviewPad(str(pair.reader_end))
    pad.open()
    keypad.send_raw(encode_rating(1, PadEvent(4)))
    wait_until(lambda: pad._serial is not None and pad._serial.in_waiting > 0, 3.0, what="bytes at the pad")
    pad.close()
    pad.open()  # the frame sent while nobody was reading is thrown away, not taken for a new rating
    try:
        assert pad.read_rating(0.3) is None
    finally:
        pad.close()


def test_an_unplugged_keypad_raises_not_connected_and_recovers(
    pair: SocatPair, serial_pad: SerialKeypadReviewPad
) -> None:
    pair.stop()
    with pytest.raises(DeviceNotConnected, match="评价器未连接"):
        serial_pad.read_rating(1.0)
    pair.start()
    # The next read reopens the port by itself. Only then is a key pressed: a frame written into the
    # pty before the driver's end is open is lost on the wire, as it would be on a real cable.
    assert serial_pad.read_rating(0.5) is None
    keypad = SerialKeypadEmulator(pair.emulator_end)
    try:
        done = _in_background(keypad.press, 4, ())
        assert serial_pad.read_rating(3.0) == PadEvent(4)
        done.result(timeout=5)
    finally:
        keypad.close()


def test_a_missing_port_says_where_to_set_it() -> None:
    with pytest.raises(DeviceNotConnected, match="设备设置"):
        SerialKeypadReviewPad("").open()
