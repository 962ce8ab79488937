"""Last resort: pending records exported to a signed file on one machine, imported on another, pushed
from there; no duplicates on the platform, whatever is imported twice or released again."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from hallclient.cli import main
from hallclient.config import load_config
from hallclient.domain.outbox import OutboxRecord, RecordKind
from hallclient.sync.reference_platform import ReferencePlatform
from hallclient.wiring import build
from tests.fakes.outbox import sample_record


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the CLI logs to the user log directory: keep it in the test's own folder
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


class Machine:
    """One window PC: its own store, secrets and config file; runs ``hallclient`` commands."""

    def __init__(self, root: Path, name: str, platform: ReferencePlatform) -> None:
        self.dir = root / name
        self.dir.mkdir()
        self.config = self.dir / "config.toml"
        self.config.write_text(
            f'[store]\nurl = "sqlite:///{self.dir / "store.db"}"\n'
            f'[platform]\nurl = "{platform.url}"\ntoken = "token-{name}"\nsecret_dir = "{self.dir / "secrets"}"\n',
            encoding="utf-8",
        )

    def run(self, capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--config", str(self.config), *args])
        out = capsys.readouterr()
        return code, out.out + out.err

    def add(self, *records: OutboxRecord) -> None:
        w = build(load_config(self.config, env={}))
        try:
            with w.uow() as uow:
                for r in records:
                    uow.outbox.add(r)
                uow.commit()
        finally:
            w.close()

    def counts(self):
        w = build(load_config(self.config, env={}))
        try:
            with w.uow() as uow:
                return uow.outbox.counts()
        finally:
            w.close()


def test_export_import_push_release_exactly_once(tmp_path, platform, capsys, monkeypatch):
    a, b = Machine(tmp_path, "a", platform), Machine(tmp_path, "b", platform)
    code, out = a.run(capsys, monkeypatch, "sync", "key", "generate")
    assert code == 0
    key_text = out.strip().splitlines()[-1]
    assert b.run(capsys, monkeypatch, "sync", "key", "set", stdin=key_text + "\n")[0] == 0
    assert (
        a.run(capsys, monkeypatch, "sync", "key", "show")[1]
        == b.run(capsys, monkeypatch, "sync", "key", "show")[1]
    )
    assert key_text not in a.run(capsys, monkeypatch, "sync", "key", "show")[1]

    x1, x2 = sample_record(ordering_key="X"), sample_record(RecordKind.CASE_PROCESS, ordering_key="X")
    y1 = sample_record(ordering_key="Y")
    a.add(x1, x2, y1)

    transfer = tmp_path / "weekend.hcx"
    code, out = a.run(capsys, monkeypatch, "sync", "export", str(transfer))
    assert code == 0 and "已导出 3 条" in out
    assert (a.counts().pending, a.counts().exported) == (0, 3)
    code, out = a.run(capsys, monkeypatch, "sync", "export", str(transfer))
    assert code == 2 and "已存在" in out  # never overwrite an earlier export

    code, out = b.run(capsys, monkeypatch, "sync", "import", str(transfer))
    assert code == 1 and "新导入 3 条" in out  # exit 1: B has pending records now
    code, out = b.run(capsys, monkeypatch, "sync", "import", str(transfer))
    assert "新导入 0 条" in out and "已有 3 条" in out
    assert b.counts().pending == 3

    assert b.run(capsys, monkeypatch, "sync", "run")[0] == 0
    assert Counter(r["id"] for r in platform.records()) == Counter([x1.record_id, x2.record_id, y1.record_id])

    # Back at A: the case goes on; its later record waits behind the exported ones, not pushed alone.
    x3 = sample_record(RecordKind.CASE_RESULT, ordering_key="X")
    a.add(x3)
    code, out = a.run(capsys, monkeypatch, "sync", "run")
    assert "已上报 0 条" in out and platform.count() == 3
    code, out = a.run(capsys, monkeypatch, "sync", "release-exported")
    assert "已将 3 条" in out
    code, out = a.run(capsys, monkeypatch, "sync", "run")
    assert code == 0 and "已上报 4 条，重复 3 条" in out

    stored = platform.records()
    assert Counter(r["id"] for r in stored) == Counter(r.record_id for r in (x1, x2, y1, x3))
    assert [r["id"] for r in stored if r["ordering_key"] == "X"] == [x1.record_id, x2.record_id, x3.record_id]


def test_a_changed_or_foreign_file_is_refused_with_a_clear_message(tmp_path, platform, capsys, monkeypatch):
    a, b, other = (Machine(tmp_path, n, platform) for n in ("a", "b", "other"))
    key_text = a.run(capsys, monkeypatch, "sync", "key", "generate")[1].strip().splitlines()[-1]
    b.run(capsys, monkeypatch, "sync", "key", "set", stdin=key_text + "\n")
    other.run(capsys, monkeypatch, "sync", "key", "generate")  # another hall's key
    a.add(sample_record(ordering_key="X"))
    transfer = tmp_path / "f.hcx"
    assert a.run(capsys, monkeypatch, "sync", "export", str(transfer))[0] == 0

    changed = tmp_path / "changed.hcx"
    changed.write_bytes(transfer.read_bytes().replace("测试申请人".encode(), "测试申请乙".encode()))
    code, out = b.run(capsys, monkeypatch, "sync", "import", str(changed))
    assert code == 1 and "文件签名校验失败" in out and "Traceback" not in out
    code, out = other.run(capsys, monkeypatch, "sync", "import", str(transfer))
    assert code == 1 and "其他大厅" in out
    assert b.counts().pending == 0 and other.counts().pending == 0


def test_export_without_a_key_says_how_to_get_one(tmp_path, platform, capsys, monkeypatch):
    a = Machine(tmp_path, "a", platform)
    a.add(sample_record())
    code, out = a.run(capsys, monkeypatch, "sync", "export", str(tmp_path / "f.hcx"))
    assert code == 1 and "sync key generate" in out
    assert a.counts().pending == 1 and not (tmp_path / "f.hcx").exists()
