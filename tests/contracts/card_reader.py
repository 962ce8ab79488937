"""The contract every ID-card reader driver passes (``devices.idcard.base.CardReader``).

A test module provides a ``rig`` fixture (parametrised over drivers) returning a :class:`ReaderRig` and
subclasses :class:`CardReaderContract`::

    @pytest.fixture(params=["simulated", "ga467-serial"])
    def rig(request) -> ReaderRig: ...

    class TestCardReaderContract(CardReaderContract):
        pass

A rig knows how to build an unopened reader and how to put a card on it and take it off (a simulated
reader's ``place``/``lift``, an emulator's, a virtual card inserted into vpcd...). Readers are compared on
their text fields; photos are driver-specific.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest

from devices.errors import DeviceNotConnected
from devices.idcard.base import CardReader
from devices.idcard.model import IdCard


@dataclass
class ReaderRig:
    make_reader: Callable[[], CardReader]
    """A new, unopened reader."""
    present: Callable[[IdCard], None]
    """Put a card in the reader's field (it stays until ``lift``)."""
    lift: Callable[[], None]
    cards: Sequence[IdCard]
    """At least two different cards this rig can present."""
    read_timeout: float = 3.0
    """Generous: a present card must be read within it."""
    idle_timeout: float = 0.3
    """Short: used when no card is expected."""


def same_card(read: IdCard | None, presented: IdCard) -> bool:
    return read is not None and read.without_photo() == presented.without_photo()


class CardReaderContract:
    """Behaviours every driver must have. Each test opens its own reader and closes it."""

    @pytest.fixture
    def reader(self, rig: ReaderRig) -> Iterator[CardReader]:
        reader = rig.make_reader()
        yield reader
        reader.close()

    def test_is_a_card_reader(self, reader: CardReader) -> None:
        assert isinstance(reader, CardReader)

    def test_describe_is_a_non_empty_text_before_and_after_open(self, reader: CardReader) -> None:
        assert isinstance(reader.describe(), str) and reader.describe().strip()
        reader.open()
        assert reader.describe().strip()

    def test_close_is_idempotent(self, reader: CardReader) -> None:
        reader.close()
        reader.open()
        reader.close()
        reader.close()

    def test_read_before_open_raises_not_connected_with_a_chinese_message(self, reader: CardReader) -> None:
        with pytest.raises(DeviceNotConnected) as caught:
            reader.read_card(0.0)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)

    def test_read_after_close_raises_not_connected(self, reader: CardReader) -> None:
        reader.open()
        reader.close()
        with pytest.raises(DeviceNotConnected):
            reader.read_card(0.0)

    def test_no_card_returns_none(self, rig: ReaderRig, reader: CardReader) -> None:
        reader.open()
        assert reader.read_card(rig.idle_timeout) is None

    def test_reads_the_presented_card(self, rig: ReaderRig, reader: CardReader) -> None:
        reader.open()
        rig.present(rig.cards[0])
        assert same_card(reader.read_card(rig.read_timeout), rig.cards[0])

    def test_a_card_left_on_the_reader_is_read_once(self, rig: ReaderRig, reader: CardReader) -> None:
        reader.open()
        rig.present(rig.cards[0])
        assert same_card(reader.read_card(rig.read_timeout), rig.cards[0])
        assert reader.read_card(rig.idle_timeout) is None
        assert reader.read_card(rig.idle_timeout) is None

    def test_the_same_card_presented_again_is_read_again(self, rig: ReaderRig, reader: CardReader) -> None:
        reader.open()
        rig.present(rig.cards[0])
        assert same_card(reader.read_card(rig.read_timeout), rig.cards[0])
        rig.lift()
        assert reader.read_card(rig.idle_timeout) is None
        rig.present(rig.cards[0])
        assert same_card(reader.read_card(rig.read_timeout), rig.cards[0])

    def test_the_next_card_is_read_after_a_lift(self, rig: ReaderRig, reader: CardReader) -> None:
        reader.open()
        rig.present(rig.cards[0])
        assert same_card(reader.read_card(rig.read_timeout), rig.cards[0])
        rig.lift()
        assert reader.read_card(rig.idle_timeout) is None
        rig.present(rig.cards[1])
        assert same_card(reader.read_card(rig.read_timeout), rig.cards[1])

    def test_reopens_after_close(self, rig: ReaderRig, reader: CardReader) -> None:
        reader.open()
        reader.close()
        reader.open()
        rig.present(rig.cards[1])
        assert same_card(reader.read_card(rig.read_timeout), rig.cards[1])
