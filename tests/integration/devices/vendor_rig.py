"""Fixtures for the vendor-sdk tests: the termb and sdtapi stub libraries, compiled once per session.

Imported by ``conftest.py``. A missing gcc FAILS these tests (scripts/setup installs it): a vendor DLL cannot
exist here, and mocking ctypes would not test the binding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.idcard.sample_cards import RESIDENT_FEMALE, RESIDENT_MALE
from tests.contracts.card_reader import ReaderRig
from tests.emulators.vendor_stub import VendorStub, build, gcc


@pytest.fixture(scope="session")
def vendor_libraries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if gcc() is None:
        pytest.fail(
            "gcc is needed to build the vendor library stub (scripts/setup installs it)", pytrace=False
        )
    directory = tmp_path_factory.mktemp("vendor-sdk")
    return {kind: build(kind, directory) for kind in ("termb", "sdtapi")}


@pytest.fixture
def termb(vendor_libraries: dict[str, Path]) -> VendorStub:
    return VendorStub(vendor_libraries["termb"])


@pytest.fixture
def sdtapi(vendor_libraries: dict[str, Path]) -> VendorStub:
    return VendorStub(vendor_libraries["sdtapi"])


def vendor_sdk_rig(request: pytest.FixtureRequest) -> ReaderRig:
    import devices

    stub: VendorStub = request.getfixturevalue("termb")
    return ReaderRig(
        make_reader=lambda: devices.create_card_reader(
            "vendor-sdk", library=str(stub.path), port="1001", poll_interval=0.02
        ),
        present=stub.place_termb,
        lift=stub.lift,
        cards=(RESIDENT_FEMALE, RESIDENT_MALE),
    )
