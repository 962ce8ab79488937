from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from devices.errors import CardReadFailed, DeviceError, DeviceNotConnected
from devices.idcard.sample_cards import (
    FOREIGN_PERMANENT,
    HK_RESIDENT,
    RESIDENT_FEMALE,
    RESIDENT_MALE,
    SAMPLE_CARDS,
)
from devices.idcard.scenario import card_to_dict
from devices.idcard.simulated import SimulatedCardReader


def opened(reader: SimulatedCardReader) -> SimulatedCardReader:
    reader.open()
    return reader


def test_scripted_cards_come_one_per_presentation_with_a_lift_in_between() -> None:
    reader = opened(SimulatedCardReader([RESIDENT_FEMALE, HK_RESIDENT], cycle=False))
    assert reader.read_card(0) == RESIDENT_FEMALE
    assert reader.read_card(0) is None  # lifted
    assert reader.read_card(0) == HK_RESIDENT
    assert reader.read_card(0) is None
    assert reader.read_card(0) is None  # script exhausted
    assert reader.read_card(0.01) is None


def test_cycle_starts_the_script_again() -> None:
    reader = opened(SimulatedCardReader([RESIDENT_FEMALE, HK_RESIDENT]))
    read = [reader.read_card(0) for _ in range(8)]
    assert read == [RESIDENT_FEMALE, None, HK_RESIDENT, None] * 2


def test_the_default_script_is_the_synthetic_sample_set() -> None:
    reader = opened(SimulatedCardReader())
    read = [reader.read_card(0) for _ in range(2 * len(SAMPLE_CARDS))]
    assert [card for card in read if card is not None] == list(SAMPLE_CARDS)


def test_present_after_delays_each_card() -> None:
    reader = opened(SimulatedCardReader([RESIDENT_MALE], present_after=60.0))
    assert reader.read_card(0) is None  # not placed yet


def test_a_card_arriving_within_the_timeout_is_returned() -> None:
    reader = opened(SimulatedCardReader([RESIDENT_MALE], present_after=0.05))
    assert reader.read_card(5.0) == RESIDENT_MALE


def test_present_after_follows_the_lift_not_the_read() -> None:
    now = [0.0]
    reader = opened(
        SimulatedCardReader([RESIDENT_MALE, HK_RESIDENT], present_after=1.0, clock=lambda: now[0])
    )
    now[0] = 1.0
    assert reader.read_card(0) == RESIDENT_MALE
    now[0] = 5.0
    assert reader.read_card(0) is None  # lifted at t=5
    now[0] = 5.5
    assert reader.read_card(0) is None
    now[0] = 6.0
    assert reader.read_card(0) == HK_RESIDENT


def test_manual_place_and_lift_follow_the_lift_rule() -> None:
    reader = opened(SimulatedCardReader([]))
    assert reader.read_card(0) is None
    reader.place(FOREIGN_PERMANENT)
    assert reader.read_card(0) == FOREIGN_PERMANENT
    assert reader.read_card(0) is None  # still lying there: not read twice
    reader.lift()
    reader.place(FOREIGN_PERMANENT)
    assert reader.read_card(0) == FOREIGN_PERMANENT


def test_a_card_placed_from_another_thread_wakes_a_waiting_read() -> None:
    reader = opened(SimulatedCardReader([]))
    placed = threading.Event()
    result: list[object] = []

    def read() -> None:
        placed.set()
        result.append(reader.read_card(30.0))

    thread = threading.Thread(target=read)
    thread.start()
    placed.wait(5)
    reader.place(RESIDENT_FEMALE)
    thread.join(10)
    assert result == [RESIDENT_FEMALE]


def test_close_from_another_thread_ends_a_waiting_read() -> None:
    reader = opened(SimulatedCardReader([]))
    errors: list[BaseException] = []

    def read() -> None:
        try:
            reader.read_card(30.0)
        except DeviceError as exc:
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    reader.close()
    thread.join(10)
    assert not thread.is_alive()
    # Either the read saw the close while waiting, or it had not started waiting yet: both raise.
    assert len(errors) == 1 and isinstance(errors[0], DeviceNotConnected)


def test_an_injected_error_is_raised_once() -> None:
    reader = opened(SimulatedCardReader([RESIDENT_FEMALE]))
    reader.inject_error(CardReadFailed("卡片认证失败，请重新放置身份证"))
    with pytest.raises(CardReadFailed):
        reader.read_card(0)
    assert reader.read_card(0) == RESIDENT_FEMALE


def test_read_requires_open_and_close_is_idempotent() -> None:
    reader = SimulatedCardReader([RESIDENT_FEMALE])
    with pytest.raises(DeviceNotConnected):
        reader.read_card(0)
    reader.close()
    reader.open()
    reader.open()
    assert reader.read_card(0) == RESIDENT_FEMALE
    reader.close()
    reader.close()
    with pytest.raises(DeviceNotConnected):
        reader.read_card(0)


def test_loads_a_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "drill.json"
    path.write_text(
        json.dumps([card_to_dict(HK_RESIDENT), {"sample": "resident_male"}], ensure_ascii=False), "utf-8"
    )
    reader = opened(SimulatedCardReader(scenario=path, cycle=False))
    assert [reader.read_card(0) for _ in range(4)] == [HK_RESIDENT, None, RESIDENT_MALE, None]
    assert "2 张" in reader.describe()


def test_a_bad_scenario_file_is_a_device_error_for_the_it_person(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"nmae": "x"}]', "utf-8")
    with pytest.raises(DeviceError) as caught:
        SimulatedCardReader(scenario=path)
    assert caught.value.code == "bad_scenario" and "nmae" in caught.value.message
    with pytest.raises(DeviceError):
        SimulatedCardReader(scenario=tmp_path / "missing.json")


def test_cards_and_scenario_are_exclusive(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        SimulatedCardReader([RESIDENT_FEMALE], scenario=tmp_path / "x.json")


def test_a_scripted_reader_without_a_pause_is_read_on_demand_not_polled() -> None:
    assert SimulatedCardReader().on_demand
    assert not SimulatedCardReader(present_after=5.0).on_demand
    assert not SimulatedCardReader(cards=[]).on_demand  # driven by place/lift: polling finds its cards
