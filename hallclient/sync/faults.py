"""Fault injection for the reference platform, from a SPEC string.

Grammar (whitespace around items, keys and values is ignored; an empty SPEC or ``none`` = no faults)::

    SPEC  := "" | "none" | ITEM ("," ITEM)*
    ITEM  := KEY "=" VALUE
    error=RATE        HTTP 500 before anything is stored (batch and pulls)
    drop=RATE         store the batch, then close the connection without an answer
    reject=RATE       answer a record "rejected" (reason given), store nothing for it
    latency_ms=N      hold every request N milliseconds before handling it
    down=SECONDS      answer 503 to everything for the first SECONDS after start
    seed=N            seed of the fault dice, for repeatable runs

RATE is a probability in [0, 1]; each key at most once. Example: ``error=0.3,drop=0.1,seed=7``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

_RATES = ("error", "drop", "reject")
KNOWN_KEYS = (*_RATES, "latency_ms", "down", "seed")
_HELP = "error=RATE, drop=RATE, reject=RATE (RATE 0..1), latency_ms=N, down=SECONDS, seed=N"


@dataclass(frozen=True)
class Faults:
    error: float = 0.0
    drop: float = 0.0
    reject: float = 0.0
    latency_ms: int = 0
    down: float = 0.0
    seed: int | None = None

    def __str__(self) -> str:
        default = Faults()
        parts = [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        ]
        return ",".join(parts) or "none"


def _number(key: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"fault {key}={raw!r}: not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"fault {key}={raw!r}: must be a finite number")
    return value


def _integer(key: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"fault {key}={raw!r}: not a whole number") from None


def parse_faults(spec: str) -> Faults:
    """Parse a SPEC string; a ValueError says what is wrong and what is allowed."""
    text = spec.strip()
    if text in ("", "none"):
        return Faults()
    values: dict[str, float | int] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise ValueError(f"fault spec {spec!r} has an empty item (a stray comma?); expected {_HELP}")
        key, sep, raw = (s.strip() for s in item.partition("="))
        if not sep or not raw:
            raise ValueError(f"fault {item!r} has no value; write KEY=VALUE, one of {_HELP}")
        if key not in KNOWN_KEYS:
            raise ValueError(f"unknown fault {key!r}; known: {_HELP}")
        if key in values:
            raise ValueError(f"fault {key!r} is given twice in {spec!r}")
        if key in _RATES:
            rate = _number(key, raw)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault {key}={raw}: a rate is a probability between 0 and 1")
            values[key] = rate
        elif key == "down":
            seconds = _number(key, raw)
            if seconds < 0:
                raise ValueError(f"fault down={raw}: seconds cannot be negative")
            values[key] = seconds
        else:
            number = _integer(key, raw)
            if key == "latency_ms" and number < 0:
                raise ValueError(f"fault latency_ms={raw}: milliseconds cannot be negative")
            values[key] = number
    return Faults(**values)  # type: ignore[arg-type]
