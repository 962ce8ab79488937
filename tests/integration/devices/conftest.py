"""Fixtures: a socat pty pair with the SAM reader emulator on one end; the driver opens the other.

Usage::

    def test_x(sam_emulator, sam_reader_port):
        sam_emulator.place(RESIDENT_FEMALE)
        reader = Ga467SerialReader(sam_reader_port, timeout=1.0)

``socat_pair`` can be stopped and started again (hot-plug); ``sam_emulator.on_disconnect`` stops it.
Teardown kills socat and checks that no fingerprint command reached the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulators.pty_pair import SocatPair
from tests.emulators.sam_reader import SamReaderEmulator
from tests.integration.devices.pcsc_rig import pcscd, reader_watch, vpcd_card  # noqa: F401  (PC/SC fixtures)
from tests.integration.devices.vendor_rig import sdtapi, termb, vendor_libraries  # noqa: F401  (vendor stubs)


@pytest.fixture
def socat_pair(tmp_path: Path) -> Iterator[SocatPair]:
    if not SocatPair.available():
        pytest.skip("socat is not installed")
    pair = SocatPair(tmp_path)
    pair.start()
    try:
        yield pair
    finally:
        pair.stop()


@pytest.fixture
def sam_emulator(socat_pair: SocatPair) -> Iterator[SamReaderEmulator]:
    emulator = SamReaderEmulator(socat_pair.emulator_end, on_disconnect=socat_pair.stop)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()
    assert emulator.forbidden == [], "a driver sent the fingerprint command 30 10"


@pytest.fixture
def sam_reader_port(sam_emulator: SamReaderEmulator, socat_pair: SocatPair) -> str:
    """The pty path a driver opens, with the emulator answering on the other end."""
    return str(socat_pair.reader_end)
