"""VendorSdkReader through its real ctypes binding, against termb and sdtapi stubs compiled with gcc."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.errors import DeviceNotConnected, DeviceUnavailable
from devices.idcard.model import CardType
from devices.idcard.sample_cards import FOREIGN_PERMANENT, HK_RESIDENT, RESIDENT_FEMALE, RESIDENT_MALE
from devices.idcard.vendor_sdk import MISSING, VendorSdkReader
from tests.emulators.vendor_stub import VendorStub

READ = 2.0
IDLE = 0.1
BMP = b"BM" + bytes(range(256)) * 4  # what the vendor's decoder hands back, opaque to us


@pytest.fixture
def termb_reader(termb: VendorStub) -> Iterator[VendorSdkReader]:
    reader = VendorSdkReader("1001", library=str(termb.path), poll_interval=0.01)
    yield reader
    reader.close()


@pytest.fixture
def sdtapi_reader(sdtapi: VendorStub) -> Iterator[VendorSdkReader]:
    reader = VendorSdkReader("1001", library=str(sdtapi.path), poll_interval=0.01)
    yield reader
    reader.close()


def test_termb_reads_the_text_fields_and_the_vendor_decoded_photo_in_memory(
    termb: VendorStub, termb_reader: VendorSdkReader
) -> None:
    termb.place_termb(RESIDENT_MALE, photo=BMP)
    termb_reader.open()
    card = termb_reader.read_card(READ)
    assert card is not None and card.without_photo() == RESIDENT_MALE
    assert card.photo_image == BMP and card.photo_wlt is None
    assert termb.last_active == 4  # read into memory: no wz.txt / zp.bmp files
    assert termb.fingerprint_calls == 0
    assert "termb" in termb_reader.describe() and "已连接" in termb_reader.describe()


def test_termb_without_a_nation_code_maps_the_nation_name(
    termb: VendorStub, termb_reader: VendorSdkReader
) -> None:
    termb.place_termb(RESIDENT_FEMALE, nation_code=False)
    card = (termb_reader.open(), termb_reader.read_card(READ))[1]
    assert card is not None and (card.nation_code, card.nation) == ("01", "汉")
    assert card.photo_image is None  # no photo from the library: the clerk sees 照片不可用


def test_termb_does_not_guess_the_fields_of_other_card_types(
    termb: VendorStub, termb_reader: VendorSdkReader
) -> None:
    termb.place_termb(HK_RESIDENT, cert_type="J")
    card = (termb_reader.open(), termb_reader.read_card(READ))[1]
    assert card is not None and card.card_type is CardType.UNKNOWN
    assert card.id_number == "" and card.name == "" and "陈大文" in card.raw_text


@pytest.mark.parametrize(
    "sample", [RESIDENT_FEMALE, HK_RESIDENT, FOREIGN_PERMANENT], ids=lambda c: c.card_type.value
)
def test_sdtapi_reads_the_raw_text_block_and_keeps_the_photo_encrypted(
    sdtapi: VendorStub, sdtapi_reader: VendorSdkReader, sample: object
) -> None:
    wlt = bytes(range(256)) * 4
    sdtapi.place_block(sample, wlt)  # type: ignore[arg-type]
    card = (sdtapi_reader.open(), sdtapi_reader.read_card(READ))[1]
    assert card is not None and card.without_photo() == sample
    assert card.photo_wlt == wlt and card.photo_image is None  # no in-memory decoder for sdtapi


def test_an_unplugged_reader_is_reported_and_reopened_when_it_is_back(
    termb: VendorStub, termb_reader: VendorSdkReader
) -> None:
    termb_reader.open()
    assert termb.open_calls == 1
    termb.unplug()
    with pytest.raises(DeviceNotConnected):
        termb_reader.read_card(IDLE)
    with pytest.raises(DeviceNotConnected) as caught:
        termb_reader.read_card(IDLE)  # tries to open the port again, which fails while unplugged
    assert "端口 1001" in caught.value.message
    termb.unplug(False)
    termb.place_termb(RESIDENT_FEMALE)
    card = termb_reader.read_card(READ)
    assert card is not None and card.without_photo() == RESIDENT_FEMALE
    assert termb.open_calls == 3


def test_a_port_the_library_cannot_open_says_which(termb: VendorStub) -> None:
    reader = VendorSdkReader("COM3", library=str(termb.path))
    with pytest.raises(DeviceNotConnected) as caught:
        reader.open()
    assert "端口 3" in caught.value.message


# -- the library is absent or not a vendor SDK ---------------------------------------------------------------


def test_no_vendor_library_is_reported_unavailable_with_the_names_looked_for(tmp_path: Path) -> None:
    reader = VendorSdkReader(library=str(tmp_path / "libtermb.so"))
    assert "未连接" in reader.describe()
    with pytest.raises(DeviceUnavailable) as caught:
        reader.open()
    assert caught.value.message == MISSING == "未找到身份证阅读器厂商驱动（termb.dll/sdtapi.dll）"
    assert caught.value.code == "vendor_sdk_missing"


def test_the_default_search_finds_nothing_on_this_machine() -> None:
    with pytest.raises(DeviceUnavailable) as caught:
        VendorSdkReader().open()
    assert caught.value.message == MISSING and "libtermb.so" in caught.value.detail


def test_a_library_that_is_not_a_vendor_sdk_is_refused() -> None:
    reader = VendorSdkReader(library="libc.so.6")  # loads fine, but has no CVR_* / SDT_* entry points
    with pytest.raises(DeviceUnavailable) as caught:
        reader.open()
    assert caught.value.code == "vendor_sdk_unknown" and "CVR_InitComm" in caught.value.message


def test_the_photo_never_shows_in_the_cards_repr(termb: VendorStub, termb_reader: VendorSdkReader) -> None:
    termb.place_termb(RESIDENT_FEMALE, photo=BMP)
    card = (termb_reader.open(), termb_reader.read_card(READ))[1]
    assert card is not None
    assert "BM" not in repr(card) and "photo=yes" in repr(card)
    assert dataclasses.replace(card, photo_image=None).without_photo() == RESIDENT_FEMALE
