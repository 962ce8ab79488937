"""``hallclient sync token set|show``: the token goes to the secret store, is shown masked, never printed."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from hallclient.cli import main

TOKEN = "tok-5b0e7c1d9f2a4e33"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the CLI's log file
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    path = tmp_path / "config.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "store.db"}"\n[window]\nnumber = "4"\n'
        f'[platform]\nsecret_dir = "{tmp_path / "secrets"}"\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, monkeypatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--config", str(config), *args])


def test_set_reads_stdin_stores_a_0600_file_without_a_keyring_and_show_masks_it(
    config, monkeypatch, capsys, tmp_path
):
    assert run(config, monkeypatch, "sync", "token", "show") == 1
    assert "未配置" in capsys.readouterr().out

    assert run(config, monkeypatch, "sync", "token", "set", stdin=TOKEN + "\n") == 0
    out = capsys.readouterr().out
    stored = tmp_path / "secrets" / "window-4"
    assert str(stored) in out and TOKEN not in out
    assert stored.read_text().strip() == TOKEN
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    assert run(config, monkeypatch, "sync", "token", "show") == 0
    out = capsys.readouterr().out
    assert "window-4" in out and "to******33" in out and TOKEN not in out
    log_text = "".join(p.read_text() for p in (tmp_path / "state").rglob("*.log"))
    assert TOKEN not in log_text


def test_an_empty_token_is_refused_with_a_message(config, monkeypatch, capsys):
    assert run(config, monkeypatch, "sync", "token", "set", stdin="\n") == 2
    assert "令牌为空" in capsys.readouterr().err
