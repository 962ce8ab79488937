"""The window token and the transfer key: OS keyring when usable, else a 0600 file; never logged."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

from hallclient.sync.credentials import (
    SERVICE,
    SecretError,
    SecretStore,
    TokenStore,
    mask_secret,
    usable_keyring,
)

TOKEN = "tok-5b0e7c1d9f2a4e33"


class MemoryKeyring(KeyringBackend):
    """A working keyring backend in memory (what Windows Credential Manager or Secret Service would be)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses (a locked collection, no D-Bus session)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"locked ({username})")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"locked, cannot store {password}")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("backend", [fail.Keyring(), None])
def test_without_a_keyring_the_token_goes_to_a_file_only_this_user_can_read(tmp_path, backend):
    secrets = SecretStore(tmp_path / "secrets", backend=backend)
    tokens = TokenStore(secrets, "7")

    where = tokens.set(TOKEN)

    path = tmp_path / "secrets" / "window-7"
    assert where == str(path)
    assert path.read_text().strip() == TOKEN
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert TokenStore(SecretStore(tmp_path / "secrets", backend=None), "7").token() == TOKEN


def test_the_fail_backend_and_an_empty_chain_count_as_no_keyring(monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    assert usable_keyring() is None
    empty = chainer.ChainerBackend.__new__(chainer.ChainerBackend)
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [], raising=False)
    monkeypatch.setattr(keyring, "get_keyring", lambda: empty)
    assert usable_keyring() is None
    working = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: working)
    assert usable_keyring() is working


def test_with_a_keyring_the_token_is_kept_there_under_service_hallclient_and_window_n(tmp_path):
    ring = MemoryKeyring()
    secrets = SecretStore(tmp_path / "secrets", backend=ring)
    tokens = TokenStore(secrets, "12")

    where = tokens.set(TOKEN)

    assert ring.items == {(SERVICE, "window-12"): TOKEN}
    assert "密钥环" in where
    assert not (tmp_path / "secrets" / "window-12").exists()
    assert tokens.token() == TOKEN


def test_a_keyring_that_refuses_falls_back_to_the_file_without_logging_the_token(tmp_path, caplog):
    secrets = SecretStore(tmp_path / "secrets", backend=LockedKeyring())
    tokens = TokenStore(secrets, "3")
    with caplog.at_level(logging.DEBUG):
        tokens.set(TOKEN)
        assert tokens.token() == TOKEN
    assert (tmp_path / "secrets" / "window-3").exists()
    assert "RuntimeError" in caplog.text  # the failure is logged, by type…
    assert TOKEN not in caplog.text  # …never with the secret


def test_the_configured_token_overrides_the_stored_one(tmp_path):
    secrets = SecretStore(tmp_path / "secrets", backend=None)
    TokenStore(secrets, "1").set(TOKEN)
    tokens = TokenStore(secrets, "1", configured="from-config-token")
    assert tokens.token() == "from-config-token"
    assert tokens.source() == "配置项 platform.token"


def test_no_token_anywhere_is_an_empty_token(tmp_path):
    tokens = TokenStore(SecretStore(tmp_path / "secrets", backend=None), "1")
    assert tokens.token() == ""
    assert tokens.source() == "未配置" and tokens.masked() == "（未配置）"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_secret_file_readable_by_others_is_closed_and_reported(tmp_path, caplog):
    secrets = SecretStore(tmp_path / "secrets", backend=None)
    secrets.set("window-1", TOKEN)
    path = tmp_path / "secrets" / "window-1"
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING):
        assert secrets.get("window-1") == TOKEN
    assert mode(path) == 0o600
    assert "readable by other users" in caplog.text and TOKEN not in caplog.text


def test_the_masked_token_does_not_show_it():
    masked = mask_secret(TOKEN)
    assert masked.startswith("to") and masked.endswith("33")
    assert TOKEN[2:-2] not in masked
    assert mask_secret("short") == "******"


@pytest.mark.parametrize("bad", ["", "   ", "two words", "line\nbreak"])
def test_a_blank_or_malformed_token_is_refused(tmp_path, bad):
    tokens = TokenStore(SecretStore(tmp_path / "secrets", backend=None), "1")
    with pytest.raises(SecretError):
        tokens.set(bad)


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", ""])
def test_secret_names_cannot_leave_the_secret_directory(tmp_path, name):
    with pytest.raises(SecretError):
        SecretStore(tmp_path / "secrets", backend=None).set(name, "x")
