"""Integration fixtures: a fresh PostgreSQL database per test module, on the cluster of pg_virtualenv.

scripts/test runs this tier as ``pg_virtualenv -o fsync=off pytest tests/integration``, which exports
PGHOST, PGPORT, PGUSER, PGPASSWORD (and PGDATABASE). Without them a PostgreSQL test FAILS: a silent
skip would hide a broken CI. ``HALLCLIENT_SKIP_PG=1`` is the explicit, visible opt-out (a skip with
the reason), for a developer machine without PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL

PG_VARIABLES = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD")
SKIP_VARIABLE = "HALLCLIENT_SKIP_PG"


def _pg_environment() -> dict[str, str]:
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1: PostgreSQL integration tests skipped on request")
    missing = [name for name in PG_VARIABLES if not os.environ.get(name)]
    if missing:
        pytest.fail(
            f"no PostgreSQL: {', '.join(missing)} not set. Run this tier under pg_virtualenv "
            f"(`pg_virtualenv -o fsync=off pytest tests/integration`, as scripts/test does), "
            f"or set {SKIP_VARIABLE}=1 to skip the PostgreSQL tests knowingly.",
            pytrace=False,
        )
    return {name: os.environ[name] for name in PG_VARIABLES}


def _admin_connection(env: dict[str, str]) -> psycopg.Connection:
    return psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
        dbname=os.environ.get("PGDATABASE") or "postgres",
        autocommit=True,
        connect_timeout=10,
    )


def _store_url(env: dict[str, str], database: str) -> str:
    host = env["PGHOST"]
    query = {}
    if host.startswith("/"):  # a Unix socket directory: libpq takes it as a query parameter
        query, host = {"host": host}, None
    return URL.create(
        "postgresql+psycopg",
        username=env["PGUSER"],
        password=env["PGPASSWORD"],
        host=host,
        port=int(env["PGPORT"]) if host else None,
        database=database,
        query=query,
    ).render_as_string(hide_password=False)


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create ``hc_<random>`` on the cluster, yield its store URL, drop it afterwards."""
    env = _pg_environment()
    name = f"hc_{secrets.token_hex(6)}"
    with _admin_connection(env) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _store_url(env, name)
    finally:
        with _admin_connection(env) as conn:
            # FORCE: a connection a failed test left open must not keep the database alive.
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """``postgresql+psycopg://USER:PASSWORD@HOST:PORT/hc_<random>``: a database of its own for this module."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def pg_url_per_test() -> Iterator[str]:
    """Like ``pg_url``, but a database of its own for this one test."""
    with fresh_database() as url:
        yield url
