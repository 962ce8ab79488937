"""The card-reader port every ID-card driver implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from devices.idcard.model import IdCard

__all__ = ["CardReader"]


@runtime_checkable
class CardReader(Protocol):
    """A blocking, thread-agnostic ID-card reader (call it from one thread: the device thread).

    Contract (checked for every driver by ``tests/contracts/card_reader.py``):

    - ``open()`` connects (raises ``DeviceError`` if it cannot); ``close()`` releases everything and is
      idempotent; ``read_card`` before ``open()`` or after ``close()`` raises ``DeviceNotConnected``.
    - ``read_card(timeout)`` blocks for at most about ``timeout`` seconds (plus one device round trip) and
      returns the card placed on the reader, or None if none was presented within ``timeout``.
    - Lift-and-represent: after a successful read the same card is not returned again until it has left the
      field; presented again, it is read again. One presentation → at most one ``IdCard``.
    - Failures raise ``DeviceError`` subclasses whose ``message`` tells the clerk what to do.
    - ``describe()`` names the driver and its port in words a hall IT person understands.
    """

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read_card(self, timeout: float) -> IdCard | None: ...

    def describe(self) -> str: ...
