"""First-run set-up of a store: hall, businesses, windows, catalogue. Idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hallclient.domain.catalogue import Item
from hallclient.services.ports import Clock, HallInfo, UnitOfWorkFactory


@dataclass(frozen=True)
class BusinessSpec:
    code: str
    name: str
    prefix: str


@dataclass(frozen=True)
class WindowSpec:
    number: str
    name: str
    business_codes: tuple[str, ...]


DEFAULT_BUSINESSES = (
    BusinessSpec("general", "综合受理", "A"),
    BusinessSpec("social", "社保医保", "B"),
    BusinessSpec("enterprise", "企业开办", "C"),
    BusinessSpec("realty", "不动产登记", "D"),
)

DEFAULT_WINDOWS = (
    WindowSpec("1", "综合受理1号窗", ("general", "enterprise")),
    WindowSpec("2", "综合受理2号窗", ("general",)),
    WindowSpec("3", "社保医保窗", ("social", "general")),
    WindowSpec("4", "不动产登记窗", ("realty",)),
)


class SetupService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def is_set_up(self) -> bool:
        with self._uow() as uow:
            try:
                uow.staff.hall()
            except LookupError:
                return False
            return True

    def ensure(
        self,
        hall: HallInfo,
        businesses: Sequence[BusinessSpec] = DEFAULT_BUSINESSES,
        windows: Sequence[WindowSpec] = DEFAULT_WINDOWS,
    ) -> None:
        with self._uow() as uow:
            uow.staff.save_hall(hall)
            ids = {}
            for b in businesses:
                existing = uow.queue.business_by_code(b.code)
                ids[b.code] = existing.id if existing else uow.queue.add_business(b.code, b.name, b.prefix)
            for w in windows:
                if uow.staff.window_by_number(w.number) is None:
                    uow.staff.add_window(w.number, w.name, [ids[c] for c in w.business_codes])
            uow.audit.add(self._clock.now(), None, None, "setup.ensure", hall.code)
            uow.commit()

    def load_catalogue(self, items: Sequence[Item]) -> int:
        with self._uow() as uow:
            n = uow.catalogue.replace_all(items)
            uow.audit.add(self._clock.now(), None, None, "catalogue.replace", detail=f"{n} items")
            uow.commit()
        return n

    def catalogue(self) -> list[Item]:
        with self._uow() as uow:
            return uow.catalogue.items()
