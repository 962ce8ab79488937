"""Print archived PDF documents to a system printer through Qt print support.

Blocking and thread-agnostic: the window calls it through ``run_in_background``, never on the GUI
thread (rendering an A4 page at 300 dpi takes a few hundred milliseconds). QtPdf (PDFium, shipped
in the PySide6-Pdf wheel on Windows and Linux alike) rasterises each page into the printer's
painter; no external program is run (docs/decisions.md).

A printer problem raises ``PrintError`` with a sentence for the clerk. Printing never touches the
case: the document is archived before it is printed, and can be printed again.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

log = logging.getLogger(__name__)

NO_PRINTER = "none"  # printer.name = "none": archive only, never print
_ARCHIVED = "文书已归档，可在办件列表中预览并重新打印。"


class PrintError(Exception):
    """A printer problem in words the clerk can act on; the decision and the archive are untouched."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PrintResult:
    printer: str
    pages: int
    copies: int


# CUPS printer-state-reasons and Windows PRINTER_STATUS_* flags → what the clerk should do.
_REASONS = (
    (("media-empty", "media-needed", "paper_out"), "打印机缺纸，请放入A4纸后点「重新打印」。"),
    (("media-jam", "paper_jam"), "打印机卡纸，请取出卡住的纸后点「重新打印」。"),
    (("toner-empty", "marker-supply-empty", "toner_low", "no_toner"), "打印机墨粉或墨水用尽，请更换后点「重新打印」。"),
    (("door-open", "cover-open", "door_open"), "打印机盖板未关好，请关好后点「重新打印」。"),
    (("offline", "offline-report", "paused", "not_available", "shutdown"), "打印机脱机或已暂停，请检查电源和连接线后点「重新打印」。"),
)  # fmt: skip


def describe_reasons(reasons: set[str], printer: str) -> str | None:
    """The clerk's sentence for a set of printer state reasons, or None when nothing is wrong."""
    normal = {r.removesuffix("-error").removesuffix("-warning").removesuffix("-report") for r in reasons}
    normal |= reasons
    for keys, text in _REASONS:
        if normal & set(keys):
            return f"打印机「{printer}」：{text}{_ARCHIVED}"
    return None


def cups_reasons(printer: str) -> set[str]:
    """printer-state-reasons from CUPS (lpstat), empty when unknown. Linux/macOS only."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return set()
    try:
        out = subprocess.run(
            [lpstat, "-l", "-p", printer],
            capture_output=True,
            text=True,
            timeout=3,
            env={**os.environ, "LC_ALL": "C"},  # the words parsed below are CUPS's untranslated ones
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    reasons: set[str] = set()
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Alerts:"):
            reasons |= {r for r in line.removeprefix("Alerts:").split() if r != "none"}
        if "disabled" in line and line.startswith("printer"):
            reasons.add("paused")
    return reasons


def windows_reasons(printer: str) -> set[str]:  # pragma: no cover - Windows only
    """PRINTER_INFO_2.Status flags of the Windows spooler, as reason names."""
    import ctypes
    from ctypes import wintypes

    flags = {0x10: "paper_out", 0x8: "paper_jam", 0x80: "offline", 0x1: "paused", 0x40000: "no_toner",
             0x400000: "door_open", 0x1000: "not_available"}  # fmt: skip
    winspool = ctypes.WinDLL("winspool.drv")
    handle = wintypes.HANDLE()
    if not winspool.OpenPrinterW(printer, ctypes.byref(handle), None):
        return {"not_available"}
    try:
        needed = wintypes.DWORD()
        winspool.GetPrinterW(handle, 2, None, 0, ctypes.byref(needed))
        buffer = ctypes.create_string_buffer(needed.value)
        if not winspool.GetPrinterW(handle, 2, buffer, needed, ctypes.byref(needed)):
            return set()
        # PRINTER_INFO_2: 13 pointers, then Attributes, Priority, DefaultPriority, StartTime, UntilTime, Status.
        offset = 13 * ctypes.sizeof(ctypes.c_void_p) + 5 * 4
        status = int.from_bytes(buffer.raw[offset : offset + 4], "little")
    finally:
        winspool.ClosePrinter(handle)
    return {name for bit, name in flags.items() if status & bit}


def printer_reasons(printer: str) -> set[str]:
    try:
        return windows_reasons(printer) if sys.platform == "win32" else cups_reasons(printer)
    except Exception:  # a probe must never stop printing; Qt's own state still applies
        log.warning("printer status probe failed", exc_info=True)
        return set()


class DocumentPrinter:
    """Prints PDFs to the configured printer: ``""`` the system default, ``"none"`` never."""

    def __init__(self, printer_name: str = "", dpi: int = 300) -> None:
        self.printer_name = printer_name
        self.dpi = dpi

    @property
    def enabled(self) -> bool:
        return self.printer_name.strip().lower() != NO_PRINTER

    def target(self) -> QPrinterInfo:
        """The printer to use, or PrintError saying why there is none."""
        if self.printer_name:
            info = QPrinterInfo.printerInfo(self.printer_name)
            if info.isNull():
                names = "、".join(QPrinterInfo.availablePrinterNames()) or "（无）"
                raise PrintError(
                    f"找不到配置的打印机「{self.printer_name}」（本机打印机：{names}），请检查打印机是否开机联网，"
                    f"或请大厅IT修改 printer.name。{_ARCHIVED}"
                )
            return info
        info = QPrinterInfo.defaultPrinter()
        if info.isNull():
            available = QPrinterInfo.availablePrinters()
            if not available:
                raise PrintError(f"本机没有安装打印机，请连接打印机或联系大厅IT。{_ARCHIVED}")
            info = available[0]
        return info

    def print_pdf(
        self, pdf: bytes, title: str, copies: int = 1, output_file: Path | None = None
    ) -> PrintResult:
        """Print every page of ``pdf``; ``output_file`` prints into a PDF file instead (tests, 另存)."""
        if output_file is None and not self.enabled:
            raise PrintError(f"本窗口未配置打印机（printer.name = none）。{_ARCHIVED}")
        document = QPdfDocument()
        buffer = QBuffer()
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document.load(buffer)
        if document.status() is not QPdfDocument.Status.Ready or document.pageCount() == 0:
            raise PrintError(f"文书文件已损坏，无法打印（{document.error().name}），请联系大厅IT。")
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if output_file is not None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(output_file))
            name = str(output_file)
        else:
            info = self.target()
            name = info.printerName()
            problem = describe_reasons(printer_reasons(name), name)
            if problem is None and info.state() in (
                QPrinter.PrinterState.Error,
                QPrinter.PrinterState.Aborted,
            ):
                problem = (
                    f"打印机「{name}」报告错误（可能缺纸、卡纸或脱机），请检查后点「重新打印」。{_ARCHIVED}"
                )
            if problem:
                raise PrintError(problem)
            printer.setPrinterName(name)
        printer.setDocName(title)
        printer.setResolution(self.dpi)
        printer.setFullPage(True)  # the PDF already has its margins
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QPageLayout().margins()
            )
        )
        printer.setCopyCount(max(1, copies))
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintError(f"无法连接打印机「{name}」，请检查打印机是否开机、联网或缺纸。{_ARCHIVED}")
        try:
            for page in range(document.pageCount()):
                if page and not printer.newPage():
                    raise PrintError(f"打印机「{name}」中途出错，请检查后点「重新打印」。{_ARCHIVED}")
                rect = printer.pageLayout().fullRectPixels(printer.resolution())
                image = document.render(page, QSize(rect.width(), rect.height()))
                painter.drawImage(QRect(0, 0, rect.width(), rect.height()), image)
        finally:
            ended = painter.end()
        if not ended or printer.printerState() in (
            QPrinter.PrinterState.Error,
            QPrinter.PrinterState.Aborted,
        ):
            raise PrintError(f"打印机「{name}」没有接受打印任务，请检查后点「重新打印」。{_ARCHIVED}")
        log.info("printed %s (%d pages) on %s", title, document.pageCount(), name)
        return PrintResult(name, document.pageCount(), max(1, copies))
