"""The service cycle through the real wiring, shared by the store, queue and sync integration tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from hallclient import wiring as wiring_mod
from hallclient.config import Config
from hallclient.domain.cases import MaterialCheck, MaterialStatus
from hallclient.domain.catalogue import Item
from hallclient.domain.inquiries import InquiryAction, InquiryChannel, InquiryClassification
from hallclient.domain.queue import business_date
from hallclient.services.applicants import manual_applicant
from hallclient.services.auth import ClerkSession
from hallclient.services.cases import CaseOutcome
from hallclient.services.inquiries import InquiryDraft
from hallclient.services.ports import Clock
from hallclient.store import models as m

PASSWORD = "Window@2026pass"
ID_NUMBER = "11010519491231002X"  # the GB 11643 example number: valid check digit, not a real person


def make_config(store_url: str, platform_url: str | None = None) -> Config:
    return Config().with_overrides(
        {"store.url": store_url, "platform.url": platform_url, "platform.token": "window-test-token"}
    )


def build(store_url: str, clock: Clock, platform_url: str | None = None) -> wiring_mod.Wiring:
    return wiring_mod.build(make_config(store_url, platform_url), clock)


def sign_in(w: wiring_mod.Wiring, staff_no: str, window_no: str) -> ClerkSession:
    """Add a clerk and sign them in at ``window_no``."""
    w.auth.add_clerk(staff_no, f"测试{staff_no}", PASSWORD)
    return w.auth.login(staff_no, PASSWORD, window_no, host=f"pc-{window_no}")


def item_to_accept(w: wiring_mod.Wiring) -> Item:
    return next(i for i in w.catalogue.items if len(i.materials) >= 2)


def all_present(item: Item) -> list[MaterialCheck]:
    return [MaterialCheck(mat.name, MaterialStatus.PRESENT) for mat in item.materials]


@dataclass(frozen=True)
class Served:
    ticket_id: str
    outcome: CaseOutcome
    inquiry_id: str
    review_id: str


def serve_one(w: wiring_mod.Wiring, session: ClerkSession, clock: Clock, *, level: int = 5) -> Served:
    """Call the next ticket, log a first inquiry, accept a case, finish, take the review."""
    ticket = w.queue.call_next(session)
    assert ticket is not None, "no ticket waiting"
    assert ticket.called_at is not None
    item = item_to_accept(w)
    applicant = manual_applicant("张三", ID_NUMBER, "", business_date(clock.now(), w.hall.timezone))
    inquiry_id = w.inquiries.record(
        session,
        InquiryDraft(
            InquiryChannel.WINDOW,
            f"{item.name}需要哪些材料？",
            InquiryClassification.OWN_DUTY,
            InquiryAction.ANSWERED,
            answer="已当场告知材料清单",
            item_code=item.task_code,
            ticket_id=ticket.id,
        ),
    )
    outcome = w.cases.submit(session, item, applicant, all_present(item), ticket_id=ticket.id)
    w.queue.finish(session, ticket.id)
    review_id = w.reviews.submit(
        session,
        ticket.id,
        level,
        ["等候时间过长"] if level <= 2 else [],
        "",
        ticket.called_at,
        ticket_id=ticket.id,
        case_id=outcome.case_id,
        case_no=outcome.case_no,
    )
    return Served(ticket.id, outcome, inquiry_id, review_id)


def row_counts(w: wiring_mod.Wiring) -> dict[str, int]:
    """Rows per table that a case decision writes (and the counters it draws from)."""
    tables = {
        "case": m.Case,
        "case_material": m.CaseMaterial,
        "document": m.Document,
        "outbox": m.Outbox,
        "audit": m.AuditLog,
    }
    with w.uow() as uow:
        assert uow.session is not None
        counts = {
            name: uow.session.scalar(select(func.count()).select_from(t)) or 0 for name, t in tables.items()
        }
        counts["counter_total"] = uow.session.scalar(select(func.coalesce(func.sum(m.Counter.value), 0))) or 0
    return counts
