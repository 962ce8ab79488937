"""The slip: what it may carry, how it is drawn, and the file and simulated drivers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from PIL import Image

import devices
from devices.errors import DeviceError
from devices.ticketprinter import PaperOut, SlipNotSaved, TicketSlip
from devices.ticketprinter.render import paper_width_px, render_slip
from tests.contracts.ticket_printer import slip


def black_share(image: Image.Image) -> float:
    return image.convert("1").histogram()[0] / (image.width * image.height)


def ink_columns(image: Image.Image) -> tuple[int, int]:
    """Leftmost and rightmost columns with any black."""
    box = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    assert box is not None, "blank slip"
    return box[0], box[2]


def test_a_slip_needs_a_number_and_a_non_negative_count() -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(slip(), ticket_number=" ")
    with pytest.raises(ValueError):
        dataclasses.replace(slip(), waiting_ahead=-1)


def test_a_slip_carries_no_field_for_a_name_or_an_id_number() -> None:
    names = {f.name for f in dataclasses.fields(TicketSlip)}
    assert not names & {"name", "applicant", "id_number", "id_masked", "phone"}


@pytest.mark.parametrize(("paper_mm", "width"), [(80, 576), (58, 384)])
def test_slips_are_as_wide_as_the_printable_paper_and_not_blank(paper_mm: int, width: int) -> None:
    image = render_slip(slip(), paper_width_px(paper_mm))
    assert image.mode == "1"
    assert image.width == width
    assert 300 < image.height < 1200
    assert 0.02 < black_share(image) < 0.5


def test_a_long_hall_name_is_shrunk_or_wrapped_to_stay_on_the_paper() -> None:
    long = dataclasses.replace(
        slip(), hall_name="西安市雁塔区人民政府政务服务中心不动产登记分中心综合受理大厅"
    )
    left, right = ink_columns(render_slip(long, 384))
    assert left > 0 and right < 384


def test_a_qr_code_and_footer_lines_make_the_slip_longer() -> None:
    plain = render_slip(dataclasses.replace(slip(), footer=()))
    with_qr = render_slip(
        dataclasses.replace(slip(), footer=(), qr_text="https://zwfw.example.gov.cn/q/A012")
    )
    with_footer = render_slip(
        dataclasses.replace(slip(), footer=("请留意叫号", "本票当日有效", "过号请到咨询台"))
    )
    assert with_qr.height > plain.height + 150
    assert with_footer.height > plain.height + 60


def test_the_waiting_count_changes_the_picture() -> None:
    a = render_slip(dataclasses.replace(slip(), waiting_ahead=3))
    b = render_slip(dataclasses.replace(slip(), waiting_ahead=8))
    assert a.tobytes() != b.tobytes()


# ---- the file driver -----------------------------------------------------------------------------------


def test_the_file_driver_writes_one_pdf_per_slip_named_by_day_and_number(tmp_path: Path) -> None:
    printer = devices.create(devices.TICKET_PRINTER, "pdf", port=str(tmp_path / "slips"))
    printer.open()
    printer.print_ticket(slip("A012"))
    printer.print_ticket(slip("A012"))  # a reprint does not overwrite
    names = sorted(p.name for p in (tmp_path / "slips").iterdir())
    assert names == ["20260302-A012-2.pdf", "20260302-A012.pdf"]
    data = (tmp_path / "slips" / "20260302-A012.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    # 576 dots at 203 dpi: the PDF page is the 72 mm printable width (204.3 pt).
    box = re.search(rb"/MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", data)
    assert box is not None and abs(float(box.group(1)) * 25.4 / 72 - 72.0) < 0.3


def test_the_file_driver_can_write_png(tmp_path: Path) -> None:
    printer = devices.create(devices.TICKET_PRINTER, "pdf", folder=str(tmp_path), fmt="png")
    printer.open()
    printer.print_ticket(slip("B003"))
    with Image.open(tmp_path / "20260302-B003.png") as image:
        assert image.size[0] == 576


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    printer = devices.create(devices.TICKET_PRINTER, "pdf", port=str(blocker / "slips"))
    with pytest.raises(SlipNotSaved) as caught:
        printer.open()
    assert "小票文件夹" in caught.value.message and caught.value.cause == "无法保存小票"


def test_the_file_driver_needs_a_folder() -> None:
    with pytest.raises(DeviceError, match="ticket_printer_port"):
        devices.create(devices.TICKET_PRINTER, "pdf")


# ---- the simulated driver ------------------------------------------------------------------------------


def test_the_simulated_printer_keeps_slips_and_fails_as_told() -> None:
    printer = devices.create(devices.TICKET_PRINTER, "simulated", fault="paper_out")
    printer.open()
    with pytest.raises(PaperOut) as caught:
        printer.print_ticket(slip("A001"))
    assert caught.value.cause == "缺纸"
    printer.set_fault(None)
    printer.print_ticket(slip("A002"))
    assert [s.ticket_number for s in printer.slips] == ["A002"]


def test_an_unknown_simulated_fault_names_the_known_ones() -> None:
    with pytest.raises(DeviceError, match="paper_out"):
        devices.create(devices.TICKET_PRINTER, "simulated", fault="jam")


def test_the_registry_lists_the_three_ticket_printers() -> None:
    assert [k for k, _ in devices.available(devices.TICKET_PRINTER)] == ["escpos", "pdf", "simulated"]


def test_issued_time_is_printed_as_given(tmp_path: Path) -> None:
    # The kiosk passes hall-local time; the slip does not convert it.
    s = dataclasses.replace(slip(), issued_at=dt.datetime(2026, 3, 2, 23, 59))
    printer = devices.create(devices.TICKET_PRINTER, "pdf", port=str(tmp_path))
    printer.open()
    printer.print_ticket(s)
    assert (tmp_path / "20260302-A012.pdf").exists()
