"""Linux input events for keypads: the ``input_event`` layout, key names, the key map and its decoder.

No I/O here: :class:`KeyDecoder` turns key events into ratings, so it is tested with synthetic events.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from devices.review_pad.base import LEVELS, MAX_REASON_CODE, PadEvent

__all__ = [
    "DEFAULT_KEY_MAP",
    "EVENT",
    "EV_KEY",
    "EV_SYN",
    "KEY_CODES",
    "KeyDecoder",
    "KeyMapError",
    "parse_key_map",
]

# struct input_event {struct timeval time; __u16 type; __u16 code; __s32 value;} in the native layout
# (24 bytes on 64-bit Linux). <linux/input.h>
EVENT = struct.Struct("@llHHi")
EV_SYN = 0x00
EV_KEY = 0x01
KEY_RELEASED, KEY_PRESSED, KEY_REPEATED = 0, 1, 2

# <linux/input-event-codes.h>: the keys a keypad is likely to send.
KEY_CODES: Mapping[str, int] = {
    "KEY_ESC": 1,
    **{f"KEY_{d}": 2 + i for i, d in enumerate("1234567890")},
    "KEY_BACKSPACE": 14,
    "KEY_TAB": 15,
    **{f"KEY_{c}": code for c, code in zip("QWERTYUIOP", range(16, 26), strict=True)},
    "KEY_ENTER": 28,
    **{f"KEY_{c}": code for c, code in zip("ASDFGHJKL", range(30, 39), strict=True)},
    **{f"KEY_{c}": code for c, code in zip("ZXCVBNM", range(44, 51), strict=True)},
    "KEY_KPASTERISK": 55,
    "KEY_SPACE": 57,
    **{f"KEY_F{n}": 58 + n for n in range(1, 11)},
    "KEY_KP7": 71,
    "KEY_KP8": 72,
    "KEY_KP9": 73,
    "KEY_KPMINUS": 74,
    "KEY_KP4": 75,
    "KEY_KP5": 76,
    "KEY_KP6": 77,
    "KEY_KPPLUS": 78,
    "KEY_KP1": 79,
    "KEY_KP2": 80,
    "KEY_KP3": 81,
    "KEY_KP0": 82,
    "KEY_KPDOT": 83,
    "KEY_F11": 87,
    "KEY_F12": 88,
    "KEY_KPENTER": 96,
    "KEY_KPSLASH": 98,
}

OK, CANCEL = "ok", "cancel"

# Digits on the main row and the keypad give the level with that number; Enter confirms the reasons
# of a bad level; Esc/Backspace start again. No reason keys: a bad level goes to the screen for them.
DEFAULT_KEY_MAP = ",".join(
    [f"KEY_{n}={n}" for n in LEVELS]
    + [f"KEY_KP{n}={n}" for n in LEVELS]
    + ["KEY_ENTER=ok", "KEY_KPENTER=ok", "KEY_ESC=cancel", "KEY_BACKSPACE=cancel"]
)


class KeyMapError(ValueError):
    """A key map the hall IT wrote wrongly; ``message`` says which entry, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _action(value: str, entry: str) -> str:
    value = value.strip().lower()
    if value in (OK, CANCEL):
        return value
    if value.isdigit() and int(value) in LEVELS:
        return value
    if value.startswith("r") and value[1:].isdigit() and 1 <= int(value[1:]) <= MAX_REASON_CODE:
        return f"r{int(value[1:])}"
    raise KeyMapError(
        f"评价键盘按键设置“{entry}”无效：应为 1–5（评价等级）、r1–r{MAX_REASON_CODE}（差评原因）、ok 或 cancel"
    )


def parse_key_map(spec: str | Mapping[str | int, str | int]) -> dict[int, str]:
    """``"KEY_KP5=5,KEY_A=r1,KEY_KPENTER=ok"`` (or a mapping) → {key code: action}; "" → the default map."""
    if isinstance(spec, str):
        text = spec.strip() or DEFAULT_KEY_MAP
        pairs: list[tuple[str, str, str]] = []
        for entry in filter(None, (e.strip() for e in text.replace(";", ",").split(","))):
            key, sep, value = entry.partition("=")
            if not sep:
                raise KeyMapError(f"评价键盘按键设置“{entry}”缺少“=”，格式如 KEY_KP5=5")
            pairs.append((key.strip(), value, entry))
    else:
        pairs = [(str(k), str(v), f"{k}={v}") for k, v in spec.items()]
    result: dict[int, str] = {}
    for key, value, entry in pairs:
        name = key.upper()
        if name.isdigit():
            code = int(name)
        elif name in KEY_CODES or f"KEY_{name}" in KEY_CODES:
            code = KEY_CODES.get(name, KEY_CODES.get(f"KEY_{name}", 0))
        else:
            raise KeyMapError(f"评价键盘按键设置“{entry}”：不认识按键 {key}（可写 KEY_KP5 或数字键码）")
        result[code] = _action(value, entry)
    if not any(a.isdigit() for a in result.values()):
        raise KeyMapError("评价键盘按键设置中没有任何评价等级按键（1–5）")
    return result


class KeyDecoder:
    """Key presses → ratings. A good level (3–5) is a rating at once. A bad level (1–2) is a rating at
    once too when the map has no reason keys; otherwise reason keys toggle reasons until ``ok``.
    ``cancel`` or a new level starts again. Releases, auto-repeat and unmapped keys are ignored."""

    def __init__(self, key_map: Mapping[int, str]) -> None:
        self._map = dict(key_map)
        self._has_reasons = any(a.startswith("r") for a in self._map.values())
        self._pending: int | None = None
        self._reasons: set[int] = set()

    def reset(self) -> None:
        self._pending = None
        self._reasons = set()

    def feed(self, ev_type: int, code: int, value: int) -> PadEvent | None:
        if ev_type != EV_KEY or value != KEY_PRESSED:
            return None
        action = self._map.get(code)
        if action is None:
            return None
        if action.isdigit():
            level = int(action)
            self.reset()
            if level > 2 or not self._has_reasons:
                return PadEvent(level)
            self._pending = level
            return None
        if action == CANCEL:
            self.reset()
            return None
        if self._pending is None:
            return None  # a reason or ok key without a bad level before it
        if action == OK:
            event = PadEvent(self._pending, tuple(self._reasons))
            self.reset()
            return event
        self._reasons ^= {int(action[1:])}
        return None
