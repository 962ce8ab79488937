"""A PulseAudio server with a null sink for this package's tests, started once and stopped by PID.

No audio server means these tests FAIL, naming the reason (a silent skip would hide a broken CI, as for
PostgreSQL). ``HALLCLIENT_SKIP_AUDIO=1`` is the explicit, visible opt-out for a machine without PulseAudio.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.voice.pulse_rig import PulseServer, PulseUnavailable, start_pulse

SKIP_VARIABLE = "HALLCLIENT_SKIP_AUDIO"


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1: audio playback tests skipped on request")
    try:
        server = start_pulse(tmp_path_factory.mktemp("pulse"))
    except PulseUnavailable as exc:
        pytest.fail(
            f"no PulseAudio server for the playback tests: {exc}. Set {SKIP_VARIABLE}=1 to skip knowingly."
        )
    try:
        yield server
    finally:
        server.stop()
