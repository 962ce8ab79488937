"""Review pads (评价器): the customer's five-level rating, from a keypad or a simulation.

``base`` holds the port (:class:`ReviewPad`) and the event (:class:`PadEvent`); drivers: ``hid_keys``
(a USB keypad that presents itself as a keyboard, read through evdev with an exclusive grab),
``serial_keypad`` (the byte protocol of docs/review-pad-protocol.md, codec in ``frames``) and
``simulated``. The customer screen (registry key ``screen``) is a Qt window and lives in the app.
"""

from __future__ import annotations

from devices.review_pad.base import PadEvent, ReviewPad

__all__ = ["PadEvent", "ReviewPad"]
