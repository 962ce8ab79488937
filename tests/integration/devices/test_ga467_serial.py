"""Ga467SerialReader against the SAM reader emulator on a socat pty pair: happy path, every fault, hot-plug."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.errors import CardReadFailed, DeviceNotConnected, DeviceTimeout, FrameError, NoCard, SamError
from devices.idcard.frames import (
    FIND,
    READ_FINGERPRINT,
    READ_TEXT_PHOTO,
    SAM_STATUS,
    SELECT,
    SET_MAX_RF_BYTE,
    Command,
)
from devices.idcard.ga467_serial import Ga467SerialReader
from devices.idcard.model import CardType, IdCard
from devices.idcard.sample_cards import FOREIGN_PERMANENT, HK_RESIDENT, RESIDENT_FEMALE, RESIDENT_MALE
from tests.emulators.pty_pair import SocatPair
from tests.emulators.sam_reader import Fault, SamReaderEmulator
from tests.emulators.waiting import wait_until

READ = 3.0  # generous timeout when a card is there
IDLE = 0.3  # short timeout when none is expected


@pytest.fixture
def reader(sam_reader_port: str) -> Iterator[Ga467SerialReader]:
    reader = Ga467SerialReader(sam_reader_port, timeout=1.0, poll_interval=0.05)
    yield reader
    reader.close()


def opened(reader: Ga467SerialReader) -> Ga467SerialReader:
    reader.open()
    return reader


def read_and_lift(reader: Ga467SerialReader, emulator: SamReaderEmulator, card: IdCard) -> IdCard | None:
    emulator.place(card)
    got = reader.read_card(READ)
    emulator.lift()
    assert reader.read_card(IDLE) is None  # the driver sees the card leave
    return got


# -- happy path ------------------------------------------------------------------------------------------


def test_reads_a_card_with_the_documented_sequence(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(RESIDENT_FEMALE)
    reader.open()
    card = reader.read_card(READ)
    assert card is not None and card.without_photo() == RESIDENT_FEMALE
    assert card.photo_wlt == bytes(1024)
    assert sam_emulator.commands == [SAM_STATUS, SET_MAX_RF_BYTE, FIND, SELECT, READ_TEXT_PHOTO]


@pytest.mark.parametrize(
    "card", [RESIDENT_MALE, HK_RESIDENT, FOREIGN_PERMANENT], ids=lambda c: c.card_type.value
)
def test_reads_every_card_type_over_the_wire(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader, card: IdCard
) -> None:
    sam_emulator.place(card)
    got = opened(reader).read_card(READ)
    assert got is not None and got.without_photo() == card


def test_an_unknown_card_type_comes_back_as_raw_text(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(IdCard(card_type=CardType.UNKNOWN, raw_text="外国人永久居留身份证 2023"))
    got = opened(reader).read_card(READ)
    assert got is not None and got.card_type is CardType.UNKNOWN
    assert got.raw_text.startswith("外国人永久居留身份证 2023")


def test_a_card_left_on_the_reader_is_read_once_then_only_polled(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(RESIDENT_FEMALE)
    assert opened(reader).read_card(READ) is not None
    sam_emulator.clear_commands()
    assert reader.read_card(IDLE) is None
    assert reader.read_card(IDLE) is None
    assert set(sam_emulator.commands) == {FIND}
    assert sam_emulator.reads_served == 1


def test_set_max_rf_byte_is_sent_once_per_connection(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    opened(reader)
    for card in (RESIDENT_FEMALE, RESIDENT_MALE, HK_RESIDENT):
        assert read_and_lift(reader, sam_emulator, card) is not None
    assert sam_emulator.commands.count(SET_MAX_RF_BYTE) == 1
    assert sam_emulator.commands.count(SAM_STATUS) == 1
    assert READ_FINGERPRINT not in sam_emulator.commands


def test_no_card_returns_none_after_polling(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    assert opened(reader).read_card(IDLE) is None
    assert sam_emulator.commands[2:] and set(sam_emulator.commands[2:]) == {FIND}


def test_describe_names_the_port(reader: Ga467SerialReader, sam_reader_port: str) -> None:
    assert sam_reader_port in reader.describe() and "未连接" in reader.describe()
    reader.open()
    assert "已连接" in reader.describe()


# -- faults -----------------------------------------------------------------------------------------------


def test_a_reader_that_does_not_see_the_card_returns_none(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(RESIDENT_FEMALE)
    sam_emulator.inject(Fault.NO_CARD, times=None)
    assert opened(reader).read_card(IDLE) is None
    sam_emulator.clear_faults()
    assert reader.read_card(READ) is not None


def test_sam_failure_raises_sam_error_and_the_reader_recovers_once_it_is_fixed(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.inject(Fault.SAM_FAILURE, times=None)
    with pytest.raises(SamError) as caught:
        reader.open()
    assert caught.value.sw3 == 0x60 and "自检失败" in caught.value.message
    with pytest.raises(SamError):
        reader.read_card(IDLE)  # still broken: every attempt re-checks the SAM
    sam_emulator.clear_faults()
    sam_emulator.place(RESIDENT_MALE)
    card = reader.read_card(READ)
    assert card is not None and card.id_number == RESIDENT_MALE.id_number


@pytest.mark.parametrize(
    ("command", "sw3", "kind", "message"),
    [
        (READ_TEXT_PHOTO, 0x31, CardReadFailed, "卡片认证失败，请重新放置身份证"),
        (READ_TEXT_PHOTO, 0x32, CardReadFailed, "卡片认证失败"),
        (READ_TEXT_PHOTO, 0x41, CardReadFailed, "读取证件失败"),
        (SELECT, 0x81, CardReadFailed, "选取证件失败"),
        (SELECT, 0x80, NoCard, "未检测到身份证"),
        (FIND, 0x66, SamError, "未经授权"),
    ],
)
def test_status_failures_raise_typed_errors_and_the_next_read_succeeds(
    sam_emulator: SamReaderEmulator,
    reader: Ga467SerialReader,
    command: Command,
    sw3: int,
    kind: type[Exception],
    message: str,
) -> None:
    sam_emulator.place(RESIDENT_FEMALE)
    opened(reader)
    sam_emulator.inject(Fault.STATUS, command=command, sw3=sw3)
    with pytest.raises(kind, match=message):
        reader.read_card(READ)
    card = reader.read_card(READ)  # the card is still there and was never read: it is read now
    assert card is not None and card.id_number == RESIDENT_FEMALE.id_number


def test_bad_checksum_is_a_frame_error_then_the_card_is_read(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(HK_RESIDENT)
    sam_emulator.inject(Fault.BAD_CHECKSUM)
    opened(reader)
    with pytest.raises(FrameError, match="传输出错"):
        reader.read_card(READ)
    assert reader.read_card(READ) is not None


def test_a_truncated_frame_is_a_frame_error_not_a_hang(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(HK_RESIDENT)
    sam_emulator.inject(Fault.TRUNCATED)
    opened(reader)
    with pytest.raises(FrameError) as caught:
        reader.read_card(READ)
    assert "truncated" in caught.value.detail
    assert reader.read_card(READ) is not None


def test_a_slow_reader_within_the_timeout_is_fine(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(FOREIGN_PERMANENT)
    sam_emulator.inject(Fault.SLOW, chunks=6, delay=0.05)
    card = opened(reader).read_card(READ)
    assert card is not None and card.without_photo() == FOREIGN_PERMANENT


def test_a_reader_slower_than_the_timeout_fails_then_recovers(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(FOREIGN_PERMANENT)
    opened(reader)
    sam_emulator.inject(Fault.SLOW, chunks=4, delay=0.6)  # 1.8 s for a frame; the driver allows 1 s
    with pytest.raises((FrameError, DeviceTimeout)):
        reader.read_card(READ)
    # The late rest of that frame is drained; the next exchange is not confused by it.
    card = reader.read_card(READ)
    assert card is not None and card.without_photo() == FOREIGN_PERMANENT


def test_a_reader_that_answers_nothing_times_out(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    opened(reader)
    sam_emulator.stop()  # the pty stays, nobody answers
    with pytest.raises(DeviceTimeout, match="读卡器无响应"):
        reader.read_card(READ)
    assert "未连接" in reader.describe()  # dropped, to be reopened and re-initialised


def test_a_reader_that_answers_again_after_a_timeout_is_reinitialised(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    opened(reader)
    sam_emulator.stop()
    with pytest.raises(DeviceTimeout):
        reader.read_card(READ)
    sam_emulator.start()
    sam_emulator.clear_commands()
    sam_emulator.place(RESIDENT_MALE)
    assert reader.read_card(READ) is not None
    assert sam_emulator.commands[:2] == [SAM_STATUS, SET_MAX_RF_BYTE]


def test_wrapper_bytes_around_every_frame_are_skipped(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.inject(Fault.WRAPPER, times=None)
    opened(reader)
    for card in (RESIDENT_FEMALE, HK_RESIDENT, RESIDENT_MALE):
        got = read_and_lift(reader, sam_emulator, card)
        assert got is not None and got.without_photo() == card


def test_wrapper_bytes_combine_with_a_bad_checksum(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.inject(Fault.WRAPPER, times=None)
    sam_emulator.inject(Fault.BAD_CHECKSUM)
    sam_emulator.place(RESIDENT_MALE)
    opened(reader)
    with pytest.raises(FrameError):
        reader.read_card(READ)
    assert reader.read_card(READ) is not None


# -- unplug and hot-plug ------------------------------------------------------------------------------------


def restart(socat_pair: SocatPair, emulator: SamReaderEmulator) -> None:
    emulator.stop()
    socat_pair.start()
    emulator.start()


def test_disconnect_mid_frame_is_not_connected_and_the_driver_recovers(
    sam_emulator: SamReaderEmulator, socat_pair: SocatPair, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(RESIDENT_FEMALE)
    sam_emulator.inject(Fault.DISCONNECT_MID_FRAME)
    opened(reader)
    with pytest.raises(DeviceNotConnected, match="读卡器未连接，请检查连接线"):
        reader.read_card(READ)
    assert not socat_pair.running
    assert "未连接" in reader.describe()
    with pytest.raises(DeviceNotConnected):
        reader.read_card(IDLE)  # still unplugged: the reopen fails

    restart(socat_pair, sam_emulator)  # plugged back in
    sam_emulator.clear_commands()
    card = reader.read_card(READ)
    assert card is not None and card.without_photo() == RESIDENT_FEMALE
    assert sam_emulator.commands[:2] == [SAM_STATUS, SET_MAX_RF_BYTE]  # re-initialised on reconnect


def test_hot_plug_between_reads(
    sam_emulator: SamReaderEmulator, socat_pair: SocatPair, reader: Ga467SerialReader
) -> None:
    opened(reader)
    assert read_and_lift(reader, sam_emulator, RESIDENT_FEMALE) is not None

    sam_emulator.stop()
    socat_pair.stop()  # unplugged while idle
    with pytest.raises(DeviceNotConnected):
        reader.read_card(IDLE)
    with pytest.raises(DeviceNotConnected):
        reader.read_card(IDLE)

    restart(socat_pair, sam_emulator)
    sam_emulator.place(HK_RESIDENT)
    card = reader.read_card(READ)
    assert card is not None and card.without_photo() == HK_RESIDENT
    assert "已连接" in reader.describe()


def test_a_card_read_before_an_unplug_is_not_read_again_after_it(
    sam_emulator: SamReaderEmulator, socat_pair: SocatPair, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(RESIDENT_FEMALE)
    assert opened(reader).read_card(READ) is not None
    sam_emulator.stop()
    socat_pair.stop()
    with pytest.raises(DeviceNotConnected):
        reader.read_card(IDLE)
    restart(socat_pair, sam_emulator)  # the same card still lies on the reader
    assert reader.read_card(IDLE) is None
    assert sam_emulator.reads_served == 1


def test_open_with_the_reader_unplugged_raises_and_a_later_read_connects(
    sam_emulator: SamReaderEmulator, socat_pair: SocatPair, reader: Ga467SerialReader
) -> None:
    sam_emulator.stop()
    socat_pair.stop()
    with pytest.raises(DeviceNotConnected):
        reader.open()
    restart(socat_pair, sam_emulator)
    sam_emulator.place(RESIDENT_MALE)
    assert reader.read_card(READ) is not None


# -- port auto-detection -----------------------------------------------------------------------------------


def test_autodetect_probes_candidates_and_takes_the_one_with_a_sam(
    sam_emulator: SamReaderEmulator, sam_reader_port: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    silent = SocatPair(tmp_path_factory.mktemp("silent"))  # a port where nothing answers
    silent.start()
    try:
        candidates = ["/nonexistent/ttyUSB9", str(silent.reader_end), sam_reader_port]
        reader = Ga467SerialReader(
            None, timeout=1.0, probe_timeout=0.3, poll_interval=0.05, candidates=lambda: candidates
        )
        try:
            sam_emulator.place(RESIDENT_FEMALE)
            reader.open()
            assert sam_reader_port in reader.describe()
            assert reader.read_card(READ) is not None
        finally:
            reader.close()
    finally:
        silent.stop()


def test_autodetect_with_no_reader_says_so() -> None:
    reader = Ga467SerialReader(None, candidates=lambda: ["/nonexistent/ttyUSB0"])
    with pytest.raises(DeviceNotConnected) as caught:
        reader.open()
    assert "未找到身份证读卡器" in caught.value.message
    assert "/nonexistent/ttyUSB0" in caught.value.detail
    assert "自动检测" in reader.describe()


def test_the_emulator_never_saw_a_fingerprint_command(
    sam_emulator: SamReaderEmulator, reader: Ga467SerialReader
) -> None:
    sam_emulator.place(RESIDENT_FEMALE)
    assert opened(reader).read_card(READ) is not None
    wait_until(lambda: READ_TEXT_PHOTO in sam_emulator.commands, 5, what="the read command")
    assert sam_emulator.forbidden == []
