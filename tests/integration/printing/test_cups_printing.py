"""Printing through a real CUPS queue (cups-pdf), off the GUI thread, and a paused printer's message.

The CUPS scheduler is started here if it is not running (apt never starts it) and stopped by its PID
afterwards; the test queue is removed again. cups-pdf writes each job as a PDF under the user's
``~/PDF`` (/etc/cups/cups-pdf.conf ``Out ${HOME}/PDF``), where the test reads it back.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

QUEUE = "HallclientTestPDF"
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
OUT_DIR = Path.home() / "PDF"

pytestmark = pytest.mark.skipif(
    not (shutil.which("cupsd") and shutil.which("lpadmin") and PPD.exists() and os.geteuid() == 0),
    reason="needs root, CUPS and printer-driver-cups-pdf (scripts/setup installs them)",
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=20, env={**os.environ, "LC_ALL": "C"})


def _scheduler_running() -> bool:
    return "scheduler is running" in _run("lpstat", "-r").stdout


@pytest.fixture(scope="module")
def cups_queue() -> Iterator[str]:
    started = None
    if not _scheduler_running():
        started = subprocess.Popen(["cupsd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not _scheduler_running():
            assert time.monotonic() < deadline, "cupsd did not start within 15 s"
            time.sleep(0.1)
    added = _run("lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-P", str(PPD))
    assert added.returncode == 0, added.stderr
    try:
        yield QUEUE
    finally:
        _run("lpadmin", "-x", QUEUE)
        if started is not None:
            started.terminate()
            started.wait(10)


def _notice() -> bytes:
    import resources
    from hallclient.cli.cases import notice_pdf
    from hallclient.domain.catalogue import load_catalogue

    item = load_catalogue(resources.path("catalogue", "items.json")).get("11610199MB162734XN4000141001000")
    assert item is not None
    return notice_pdf(
        item, [item.materials[0].name], [], ("大厅", "地址", "电话"), "Asia/Shanghai", dt.datetime.now(dt.UTC)
    )


def test_a_document_printed_off_the_gui_thread_comes_out_of_the_cups_queue(
    qapp, cups_queue: str, tmp_path: Path
) -> None:
    from PySide6.QtPrintSupport import QPrinterInfo

    from hallclient.ui.document_printer import DocumentPrinter

    assert cups_queue in QPrinterInfo.availablePrinterNames()
    before = set(OUT_DIR.glob("*.pdf")) if OUT_DIR.exists() else set()
    outcome: dict[str, object] = {}

    def work() -> None:  # what run_in_background does: a pool thread, never the GUI thread
        try:
            outcome["result"] = DocumentPrinter(cups_queue, dpi=150).print_pdf(_notice(), "一次性告知书 CUPS")
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert result.printer == cups_queue and result.pages == 1

    deadline = time.monotonic() + 30
    while not (set(OUT_DIR.glob("*.pdf")) - before if OUT_DIR.exists() else set()):
        assert time.monotonic() < deadline, (
            f"cups-pdf wrote nothing to {OUT_DIR}: {_run('lpstat', '-o').stdout}"
        )
        time.sleep(0.2)
    printed = max(set(OUT_DIR.glob("*.pdf")) - before, key=lambda p: p.stat().st_mtime)
    # cups-pdf writes the file in place while Ghostscript runs: wait until it reads as a whole PDF.
    while (info := _run("pdfinfo", str(printed))).returncode != 0:
        assert time.monotonic() < deadline, f"{printed} never became a readable PDF: {info.stderr}"
        time.sleep(0.2)
    assert "Pages:           1" in info.stdout
    printed.unlink()


def test_a_paused_printer_tells_the_clerk_and_prints_nothing(qapp, cups_queue: str) -> None:
    from hallclient.ui.document_printer import DocumentPrinter, PrintError

    assert _run("cupsdisable", "-r", "paper tray empty", cups_queue).returncode == 0
    try:
        with pytest.raises(PrintError, match="脱机或已暂停") as failed:
            DocumentPrinter(cups_queue).print_pdf(_notice(), "一次性告知书")
        assert "重新打印" in failed.value.message and "已归档" in failed.value.message
    finally:
        _run("cupsenable", cups_queue)
