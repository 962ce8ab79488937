"""The in-process writer queue of a SQLite file: arrival order, re-entrant, a give-up loses its turn only."""

from __future__ import annotations

import threading
from pathlib import Path

from hallclient.store.db import StoreError, make_engine
from hallclient.store.writer_lock import FifoLock, writer_lock


def test_waiters_are_served_in_the_order_they_came() -> None:
    lock = FifoLock()
    order: list[int] = []
    lock.acquire()
    turns = [lock.take_turn() for _ in range(5)]  # the order of arrival, fixed here

    def waiter(i: int) -> None:
        lock.wait_turn(turns[i], timeout=10)
        order.append(i)
        lock.release()

    threads = [threading.Thread(target=waiter, args=(i,)) for i in reversed(range(5))]  # started backwards
    for t in threads:
        t.start()
    lock.release()
    for t in threads:
        t.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]


def test_the_owner_may_enter_again() -> None:
    lock = FifoLock()
    lock.acquire()
    lock.acquire()
    lock.release()
    lock.release()
    lock.acquire(timeout=0.1)  # free again
    lock.release()


def test_a_waiter_that_gives_up_does_not_block_the_ones_behind_it() -> None:
    lock = FifoLock()
    lock.acquire()
    errors: list[StoreError] = []
    quitter = threading.Thread(target=lambda: _try(lock, 0.05, errors))
    quitter.start()
    quitter.join(timeout=10)
    assert len(errors) == 1 and "数据库忙" in errors[0].message
    got: list[str] = []
    later = threading.Thread(target=lambda: (lock.acquire(timeout=10), got.append("in"), lock.release()))
    later.start()
    lock.release()  # the abandoned turn is skipped: the waiter behind it gets in
    later.join(timeout=10)
    assert got == ["in"]


def _try(lock: FifoLock, timeout: float, out: list[StoreError]) -> None:
    try:
        lock.acquire(timeout=timeout)
    except StoreError as exc:
        out.append(exc)


def test_one_queue_per_sqlite_file_and_none_for_postgres(tmp_path: Path) -> None:
    a = make_engine(f"sqlite:///{tmp_path / 'hall.db'}")
    b = make_engine(f"sqlite:///{tmp_path / '.' / 'hall.db'}")
    c = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        assert writer_lock(a) is writer_lock(b) is not None
        assert writer_lock(c) is not writer_lock(a)
        assert writer_lock(make_engine("postgresql+psycopg://u:p@127.0.0.1:1/x")) is None
    finally:
        for e in (a, b, c):
            e.dispose()
