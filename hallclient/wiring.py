"""Builds the non-Qt parts from a configuration: store, services, document renderer, sync engine.

The CLI uses this directly; app.py adds Qt on top. Nothing here is global: ``build`` returns a value
that owns everything and ``close`` releases it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

import resources
from hallclient.config import Config
from hallclient.domain.catalogue import Catalogue, load_catalogue
from hallclient.printouts import PdfDocumentRenderer
from hallclient.services.auth import AuthService
from hallclient.services.cases import CaseRules, CaseService
from hallclient.services.inquiries import InquiryService
from hallclient.services.ports import Clock, HallInfo, SystemClock
from hallclient.services.queue import QueueService
from hallclient.services.reviews import ReviewService
from hallclient.services.setup import SetupService
from hallclient.store.db import make_engine, upgrade
from hallclient.store.uow import SqlUnitOfWorkFactory
from hallclient.sync.client import HttpPlatformClient
from hallclient.sync.worker import SyncEngine

log = logging.getLogger(__name__)


@dataclass
class Wiring:
    config: Config
    engine: Engine
    uow: SqlUnitOfWorkFactory
    clock: Clock
    hall: HallInfo
    catalogue: Catalogue
    auth: AuthService
    queue: QueueService
    cases: CaseService
    inquiries: InquiryService
    reviews: ReviewService
    setup: SetupService

    def sync_engine(self) -> SyncEngine:
        """A new engine with its own HTTP session: build it on (or hand it to) the sync thread."""
        p = self.config.platform
        client = HttpPlatformClient(
            p.url, p.token or "dev-token", timeout=(3.05, p.timeout_s), verify=p.ca_bundle or True
        )
        return SyncEngine(self.uow, client, self.clock)

    def close(self) -> None:
        self.engine.dispose()


def hall_from_config(cfg: Config) -> HallInfo:
    h = cfg.hall
    return HallInfo(h.code, h.name, h.address, h.phone, h.timezone)


def build(
    cfg: Config, clock: Clock | None = None, *, watermark: str | None = None, **engine_kwargs: Any
) -> Wiring:
    clock = clock or SystemClock()
    engine = make_engine(cfg.store_url, **engine_kwargs)
    upgrade(engine)
    uow = SqlUnitOfWorkFactory(engine)
    setup = SetupService(uow, clock)
    hall = hall_from_config(cfg)
    if not setup.is_set_up():
        setup.ensure(hall)
    items = setup.catalogue()
    if not items:
        shipped = load_catalogue(resources.path("catalogue", "items.json"))
        setup.load_catalogue(list(shipped.items))
        items = list(shipped.items)
    catalogue = Catalogue(items)
    rules = CaseRules(
        case_no_format=cfg.cases.case_no_format,
        supplement_working_days=cfg.cases.supplement_working_days,
        deferred_working_days=cfg.cases.deferred_working_days,
        watermark=watermark,
    )
    tz = cfg.hall.timezone
    return Wiring(
        config=cfg,
        engine=engine,
        uow=uow,
        clock=clock,
        hall=hall,
        catalogue=catalogue,
        auth=AuthService(uow, clock),
        queue=QueueService(uow, clock, tz),
        cases=CaseService(uow, clock, PdfDocumentRenderer(watermark), tz, rules),
        inquiries=InquiryService(uow, clock),
        reviews=ReviewService(uow, clock),
        setup=setup,
    )
