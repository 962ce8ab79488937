from __future__ import annotations

import pytest

from hallclient.sync.faults import Faults, parse_faults


def test_an_empty_spec_means_no_faults():
    assert parse_faults("") == parse_faults("  ") == parse_faults("none") == Faults()


def test_every_key_parses():
    faults = parse_faults("error=0.3, drop=1 ,reject=0.05,latency_ms=250, down=1.5,seed=7")
    assert faults == Faults(error=0.3, drop=1.0, reject=0.05, latency_ms=250, down=1.5, seed=7)


def test_the_spec_round_trips_through_its_text():
    faults = parse_faults("drop=0.1,seed=3")
    assert parse_faults(str(faults)) == faults
    assert str(Faults()) == "none"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("eror=0.1", "unknown fault 'eror'"),
        ("error", "has no value"),
        ("error=", "has no value"),
        ("error=lots", "not a number"),
        ("error=1.5", "between 0 and 1"),
        ("drop=-0.1", "between 0 and 1"),
        ("reject=nan", "finite"),
        ("latency_ms=2.5", "not a whole number"),
        ("latency_ms=-1", "cannot be negative"),
        ("down=-3", "cannot be negative"),
        ("seed=x", "not a whole number"),
        ("error=0.1,,drop=0.2", "empty item"),
        ("error=0.1,error=0.2", "given twice"),
    ],
)
def test_a_bad_spec_is_refused_with_a_clear_message(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_faults(spec)


def test_the_message_lists_what_is_allowed():
    with pytest.raises(ValueError) as info:
        parse_faults("timeout=3")
    for key in ("error=RATE", "drop=RATE", "reject=RATE", "latency_ms=N", "down=SECONDS", "seed=N"):
        assert key in str(info.value)
