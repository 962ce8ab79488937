"""The PC/SC test rig itself: a leftover daemon is reported at once, never waited on; isolation works."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from tests.emulators.pcscd import Pcscd, PcscdError, can_isolate, port_holders


def test_a_leftover_listener_on_the_vpcd_port_is_reported_by_pid_without_starting_anything(
    tmp_path: Path,
) -> None:
    with socket.socket() as leftover:
        leftover.bind(("127.0.0.1", 0))
        leftover.listen()
        port = leftover.getsockname()[1]
        assert any(f"PID {os.getpid()} " in h and f"port {port}" in h for h in port_holders((port,)))
        daemon = Pcscd(tmp_path, isolated=False)
        daemon.ports = (port, port + 1)  # stands for 35963/35964, which a real leftover pcscd would hold
        started = time.monotonic()
        with pytest.raises(PcscdError) as caught:
            daemon.start()
        assert time.monotonic() - started < 5  # reported, not a hang
    assert f"PID {os.getpid()}" in str(caught.value) and "kill" in str(caught.value)
    assert daemon.pid is None  # nothing was started


def test_the_session_pcscd_is_isolated_when_the_machine_allows_it(pcscd: Pcscd) -> None:
    if not can_isolate():
        pytest.skip("unshare is not allowed here: the host-wide pcscd is used (with leftover detection)")
    assert pcscd.isolated and pcscd.socket.exists() and pcscd.port not in (35963, 35964)
    assert os.environ["PCSCLITE_CSOCK_NAME"] == str(pcscd.socket)
    assert not any(f"PID {pcscd.pid} " in h for h in port_holders((35963, 35964)))
