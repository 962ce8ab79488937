"""The store on a real PostgreSQL: migrations, the whole service cycle, one transaction per decision."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, text

from hallclient import wiring as wiring_mod
from hallclient.domain.cases import CaseStatus, Decision
from hallclient.domain.outbox import OutboxStatus, RecordKind
from hallclient.domain.queue import CallAction, TicketStatus
from hallclient.services.applicants import manual_applicant
from hallclient.services.cases import CaseService
from hallclient.store import models as m
from hallclient.store.db import alembic_config, is_initialised, make_engine, upgrade
from tests.fakes.clock import FakeClock
from tests.integration.store.cycle import (
    ID_NUMBER,
    all_present,
    build,
    item_to_accept,
    row_counts,
    serve_one,
    sign_in,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def w(pg_url: str, clock: FakeClock) -> Iterator[wiring_mod.Wiring]:
    wiring = build(pg_url, clock)
    try:
        yield wiring
    finally:
        wiring.close()


class ExplodingRenderer:
    """A DocumentRenderer whose render fails, as reportlab would on a broken font or template."""

    def __init__(self) -> None:
        self.calls = 0

    def render(self, kind: str, data: Any) -> bytes:
        self.calls += 1
        raise RuntimeError("renderer broke")


def test_migrations_run_to_head_and_match_the_models(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        upgrade(engine)
        upgrade(engine)  # a second run at head is a no-op, not an error
        assert is_initialised(engine)
        # Sibling revisions on 0001 are heads side by side; the store upgrades to all of them.
        heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert set(context.get_current_heads()) == heads
            diff = compare_metadata(context, m.Base.metadata)
        assert diff == [], f"models and migrations differ on PostgreSQL: {diff}"
    finally:
        engine.dispose()


def test_the_service_cycle_writes_case_document_and_outbox_records(
    w: wiring_mod.Wiring, clock: FakeClock
) -> None:
    session = sign_in(w, "2001", "1")
    issued = [w.queue.issue_ticket("general") for _ in range(2)]
    clock.advance(minutes=3)

    served = serve_one(w, session, clock, level=2)

    assert served.ticket_id == issued[0].id  # first come, first served
    outcome = served.outcome
    assert outcome.decision is Decision.ACCEPT
    with w.uow() as uow:
        s = uow.session
        assert s is not None
        case = s.get_one(m.Case, outcome.case_id)
        assert case.status == CaseStatus.ACCEPTED
        assert case.case_no == outcome.case_no
        assert case.ticket_id == served.ticket_id
        assert case.applicant_id_masked == "1101**********002X"
        assert case.received_at == clock.now() and case.received_at.tzinfo is not None
        docs = s.scalars(select(m.Document).where(m.Document.case_id == case.id)).all()
        assert len(docs) == 1
        doc = docs[0]
        assert doc.kind == "acceptance_notice"
        assert doc.pdf.startswith(b"%PDF-") and doc.pdf == outcome.document.pdf
        assert doc.sha256 == hashlib.sha256(doc.pdf).hexdigest() == outcome.document.sha256
        mine = select(m.Outbox).where(m.Outbox.ordering_key.in_([case.case_no, served.inquiry_id]))
        outbox = {r.kind: r for r in s.scalars(mine)}
        # The bad review opened its rectification in the same transaction, ordered after it (case_no).
        assert set(outbox) == {
            RecordKind.CASE_ACCEPT,
            RecordKind.INQUIRY,
            RecordKind.REVIEW,
            RecordKind.RECTIFICATION,
        }
        assert all(r.status == OutboxStatus.PENDING for r in outbox.values())
        accept = outbox[RecordKind.CASE_ACCEPT]
        assert accept.ordering_key == case.case_no
        assert accept.payload["accept_doc_no"] == doc.doc_no
        assert outbox[RecordKind.REVIEW].payload["is_bad"] is True
        assert outbox[RecordKind.INQUIRY].ordering_key == served.inquiry_id
        review = s.get_one(m.Review, served.review_id)
        assert (review.level, review.case_id, review.service_id) == (2, case.id, served.ticket_id)
        task = s.scalars(select(m.Rectification).where(m.Rectification.review_id == review.id)).one()
        assert (task.status, task.ordering_key, task.clerk_id) == (
            "verifying",
            case.case_no,
            session.clerk_id,
        )
        ticket = s.get_one(m.Ticket, served.ticket_id)
        assert ticket.status == TicketStatus.FINISHED and ticket.clerk_id == session.clerk_id
        actions = s.scalars(
            select(m.CallEvent.action)
            .where(m.CallEvent.ticket_id == served.ticket_id)
            .order_by(m.CallEvent.id)
        ).all()
        assert actions == [CallAction.ISSUE, CallAction.CALL, CallAction.FINISH]
        assert s.get_one(m.Ticket, issued[1].id).status == TicketStatus.WAITING


def test_a_renderer_that_raises_leaves_no_case_document_or_outbox_row(
    w: wiring_mod.Wiring, clock: FakeClock
) -> None:
    session = sign_in(w, "2002", "2")
    w.queue.issue_ticket("general")
    ticket = w.queue.call_next(session)
    assert ticket is not None
    item = item_to_accept(w)
    applicant = manual_applicant("张三", ID_NUMBER, "", ticket.business_date)
    renderer = ExplodingRenderer()
    broken = CaseService(w.uow, clock, renderer, w.hall.timezone, w.cases.rules)
    before = row_counts(w)

    with pytest.raises(RuntimeError, match="renderer broke"):
        broken.submit(session, item, applicant, all_present(item), ticket_id=ticket.id)

    assert renderer.calls == 1
    assert row_counts(w) == before  # the case and document counters were not consumed either
    with w.uow() as uow:
        assert uow.session is not None
        assert (
            uow.session.scalar(select(func.count()).select_from(m.Case).where(m.Case.ticket_id == ticket.id))
            == 0
        )
    # The same decision with a working renderer gets this window's first case number of the day.
    outcome = w.cases.submit(session, item, applicant, all_present(item), ticket_id=ticket.id)
    assert outcome.case_no.endswith("0001")


def test_a_failure_after_the_case_row_is_written_rolls_the_whole_decision_back(
    w: wiring_mod.Wiring, clock: FakeClock
) -> None:
    """The outbox insert fails inside PostgreSQL after the case and its PDF were flushed."""
    session = sign_in(w, "2003", "3")
    w.queue.issue_ticket("social")
    ticket = w.queue.call_next(session)
    assert ticket is not None
    item = item_to_accept(w)
    applicant = manual_applicant("张三", ID_NUMBER, "", ticket.business_date)
    with w.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'outbox refused by test trigger'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()"
            )
        )
    before = row_counts(w)
    try:
        with pytest.raises(sa_exc.DBAPIError, match="outbox refused by test trigger"):
            w.cases.submit(session, item, applicant, all_present(item), ticket_id=ticket.id)
    finally:
        with w.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_outbox ON outbox"))
            conn.execute(text("DROP FUNCTION refuse_outbox()"))
    assert row_counts(w) == before
    with w.uow() as uow:
        assert uow.session is not None
        assert (
            uow.session.scalar(select(func.count()).select_from(m.Case).where(m.Case.ticket_id == ticket.id))
            == 0
        )
