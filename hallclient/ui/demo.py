"""``hallclient demo``: one scripted hall morning through the real application, headless or visible.

It drives the real windows through their public slots (as a clerk's clicks would), waits for the
facts they announce, takes screenshots at each step, exports every archived PDF and writes
summary.json. Exit 0 only when every step succeeded and everything reached the platform.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

from hallclient.domain.cases import MaterialStatus
from hallclient.domain.catalogue import Item, Necessity
from hallclient.domain.inquiries import InquiryAction, InquiryClassification
from hallclient.ui.applicant_privacy import privacy_curtain
from hallclient.ui.demo_reviews import referral_and_rectification, review_counts
from hallclient.ui.login_dialog import LoginDialog
from hallclient.ui.threads import BackgroundRunner

log = logging.getLogger(__name__)
DEMO_PASSWORD = "Demo@2026window"


class StepFailed(Exception):
    pass


@dataclass
class DemoRun:
    out: Path
    errors: list[str] = field(default_factory=list)
    shots: list[str] = field(default_factory=list)
    step_no: int = 0

    def shot(self, widget: QWidget, name: str) -> None:
        QApplication.processEvents()
        path = self.out / "screens" / f"{self.step_no:02d}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        with privacy_curtain(widget):  # an ID photo never ends up in a screenshot (privacy.md §3)
            image = widget.grab()
        if not image.save(str(path)):
            self.errors.append(f"截图失败：{path.name}")
        self.shots.append(path.name)


def wait_for(signal: SignalInstance, *, failed: SignalInstance | None = None, timeout_s: float = 20.0) -> Any:
    """Run the event loop until ``signal`` fires; a ``failed`` emission or the timeout raises StepFailed."""
    loop = QEventLoop()
    got: dict[str, Any] = {}

    def ok(*args: Any) -> None:
        got["value"] = args[0] if len(args) == 1 else args
        loop.quit()

    def bad(message: str) -> None:
        got["error"] = message
        loop.quit()

    signal.connect(ok)
    if failed is not None:
        failed.connect(bad)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    try:
        loop.exec()
    finally:
        signal.disconnect(ok)
        if failed is not None:
            failed.disconnect(bad)
    if "error" in got:
        raise StepFailed(got["error"])
    if "value" not in got:
        raise StepFailed(f"等待 {timeout_s:.0f} 秒未完成")
    return got["value"]


def wait_until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def read_card(win: Any) -> Any:
    """Put the next card on the reader. After a read the card must leave the field (lift-and-represent),
    so the first poll after the previous applicant may find nothing: poll again, as the device does."""
    for _ in range(5):
        win.read_card()
        try:
            return wait_for(win.applicant_filled, failed=win.operation_failed, timeout_s=1.0)
        except StepFailed:
            continue
    raise StepFailed("读卡器连续5次未读到证件")


def pick_items(items: list[Item]) -> tuple[Item, Item, Item]:
    """An item to accept, one with a deferrable material (容缺), one to notify (a required, non-deferrable gap)."""
    deferrable = next(i for i in items if i.allows_deferred and i.deferrable_materials)
    accept = next(i for i in items if i is not deferrable and len(i.materials) >= 3)
    notice = next(
        i
        for i in items
        if i not in (deferrable, accept)
        and sum(1 for m in i.materials if m.necessity is Necessity.REQUIRED and not m.deferrable) >= 2
    )
    return accept, deferrable, notice


def run_demo_cycle(
    wiring: Any, station_factory: Callable[..., Any], out: Path, platform: Any
) -> dict[str, Any]:
    run = DemoRun(out)
    app = QApplication.instance()
    assert app is not None
    wiring.auth.add_clerk("1001", "张敏", DEMO_PASSWORD, phone="029-88886666")
    wiring.auth.add_clerk("1002", "李华", DEMO_PASSWORD)
    for code in ("general", "general", "enterprise", "general", "social"):
        wiring.queue.issue_ticket(code)
    runner = BackgroundRunner()
    station = None
    summary_extra: dict[str, Any] = {}
    try:
        run.step_no = 1
        dialog = LoginDialog(wiring.auth, runner, wiring.hall.name, "1", "demo-pc")
        dialog.show()
        dialog.staff_no.setText("1001")
        dialog.password.setText(DEMO_PASSWORD)
        run.shot(dialog, "login")
        dialog.submit()
        session = wait_for(dialog.signed_in)
        dialog.close()
        station = station_factory(wiring, session, runner)
        win, customer = station.window, station.customer
        win.show()
        wait_until(lambda: "读卡器就绪" in win.applicant_panel.reader_state.text(), 10)

        accept_item, defer_item, notice_item = pick_items(list(wiring.catalogue.items))
        scenarios = [
            ("accept", accept_item, {}, 5, []),
            ("defer", defer_item, {defer_item.deferrable_materials[0].name: MaterialStatus.MISSING}, 4, []),
            (
                "notice",
                notice_item,
                {
                    m.name: status
                    for m, status in zip(
                        [
                            m
                            for m in notice_item.materials
                            if m.necessity is Necessity.REQUIRED and not m.deferrable
                        ][:2],
                        (MaterialStatus.MISSING, MaterialStatus.NONCONFORMING),
                        strict=True,
                    )
                },
                2,
                ["等候时间过长"],
            ),
        ]
        for n, (name, item, statuses, level, reasons) in enumerate(scenarios):
            run.step_no += 1
            win.call_next()
            ticket = wait_for(win.ticket_called, failed=win.operation_failed)
            run.shot(win, f"{name}-called")
            run.shot(customer, f"{name}-customer-serving")
            read_card(win)
            run.shot(win, f"{name}-card")
            if n == 0:
                win.inquiry_panel.set_values(
                    f"{item.name}需要哪些材料？",
                    InquiryClassification.OWN_DUTY,
                    InquiryAction.ANSWERED,
                    "已当场告知材料清单并指导填表",
                )
                win.record_inquiry()
                wait_for(win.inquiry_recorded, failed=win.operation_failed)
            win.case_panel.search.setText(item.name[:4])
            wait_until(lambda: win.case_panel.results.count() > 0, 5)
            win.case_panel.choose_item(item.key)
            for material, status in statuses.items():
                win.case_panel.set_status(material, status)
            run.shot(win, f"{name}-checklist")
            win.submit_case()
            outcome = wait_for(win.case_decided, failed=win.operation_failed)
            if str(outcome.decision) != name:
                raise StepFailed(f"{item.name}: 期望判定 {name}，实际 {outcome.decision}")
            run.shot(win, f"{name}-decided")
            win.finish()
            wait_for(win.service_finished, failed=win.operation_failed)
            run.shot(customer, f"{name}-customer-review")
            customer.choose_level(level)
            if reasons:
                run.shot(customer, f"{name}-customer-bad-reasons")
                customer.choose_reasons(reasons, "希望增加周末窗口")
                customer.submit_button.click()
            wait_for(win.review_recorded, failed=win.operation_failed)
            log.info("demo: %s done with ticket %s", name, ticket.number)

        run.step_no += 1
        referral_and_rectification(wiring, win, run, runner, DEMO_PASSWORD, wait_for, StepFailed)

        run.step_no += 1
        win.sync_requested.emit()
        synced = wait_until(lambda: _pending(wiring) == 0, 30)
        QApplication.processEvents()
        run.shot(win, "synced")
        if not synced:
            run.errors.append(f"30 秒内未能全部上报，仍有 {_pending(wiring)} 条待上报")
    except StepFailed as exc:
        run.errors.append(f"第 {run.step_no} 步失败：{exc}")
        log.error("demo step %d failed: %s", run.step_no, exc)
    finally:
        if station is not None:
            station.window.hide()
            station.customer.hide()
            station.shutdown()
    summary_extra["screenshots"] = run.shots
    summary_extra.update(review_counts(wiring))
    return _summary(wiring, platform, out, run.errors, summary_extra)


def _pending(wiring: Any) -> int:
    with wiring.uow() as uow:
        return uow.outbox.counts().pending


def _summary(
    wiring: Any, platform: Any, out: Path, errors: list[str], extra: dict[str, Any]
) -> dict[str, Any]:
    docs_dir = out / "documents"
    docs_dir.mkdir(parents=True, exist_ok=True)
    pdfs = []
    with wiring.uow() as uow:
        counts = {
            k: uow.cases.count(k)
            for k in (
                "tickets",
                "tickets_called",
                "cases_accepted",
                "notices",
                "inquiries",
                "reviews",
                "bad_reviews",
                "documents",
            )
        }
        outbox = uow.outbox.counts()
    for doc in wiring.cases.archive():
        path = docs_dir / f"{doc.doc_no}-{doc.kind}.pdf"
        path.write_bytes(doc.pdf)
        pdfs.append(path.name)
    summary = {
        "tickets_issued": counts["tickets"],
        "tickets_called": counts["tickets_called"],
        "cases_accepted": counts["cases_accepted"],
        "notices_issued": counts["notices"],
        "inquiries": counts["inquiries"],
        "reviews": counts["reviews"],
        "bad_reviews": counts["bad_reviews"],
        "documents": counts["documents"],
        "outbox_created": outbox.pending + outbox.sent + outbox.rejected,
        "outbox_synced": outbox.sent,
        "outbox_rejected": outbox.rejected,
        "platform_records": platform.count(),
        "errors": errors,
        "pdfs": pdfs,
        **extra,
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary
