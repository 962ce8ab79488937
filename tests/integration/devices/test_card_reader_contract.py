"""Every card reader driver passes the shared contract (tests/contracts/card_reader.py).

Add a driver by adding a parameter and a rig builder below.
"""

from __future__ import annotations

import pytest

import devices
from devices.idcard.sample_cards import HK_RESIDENT, RESIDENT_FEMALE
from devices.idcard.simulated import SimulatedCardReader
from tests.contracts.card_reader import CardReaderContract, ReaderRig
from tests.emulators.sam_reader import SamReaderEmulator
from tests.integration.devices.pcsc_rig import pcsc_rig
from tests.integration.devices.vendor_rig import vendor_sdk_rig

CARDS = (RESIDENT_FEMALE, HK_RESIDENT)


def _simulated_rig(request: pytest.FixtureRequest) -> ReaderRig:
    # One simulated reader per test, driven by hand (no script), so the rig can place and lift cards.
    simulated = SimulatedCardReader(cards=[])
    return ReaderRig(make_reader=lambda: simulated, present=simulated.place, lift=simulated.lift, cards=CARDS)


def _ga467_rig(request: pytest.FixtureRequest) -> ReaderRig:
    emulator: SamReaderEmulator = request.getfixturevalue("sam_emulator")
    port: str = request.getfixturevalue("sam_reader_port")
    return ReaderRig(
        make_reader=lambda: devices.create_card_reader(
            "ga467-serial", port=port, timeout=1.0, poll_interval=0.05
        ),
        present=emulator.place,
        lift=emulator.lift,
        cards=CARDS,
    )


_RIGS = {
    "simulated": _simulated_rig,
    "ga467-serial": _ga467_rig,
    "pcsc": pcsc_rig,
    "vendor-sdk": vendor_sdk_rig,
}


@pytest.fixture(params=sorted(_RIGS))
def rig(request: pytest.FixtureRequest) -> ReaderRig:
    return _RIGS[request.param](request)


def test_every_registered_card_reader_has_a_contract_rig() -> None:
    assert {key for key, _ in devices.available(devices.CARD_READER)} <= set(_RIGS)


class TestCardReaderContract(CardReaderContract):
    pass
