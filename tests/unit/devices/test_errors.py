from __future__ import annotations

import pytest

from devices.errors import (
    CardReadFailed,
    DeviceError,
    DeviceNotConnected,
    DeviceTimeout,
    DeviceUnavailable,
    FrameError,
    NoCard,
    SamError,
)

KINDS = [DeviceNotConnected, DeviceTimeout, NoCard, CardReadFailed, FrameError, DeviceUnavailable]


@pytest.mark.parametrize("kind", KINDS)
def test_every_error_has_a_default_chinese_instruction_and_a_code(kind: type[DeviceError]) -> None:
    error = kind()
    assert isinstance(error, DeviceError)
    assert "请" in error.message and "\u4e00" <= error.message[0] <= "\u9fff"
    assert error.code and error.code.isascii()


def test_the_reader_not_connected_message() -> None:
    assert DeviceNotConnected().message == "读卡器未连接，请检查连接线"


def test_sam_error_carries_sw3() -> None:
    error = SamError(0x60)
    assert error.sw3 == 0x60 and error.code == "sam_error" and "请" in error.message


def test_message_code_and_detail_can_be_given() -> None:
    error = CardReadFailed("卡片认证失败，请重新放置身份证", code="sw3_31", detail="SW3=0x31", sw3=0x31)
    assert (error.message, error.code, error.detail, error.sw3) == (
        "卡片认证失败，请重新放置身份证",
        "sw3_31",
        "SW3=0x31",
        0x31,
    )
    assert str(error) == "卡片认证失败，请重新放置身份证 [sw3_31: SW3=0x31]"
    assert error.args == ("卡片认证失败，请重新放置身份证",)
