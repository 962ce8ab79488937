"""``hallclient bench idcard``, the part without Qt: frame decode and card → ApplicantCheck (DESIGN.md §9).

Budgets: decoding one ``30 01`` read response (1295 bytes: framing, checksum, 256-byte text block) ≤ 1 ms;
card → filled form beyond the device's own time ≤ 50 ms. The second is measured here as ``check_card`` (ID
number rules, dates, warnings: what the device thread does with a card) and, with Qt, through the device
worker's signal path into the applicant panel (``hallclient.ui.idcard_bench``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from devices.idcard import social_security as ssc
from devices.idcard.frames import SW3_OK, FrameReader, build_response, parse_response
from devices.idcard.model import IdCard
from devices.idcard.sample_cards import SAMPLE_CARDS, SOCIAL_SECURITY_CARDS
from devices.idcard.text import decode_read_response, encode_read_data
from hallclient.services.applicants import check_card

DECODE_BUDGET_MS = 1.0
FILL_BUDGET_MS = 50.0


ROUNDS = 5


def measure(fn: Callable[[], object], n: int) -> dict[str, float]:
    """Per-call microseconds: the mean of each of ``ROUNDS`` rounds of ``n / ROUNDS`` calls (the median round
    is the figure: one round disturbed by other processes does not move it) and the p99 of single calls."""
    per_round = max(1, n // ROUNDS)
    singles: list[float] = []
    means: list[float] = []
    for _ in range(ROUNDS):
        round_start = time.perf_counter()
        for _ in range(per_round):
            start = time.perf_counter()
            fn()
            singles.append((time.perf_counter() - start) * 1e6)
        means.append((time.perf_counter() - round_start) * 1e6 / per_round)
    singles.sort()
    return {
        "median_round_mean": round(statistics.median(means), 1),
        "best_round_mean": round(min(means), 1),
        "p50": round(singles[len(singles) // 2], 1),
        "p99": round(singles[min(len(singles) - 1, int(len(singles) * 0.99))], 1),
    }


def check(card: IdCard, today: Any) -> Any:
    """What the device worker does with a card before the GUI sees it."""
    return check_card(
        name=card.name or card.english_name,
        id_number=card.id_number,
        card_type=str(card.card_type),
        birth=card.birth,
        valid_to=card.valid_to,
        long_term=card.valid_long_term,
        sex=card.sex,
        today=today,
        photo=card.photo_image,
    )


def bench_decode_and_check(frames: int = 10_000) -> dict[str, Any]:
    import datetime as dt

    responses = [build_response(SW3_OK, encode_read_data(card)) for card in SAMPLE_CARDS]
    # A capture as a USB reader delivers it: in chunks, with wrapper bytes around the frame.
    chunked = [b"\x00\x02" + r[:300] for r in responses], [r[300:] + b"\r\n" for r in responses]
    i = iter(range(10**12))

    def decode() -> None:
        decode_read_response(parse_response(responses[next(i) % len(responses)]))

    def framed_decode() -> None:
        k = next(i) % len(responses)
        reader = FrameReader()
        reader.feed(chunked[0][k])
        decode_read_response(parse_response(reader.feed(chunked[1][k])[0]))

    records = [ssc.record_values(card) for card in SOCIAL_SECURITY_CARDS]

    def decode_ssc() -> None:
        ssc.social_security_card(records[next(i) % len(records)])

    today = dt.date(2026, 3, 2)
    cards = [*SAMPLE_CARDS, *SOCIAL_SECURITY_CARDS]

    def checked() -> None:
        check(cards[next(i) % len(cards)], today)

    for fn in (decode, framed_decode, decode_ssc, checked):  # warm up
        for _ in range(200):
            fn()
    decode_us = measure(decode, frames)
    framed_us = measure(framed_decode, frames)
    ssc_us = measure(decode_ssc, frames)
    check_us = measure(checked, max(1000, frames // 10))
    return {
        "frames": frames,
        "frame_bytes": len(responses[0]),
        "decode_us_per_frame": decode_us,
        "decode_framed_us_per_frame": framed_us,
        "decode_social_security_us": ssc_us,
        "check_card_ms": {k: round(v / 1000, 3) for k, v in check_us.items()},
        "decode_budget_ms": DECODE_BUDGET_MS,
        "fill_budget_ms": FILL_BUDGET_MS,
        "decode_within_budget": framed_us["median_round_mean"] / 1000 <= DECODE_BUDGET_MS,
        "check_within_budget": check_us["p99"] / 1000 <= FILL_BUDGET_MS,
    }
