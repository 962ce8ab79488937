from __future__ import annotations

import itertools

import pytest

from devices.errors import CardReadFailed, DeviceError, DeviceTimeout, FrameError, NoCard, SamError
from devices.idcard import frames
from devices.idcard.frames import (
    PREAMBLE,
    READ_FINGERPRINT,
    FrameReader,
    Response,
    build_command,
    build_response,
    parse_command,
    parse_response,
    read_frame,
    status_error,
)
from tests.emulators import vectors


@pytest.mark.parametrize(("cmd", "para", "data", "frame"), vectors.COMMAND_VECTORS)
def test_build_command_matches_the_published_frames(cmd: int, para: int, data: bytes, frame: bytes) -> None:
    assert build_command(cmd, para, data) == frame
    assert parse_command(frame) == ((cmd, para), data)


def test_command_constants_build_the_documented_sequence() -> None:
    assert build_command(*frames.SAM_STATUS) == vectors.hx("AA AA AA 96 69 00 03 11 FF ED")
    assert build_command(*frames.FIND) == vectors.hx("AA AA AA 96 69 00 03 20 01 22")
    assert build_command(*frames.SELECT) == vectors.hx("AA AA AA 96 69 00 03 20 02 21")
    assert build_command(*frames.READ_TEXT_PHOTO) == vectors.hx("AA AA AA 96 69 00 03 30 01 32")
    assert build_command(*frames.SET_MAX_RF_BYTE, frames.MAX_RF_BYTE) == vectors.hx(
        "AA AA AA 96 69 00 04 61 FF 50 CA"
    )


@pytest.mark.parametrize("data", [b"", b"\x00"])
def test_the_fingerprint_read_cannot_be_built(data: bytes) -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        build_command(*READ_FINGERPRINT, data)
    with pytest.raises(ValueError):
        build_command(0x30, 0x10)


def test_the_fingerprint_vector_is_what_would_have_been_refused() -> None:
    # The published frame really is CMD 30 PARA 10 with a valid checksum: the refusal is not a typo.
    assert frames.checksum(vectors.FINGERPRINT_FRAME[5:-1]) == vectors.FINGERPRINT_FRAME[-1]
    assert tuple(vectors.FINGERPRINT_FRAME[7:9]) == READ_FINGERPRINT


@pytest.mark.parametrize(("cmd", "para"), [(-1, 0), (256, 0), (0, 256)])
def test_build_command_rejects_values_that_are_not_bytes(cmd: int, para: int) -> None:
    with pytest.raises(ValueError):
        build_command(cmd, para)


@pytest.mark.parametrize(("frame", "sw3", "data"), vectors.RESPONSE_VECTORS)
def test_parse_response_reads_the_published_responses(frame: bytes, sw3: int, data: bytes) -> None:
    response = parse_response(frame)
    assert response == Response(0, 0, sw3, data)
    assert build_response(sw3, data) == frame


def test_the_full_read_response_matches_the_fixture() -> None:
    frame = vectors.fixture_read_response()
    assert len(frame) == 1295
    assert frame[:14] == vectors.FIXTURE_READ_HEADER
    assert frame[14:20] == vectors.hx("20 5F 09 4E 20 00")
    assert frame[-1] == vectors.FIXTURE_CHECKSUM
    assert frame[14 + 122 : 14 + 158].decode("utf-16-le") == "11010519491231002X"
    response = parse_response(frame)
    assert (response.sw3, len(response.data)) == (0x90, 4 + 256 + 1024)


@pytest.mark.parametrize(
    ("frame", "detail"),
    [
        (b"", "too short"),
        (vectors.FIND_FAILED[:-1], "too short"),
        (b"\xab" + vectors.FIND_OK[1:], "preamble"),
        (vectors.FIND_OK[:-1] + b"\x00", "checksum"),
        (vectors.FIND_OK[:-2] + vectors.FIND_OK[-1:], "truncated"),
        (vectors.FIND_OK + b"\x00", "overlong"),
        (PREAMBLE + b"\x00\x03\x00\x00\x03\x00", "below minimum"),
    ],
)
def test_parse_response_rejects_malformed_frames_with_frame_error(frame: bytes, detail: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_response(frame)
    assert detail in caught.value.detail
    assert caught.value.message.startswith("读卡器数据传输出错")


def test_response_repr_never_shows_the_data() -> None:
    response = parse_response(vectors.fixture_read_response())
    assert "11010519491231002X".encode("utf-16-le").hex() not in repr(response)
    assert repr(response) == "Response(sw1=0x00, sw2=0x00, sw3=0x90, data=<1284 bytes>)"


# -- FrameReader ---------------------------------------------------------------------------------------------


def test_frame_reader_splits_a_stream_fed_byte_by_byte() -> None:
    stream = vectors.FIND_OK + vectors.SELECT_OK + vectors.fixture_read_response()
    reader = FrameReader()
    out = [frame for byte in stream for frame in reader.feed(bytes([byte]))]
    assert out == [vectors.FIND_OK, vectors.SELECT_OK, vectors.fixture_read_response()]
    assert reader.pending == 0


def test_frame_reader_skips_garbage_and_wrapper_bytes() -> None:
    stream = b"\x00\xff\xaa\xaa" + vectors.FIND_OK + b"\r\n\x02" + vectors.FIND_FAILED + b"\xaa\xaa\xaa"
    reader = FrameReader()
    assert reader.feed(stream) == [vectors.FIND_OK, vectors.FIND_FAILED]
    assert reader.pending == 3  # a possible preamble start is kept for the next feed


def test_frame_reader_resynchronises_after_a_false_preamble_with_an_impossible_length() -> None:
    stream = PREAMBLE + b"\xff\xff" + vectors.FIND_OK
    assert FrameReader().feed(stream) == [vectors.FIND_OK]


def test_frame_reader_joins_a_preamble_split_across_feeds() -> None:
    reader = FrameReader()
    assert reader.feed(b"junk" + vectors.FIND_OK[:3]) == []
    assert reader.feed(vectors.FIND_OK[3:]) == [vectors.FIND_OK]


def test_frame_reader_cuts_a_corrupted_frame_by_length_for_parse_response_to_reject() -> None:
    bad = vectors.FIND_OK[:-1] + b"\x00"
    (frame,) = FrameReader().feed(bad)
    with pytest.raises(FrameError, match="transmission|传输"):
        parse_response(frame)


def test_bytes_wanted_never_asks_past_the_frame() -> None:
    reader = FrameReader()
    assert reader.bytes_wanted() == 7
    reader.feed(vectors.FIND_OK[:7])
    assert reader.bytes_wanted() == len(vectors.FIND_OK) - 7


# -- read_frame ----------------------------------------------------------------------------------------------


class FakeLine:
    """A transport: ``read(n)`` hands out scripted chunks (b"" = one quiet read), each read takes ``step`` s."""

    def __init__(self, *chunks: bytes, step: float = 0.05) -> None:
        self.chunks = list(chunks)
        self.now = 0.0
        self.step = step
        self.requests: list[int] = []

    def read(self, n: int) -> bytes:
        self.requests.append(n)
        self.now += self.step
        if not self.chunks:
            return b""
        chunk = self.chunks[0][:n]
        self.chunks[0] = self.chunks[0][n:]
        if not self.chunks[0]:
            self.chunks.pop(0)
        return chunk

    def clock(self) -> float:
        return self.now


def test_read_frame_returns_one_frame_and_leaves_the_trailer_unread() -> None:
    line = FakeLine(b"\x01\x02" + vectors.FIND_OK + b"\r\n")
    assert read_frame(line.read, 1.0, line.clock) == vectors.FIND_OK
    assert line.chunks == [b"\r\n"]


def test_read_frame_assembles_a_frame_across_quiet_reads() -> None:
    frame = vectors.fixture_read_response()
    line = FakeLine(frame[:100], b"", frame[100:700], b"", b"", frame[700:])
    assert read_frame(line.read, 1.0, line.clock) == frame


def test_silence_is_a_timeout() -> None:
    line = FakeLine()
    with pytest.raises(DeviceTimeout) as caught:
        read_frame(line.read, 1.0, line.clock)
    assert caught.value.message == "读卡器无响应，请检查连接线，或拔下读卡器后重新插上"
    assert len(line.requests) <= 1.0 / line.step + 2


def test_a_frame_cut_short_is_a_frame_error() -> None:
    line = FakeLine(vectors.fixture_read_response()[:600])
    with pytest.raises(FrameError, match="truncated"):
        read_frame(line.read, 1.0, line.clock)


def test_noise_without_a_preamble_is_a_frame_error() -> None:
    line = FakeLine(*([b"\x55" * 7] * 100))
    with pytest.raises(FrameError, match="without a frame preamble"):
        read_frame(line.read, 1.0, line.clock)


# -- status codes --------------------------------------------------------------------------------------------

# Every SW3 of idcard.md §4 and the error type it must become.
STATUS_TABLE = {
    0x91: CardReadFailed,
    0x10: SamError,
    0x11: SamError,
    0x21: SamError,
    0x23: SamError,
    0x24: SamError,
    0x31: CardReadFailed,
    0x32: CardReadFailed,
    0x33: CardReadFailed,
    0x40: CardReadFailed,
    0x41: CardReadFailed,
    0x47: CardReadFailed,
    0x60: SamError,
    0x66: SamError,
    0x80: NoCard,
    0x81: CardReadFailed,
}


@pytest.mark.parametrize("sw3", [0x90, 0x9F])
def test_success_codes_are_not_errors(sw3: int) -> None:
    assert status_error(sw3) is None


@pytest.mark.parametrize(("sw3", "kind"), sorted(STATUS_TABLE.items()))
def test_every_status_code_maps_to_a_typed_error_with_a_chinese_instruction(
    sw3: int, kind: type[DeviceError]
) -> None:
    error = status_error(sw3)
    assert type(error) is kind
    assert error.code == f"sw3_{sw3:02x}"
    assert f"0x{sw3:02X}" in error.detail
    assert "请" in error.message  # says what to do
    assert "\u4e00" <= error.message[0] <= "\u9fff"  # a Chinese sentence, not an English code
    if isinstance(error, (SamError, CardReadFailed)):
        assert error.sw3 == sw3


def test_authentication_failures_tell_the_clerk_to_replace_the_card() -> None:
    for sw3 in (0x31, 0x32):
        error = status_error(sw3)
        assert error is not None and error.message.startswith("卡片认证失败，请重新放置身份证")


def test_no_card_tells_the_clerk_to_place_the_card() -> None:
    error = status_error(0x80)
    assert error is not None and "请将身份证" in error.message


@pytest.mark.parametrize("sw3", [0x00, 0x01, 0x7F, 0xFF])
def test_unknown_status_codes_are_sam_errors_naming_the_code(sw3: int) -> None:
    error = status_error(sw3)
    assert isinstance(error, SamError) and error.sw3 == sw3
    assert f"0x{sw3:02X}" in error.message


def test_all_status_codes_are_distinct_from_success() -> None:
    for sw3 in itertools.chain(range(0x90), range(0xA0, 0x100)):
        if sw3 != 0x9F:
            assert status_error(sw3) is not None
