"""The SQLite store: migrations match the models, the file is WAL with synchronous=FULL, default place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hallclient import wiring as wiring_mod
from hallclient.config import Config
from hallclient.store import models as m
from hallclient.store.db import alembic_config, is_initialised, make_engine, upgrade
from tests.fakes.clock import FakeClock

SYNCHRONOUS_FULL = 2


def test_migrations_run_to_head_and_match_the_models_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hall.db'}")
    try:
        upgrade(engine)
        upgrade(engine)  # at head already: nothing to do, no error
        # Sibling revisions on 0001 are heads side by side; the store upgrades to all of them.
        heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert set(context.get_current_heads()) == heads
            diff = compare_metadata(context, m.Base.metadata)
        assert diff == [], f"models and migrations differ on SQLite: {diff}"
    finally:
        engine.dispose()


def test_a_file_store_runs_in_wal_mode_with_synchronous_full(tmp_path: Path) -> None:
    path = tmp_path / "hall.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == SYNCHRONOUS_FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
    # WAL is a property of the file: a plain connection (another program, a backup tool) sees it too.
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_make_engine_creates_the_directory_of_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there" / "hall.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        assert path.is_file() and is_initialised(engine)
    finally:
        engine.dispose()


def test_without_a_store_url_the_store_is_a_sqlite_file_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    cfg = Config()
    expected = tmp_path / "data" / "hallclient" / "hallclient.db"
    assert cfg.store.url == ""
    assert cfg.store_url == f"sqlite:///{expected}"

    w = wiring_mod.build(cfg, FakeClock())
    try:
        assert w.engine.dialect.name == "sqlite"
        assert Path(w.engine.url.database or "") == expected
        assert is_initialised(w.engine)
        assert len(w.catalogue) > 0  # first start: set up and the shipped catalogue loaded
    finally:
        w.close()
    assert expected.is_file()
