"""The ticket kiosk (取号机, ``hallclient kiosk``): big Chinese buttons, one per business, each with its
waiting count; a tap issues a ticket, shows the number big, and prints the slip.

Order matters (queue.md §6, FQM #320): the ticket is issued and committed first (``issue_ticket`` on the
thread pool); only when it has come back is the slip sent to the printer on the device thread. The number is
on screen whether the printer works or not, and a failure says what happened in words the customer can act
on ("小票打印失败：缺纸。请记住您的号码或联系工作人员"); the staff line at the bottom says what to fix.

Waiting counts follow the queue through a :class:`~hallclient.ui.queue_watch.QueueWatcher` (change
notification or polling, off the GUI thread).

ID card (``[kiosk] id_card``): the reader is polled on the device thread like at a window; a card read
only greets the person with a masked name ("韩*，您好") until the ticket is issued. Nothing from the card is
stored or printed: the queue has no use for it (a priority class needs a clerk to verify a document), and
recording ID-card data without need is what privacy.md §1 forbids.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QMetaObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from devices.ticketprinter import TicketSlip
from hallclient.config import KioskSection
from hallclient.domain.queue import Ticket
from hallclient.services.hall_display import BusinessWaiting, HallDisplay
from hallclient.services.queue import QueueService
from hallclient.services.queue_ports import QueueEvents
from hallclient.ui.device_worker import DeviceWorker
from hallclient.ui.queue_watch import WatchLane, start_watching
from hallclient.ui.threads import Runner, error_text
from hallclient.ui.ticket_printing import TicketPrinterWorker
from hallclient.ui.workers import Lane

log = logging.getLogger(__name__)

PRINTING = "正在打印小票…"
PRINTED = "请取走小票"
GREETING_MS = 60_000  # a greeting from a card read fades after a minute without a tap

KIOSK_STYLE = """
QWidget#kiosk { background: #eef3f9; }
QLabel#kioskTitle { font-size: 44px; font-weight: bold; color: #0d3b73; }
QLabel#kioskPrompt { font-size: 32px; color: #1d2b3a; }
QPushButton[role="business"] { background: #1d6fd1; border: none; border-radius: 18px; min-height: 220px; }
QPushButton[role="business"]:pressed { background: #1759a8; }
QPushButton[role="business"]:disabled { background: #8fb4e3; }
QLabel#businessName { font-size: 44px; font-weight: bold; color: #ffffff; background: transparent; }
QLabel#businessWaiting { font-size: 30px; color: #dce9fa; background: transparent; }
QLabel#resultCaption { font-size: 44px; color: #1d2b3a; }
QLabel#resultNumber { font-size: 200px; font-weight: bold; color: #0d3b73; }
QLabel#resultAhead { font-size: 52px; font-weight: bold; color: #1d2b3a; }
QLabel#resultBusiness { font-size: 36px; color: #3d4f63; }
QLabel#printState { font-size: 36px; font-weight: bold; padding: 12px; border-radius: 10px; }
QLabel#printState[state="busy"] { color: #3d4f63; }
QLabel#printState[state="ok"] { color: #1e7d32; background: #e3f3e6; }
QLabel#printState[state="failed"] { color: #ffffff; background: #b3261e; }
QPushButton#doneButton { font-size: 36px; min-height: 100px; min-width: 320px; border-radius: 14px;
    background: #ffffff; border: 2px solid #1d6fd1; color: #1d6fd1; }
QLabel#kioskMessage { font-size: 30px; color: #b3261e; }
QLabel#staffLine { font-size: 18px; color: #5b6b7f; }
QLabel#staffLine[state="failed"] { color: #b3261e; font-weight: bold; }
"""


def masked_greeting(name: str) -> str:
    """ "韩*，您好": the surname only (privacy.md §2 allows 张* on public screens)."""
    return f"{name[:1]}*，您好！" if name else "您好！"


class BusinessButton(QPushButton):
    """A big touch target: the business in large type, its waiting count under it."""

    def __init__(self, code: str) -> None:
        super().__init__(objectName=f"business_{code}")
        self.setProperty("role", "business")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.name_label = QLabel("", objectName="businessName", alignment=Qt.AlignmentFlag.AlignCenter)
        self.waiting_label = QLabel("", objectName="businessWaiting", alignment=Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        for label in (self.name_label, self.waiting_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
            layout.addWidget(label)

    def show_business(self, b: BusinessWaiting) -> None:
        self.name_label.setText(f"{b.prefix}  {b.name}")
        self.waiting_label.setText(f"等候 {b.waiting} 人")

    @property
    def shown(self) -> str:
        return f"{self.name_label.text()} {self.waiting_label.text()}"


class KioskWindow(QWidget):
    """Two pages: the business buttons, and the issued number with the slip's fate."""

    ticket_issued = Signal(object)  # Ticket, committed
    issue_failed = Signal(str)
    print_requested = Signal(object)  # TicketSlip, for the printer worker on the device thread

    def __init__(
        self,
        queue: QueueService,
        runner: Runner,
        hall_name: str,
        timezone: str,
        cfg: KioskSection | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("kiosk")
        self.setWindowTitle(f"{hall_name} 取号")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(KIOSK_STYLE)
        self._queue = queue
        self._runner = runner
        self._hall_name = hall_name
        self._tz = ZoneInfo(timezone)
        self._cfg = cfg or KioskSection()
        self._issuing = False
        self.ticket: Ticket | None = None  # the one on the result page
        self.buttons: dict[str, BusinessButton] = {}
        self._businesses: tuple[BusinessWaiting, ...] = ()

        self.title = QLabel(hall_name, objectName="kioskTitle", alignment=Qt.AlignmentFlag.AlignCenter)
        self.prompt = QLabel("请选择您要办理的业务", objectName="kioskPrompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel("", objectName="kioskMessage", alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        home = QWidget()
        home_layout = QVBoxLayout(home)
        home_layout.setContentsMargins(48, 24, 48, 24)
        home_layout.addStretch(1)
        home_layout.addWidget(self.prompt)
        home_layout.addSpacing(24)
        home_layout.addLayout(self.grid)
        home_layout.addSpacing(24)
        home_layout.addWidget(self.message)
        home_layout.addStretch(2)

        self.caption = QLabel("您的号码", objectName="resultCaption", alignment=Qt.AlignmentFlag.AlignCenter)
        self.number = QLabel("", objectName="resultNumber", alignment=Qt.AlignmentFlag.AlignCenter)
        self.ahead = QLabel("", objectName="resultAhead", alignment=Qt.AlignmentFlag.AlignCenter)
        self.business = QLabel("", objectName="resultBusiness", alignment=Qt.AlignmentFlag.AlignCenter)
        self.print_state = QLabel("", objectName="printState", alignment=Qt.AlignmentFlag.AlignCenter)
        self.print_state.setWordWrap(True)
        self.done_button = QPushButton("完成", objectName="doneButton")
        self.done_button.clicked.connect(self.show_home)
        result = QWidget()
        result_layout = QVBoxLayout(result)
        result_layout.setContentsMargins(48, 24, 48, 24)
        result_layout.addStretch(1)
        for w in (self.caption, self.number, self.ahead, self.business):
            result_layout.addWidget(w)
        result_layout.addSpacing(24)
        result_layout.addWidget(self.print_state)
        result_layout.addSpacing(24)
        result_layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignHCenter)
        result_layout.addStretch(1)

        self.pages = QStackedWidget()
        self.pages.addWidget(home)
        self.pages.addWidget(result)
        self.staff_line = QLabel("", objectName="staffLine")
        self.staff_line.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.staff_line)

        self._back = QTimer(self)
        self._back.setSingleShot(True)
        self._back.timeout.connect(self.show_home)
        self._forget = QTimer(self)
        self._forget.setSingleShot(True)
        self._forget.timeout.connect(self._forget_greeting)

    # -- businesses and counts -------------------------------------------------------------------------

    def show_businesses(self, businesses: tuple[BusinessWaiting, ...]) -> None:
        """A snapshot from the queue watcher: buttons for new businesses, fresh counts for all."""
        if [b.code for b in businesses] != [b.code for b in self._businesses]:
            self._build_buttons(businesses)
        self._businesses = businesses
        for b in businesses:
            self.buttons[b.code].show_business(b)
        if not businesses:
            self.message.setText("暂无可取号的业务，请咨询工作人员")
        elif self.message.text().startswith("暂无"):
            self.message.setText("")

    def _build_buttons(self, businesses: tuple[BusinessWaiting, ...]) -> None:
        for button in self.buttons.values():
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        columns = 1 if len(businesses) <= 3 else 2
        for i, b in enumerate(businesses):
            button = BusinessButton(b.code)
            button.clicked.connect(lambda _=False, code=b.code: self.request_ticket(code))
            self.grid.addWidget(button, i // columns, i % columns)
            self.buttons[b.code] = button
        self._enable(not self._issuing)

    def _enable(self, on: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(on)

    # -- issuing ------------------------------------------------------------------------------------------

    def request_ticket(self, code: str) -> None:
        if self._issuing:  # a second tap while the first is being issued takes no second number
            return
        self._issuing = True
        self._enable(False)
        self.message.setText("正在取号，请稍候…")
        self._runner.run_in_background(
            lambda: self._queue.issue_ticket(code), self._on_issued, self._on_issue_failed
        )

    def _on_issued(self, ticket: Ticket) -> None:
        self._issuing = False
        self._enable(True)
        self.message.setText("")
        self._forget_greeting()
        self.ticket = ticket
        self.number.setText(ticket.number)
        self.ahead.setText(f"前面还有 {ticket.waiting_ahead} 人")
        self.business.setText(ticket.business_name)
        self._set_print_state("busy", PRINTING)
        self.pages.setCurrentIndex(1)
        self._back.start(self._cfg.result_seconds * 1000)
        log.info("kiosk issued %s (%d ahead)", ticket.number, ticket.waiting_ahead)
        self.ticket_issued.emit(ticket)
        self.print_requested.emit(self.slip_for(ticket))  # after the commit, and without waiting for it

    def slip_for(self, ticket: Ticket) -> TicketSlip:
        local = ticket.issued_at.astimezone(self._tz)
        qr = self._cfg.qr_template.format(ticket=ticket.number, date=local.date().isoformat()) or None
        return TicketSlip(
            hall_name=self._hall_name,
            business_name=ticket.business_name,
            ticket_number=ticket.number,
            waiting_ahead=ticket.waiting_ahead,
            issued_at=local.replace(tzinfo=None),
            qr_text=qr,
            footer=self._cfg.footer,
        )

    def _on_issue_failed(self, exc: BaseException) -> None:
        self._issuing = False
        self._enable(True)
        text = f"取号未成功：{error_text(exc)}。请重试或联系工作人员"
        self.message.setText(text)
        self.issue_failed.emit(text)

    # -- the printer's answers (from the device thread) ---------------------------------------------------

    def on_slip_printed(self, number: str) -> None:
        if self.ticket is not None and number == self.ticket.number:
            self._set_print_state("ok", PRINTED)

    def on_print_failed(self, number: str, cause: str, _staff_message: str) -> None:
        if self.ticket is None or number != self.ticket.number:
            return
        self._set_print_state("failed", f"小票打印失败：{cause}。请记住您的号码或联系工作人员")
        # The customer has to remember the number: leave it up longer.
        self._back.start(2 * self._cfg.result_seconds * 1000)

    def on_printer_state(self, ready: bool, text: str) -> None:
        self.staff_line.setText(text)
        self.staff_line.setProperty("state", "ok" if ready else "failed")
        self._repolish(self.staff_line)

    def _set_print_state(self, state: str, text: str) -> None:
        self.print_state.setText(text)
        self.print_state.setProperty("state", state)
        self._repolish(self.print_state)

    @staticmethod
    def _repolish(w: QWidget) -> None:
        w.style().unpolish(w)
        w.style().polish(w)

    def show_home(self) -> None:
        self._back.stop()
        self.pages.setCurrentIndex(0)

    def on_read_failed(self, text: str) -> None:
        self.message.setText(f"等候人数暂时无法更新：{text}")

    def on_read_recovered(self) -> None:
        if self.message.text().startswith("等候人数"):
            self.message.setText("")

    # -- ID card (optional) ----------------------------------------------------------------------------------

    def on_card_checked(self, check: Any) -> None:
        """An ApplicantCheck from the device worker: greet, masked; keep nothing."""
        applicant = getattr(check, "applicant", None)
        if applicant is None:
            self.prompt.setText(check.error or "证件无法识别，请直接选择业务")
        else:
            self.prompt.setText(f"{masked_greeting(applicant.name)}请选择您要办理的业务")
        self.show_home()
        self._forget.start(GREETING_MS)

    def _forget_greeting(self) -> None:
        self._forget.stop()
        self.prompt.setText("请选择您要办理的业务")


@dataclass
class KioskStation:
    """A running kiosk: its window, the device lane (printer, card reader) and the queue watcher."""

    window: KioskWindow
    printer: TicketPrinterWorker
    device_lane: Lane
    watch: WatchLane
    reader: DeviceWorker | None = None

    def shutdown(self) -> None:
        log.info("shutting down kiosk")
        self.watch.stop()
        if self.reader is not None and self.device_lane.thread.isRunning():
            QMetaObject.invokeMethod(self.reader, "close", Qt.ConnectionType.BlockingQueuedConnection)
        self.device_lane.stop("close")


def open_kiosk(
    queue: QueueService,
    display: HallDisplay,
    events: QueueEvents,
    runner: Runner,
    hall_name: str,
    timezone: str,
    cfg: KioskSection,
    printer_factory: Callable[[], Any],
    reader_factory: Callable[[], Any] | None = None,
    today: Callable[[], dt.date] | None = None,
    reader_poll_ms: int = 400,
) -> KioskStation:
    """Build and start a kiosk: the window, its printer (and reader) on one device thread, the watcher.
    ``events`` is closed by the station's shutdown."""
    window = KioskWindow(queue, runner, hall_name, timezone, cfg)
    printer = TicketPrinterWorker(printer_factory)
    device_lane = Lane("device", printer)
    window.print_requested.connect(printer.print_requested)
    printer.slip_printed.connect(window.on_slip_printed)
    printer.print_failed.connect(window.on_print_failed)
    printer.state_changed.connect(window.on_printer_state)
    reader = None
    if reader_factory is not None:
        tz = ZoneInfo(timezone)
        reader = DeviceWorker(
            reader_factory, today or (lambda: dt.datetime.now(tz).date()), poll_ms=reader_poll_ms
        )
        reader.moveToThread(device_lane.thread)
        device_lane.thread.started.connect(reader.start)
        reader.card_checked.connect(window.on_card_checked)
    device_lane.start(printer.start)
    codes = cfg.businesses
    watch = start_watching(
        events,
        lambda: display.businesses(codes),
        window.show_businesses,
        window.on_read_failed,
        window.on_read_recovered,
    )
    return KioskStation(window, printer, device_lane, watch, reader)
