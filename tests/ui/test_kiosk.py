"""The kiosk over a real SQLite store: buttons and counts, issuing, the slip printed after the commit, a
printer failure that loses nothing, and the optional ID-card greeting."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

import devices
from devices.idcard.sample_cards import RESIDENT_FEMALE
from devices.idcard.simulated import SimulatedCardReader
from devices.ticketprinter import TicketSlip
from devices.ticketprinter.simulated import SimulatedTicketPrinter
from hallclient.config import Config, KioskSection, data_dir
from hallclient.services.hall_display import HallDisplay
from hallclient.ui.kiosk import PRINTED, PRINTING, KioskStation, open_kiosk
from hallclient.ui.threads import BackgroundRunner
from hallclient.ui.ticket_printing import ticket_printer_factory
from hallclient.wiring import Wiring
from tests.ui.helpers import dispose, drain
from tests.ui.test_screenshots import shoot

PAPER_OUT_TEXT = "小票打印失败：缺纸。请记住您的号码或联系工作人员"


class GatedPrinter(SimulatedTicketPrinter):
    """Prints only when the test opens the gate: a slow printer, or one a customer is still feeding."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()

    def print_ticket(self, slip: TicketSlip) -> None:
        self.started.set()
        assert self.gate.wait(10), "the test never opened the printer's gate"
        super().print_ticket(slip)


@pytest.fixture
def printer() -> SimulatedTicketPrinter:
    return SimulatedTicketPrinter()


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, wiring: Wiring, runner: BackgroundRunner
) -> Iterator[Callable[..., KioskStation]]:
    stations: list[KioskStation] = []

    def make(
        printer: SimulatedTicketPrinter | None,
        cfg: KioskSection | None = None,
        *,
        printer_factory: Callable[[], object] | None = None,
        ready: bool = True,
        **options: object,
    ) -> KioskStation:
        st = open_kiosk(
            wiring.queue,
            HallDisplay(wiring.uow, wiring.clock, wiring.hall.timezone),
            wiring.queue_events(poll_interval=0.05),
            runner,
            wiring.hall.name,
            wiring.hall.timezone,
            cfg or KioskSection(result_seconds=30),
            printer_factory or (lambda: printer),
            **options,  # type: ignore[arg-type]
        )
        stations.append(st)
        st.window.resize(1080, 1400)
        st.window.show()
        qtbot.waitUntil(lambda: len(st.window.buttons) > 0, timeout=5000)
        if ready:
            qtbot.waitUntil(lambda: "小票打印机就绪" in st.window.staff_line.text(), timeout=5000)
        return st

    yield make
    drain(qtbot, runner)
    for st in stations:
        st.shutdown()
    QApplication.processEvents()
    dispose(*(st.window for st in stations))


@pytest.fixture
def kiosk(make_kiosk: Callable[..., KioskStation], printer: SimulatedTicketPrinter) -> KioskStation:
    return make_kiosk(printer)


def tap(qtbot: QtBot, st: KioskStation, code: str = "general") -> None:
    qtbot.mouseClick(st.window.buttons[code], Qt.MouseButton.LeftButton)


def waiting(wiring: Wiring) -> dict[str, int]:
    return wiring.queue.waiting_by_business()


# ---- buttons and counts ---------------------------------------------------------------------------------


def test_a_big_chinese_button_per_business_with_its_waiting_count(kiosk: KioskStation) -> None:
    shown = [b.shown for b in kiosk.window.buttons.values()]
    assert shown == [
        "A  综合受理 等候 0 人",
        "B  社保医保 等候 0 人",
        "C  企业开办 等候 0 人",
        "D  不动产登记 等候 0 人",
    ]
    assert all(b.height() >= 150 for b in kiosk.window.buttons.values())  # touch targets


def test_waiting_counts_follow_tickets_issued_elsewhere(
    qtbot: QtBot, wiring: Wiring, kiosk: KioskStation
) -> None:
    wiring.queue.issue_ticket("social")  # another kiosk, or the front desk
    wiring.queue.issue_ticket("social")
    qtbot.waitUntil(lambda: kiosk.window.buttons["social"].waiting_label.text() == "等候 2 人", timeout=3000)


def test_only_the_configured_businesses_in_the_configured_order(
    make_kiosk: Callable[..., KioskStation], printer: SimulatedTicketPrinter
) -> None:
    st = make_kiosk(printer, KioskSection(businesses=("realty", "general")))
    assert list(st.window.buttons) == ["realty", "general"]


# ---- issuing and printing ------------------------------------------------------------------------------------


def test_a_tap_issues_a_ticket_shows_it_big_and_prints_the_slip(
    qtbot: QtBot, wiring: Wiring, kiosk: KioskStation, printer: SimulatedTicketPrinter
) -> None:
    wiring.queue.issue_ticket("general")
    wiring.queue.issue_ticket("general")
    tap(qtbot, kiosk)
    w = kiosk.window
    qtbot.waitUntil(lambda: w.number.text() == "A003", timeout=5000)
    assert (w.caption.text(), w.ahead.text(), w.business.text()) == ("您的号码", "前面还有 2 人", "综合受理")
    qtbot.waitUntil(lambda: w.print_state.text() == PRINTED, timeout=5000)
    (slip,) = printer.slips
    assert (slip.ticket_number, slip.waiting_ahead, slip.business_name) == ("A003", 2, "综合受理")
    assert slip.hall_name == wiring.hall.name
    assert slip.issued_at.tzinfo is None  # hall-local wall time, as printed
    qtbot.waitUntil(lambda: w.buttons["general"].waiting_label.text() == "等候 3 人", timeout=3000)


def test_paper_out_loses_no_ticket_and_says_so(
    qtbot: QtBot, wiring: Wiring, kiosk: KioskStation, printer: SimulatedTicketPrinter
) -> None:
    printer.set_fault("paper_out")
    tap(qtbot, kiosk)
    w = kiosk.window
    qtbot.waitUntil(lambda: w.print_state.text() == PAPER_OUT_TEXT, timeout=5000)
    assert w.number.text() == "A001" and w.ahead.text() == "前面还有 0 人"
    assert waiting(wiring) == {"general": 1}  # issued and committed
    assert w.staff_line.text() == "小票打印机缺纸，请更换纸卷"  # what the staff has to fix
    assert printer.slips == []
    # A new roll: the next customer gets a slip, and the staff line says all is well again.
    printer.set_fault(None)
    w.show_home()
    tap(qtbot, kiosk)
    qtbot.waitUntil(lambda: w.number.text() == "A002" and w.print_state.text() == PRINTED, timeout=5000)
    assert "就绪" in w.staff_line.text()


def test_printing_never_holds_up_issuing(
    qtbot: QtBot, wiring: Wiring, make_kiosk: Callable[..., KioskStation]
) -> None:
    slow = GatedPrinter()
    st = make_kiosk(slow)
    try:
        tap(qtbot, st)
        qtbot.waitUntil(lambda: st.window.number.text() == "A001", timeout=5000)
        assert slow.started.wait(5)
        # The slip is still being printed, yet the number is on screen and the ticket is in the store.
        assert st.window.print_state.text() == PRINTING
        assert waiting(wiring) == {"general": 1}
    finally:
        slow.gate.set()
    qtbot.waitUntil(lambda: st.window.print_state.text() == PRINTED, timeout=5000)


def test_a_misconfigured_printer_is_named_for_staff_and_tickets_are_still_issued(
    qtbot: QtBot, wiring: Wiring, make_kiosk: Callable[..., KioskStation]
) -> None:
    st = make_kiosk(
        None, printer_factory=lambda: devices.create(devices.TICKET_PRINTER, "thermal-9000"), ready=False
    )
    qtbot.waitUntil(lambda: "未知的取号打印机驱动“thermal-9000”" in st.window.staff_line.text(), timeout=5000)
    assert "escpos、pdf、simulated" in st.window.staff_line.text()
    tap(qtbot, st)
    qtbot.waitUntil(
        lambda: st.window.print_state.text() == "小票打印失败：打印机未就绪。请记住您的号码或联系工作人员",
        timeout=5000,
    )
    assert st.window.number.text() == "A001" and waiting(wiring) == {"general": 1}


def test_the_file_printer_saves_slips_in_the_user_data_folder_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    made = ticket_printer_factory(Config())()
    assert made.folder == data_dir() / "tickets"
    assert str(made.folder).startswith(str(tmp_path))
    told = Config().with_overrides({"devices.ticket_printer_port": str(tmp_path / "slips")})
    assert ticket_printer_factory(told)().folder == tmp_path / "slips"


def test_a_double_tap_takes_one_number(
    qtbot: QtBot, wiring: Wiring, kiosk: KioskStation, printer: SimulatedTicketPrinter
) -> None:
    kiosk.window.request_ticket("general")
    kiosk.window.request_ticket("general")
    qtbot.waitUntil(lambda: kiosk.window.number.text() == "A001", timeout=5000)
    qtbot.waitUntil(lambda: len(printer.slips) == 1, timeout=5000)
    assert waiting(wiring) == {"general": 1}


def test_the_number_stays_up_for_the_configured_time_then_the_buttons_return(
    qtbot: QtBot, make_kiosk: Callable[..., KioskStation], printer: SimulatedTicketPrinter
) -> None:
    st = make_kiosk(printer, KioskSection(result_seconds=3))
    tap(qtbot, st)
    qtbot.waitUntil(lambda: st.window.pages.currentIndex() == 1, timeout=5000)
    qtbot.waitUntil(lambda: st.window.pages.currentIndex() == 0, timeout=6000)


def test_the_slip_carries_the_configured_footer_and_qr(
    qtbot: QtBot, make_kiosk: Callable[..., KioskStation], printer: SimulatedTicketPrinter
) -> None:
    cfg = KioskSection(footer=("过号请到咨询台",), qr_template="https://q.example.gov.cn/{date}/{ticket}")
    st = make_kiosk(printer, cfg)
    tap(qtbot, st, "realty")
    qtbot.waitUntil(lambda: len(printer.slips) == 1, timeout=5000)
    slip = printer.slips[0]
    assert slip.footer == ("过号请到咨询台",)
    assert slip.qr_text is not None and slip.qr_text.endswith(f"/{slip.issued_at.date().isoformat()}/D001")


# ---- ID card --------------------------------------------------------------------------------------------------


def test_an_id_card_greets_masked_and_nothing_of_it_is_kept(
    qtbot: QtBot, wiring: Wiring, make_kiosk: Callable[..., KioskStation], printer: SimulatedTicketPrinter
) -> None:
    reader = SimulatedCardReader(cards=[])
    st = make_kiosk(printer, KioskSection(id_card=True), reader_factory=lambda: reader, reader_poll_ms=50)
    reader.place(RESIDENT_FEMALE)
    qtbot.waitUntil(lambda: st.window.prompt.text().startswith("韩*，您好"), timeout=5000)
    texts = [label.text() for label in st.window.findChildren(QLabel)]
    assert not any(RESIDENT_FEMALE.name in t or RESIDENT_FEMALE.id_number[-6:] in t for t in texts)
    tap(qtbot, st)
    qtbot.waitUntil(lambda: len(printer.slips) == 1, timeout=5000)
    assert st.window.prompt.text() == "请选择您要办理的业务"  # the greeting goes with the ticket
    assert RESIDENT_FEMALE.name not in repr(printer.slips[0])


# ---- a look -----------------------------------------------------------------------------------------------------


def test_screenshots_of_the_kiosk(
    qtbot: QtBot, tmp_path: Path, wiring: Wiring, kiosk: KioskStation, printer: SimulatedTicketPrinter
) -> None:
    for code in ("general", "general", "social", "realty"):
        wiring.queue.issue_ticket(code)
    w = kiosk.window
    qtbot.waitUntil(lambda: w.buttons["general"].waiting_label.text() == "等候 2 人", timeout=3000)
    shots = [shoot(w, tmp_path, "kiosk-home")]
    printer.set_fault("paper_out")
    tap(qtbot, kiosk)
    qtbot.waitUntil(lambda: w.print_state.text() == PAPER_OUT_TEXT, timeout=5000)
    shots.append(shoot(w, tmp_path, "kiosk-paper-out"))
    for path in shots:
        assert path.stat().st_size > 10_000
