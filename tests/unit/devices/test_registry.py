from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import devices
from devices.errors import DeviceError, DeviceUnavailable
from devices.idcard.simulated import SimulatedCardReader
from devices.registry import CARD_READER, REVIEW_PAD, TICKET_PRINTER, DriverRegistry, lazy

ROOT = Path(__file__).resolve().parents[3]


class Recorder:
    def __init__(self, **options: object) -> None:
        self.options = options


def test_roles() -> None:
    assert (CARD_READER, REVIEW_PAD, TICKET_PRINTER) == ("card_reader", "review_pad", "ticket_printer")


def test_register_create_and_list() -> None:
    registry = DriverRegistry()
    registry.register(CARD_READER, "a", Recorder, "甲")
    registry.register(CARD_READER, "b", Recorder, "乙")
    registry.register(REVIEW_PAD, "c", Recorder, "丙")
    assert registry.available(CARD_READER) == [("a", "甲"), ("b", "乙")]
    assert registry.available(TICKET_PRINTER) == []
    created = registry.create(CARD_READER, "b", port="COM3")
    assert isinstance(created, Recorder) and created.options == {"port": "COM3"}


def test_an_unknown_key_names_the_known_keys() -> None:
    registry = DriverRegistry()
    registry.register(CARD_READER, "simulated", Recorder, "模拟")
    registry.register(CARD_READER, "ga467-serial", Recorder, "串口")
    with pytest.raises(DeviceError) as caught:
        registry.create(CARD_READER, "pcsc")
    assert caught.value.code == "unknown_driver"
    assert "pcsc" in caught.value.message
    assert "simulated、ga467-serial" in caught.value.message
    assert "身份证读卡器" in caught.value.message


def test_a_key_cannot_be_registered_twice() -> None:
    registry = DriverRegistry()
    registry.register(CARD_READER, "a", Recorder, "甲")
    with pytest.raises(ValueError):
        registry.register(CARD_READER, "a", Recorder, "甲")
    registry.register(REVIEW_PAD, "a", Recorder, "同名不同角色")


def test_lazy_imports_only_when_called() -> None:
    factory = lazy("devices.idcard.simulated:SimulatedCardReader")
    reader = factory(cards=[])
    assert isinstance(reader, SimulatedCardReader)


def test_lazy_reports_a_missing_component_as_device_unavailable() -> None:
    factory = lazy("devices.no_such_driver:Driver", requires="厂商读卡器开发包")
    with pytest.raises(DeviceUnavailable) as caught:
        factory()
    assert "厂商读卡器开发包" in caught.value.message
    assert "devices.no_such_driver" in caught.value.detail


def test_lazy_wants_module_and_attribute() -> None:
    with pytest.raises(ValueError):
        lazy("devices.idcard.simulated")


def test_the_package_registers_the_card_readers() -> None:
    keys = [key for key, _ in devices.available(devices.CARD_READER)]
    assert keys == ["simulated", "ga467-serial", "pcsc", "vendor-sdk"]
    assert all(description for _, description in devices.available(devices.CARD_READER))
    assert isinstance(devices.create_card_reader("simulated"), SimulatedCardReader)


def test_importing_devices_is_cheap_no_serial_no_pyscard_no_qt_no_hallclient() -> None:
    code = (
        "import sys, devices, devices.idcard; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'serial', 'smartcard', 'PySide6', 'hallclient'}"
        " or m in {'devices.idcard.ga467_serial', 'devices.idcard.simulated', 'devices.idcard.pcsc',"
        " 'devices.idcard.vendor_sdk', 'ctypes'}); print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_creating_the_serial_driver_imports_pyserial_but_opens_nothing() -> None:
    code = (
        "import sys, devices; r = devices.create_card_reader('ga467-serial', port='/nonexistent'); "
        "print('serial' in sys.modules, type(r).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "Ga467SerialReader"]


def test_creating_the_pcsc_driver_imports_pyscard_but_talks_to_no_service() -> None:
    code = (
        "import sys, devices; r = devices.create_card_reader('pcsc', port='ACS'); "
        "print('smartcard' in sys.modules, type(r).__name__, r.describe())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().split(maxsplit=2) == [
        "True",
        "PcscCardReader",
        "PC/SC 读卡器（名称含“ACS”，未连接）",
    ]


def test_creating_the_vendor_driver_loads_no_library_until_it_is_opened() -> None:
    reader = devices.create_card_reader("vendor-sdk", library="/nonexistent/libtermb.so")
    assert "未连接" in reader.describe()
    with pytest.raises(DeviceUnavailable) as caught:
        reader.open()
    assert caught.value.message == "未找到身份证阅读器厂商驱动（termb.dll/sdtapi.dll）"
