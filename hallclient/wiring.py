"""Builds the non-Qt parts from a configuration: store, services, document renderer, sync engine.

The CLI uses this directly; app.py adds Qt on top. Nothing here is global: ``build`` returns a value
that owns everything and ``close`` releases it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

import resources
from hallclient.config import Config, config_dir
from hallclient.domain.catalogue import Catalogue, load_catalogue
from hallclient.domain.queue import PriorityPolicy, QueueRules
from hallclient.printouts import PdfDocumentRenderer
from hallclient.services.auth import AuthService
from hallclient.services.cases import CaseRules, CaseService
from hallclient.services.inquiries import InquiryService
from hallclient.services.ports import Clock, HallInfo, PlatformError, SystemClock
from hallclient.services.privacy import RevealService
from hallclient.services.queue import QueueService
from hallclient.services.queue_ports import QueueEvents
from hallclient.services.rectifications import RectificationService
from hallclient.services.reviews import ReviewService
from hallclient.services.setup import SetupService
from hallclient.store.db import make_engine, upgrade
from hallclient.store.lease import lease_for
from hallclient.store.queue_events import open_queue_events
from hallclient.store.uow import SqlUnitOfWorkFactory
from hallclient.sync.client import NO_TOKEN, DeferredPlatformClient, HttpPlatformClient
from hallclient.sync.credentials import SecretStore, TokenStore
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
    rectifications: RectificationService

    def secrets(self) -> SecretStore:
        """The OS keyring, or 0600 files in ``platform.secret_dir`` (default: user config dir/secrets)."""
        p = self.config.platform
        return SecretStore(Path(p.secret_dir) if p.secret_dir else config_dir() / "secrets")

    @property
    def reveals(self) -> RevealService:
        """The audited reveal of full ID numbers (privacy.md §2); stateless, so built on use."""
        return RevealService(self.uow, self.clock, self.config.privacy.reveal_seconds)

    def token_store(self) -> TokenStore:
        return TokenStore(self.secrets(), self.config.window.number, self.config.platform.token)

    def sync_engine(self, **options: Any) -> SyncEngine:
        """A new engine with its own HTTP session and sync lease: hand it to the sync thread.

        Nothing here touches the network or the keyring: the client is built on its first use,
        so a cold start never waits for the platform (weekend duty starts offline). ``options``
        go to SyncEngine (batch size, back-off, …)."""
        p = self.config.platform
        tokens = self.token_store()

        def client() -> HttpPlatformClient:
            token = tokens.token()
            if not token:
                raise PlatformError(NO_TOKEN, retryable=False)
            return HttpPlatformClient(p.url, token, timeout=(3.05, p.timeout_s), verify=p.ca_bundle or True)

        options.setdefault("lease", lease_for(self.engine))
        return SyncEngine(self.uow, DeferredPlatformClient(client), self.clock, **options)

    def queue_events(self, poll_interval: float | None = None) -> QueueEvents:
        """A new change listener (LISTEN/NOTIFY + polling on PostgreSQL, polling on SQLite); close it."""
        return open_queue_events(self.engine, poll_interval)

    def close(self) -> None:
        self.engine.dispose()


def queue_rules(cfg: Config) -> QueueRules:
    q = cfg.queue
    return QueueRules(q.recall_limit, q.call_back_minutes, PriorityPolicy(q.priority_policy), q.interleave_n)


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
        notice_working_days=cfg.cases.notice_working_days,
        issue_receipt=cfg.cases.issue_receipt,
        review_authority=cfg.cases.review_authority,
        watermark=watermark,
    )
    tz = cfg.hall.timezone
    # One renderer: every acceptance notice's QR invites a review of its case (review.url_template).
    renderer = PdfDocumentRenderer(watermark, review_url_template=cfg.review.url_template)
    return Wiring(
        config=cfg,
        engine=engine,
        uow=uow,
        clock=clock,
        hall=hall,
        catalogue=catalogue,
        auth=AuthService(uow, clock),
        queue=QueueService(uow, clock, tz, queue_rules(cfg)),
        cases=CaseService(uow, clock, renderer, tz, rules),
        inquiries=InquiryService(uow, clock, renderer, tz, lambda code: _item_name(catalogue, code)),
        reviews=ReviewService(uow, clock, rectification_days=cfg.review.rectification_days, timezone=tz),
        setup=setup,
        rectifications=RectificationService(uow, clock, tz),
    )


def _item_name(catalogue: Catalogue, code: str) -> str:
    item = catalogue.get(code)
    return item.name if item else ""
