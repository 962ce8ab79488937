"""Benchmark (not a test): decode a full 1295-byte ``30 01`` read response. Prints figures.

.venv/bin/python -m tests.emulators.bench_frames [N]
"""

from __future__ import annotations

import statistics
import sys
import time

from devices.idcard.frames import FrameReader, parse_response
from devices.idcard.text import decode_read_response
from tests.emulators.vectors import fixture_read_response


def main(n: int = 10_000) -> None:
    frame = fixture_read_response()
    assert len(frame) == 1295

    def per_call_us(fn: object, rounds: int = 5) -> list[float]:
        results = []
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(n):
                fn()  # type: ignore[operator]
            results.append((time.perf_counter() - start) / n * 1e6)
        return results

    cases = {
        "parse_response (preamble, length, XOR checksum)": lambda: parse_response(frame),
        "parse_response + decode_read_response (frame -> IdCard)": lambda: decode_read_response(
            parse_response(frame)
        ),
        "FrameReader.feed (one chunk) + parse + decode": lambda: decode_read_response(
            parse_response(FrameReader().feed(frame)[0])
        ),
    }
    print(f"{n} iterations x 5 rounds, Python {sys.version.split()[0]}")
    for name, fn in cases.items():
        rounds = per_call_us(fn)
        print(
            f"  {name}: mean {statistics.mean(rounds):.1f} us/frame (rounds: {', '.join(f'{r:.1f}' for r in rounds)})"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
