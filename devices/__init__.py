"""Device drivers for the window workstation: a library that never imports ``hallclient`` or Qt.

Drivers are blocking and thread-agnostic; they raise :class:`~devices.errors.DeviceError` subclasses whose
``message`` tells the clerk what to do. Create them by role and key::

    import devices
    reader = devices.create_card_reader("ga467-serial", port="/dev/ttyUSB0")

Drivers are registered here as lazy references, so ``import devices`` imports neither pyserial nor pyscard
(nor looks for a vendor library).
"""

from __future__ import annotations

from typing import Any

from devices.errors import (
    CardReadFailed,
    DeviceError,
    DeviceNotConnected,
    DeviceTimeout,
    DeviceUnavailable,
    FrameError,
    NoCard,
    PinRequired,
    SamError,
    UnsupportedCard,
)
from devices.idcard.base import CardReader
from devices.registry import CARD_READER, REVIEW_PAD, TICKET_PRINTER, available, create, lazy, register

__all__ = [
    "CARD_READER",
    "REVIEW_PAD",
    "TICKET_PRINTER",
    "CardReadFailed",
    "CardReader",
    "DeviceError",
    "DeviceNotConnected",
    "DeviceTimeout",
    "DeviceUnavailable",
    "FrameError",
    "NoCard",
    "PinRequired",
    "SamError",
    "UnsupportedCard",
    "available",
    "create",
    "create_card_reader",
    "register",
]

register(
    CARD_READER,
    "simulated",
    lazy("devices.idcard.simulated:SimulatedCardReader"),
    "模拟读卡器（演练和测试用，读出合成证件）",
)
register(
    CARD_READER,
    "ga467-serial",
    lazy("devices.idcard.ga467_serial:Ga467SerialReader", requires="pyserial"),
    "GA 467 身份证读卡器（串口或 USB 串口）",
)
register(
    CARD_READER,
    "pcsc",
    lazy("devices.idcard.pcsc:PcscCardReader", requires="pyscard"),
    "PC/SC 读卡器（社会保障卡；居民身份证仅能识别，不能读取）",
)
register(
    CARD_READER,
    "vendor-sdk",
    lazy("devices.idcard.vendor_sdk:VendorSdkReader"),
    "身份证阅读器厂商驱动（termb / sdtapi 动态库）",
)

# Review pads (评价器). The customer screen (key "screen") is a Qt window: the app provides it.
register(
    REVIEW_PAD,
    "simulated",
    lazy("devices.review_pad.simulated:SimulatedReviewPad"),
    "模拟评价器（演练和测试用）",
)
register(
    REVIEW_PAD,
    "hid-keys",
    lazy("devices.review_pad.hid_keys:HidKeysReviewPad"),
    "USB 评价键盘（键盘式，Linux evdev 独占读取）",
)
register(
    REVIEW_PAD,
    "serial-keypad",
    lazy("devices.review_pad.serial_keypad:SerialKeypadReviewPad", requires="pyserial"),
    "串口评价器（评价器通信协议见 docs/review-pad-protocol.md）",
)

# Ticket printers (取号打印机) of the kiosk: devices/ticketprinter.
register(
    TICKET_PRINTER,
    "escpos",
    lazy("devices.ticketprinter.escpos_printer:EscposTicketPrinter", requires="python-escpos"),
    "ESC/POS 热敏小票打印机（USB、串口或网络；中文按图像打印，不受字符集影响）",
)
register(
    TICKET_PRINTER,
    "pdf",
    lazy("devices.ticketprinter.pdf_printer:PdfTicketPrinter", requires="Pillow"),
    "小票文件（每张小票保存为一个 PDF 文件）",
)
register(
    TICKET_PRINTER,
    "simulated",
    lazy("devices.ticketprinter.simulated:SimulatedTicketPrinter"),
    "模拟小票打印机（演练和测试用）",
)


def create_card_reader(key: str, **options: Any) -> CardReader:
    """A card reader driver by registry key (``DeviceError`` naming the known keys if unknown)."""
    reader: CardReader = create(CARD_READER, key, **options)
    return reader
