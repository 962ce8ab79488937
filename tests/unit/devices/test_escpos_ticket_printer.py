"""The ESC/POS driver: the bytes it sends (python-escpos's Dummy backend and a fake network printer), how
printer status becomes typed errors, reconnection, and the connection setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import ImageChops

import devices
from devices.errors import DeviceError
from devices.ticketprinter import CoverOpen, PaperOut, PrinterFault, PrinterNotConnected
from devices.ticketprinter.escpos_printer import Connection, EscposTicketPrinter, parse_connection
from devices.ticketprinter.escpos_status import EscposStatus
from devices.ticketprinter.render import render_slip
from tests.contracts.ticket_printer import slip
from tests.emulators.escpos_printer import EscposParser, FakeNetworkPrinter

GS_V_0 = b"\x1dv0"
PARTIAL_CUT = b"\x1dV\x01"


def dummy_bytes(paper_mm: int = 80, **slip_args: object) -> bytes:
    backend = Dummy()
    printer = EscposTicketPrinter(backend=backend, paper_mm=paper_mm)
    printer.open()
    printer.print_ticket(slip(**slip_args))  # type: ignore[arg-type]
    printer.close()
    return bytes(backend.output)


@pytest.fixture
def fake() -> Iterator[FakeNetworkPrinter]:
    f = FakeNetworkPrinter().start()
    yield f
    f.stop()


@pytest.fixture
def net_printer(fake: FakeNetworkPrinter) -> Iterator[EscposTicketPrinter]:
    p = EscposTicketPrinter(port=fake.port_setting, timeout=2.0)
    p.open()
    yield p
    p.close()


# ---- the bytes -----------------------------------------------------------------------------------------


def test_a_slip_is_reset_one_raster_image_and_a_partial_cut() -> None:
    out = dummy_bytes()
    assert out.startswith(b"\x1b@")  # ESC @
    assert out.count(GS_V_0) == 1
    assert out.endswith(PARTIAL_CUT)
    parsed = EscposParser()
    parsed.feed(out)
    assert parsed.out.commands == ["init", "raster", "feed", "cut"]


def test_no_chinese_text_is_sent_in_any_encoding() -> None:
    out = dummy_bytes()
    s = slip()
    for text in (s.hall_name, s.business_name, "您的号码", "前面还有", s.footer[0]):
        for encoding in ("gb18030", "gbk", "utf-8", "big5", "utf-16-le"):
            try:
                encoded = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            assert encoded not in out, f"{text!r} sent as {encoding} text"
    # Nor the number as text: it is only in the picture.
    assert b"A012" not in out


def test_the_raster_sent_is_the_rendered_slip_80_mm() -> None:
    parsed = EscposParser()
    parsed.feed(dummy_bytes())
    (raster,) = parsed.out.rasters
    expected = render_slip(slip(), 576)
    assert (raster.width_bytes, raster.height) == (72, expected.height)
    image = raster.image()
    assert ImageChops.difference(image.convert("L"), expected.convert("L")).getbbox() is None
    black = image.histogram()[0] / (image.width * image.height)
    assert 0.02 < black < 0.5, f"{black:.1%} black: blank or solid"


def test_58_mm_paper_is_384_dots_wide() -> None:
    parsed = EscposParser()
    parsed.feed(dummy_bytes(paper_mm=58))
    assert parsed.out.rasters[0].width_bytes == 48


def test_a_device_file_gets_the_same_bytes_and_no_status_questions(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    printer = devices.create(devices.TICKET_PRINTER, "escpos", port=f"file:{target}")
    printer.open()
    printer.print_ticket(slip())
    printer.close()
    written = target.read_bytes()
    assert written == dummy_bytes()
    assert b"\x10\x04" not in written[:3]


def test_a_paper_width_other_than_58_or_80_is_refused_in_chinese() -> None:
    with pytest.raises(DeviceError, match="58 或 80"):
        EscposTicketPrinter(backend=Dummy(), paper_mm=76)


# ---- status over the network ---------------------------------------------------------------------------


def test_prints_over_tcp_after_asking_the_status(
    fake: FakeNetworkPrinter, net_printer: EscposTicketPrinter
) -> None:
    net_printer.print_ticket(slip())
    assert _wait(lambda: fake.cuts == 1)
    assert fake.commands[:3] == ["status", "status", "init"]  # paper sensor, printer status, then the slip
    assert fake.rasters[0].image().size == render_slip(slip()).size


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        ("paper_out", PaperOut, "小票打印机缺纸，请更换纸卷"),
        ("cover_open", CoverOpen, "小票打印机纸仓盖未合上，请合上纸仓盖"),
        ("error", PrinterFault, "小票打印机报告故障"),
    ],
)
def test_printer_status_becomes_a_typed_error_and_nothing_is_printed(
    fake: FakeNetworkPrinter,
    net_printer: EscposTicketPrinter,
    state: str,
    error: type[Exception],
    message: str,
) -> None:
    setattr(fake, state, True)
    with pytest.raises(error) as caught:
        net_printer.print_ticket(slip())
    assert caught.value.message.startswith(message)  # type: ignore[attr-defined]
    setattr(fake, state, False)
    net_printer.print_ticket(slip())
    assert _wait(lambda: fake.cuts == 1)
    assert len(fake.rasters) == 1


def test_a_stray_status_byte_is_not_taken_for_the_answer(
    fake: FakeNetworkPrinter, net_printer: EscposTicketPrinter
) -> None:
    net_printer.print_ticket(slip("A001"))
    assert _wait(lambda: fake.cuts == 1)
    fake.send_stray(bytes([0x72]))  # "paper end", answering nothing
    net_printer.print_ticket(slip("A002"))  # the printer has paper: this must print
    assert _wait(lambda: fake.cuts == 2)


def test_a_printer_that_never_answers_is_asked_once_and_prints(fake: FakeNetworkPrinter) -> None:
    fake.silent = True
    p = EscposTicketPrinter(port=fake.port_setting, timeout=0.3)
    p.open()
    try:
        p.print_ticket(slip("A001"))
        p.print_ticket(slip("A002"))
    finally:
        p.close()
    assert _wait(lambda: fake.cuts == 2)
    assert fake.commands.count("status") == 1


def test_a_printer_switched_off_and_on_is_reconnected_for_the_next_slip(
    fake: FakeNetworkPrinter, net_printer: EscposTicketPrinter
) -> None:
    net_printer.print_ticket(slip("A001"))
    assert _wait(lambda: fake.cuts == 1)
    fake.drop_connections()
    net_printer.print_ticket(slip("A002"))
    assert _wait(lambda: fake.cuts == 2)
    assert fake.connections == 2


def test_an_unreachable_printer_is_not_connected_with_a_message(fake: FakeNetworkPrinter) -> None:
    port = fake.port
    fake.stop()  # nothing listens there any more
    p = EscposTicketPrinter(port=f"tcp:127.0.0.1:{port}", timeout=1.0)
    with pytest.raises(PrinterNotConnected) as caught:
        p.open()
    assert caught.value.message == "小票打印机未连接，请检查打印机电源和连接线"
    assert caught.value.cause == "打印机未连接"


# ---- status bits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "expected"),
    [
        (0x12, None, 0x12, None),
        (0x12, None, 0x1E, None),  # paper near its end: still prints
        (0x1A, 0x36, 0x7E, CoverOpen),  # cover open wins over the paper sensor
        (0x1A, 0x32, 0x72, PaperOut),
        (0x12, None, 0x72, PaperOut),  # paper sensor alone
        (0x1A, 0x52, 0x12, PrinterFault),
    ],
)
def test_status_bits(printer: int, cause: int | None, paper: int, expected: type | None) -> None:
    problem = EscposStatus(printer, cause, paper).problem()
    assert (type(problem) if problem else None) is expected


def test_paper_near_end_is_noticed() -> None:
    assert EscposStatus(0x12, None, 0x1E).paper_low
    assert not EscposStatus(0x12, None, 0x12).paper_low


# ---- the connection setting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("usb:0416:5011", Connection("usb", vendor=0x0416, product=0x5011)),
        (
            "usb:0x04b8:0x0202:81:02",
            Connection("usb", vendor=0x04B8, product=0x0202, in_ep=0x81, out_ep=0x02),
        ),
        ("serial:/dev/ttyUSB0", Connection("serial", device="/dev/ttyUSB0")),
        ("serial:COM3:19200", Connection("serial", device="COM3", baudrate=19200)),
        ("COM4", Connection("serial", device="COM4")),
        ("tcp:192.168.1.50", Connection("tcp", host="192.168.1.50")),
        ("tcp:printer.hall.local:9101", Connection("tcp", host="printer.hall.local", tcp_port=9101)),
        ("/dev/usb/lp0", Connection("file", device="/dev/usb/lp0")),
        ("file:/dev/usb/lp1", Connection("file", device="/dev/usb/lp1")),
    ],
)
def test_connection_settings(text: str, expected: Connection) -> None:
    assert parse_connection(text) == expected


@pytest.mark.parametrize("text", ["", "usb:0416", "usb:zz:11", "tcp:", "tcp:host:port", "bluetooth:1"])
def test_bad_connection_settings_say_the_format(text: str) -> None:
    with pytest.raises(DeviceError) as caught:
        parse_connection(text)
    assert "usb:0416:5011" in caught.value.message


def test_describe_names_the_connection() -> None:
    assert "网络 192.168.1.50:9100" in EscposTicketPrinter(port="tcp:192.168.1.50").describe()
    assert "USB 0416:5011" in EscposTicketPrinter(port="usb:0416:5011").describe()


def _wait(condition: object, timeout: float = 3.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)  # polling a condition with a deadline
    return bool(condition())  # type: ignore[operator]
