"""Mutated frames never make the codec raise anything but DeviceError, and never make it hang.

100,000 deterministic mutations (``random.Random(seed)``) in a plain loop, plus a smaller hypothesis test
that explores shrinkable inputs.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.errors import DeviceError
from devices.idcard.frames import (
    PREAMBLE,
    FrameReader,
    build_command,
    build_response,
    parse_response,
    read_frame,
)
from devices.idcard.sample_cards import SAMPLE_CARDS
from devices.idcard.text import decode_read_response
from tests.emulators import vectors

SEED_FRAMES = [
    *(frame for *_, frame in vectors.COMMAND_VECTORS),
    *(frame for frame, *_ in vectors.RESPONSE_VECTORS),
    build_response(0x60),
    vectors.fixture_read_response(),
    *(vectors.fixture_read_response(card) for card in SAMPLE_CARDS),
    build_command(0x61, 0xFF, b"\x50"),
]
MUTATIONS = 100_000


def mutate(rng: random.Random, frame: bytes) -> bytes:
    data = bytearray(frame)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(10)
        if op == 0 and data:  # replace a byte
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1 and data:  # flip a bit
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif op == 2:  # truncate
            del data[rng.randrange(len(data) + 1) :]
        elif op == 3 and data:  # drop a byte
            del data[rng.randrange(len(data))]
        elif op == 4:  # insert noise
            pos = rng.randrange(len(data) + 1)
            data[pos:pos] = rng.randbytes(rng.randint(1, 8))
        elif op == 5:  # garbage before, possibly preamble-like
            data[:0] = rng.choice(
                [rng.randbytes(rng.randint(1, 12)), PREAMBLE[: rng.randint(1, 5)], b"\xaa" * 7]
            )
        elif op == 6:  # wrapper bytes after
            data += rng.randbytes(rng.randint(1, 6))
        elif op == 7 and len(data) >= 7:  # a lying length field
            data[5:7] = rng.choice([rng.randrange(65536), 0, 1, 2, 3, len(data) - 6, 4096, 65535]).to_bytes(
                2, "big"
            )
        elif op == 8:  # two frames run together
            data += rng.choice(SEED_FRAMES)[: rng.randint(0, 40)]
        elif op == 9:  # pure noise
            data = bytearray(rng.randbytes(rng.randint(0, 64)))
    return bytes(data)


def check_parse(buf: bytes) -> None:
    try:
        response = parse_response(buf)
    except DeviceError:
        return
    if response.sw3 == 0x90 and len(response.data) >= 4:
        try:
            decode_read_response(response)
        except DeviceError:
            pass


def check_reader(buf: bytes, rng: random.Random) -> None:
    reader = FrameReader()
    pos = 0
    while pos < len(buf):
        step = rng.randint(1, 300)
        for frame in reader.feed(buf[pos : pos + step]):
            assert frame.startswith(PREAMBLE)
            assert len(frame) == 7 + int.from_bytes(frame[5:7], "big")
            check_parse(frame)
        pos += step
    assert reader.pending <= len(buf)


def check_read_frame(buf: bytes, chunk: int) -> None:
    """A transport that hands out ``buf`` then stays silent; each read costs 10 ms of fake time."""
    state = {"pos": 0, "now": 0.0, "reads": 0}

    def read(n: int) -> bytes:
        state["reads"] += 1
        state["now"] += 0.01
        start = int(state["pos"])
        out = buf[start : start + min(n, chunk)]
        state["pos"] = start + len(out)
        return out

    try:
        frame = read_frame(read, 0.5, lambda: state["now"])
    except DeviceError:
        pass
    else:
        check_parse(frame)
    # Bounded: the data, plus the 0.5 s deadline at one read per 10 ms.
    assert state["reads"] <= len(buf) + 52


@pytest.mark.timeout(240)
def test_100k_mutated_frames_give_only_device_errors_and_never_hang() -> None:
    rng = random.Random(20240611)
    for i in range(MUTATIONS):
        buf = mutate(rng, rng.choice(SEED_FRAMES))
        check_parse(buf)
        check_reader(buf, rng)
        if i % 10 == 0:
            check_read_frame(buf, rng.randint(1, 64))


@st.composite
def mutated_frames(draw: st.DrawFn) -> bytes:
    frame = bytearray(draw(st.sampled_from(SEED_FRAMES)))
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["set", "cut", "insert", "prefix"]))
        pos = draw(st.integers(0, len(frame)))
        if kind == "set" and pos < len(frame):
            frame[pos] = draw(st.integers(0, 255))
        elif kind == "cut":
            del frame[pos:]
        elif kind == "insert":
            frame[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        else:
            frame[:0] = draw(st.binary(max_size=8))
    return bytes(frame)


@settings(max_examples=3000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    buf=st.one_of(mutated_frames(), st.binary(max_size=300)),
    chunk=st.integers(1, 400),
    seed=st.integers(0, 2**16),
)
def test_hypothesis_mutated_frames_give_only_device_errors(buf: bytes, chunk: int, seed: int) -> None:
    check_parse(buf)
    check_reader(buf, random.Random(seed))
    check_read_frame(buf, chunk)
