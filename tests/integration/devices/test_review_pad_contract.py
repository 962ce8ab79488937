"""Every review-pad driver passes the shared contract (tests/contracts/review_pad.py).

- ``simulated``: pressed by hand.
- ``hid-keys``: synthetic key events written into a FIFO that stands in for the keypad's event node
  (/dev/uinput is not available in this sandbox); the exclusive grab is recorded by a stand-in ioctl.
- ``serial-keypad``: the keypad emulator on one end of a socat pty pair.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import devices
from devices.review_pad.simulated import SimulatedReviewPad
from tests.contracts.review_pad import PadRig, ReviewPadContract
from tests.emulators.input_events import FakeEventNode
from tests.emulators.pty_pair import SocatPair
from tests.emulators.review_keypad import SerialKeypadEmulator

# Levels on the keypad digits, three reason keys and Enter to confirm a bad level's reasons.
KEY_MAP = "KEY_KP1=1,KEY_KP2=2,KEY_KP3=3,KEY_KP4=4,KEY_KP5=5,KEY_A=r1,KEY_B=r2,KEY_C=r3,KEY_KPENTER=ok"
REASON_KEYS = {1: "KEY_A", 2: "KEY_B", 3: "KEY_C"}


def hid_keys_for(level: int, codes: Sequence[int]) -> list[str]:
    keys = [f"KEY_KP{level}"]
    if level <= 2:
        keys += [REASON_KEYS[c] for c in codes] + ["KEY_KPENTER"]
    return keys


@pytest.fixture
def event_node(tmp_path: Path) -> Iterator[FakeEventNode]:
    node = FakeEventNode(tmp_path)
    yield node
    node.close()


@pytest.fixture
def keypad(tmp_path: Path) -> Iterator[SerialKeypadEmulator]:
    if not SocatPair.available():
        pytest.skip("socat is not installed")
    pair = SocatPair(tmp_path, reader_name="pad", emulator_name="keypad")
    pair.start()
    emulator = SerialKeypadEmulator(pair.emulator_end)
    emulator.port_path = str(pair.reader_end)  # type: ignore[attr-defined]
    try:
        yield emulator
    finally:
        emulator.close()
        pair.stop()


def _simulated_rig(request: pytest.FixtureRequest) -> PadRig:
    pad = SimulatedReviewPad()
    return PadRig(make_pad=lambda: pad, press=lambda level, codes: pad.press(level, codes))


def _hid_rig(request: pytest.FixtureRequest) -> PadRig:
    node: FakeEventNode = request.getfixturevalue("event_node")
    return PadRig(
        make_pad=lambda: devices.create(
            devices.REVIEW_PAD, "hid-keys", port=str(node.path), key_map=KEY_MAP, ioctl=node.ioctl
        ),
        press=lambda level, codes: node.tap_keys(hid_keys_for(level, codes)),
    )


def _serial_rig(request: pytest.FixtureRequest) -> PadRig:
    emulator: SerialKeypadEmulator = request.getfixturevalue("keypad")
    # The keypad waits for each ACK, which the driver sends while it reads: the presses go out from
    # one thread of their own, one after the other, in the order given.
    sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keypad")
    request.addfinalizer(lambda: sender.shutdown(wait=True, cancel_futures=True))

    def press(level: int, codes: Sequence[int]) -> None:
        sender.submit(emulator.press, level, codes)

    return PadRig(
        make_pad=lambda: devices.create(devices.REVIEW_PAD, "serial-keypad", port=emulator.port_path),  # type: ignore[attr-defined]
        press=press,
    )


_RIGS = {"simulated": _simulated_rig, "hid-keys": _hid_rig, "serial-keypad": _serial_rig}


@pytest.fixture(params=sorted(_RIGS))
def pad_rig(request: pytest.FixtureRequest) -> PadRig:
    return _RIGS[request.param](request)


def test_every_registered_review_pad_has_a_contract_rig() -> None:
    assert {key for key, _ in devices.available(devices.REVIEW_PAD)} <= set(_RIGS)


class TestReviewPadContract(ReviewPadContract):
    pass
