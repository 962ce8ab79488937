from __future__ import annotations

from hallclient.store.db import make_engine


def test_a_plain_postgresql_url_keeps_its_password_and_uses_psycopg3() -> None:
    engine = make_engine("postgresql://hall:s3cret@db.local:5432/hall")
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.password == "s3cret"  # str(URL) would have turned it into "***"
    engine.dispose()
