"""Unit of work over one SQLAlchemy session; repositories are created per unit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hallclient.store.queue_repo import SqlQueueRepository
from hallclient.store.repositories import (
    SqlAuditRepository,
    SqlCaseRepository,
    SqlCatalogueRepository,
    SqlOutboxRepository,
    SqlStaffRepository,
)
from hallclient.store.review_repo import SqlInquiryRepository, SqlReviewRepository
from hallclient.store.writer_lock import FifoLock, writer_lock


class SqlUnitOfWork:
    def __init__(self, factory: sessionmaker[Session], lock: FifoLock | None = None) -> None:
        self._factory = factory
        self._lock = lock  # SQLite: this process's writers queue in order (store/writer_lock.py)
        self.session: Session | None = None

    def __enter__(self) -> Self:
        if self._lock is not None:
            self._lock.acquire()
        self.session = self._factory()
        s = self.session
        self.staff = SqlStaffRepository(s)
        self.queue = SqlQueueRepository(s)
        self.catalogue = SqlCatalogueRepository(s)
        self.cases = SqlCaseRepository(s)
        self.outbox = SqlOutboxRepository(s)
        self.audit = SqlAuditRepository(s)
        self.inquiries = SqlInquiryRepository(s)
        self.reviews = SqlReviewRepository(s)
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
            if self._lock is not None:
                self._lock.release()

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
        self._lock = writer_lock(engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._lock)
