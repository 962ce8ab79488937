"""First-run set-up of a store: hall, businesses, windows, catalogue. Idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hallclient.domain.catalogue import Item
from hallclient.domain.queue import PriorityClass
from hallclient.services.errors import QueueError
from hallclient.services.ports import Clock, HallInfo, UnitOfWorkFactory


@dataclass(frozen=True)
class BusinessSpec:
    code: str
    name: str
    prefix: str


@dataclass(frozen=True)
class WindowSpec:
    """A window and the businesses it serves. ``priorities`` (one per business code, higher is
    called first) default to the order given: the first business has the highest priority."""

    number: str
    name: str
    business_codes: tuple[str, ...]
    priorities: tuple[int, ...] = ()

    def priority_by_code(self) -> dict[str, int]:
        if self.priorities and len(self.priorities) != len(self.business_codes):
            raise ValueError(f"窗口 {self.number}：priorities 与 business_codes 数量不一致")
        prios = self.priorities or tuple(range(len(self.business_codes) - 1, -1, -1))
        return dict(zip(self.business_codes, prios, strict=True))


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
                    window_id = uow.staff.add_window(w.number, w.name, [ids[c] for c in w.business_codes])
                    prios = w.priority_by_code()
                    uow.queue.set_window_businesses(window_id, {ids[c]: prios[c] for c in w.business_codes})
            uow.audit.add(self._clock.now(), None, None, "setup.ensure", hall.code)
            uow.commit()

    def configure_window(self, spec: WindowSpec) -> None:
        """Set which businesses an existing window serves, with its priority for each."""
        prios = spec.priority_by_code()
        with self._uow() as uow:
            window = uow.staff.window_by_number(spec.number)
            if window is None:
                raise QueueError(f"没有编号为 {spec.number} 的窗口")
            ids = {}
            for code in spec.business_codes:
                business = uow.queue.business_by_code(code)
                if business is None:
                    raise QueueError(f"没有业务类型 {code}")
                ids[code] = business.id
            uow.queue.set_window_businesses(window.id, {ids[c]: prios[c] for c in spec.business_codes})
            detail = ",".join(f"{c}:{prios[c]}" for c in spec.business_codes)
            uow.audit.add(self._clock.now(), None, window.id, "window.businesses", spec.number, detail)
            uow.commit()

    def save_priority_classes(self, classes: Sequence[PriorityClass]) -> None:
        """Add or change priority classes (the hall's data; a class is retired with active=False)."""
        for pc in classes:
            if pc.rank < 1:
                raise QueueError(f"优先类别 {pc.code} 的顺位应为正整数（1 最先）")
        with self._uow() as uow:
            for pc in classes:
                uow.queue.save_priority_class(pc)
            codes = ",".join(pc.code for pc in classes)
            uow.audit.add(self._clock.now(), None, None, "priority_class.save", detail=codes)
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
