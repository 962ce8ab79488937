"""PcscCardReader against a real pcscd with the vpcd reader and our virtual cards (tests/emulators/vpcd_card.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.errors import CardReadFailed, DeviceNotConnected, PinRequired, UnsupportedCard
from devices.idcard import social_security as ssc
from devices.idcard.model import CardType
from devices.idcard.pcsc import PcscCardReader
from devices.idcard.sample_cards import SOCIAL_SECURITY_FEMALE, SOCIAL_SECURITY_MALE
from tests.emulators.pcscd import Pcscd
from tests.emulators.vpcd_card import IdCardChip, SocialSecurityChip, VpcdCardEmulator
from tests.integration.devices.pcsc_rig import ReaderWatch

ROOT = Path(__file__).resolve().parents[3]
READ = 3.0
IDLE = 0.3
GET_RESPONSE = bytes.fromhex("00C0000013")


@pytest.fixture
def reader(vpcd_card: VpcdCardEmulator) -> Iterator[PcscCardReader]:
    reader = PcscCardReader("Virtual PCD 00 00")
    yield reader
    reader.close()


def insert(emulator: VpcdCardEmulator, watch: ReaderWatch, card: object) -> None:
    events = watch.events()
    emulator.insert(card)  # type: ignore[arg-type]
    watch.wait(present=True, after=events)


def lift(emulator: VpcdCardEmulator, watch: ReaderWatch) -> None:
    events = watch.events()
    emulator.remove()
    watch.wait(present=False, after=events)


# -- 社会保障卡 ------------------------------------------------------------------------------------------------


def test_reads_a_social_security_card_with_the_documented_apdus(
    vpcd_card: VpcdCardEmulator, reader: PcscCardReader
) -> None:
    vpcd_card.insert(SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
    reader.open()
    card = reader.read_card(READ)
    assert card == SOCIAL_SECURITY_FEMALE
    assert card.card_type is CardType.SOCIAL_SECURITY and card.name == "韩梅梅" and card.nation == "汉"
    assert vpcd_card.apdus == [
        ssc.SELECT_SSSE,
        GET_RESPONSE,  # the T=0 card said 61 13: its FCI is fetched, as a T=0 card needs
        ssc.EF05_CARD_NUMBER_SFI,
        ssc.SELECT_EF06,
        ssc.READ_SSN,
        ssc.READ_NAME,
        ssc.READ_SEX,
        ssc.READ_NATION,
        ssc.READ_BIRTH,
    ]


def test_a_card_without_sfi_reads_is_read_by_selecting_ef05_and_retrying_with_the_right_le(
    vpcd_card: VpcdCardEmulator, reader: PcscCardReader
) -> None:
    vpcd_card.insert(SocialSecurityChip(SOCIAL_SECURITY_MALE, sfi_read=False))
    card = (reader.open(), reader.read_card(READ))[1]
    assert card == SOCIAL_SECURITY_MALE and card.card_number == "S00000002" and card.name == "欧阳李雷"
    assert (
        vpcd_card.apdus[2:6]
        == [
            ssc.EF05_CARD_NUMBER_SFI,  # 6A 81: not supported by this card
            ssc.SELECT_EF05,
            ssc.READ_CARD_NUMBER_SELECTED,  # Le 00: the card answers 6C 0B
            ssc.READ_CARD_NUMBER_SELECTED[:4] + b"\x0b",
        ]
    )


@pytest.mark.parametrize("status", [b"\x69\x82", b"\x63\xc2"], ids=["6982", "63C2"])
def test_a_pin_protected_card_asks_for_the_pin_pad_and_no_pin_is_ever_sent(
    vpcd_card: VpcdCardEmulator, reader_watch: ReaderWatch, reader: PcscCardReader, status: bytes
) -> None:
    insert(vpcd_card, reader_watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE, pin_status=status))
    reader.open()
    with pytest.raises(PinRequired) as caught:
        reader.read_card(READ)
    assert caught.value.message == "社保卡需要输入密码，请在密码键盘上输入"
    assert caught.value.code == "pin_required"
    assert not [apdu for apdu in vpcd_card.apdus if apdu[1] == 0x20]  # no VERIFY
    # The card stays on the reader: the clerk is not asked again and again until it is taken out.
    assert reader.read_card(IDLE) is None
    lift(vpcd_card, reader_watch)
    assert reader.read_card(IDLE) is None
    insert(vpcd_card, reader_watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE, pin_status=status))
    with pytest.raises(PinRequired):
        reader.read_card(READ)


def test_a_blocked_pin_says_so(vpcd_card: VpcdCardEmulator, reader: PcscCardReader) -> None:
    vpcd_card.insert(SocialSecurityChip(SOCIAL_SECURITY_FEMALE, pin_status=b"\x69\x83"))
    reader.open()
    with pytest.raises(PinRequired) as caught:
        reader.read_card(READ)
    assert caught.value.code == "pin_blocked" and "锁定" in caught.value.message


def test_a_card_taken_out_during_the_read_fails_with_a_retry_message_and_reads_when_put_back(
    vpcd_card: VpcdCardEmulator, reader_watch: ReaderWatch, reader: PcscCardReader
) -> None:
    def pull_on_ef06(apdu: bytes) -> None:
        if apdu == ssc.SELECT_EF06:
            vpcd_card.on_apdu = None
            vpcd_card.remove()  # from the card's own thread: the answer never goes out

    vpcd_card.on_apdu = pull_on_ef06
    insert(vpcd_card, reader_watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
    inserted = reader_watch.events()
    reader.open()
    with pytest.raises(CardReadFailed) as caught:
        reader.read_card(READ)
    assert "重新放置" in caught.value.message
    reader_watch.wait(present=False, after=inserted)
    insert(vpcd_card, reader_watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
    assert reader.read_card(READ) == SOCIAL_SECURITY_FEMALE


def test_a_card_taken_out_and_put_back_between_two_reads_is_read_again(
    vpcd_card: VpcdCardEmulator, reader_watch: ReaderWatch, reader: PcscCardReader
) -> None:
    insert(vpcd_card, reader_watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
    reader.open()
    assert reader.read_card(READ) == SOCIAL_SECURITY_FEMALE
    # Out and back in while nobody asks the reader: only the reader's card-event counter knows.
    lift(vpcd_card, reader_watch)
    insert(vpcd_card, reader_watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
    assert reader.read_card(READ) == SOCIAL_SECURITY_FEMALE
    assert reader.read_card(IDLE) is None


# -- resident ID card on a plain reader, other cards ---------------------------------------------------------


def test_a_resident_id_card_is_recognised_by_its_serial_but_not_read(
    vpcd_card: VpcdCardEmulator, reader_watch: ReaderWatch, reader: PcscCardReader
) -> None:
    chip = IdCardChip()
    insert(vpcd_card, reader_watch, chip)
    reader.open()
    with pytest.raises(UnsupportedCard) as caught:
        reader.read_card(READ)
    assert caught.value.code == "id_card_needs_sam"
    assert "身份证阅读器" in caught.value.message and "手工录入" in caught.value.message
    assert ssc.GET_UID in vpcd_card.apdus
    assert chip.uid.hex() not in str(caught.value).lower()  # the serial is a key in memory, never shown
    assert reader.read_card(IDLE) is None  # left on the reader: not reported again
    lift(vpcd_card, reader_watch)
    insert(vpcd_card, reader_watch, chip)
    with pytest.raises(UnsupportedCard):
        reader.read_card(READ)


class _MuteCard:
    atr = bytes.fromhex("3B0212345678")[:2]  # 3B 00: no historical bytes, T=0

    def reset(self) -> None:
        pass

    def respond(self, apdu: bytes) -> bytes:
        return b"\x6d\x00"


def test_any_other_card_is_reported_as_unrecognised(
    vpcd_card: VpcdCardEmulator, reader: PcscCardReader
) -> None:
    vpcd_card.insert(_MuteCard())
    reader.open()
    with pytest.raises(UnsupportedCard) as caught:
        reader.read_card(READ)
    assert caught.value.code == "unknown_card" and "社会保障卡" in caught.value.message


def test_no_card_sends_nothing_and_no_pyscard_thread_outlives_the_call(
    vpcd_card: VpcdCardEmulator, reader: PcscCardReader
) -> None:
    before = set(threading.enumerate())
    reader.open()
    assert reader.read_card(IDLE) is None
    assert vpcd_card.apdus == []
    assert set(threading.enumerate()) <= before  # CardRequest waits in the caller's call; nothing calls back


# -- choosing the reader, hot-plug -----------------------------------------------------------------------


def test_the_reader_is_chosen_by_part_of_its_name_or_is_the_first(pcscd: Pcscd) -> None:
    second = PcscCardReader("pcd 00 01")
    second.open()
    assert "Virtual PCD 00 01" in second.describe() and "已连接" in second.describe()
    second.close()
    first = PcscCardReader()
    first.open()
    assert "Virtual PCD 00 00" in first.describe()
    first.close()


def test_a_reader_name_that_matches_nothing_says_what_to_check(pcscd: Pcscd) -> None:
    reader = PcscCardReader("Nonexistent Reader")
    assert "名称含“Nonexistent Reader”" in reader.describe()
    with pytest.raises(DeviceNotConnected) as caught:
        reader.open()
    assert "读卡器名称" in caught.value.message
    with pytest.raises(DeviceNotConnected):
        reader.read_card(0.0)  # still wanted: every read looks for it again
    reader.close()


def test_a_restarted_pc_sc_service_is_recovered_from_without_reopening(
    pcscd: Pcscd, vpcd_card: VpcdCardEmulator, reader_watch: ReaderWatch, reader: PcscCardReader
) -> None:
    insert(vpcd_card, reader_watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
    reader.open()
    assert reader.read_card(READ) == SOCIAL_SECURITY_FEMALE
    vpcd_card.remove()  # disconnect before stopping
    pcscd.stop()
    with pytest.raises(DeviceNotConnected) as caught:
        reader.read_card(IDLE)
    assert caught.value.code == "no_pcsc_service" and "pcscd" in caught.value.message
    pcscd.start()
    watch = ReaderWatch()
    try:
        # The same card, back on the reader after the restart: it was read already, it is not read twice.
        insert(vpcd_card, watch, SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
        assert reader.read_card(IDLE) is None
        lift(vpcd_card, watch)
        insert(vpcd_card, watch, SocialSecurityChip(SOCIAL_SECURITY_MALE))
        assert reader.read_card(READ) == SOCIAL_SECURITY_MALE
        lift(vpcd_card, watch)
    finally:
        watch.close()


# -- the CLI ---------------------------------------------------------------------------------------------------


def test_idcard_listen_prints_a_social_security_card_masked(
    vpcd_card: VpcdCardEmulator, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.toml"  # defaults only, never the machine's own config file
    empty.write_text("", encoding="utf-8")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "HALLCLIENT_CONFIG": str(empty)}
    command = [
        sys.executable,
        "-m",
        "hallclient",
        "idcard",
        "listen",
        "--driver",
        "pcsc",
        "--port",
        "PCD 00 00",
    ]
    process = subprocess.Popen(
        [*command, "--count", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the reader is set up
        assert "正在监听：PC/SC 读卡器" in first, process.stderr.read() if process.stderr else ""
        vpcd_card.insert(SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "社会保障卡  韩梅梅  1101**********002X" in out and "11010519491231002X" not in out
