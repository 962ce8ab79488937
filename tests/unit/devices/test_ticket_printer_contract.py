"""Every ticket-printer driver passes the contract: simulated, the file driver, and ESC/POS over
python-escpos's Dummy backend (taught to answer status queries) and over TCP to a fake network printer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from escpos.printer import Dummy

import devices
from devices.ticketprinter.escpos_status import QUERY_OFFLINE_CAUSE, QUERY_PAPER, QUERY_PRINTER
from devices.ticketprinter.simulated import SimulatedTicketPrinter
from tests.contracts.ticket_printer import PrinterRig, TicketPrinterContract
from tests.emulators.escpos_printer import FakeNetworkPrinter

_QUERIES = {QUERY_PRINTER: 1, QUERY_OFFLINE_CAUSE: 2, QUERY_PAPER: 4}


class StatusDummy(Dummy):
    """python-escpos's Dummy (it records the bytes) with a printer's answers to DLE EOT."""

    def __init__(self) -> None:
        super().__init__()
        self.fault: str | None = None
        self._asked = 0

    def _raw(self, msg: bytes) -> None:
        if msg in _QUERIES:
            self._asked = _QUERIES[msg]
            return
        super()._raw(msg)

    def _read(self) -> bytes:
        paper, cover = self.fault == "paper_out", self.fault == "cover_open"
        value = {
            1: 0x12 | (0x08 if paper or cover else 0),
            2: 0x12 | (0x04 if cover else 0) | (0x20 if paper else 0),
            4: 0x12 | (0x6C if paper else 0),
        }[self._asked]
        return bytes([value])


def _dummy_rig() -> PrinterRig:
    backend = StatusDummy()

    def set_fault(fault: str | None) -> None:
        backend.fault = fault

    return PrinterRig(
        make_printer=lambda: devices.create(devices.TICKET_PRINTER, "escpos", backend=backend),
        printed=lambda: backend.output.count(b"\x1dV\x01"),  # one partial cut per slip
        set_fault=set_fault,
    )


@pytest.fixture(params=["simulated", "pdf", "escpos-dummy", "escpos-tcp"])
def printer_rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PrinterRig]:
    kind = request.param
    if kind == "simulated":
        made: list[SimulatedTicketPrinter] = []

        def make() -> SimulatedTicketPrinter:
            made.append(devices.create(devices.TICKET_PRINTER, "simulated"))
            return made[-1]

        def set_fault(fault: str | None) -> None:
            made[-1].set_fault(fault)

        yield PrinterRig(make, lambda: len(made[-1].slips) if made else 0, set_fault)
    elif kind == "pdf":
        folder = tmp_path / "slips"
        yield PrinterRig(
            lambda: devices.create(devices.TICKET_PRINTER, "pdf", port=str(folder)),
            lambda: len(list(folder.glob("*.pdf"))) if folder.exists() else 0,
        )
    elif kind == "escpos-dummy":
        yield _dummy_rig()
    else:
        fake = FakeNetworkPrinter().start()

        def set_fault(fault: str | None) -> None:
            fake.paper_out, fake.cover_open = fault == "paper_out", fault == "cover_open"

        try:
            yield PrinterRig(
                lambda: devices.create(devices.TICKET_PRINTER, "escpos", port=fake.port_setting, timeout=2.0),
                lambda: fake.cuts,
                set_fault,
            )
        finally:
            fake.stop()


class TestTicketPrinterContract(TicketPrinterContract):
    pass
