"""Device drivers for the window workstation: a library that never imports ``hallclient`` or Qt.

Drivers are blocking and thread-agnostic; they raise :class:`~devices.errors.DeviceError` subclasses whose
``message`` tells the clerk what to do. Create them by role and key::

    import devices
    reader = devices.create_card_reader("ga467-serial", port="/dev/ttyUSB0")

Drivers are registered here as lazy references, so ``import devices`` imports neither pyserial nor pyscard.
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
    SamError,
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
    "SamError",
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


def create_card_reader(key: str, **options: Any) -> CardReader:
    """A card reader driver by registry key (``DeviceError`` naming the known keys if unknown)."""
    reader: CardReader = create(CARD_READER, key, **options)
    return reader
