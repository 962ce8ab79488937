"""Weekend duty: the client starts, signs in and accepts a case with the platform unreachable, and
nothing on that path waits for the network (DESIGN.md §3, offline mode)."""

from __future__ import annotations

import socket
from pathlib import Path

from hallclient.config import Config
from hallclient.domain.cases import MaterialCheck, MaterialStatus
from hallclient.domain.queue import business_date
from hallclient.services.applicants import manual_applicant
from hallclient.sync.client import NO_TOKEN
from hallclient.wiring import build
from tests.fakes.clock import FakeClock

PASSWORD = "Weekend#2026pass"
UNREACHABLE = "http://127.0.0.1:9"  # discard port on loopback: nothing listens


def config(tmp_path: Path, token: str = "weekend-window-1") -> Config:
    return Config().with_overrides(
        {
            "store.url": f"sqlite:///{tmp_path / 'store.db'}",
            "platform.url": UNREACHABLE,
            "platform.token": token,
            "platform.secret_dir": str(tmp_path / "secrets"),
        }
    )


def test_start_login_and_a_case_make_no_network_call_and_sync_then_reports_offline(tmp_path, monkeypatch):
    connects: list[object] = []
    real_connect = socket.socket.connect

    def spy(self: socket.socket, address: object) -> None:
        connects.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    clock = FakeClock()
    w = build(config(tmp_path), clock)
    try:
        w.auth.add_clerk("7001", "周末值班", PASSWORD)
        session = w.auth.login("7001", PASSWORD, "1", "duty-pc")
        item = next(i for i in w.catalogue.items if i.materials)  # from the local catalogue cache
        applicant = manual_applicant(
            "测试申请人", "11010519491231002X", "", business_date(clock.now(), "Asia/Shanghai")
        )
        outcome = w.cases.submit(
            session, item, applicant, [MaterialCheck(m.name, MaterialStatus.PRESENT) for m in item.materials]
        )
        engine = w.sync_engine()
        before = engine.status()

        assert connects == [], "a network call on the start / login / case path"
        assert outcome.case_no and before.pending == 1 and before.online is None

        report = engine.run_once()  # on the sync thread in the app: the platform is not there

        assert connects, "the sync round did try the platform"
        status = engine.status()
        assert (report.online, status.online, status.pending) == (False, False, 1)
        assert status.offline_since == clock.now() and status.oldest_pending_at is not None
        assert "无法连接" in status.last_error
    finally:
        w.close()


def test_a_window_without_a_token_still_starts_and_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    w = build(config(tmp_path, token=""), FakeClock())
    try:
        engine = w.sync_engine()
        report = engine.run_once()
        assert report.online is False
        assert engine.status().last_error == NO_TOKEN
        # once hall IT stored the token, the same engine uses it
        w.token_store().set("weekend-window-1")
        assert w.token_store().token() == "weekend-window-1"
    finally:
        w.close()
