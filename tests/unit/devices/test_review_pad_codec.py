"""The review pad without I/O: the rating event, the key map and decoder, the serial frame codec."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.errors import FrameError
from devices.review_pad.base import PadEvent
from devices.review_pad.frames import ETX, HEARTBEAT, STX, Frame, FrameParser, bcc, encode, encode_rating
from devices.review_pad.hid_keys import EVIOCGRAB, eviocgname
from devices.review_pad.keys import EV_KEY, EV_SYN, KEY_CODES, KeyDecoder, KeyMapError, parse_key_map

KP = {n: KEY_CODES[f"KEY_KP{n}"] for n in range(1, 6)}
A, B, C = KEY_CODES["KEY_A"], KEY_CODES["KEY_B"], KEY_CODES["KEY_C"]
ENTER, ESC = KEY_CODES["KEY_KPENTER"], KEY_CODES["KEY_ESC"]
WITH_REASONS = parse_key_map(
    "KEY_KP1=1,KEY_KP2=2,KEY_KP3=3,KEY_KP4=4,KEY_KP5=5,A=r1,B=r2,C=r3,KEY_KPENTER=ok,KEY_ESC=cancel"
)


# -- the event ----------------------------------------------------------------------------------------


def test_a_pad_event_sorts_and_deduplicates_its_reasons_and_knows_bad_levels() -> None:
    assert PadEvent(2, (3, 1, 3)).reason_codes == (1, 3)
    assert PadEvent(1).is_bad and PadEvent(2).is_bad and not PadEvent(3).is_bad


@pytest.mark.parametrize("level", [0, 6, -1])
def test_there_is_no_level_outside_one_to_five(level: int) -> None:
    with pytest.raises(ValueError):
        PadEvent(level)


def test_the_ioctl_numbers_are_linuxs() -> None:
    # <linux/input.h>: EVIOCGRAB _IOW('E', 0x90, int); EVIOCGNAME(256) _IOC(_IOC_READ, 'E', 0x06, 256)
    assert EVIOCGRAB == 0x40044590
    assert eviocgname(256) == 0x81004506


# -- the key map and decoder --------------------------------------------------------------------------


def test_the_default_map_gives_levels_on_both_digit_rows_and_no_reason_keys() -> None:
    m = parse_key_map("")
    assert m[KEY_CODES["KEY_5"]] == "5" and m[KP[1]] == "1" and m[ENTER] == "ok"
    assert not any(a.startswith("r") for a in m.values())


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("KEY_KP5", "缺少“=”"),
        ("KEY_NOPE=5", "不认识按键"),
        ("KEY_KP5=6", "无效"),
        ("KEY_A=r0", "无效"),
        ("KEY_A=r1,KEY_KPENTER=ok", "没有任何评价等级"),
    ],
)
def test_a_wrong_key_map_is_refused_with_a_chinese_reason(spec: str, words: str) -> None:
    with pytest.raises(KeyMapError, match=words):
        parse_key_map(spec)


def test_numeric_key_codes_and_a_mapping_are_accepted() -> None:
    assert parse_key_map("79=1,80=2,81=3")[79] == "1"
    assert parse_key_map({"KEY_KP5": 5, 72: "r2"}) == {KP[5]: "5", 72: "r2"}


def _feed(decoder: KeyDecoder, *codes: int) -> list[PadEvent]:
    out = []
    for code in codes:
        for value in (1, 2, 0):  # press, auto-repeat, release
            event = decoder.feed(EV_KEY, code, value)
            if event is not None:
                out.append(event)
        assert decoder.feed(EV_SYN, 0, 0) is None
    return out


# (keys pressed, ratings produced) with reason keys in the map
DECODER_TABLE = [
    ((KP[5],), [PadEvent(5)]),
    ((KP[3], KP[4]), [PadEvent(3), PadEvent(4)]),
    ((KP[1], A, C, ENTER), [PadEvent(1, (1, 3))]),
    ((KP[2], A, A, B, ENTER), [PadEvent(2, (2,))]),  # a second press of a reason key un-ticks it
    ((KP[2], ENTER), [PadEvent(2)]),  # no reason chosen: the screen will ask
    ((KP[1], A, ESC, KP[4]), [PadEvent(4)]),  # cancel, then a good level
    ((KP[1], A, KP[2], B, ENTER), [PadEvent(2, (2,))]),  # a new level starts again
    ((A, ENTER), []),  # reasons and ok without a bad level mean nothing
    ((KEY_CODES["KEY_Q"], KEY_CODES["KEY_5"]), []),  # keys not in this map
]


@pytest.mark.parametrize(("keys", "ratings"), DECODER_TABLE)
def test_key_presses_become_ratings(keys: tuple[int, ...], ratings: list[PadEvent]) -> None:
    assert _feed(KeyDecoder(WITH_REASONS), *keys) == ratings


def test_without_reason_keys_a_bad_level_is_a_rating_at_once() -> None:
    assert _feed(KeyDecoder(parse_key_map("")), KEY_CODES["KEY_1"]) == [PadEvent(1)]


# -- the serial frame codec -----------------------------------------------------------------------------


def test_a_rating_frame_on_the_wire() -> None:
    frame = encode_rating(7, PadEvent(1, (2, 3)))
    body = b"R71BC"
    assert frame == bytes([STX]) + body + bytes([ETX, bcc(body + bytes([ETX]))])
    assert FrameParser().feed(frame) == [Frame(ord("R"), 7, PadEvent(1, (2, 3)))]


def test_noise_between_frames_is_skipped_and_a_heartbeat_is_a_frame() -> None:
    data = b"\xff\x00xyz" + encode(b"H") + b"\x17" + encode_rating(1, PadEvent(5))
    assert FrameParser().feed(data) == [Frame(HEARTBEAT), Frame(ord("R"), 1, PadEvent(5))]


def test_frames_split_anywhere_are_put_together() -> None:
    data = encode_rating(2, PadEvent(4)) + encode_rating(3, PadEvent(2, (1,)))
    parser = FrameParser()
    out = [item for byte in data for item in parser.feed(bytes([byte]))]
    assert out == [Frame(ord("R"), 2, PadEvent(4)), Frame(ord("R"), 3, PadEvent(2, (1,)))]


@pytest.mark.parametrize(
    "body",
    [b"R06", b"R9", b"X", b"R11Z\x7e", b"R15A", b"R11AA"],
    ids=["level 6", "short", "unknown", "reason beyond Z", "reasons after a good level", "repeated"],
)
def test_malformed_frames_are_frame_errors(body: bytes) -> None:
    (item,) = FrameParser().feed(encode(body))
    assert isinstance(item, FrameError)


def test_a_wrong_checksum_is_a_frame_error_and_the_next_frame_still_parses() -> None:
    bad = bytearray(encode_rating(1, PadEvent(3)))
    bad[-1] ^= 0x01
    items = FrameParser().feed(bytes(bad) + encode_rating(2, PadEvent(3)))
    assert isinstance(items[0], FrameError) and "校验" in items[0].message
    assert items[1] == Frame(ord("R"), 2, PadEvent(3))


def test_a_frame_cut_off_by_a_new_stx_is_reported_and_the_new_one_read() -> None:
    items = FrameParser().feed(b"\x02R1" + encode_rating(4, PadEvent(5)))
    assert isinstance(items[0], FrameError)
    assert items[1] == Frame(ord("R"), 4, PadEvent(5))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_frames_or_frame_errors_and_never_raise(data: bytes) -> None:
    for item in FrameParser().feed(data):
        assert isinstance(item, Frame | FrameError)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 9),
    st.integers(1, 5),
    st.lists(st.integers(1, 26), max_size=26, unique=True),
)
def test_every_rating_round_trips(seq: int, level: int, codes: list[int]) -> None:
    event = PadEvent(level, tuple(codes) if level <= 2 else ())
    assert FrameParser().feed(encode_rating(seq, event)) == [Frame(ord("R"), seq, event)]
