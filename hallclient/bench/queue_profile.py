"""A compressed synthetic hall day for ``bench queue``: when tickets arrive, for what, how long service takes.

The shape follows one real day of a bank call centre (shared/data/anonymous_bank_one_day_calls.csv,
used only as inspiration — the product never reads it): arrivals rise from 08:00, peak around 10:00
and again mid-afternoon with a lunch dip; service times are log-normal with median 117 s and mean
≈194 s (σ = 1.0 gives mean/median = e^0.5 ≈ 1.65 and p90 ≈ 3.6 × median ≈ 420 s, as measured there).
Everything is compressed so the day fits the run: a service of the median length takes
``median_service_s`` of real time.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass

# Share of the day's tickets issued in each hall hour (08:00 … 17:00); sums to 1.
HOURLY_ARRIVALS = (
    (8, 0.05),
    (9, 0.13),
    (10, 0.15),
    (11, 0.14),
    (12, 0.07),
    (13, 0.10),
    (14, 0.13),
    (15, 0.12),
    (16, 0.09),
    (17, 0.02),
)
SERVICE_SIGMA = 1.0  # log-normal shape of service times
# Ticket mix of a typical hall: business share (4 businesses) and priority share.
BUSINESS_SHARE = (0.40, 0.25, 0.20, 0.15)
PRIORITY_SHARE = 0.08  # of tickets carry a priority class (green, elderly, … appointment)


@dataclass(frozen=True)
class Arrival:
    at_s: float  # seconds after the start of the run
    business: int  # index into the bench's businesses
    priority: str | None  # priority class code, or None


@dataclass(frozen=True)
class Outcome:
    """What happens to one called ticket at the window (a realistic mix)."""

    kind: str  # finish | recall | no_show | no_show_back | hold | transfer_business | transfer_window
    service_s: float


OUTCOMES = (
    ("finish", 0.76),
    ("recall", 0.07),  # re-announced once, then served
    ("no_show", 0.025),  # never came back
    ("no_show_back", 0.025),  # came back late: called back, served
    ("hold", 0.05),  # put aside (missing a copy), called back later, served
    ("transfer_business", 0.045),
    ("transfer_window", 0.025),
)


class Profile:
    def __init__(self, tickets: int, day_s: float, median_service_s: float, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.tickets = tickets
        self.day_s = day_s
        self.median_service_s = median_service_s
        self._outcome_names = [name for name, _ in OUTCOMES]
        self._outcome_cum = _cumulative([w for _, w in OUTCOMES])

    def arrivals(self) -> list[Arrival]:
        """Ticket times spread over the compressed day by the hourly shape, sorted."""
        hours = [h for h, _ in HOURLY_ARRIVALS]
        cum = _cumulative([w for _, w in HOURLY_ARRIVALS])
        biz_cum = _cumulative(list(BUSINESS_SHARE))
        hour_s = self.day_s / len(hours)
        out = []
        for _ in range(self.tickets):
            slot = bisect.bisect(cum, self.rng.random() * cum[-1])
            at = (min(slot, len(hours) - 1) + self.rng.random()) * hour_s
            business = min(bisect.bisect(biz_cum, self.rng.random()), len(BUSINESS_SHARE) - 1)
            priority = None
            if self.rng.random() < PRIORITY_SHARE:
                priority = self.rng.choice(
                    ("green", "military", "elderly", "disabled", "pregnant", "appointment")
                )
            out.append(Arrival(at, business, priority))
        out.sort(key=lambda a: a.at_s)
        return out

    def outcome(self, rng: random.Random) -> Outcome:
        kind = self._outcome_names[bisect.bisect(self._outcome_cum, rng.random() * self._outcome_cum[-1])]
        service = self.median_service_s * math.exp(rng.gauss(0.0, SERVICE_SIGMA))
        return Outcome(kind, min(service, 20 * self.median_service_s))


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out
