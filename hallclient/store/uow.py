"""Unit of work over one SQLAlchemy session; repositories are created per unit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hallclient.store.repositories import (
    SqlAuditRepository,
    SqlCaseRepository,
    SqlCatalogueRepository,
    SqlOutboxRepository,
    SqlQueueRepository,
    SqlStaffRepository,
)


class SqlUnitOfWork:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self.session: Session | None = None

    def __enter__(self) -> Self:
        self.session = self._factory()
        s = self.session
        self.staff = SqlStaffRepository(s)
        self.queue = SqlQueueRepository(s)
        self.catalogue = SqlCatalogueRepository(s)
        self.cases = SqlCaseRepository(s)
        self.outbox = SqlOutboxRepository(s)
        self.audit = SqlAuditRepository(s)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.session is not None
        try:
            self.session.rollback()  # anything not committed explicitly is undone
        finally:
            self.session.close()
            self.session = None

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)
