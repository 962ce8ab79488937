"""The application's device lane over real drivers: a card put down fills in, an unplugged reader recovers.

The DeviceWorker runs on its own QThread and polls, as in the application; the readers are the GA 467 driver on
a socat pty (the SAM reader emulator on the other end) and the PC/SC driver on pcscd + vpcd.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt creates the QApplication

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

import devices
from devices.idcard.frames import FIND
from devices.idcard.sample_cards import (
    HK_RESIDENT,
    RESIDENT_FEMALE,
    SOCIAL_SECURITY_FEMALE,
    SOCIAL_SECURITY_MALE,
)
from hallclient.services.applicants import ApplicantCheck
from hallclient.ui.device_worker import DeviceWorker
from hallclient.ui.workers import Lane
from tests.emulators.pcscd import Pcscd
from tests.emulators.pty_pair import SocatPair
from tests.emulators.sam_reader import SamReaderEmulator
from tests.emulators.vpcd_card import SocialSecurityChip, VpcdCardEmulator
from tests.integration.devices.pcsc_rig import ReaderWatch

TODAY = dt.date(2026, 3, 2)


class Relay(QObject):
    """The worker's signals re-emitted on the GUI thread, where qtbot waits (queued across threads)."""

    card_checked = Signal(object)
    state_changed = Signal(str, str)

    def __init__(self, worker: DeviceWorker) -> None:
        super().__init__()
        self.states: list[tuple[str, str]] = []
        worker.card_checked.connect(self.card_checked)
        worker.state_changed.connect(self.state_changed)
        self.state_changed.connect(lambda state, text: self.states.append((state, text)))

    def last_state(self) -> str:
        return self.states[-1][0] if self.states else ""


@pytest.fixture
def lane(qtbot: QtBot) -> Iterator[Callable[[Callable[[], Any]], Relay]]:
    lanes: list[Lane] = []

    def start(factory: Callable[[], Any]) -> Relay:
        worker = DeviceWorker(factory, lambda: TODAY, poll_ms=50)
        relay = Relay(worker)
        lane = Lane("device-test", worker)
        lanes.append(lane)
        with qtbot.waitSignal(relay.state_changed, timeout=10_000):
            lane.start(worker.start)
        return relay

    yield start
    for lane in lanes:
        lane.stop("close")


def test_ga467_a_card_fills_in_and_an_unplugged_reader_recovers_without_a_restart(
    qtbot: QtBot,
    lane: Callable[[Callable[[], Any]], Relay],
    sam_emulator: SamReaderEmulator,
    socat_pair: SocatPair,
    sam_reader_port: str,
) -> None:
    relay = lane(lambda: devices.create_card_reader("ga467-serial", port=sam_reader_port, timeout=1.0))
    assert relay.states[-1][0] == "ready" and "读卡器就绪" in relay.states[-1][1]
    with qtbot.waitSignal(relay.card_checked, timeout=10_000) as blocker:
        sam_emulator.place(RESIDENT_FEMALE)
    check: ApplicantCheck = blocker.args[0]
    assert check.applicant is not None and check.applicant.name == "韩梅梅"
    assert check.card_type_label == "居民身份证" and check.valid_to_text == "长期"
    sam_emulator.lift()
    sam_emulator.clear_commands()  # a FIND recorded from here on was answered "no card"
    # The driver must see the reader empty before the unplug: a GA 467 reader cannot tell a card swapped
    # while unplugged from the same card still lying there (lift-and-represent), so it would wait for it.
    qtbot.waitUntil(lambda: FIND in sam_emulator.commands, timeout=5000)

    sam_emulator.stop()
    socat_pair.stop()  # the cable is pulled
    qtbot.waitUntil(lambda: relay.last_state() == "no_reader", timeout=10_000)
    assert relay.states[-1][1] == "读卡器未连接，请检查连接线"

    socat_pair.start()  # plugged back in
    sam_emulator.start()
    qtbot.waitUntil(lambda: relay.last_state() == "ready", timeout=15_000)
    with qtbot.waitSignal(relay.card_checked, timeout=10_000) as blocker:
        sam_emulator.place(HK_RESIDENT)
    assert blocker.args[0].card_type_label == "港澳台居民居住证"
    assert any("已过期" in w or "过期" in w for w in blocker.args[0].warnings)  # 2023-09-01 < today


def test_pcsc_a_social_security_card_fills_in_and_a_restarted_service_is_recovered_from(
    qtbot: QtBot,
    lane: Callable[[Callable[[], Any]], Relay],
    pcscd: Pcscd,
    vpcd_card: VpcdCardEmulator,
) -> None:
    relay = lane(lambda: devices.create_card_reader("pcsc", port="Virtual PCD 00 00"))
    assert relay.last_state() == "ready"
    with qtbot.waitSignal(relay.card_checked, timeout=10_000) as blocker:
        vpcd_card.insert(SocialSecurityChip(SOCIAL_SECURITY_FEMALE))
    check: ApplicantCheck = blocker.args[0]
    assert check.applicant is not None and check.applicant.name == "韩梅梅"
    assert check.card_type_label == "社会保障卡" and check.applicant.id_masked == "1101**********002X"

    vpcd_card.remove()  # disconnect before stopping the service
    pcscd.stop()
    qtbot.waitUntil(lambda: relay.last_state() == "no_reader", timeout=10_000)
    assert "智能卡服务未运行" in relay.states[-1][1]
    pcscd.start()
    qtbot.waitUntil(lambda: relay.last_state() == "ready", timeout=15_000)
    watch = ReaderWatch()
    try:
        events = watch.events()
        with qtbot.waitSignal(relay.card_checked, timeout=10_000):
            vpcd_card.insert(SocialSecurityChip(SOCIAL_SECURITY_MALE))
        vpcd_card.remove()
        watch.wait(present=False, after=events + 1)
    finally:
        watch.close()
