"""Ticket slips as files: registry key ``pdf``.

Each slip is saved as ``<folder>/<YYYYMMDD>-<number>.pdf`` (``.png`` with ``fmt="png"``): the same 1-bit
image an ESC/POS printer would print, at 203 dpi, so the PDF is 80 (or 58) mm wide and looks like the slip.
For halls without a thermal printer (the slip is printed on an office printer, or not at all), drills and
demos. A reprint of the same number on the same day gets ``-2``, ``-3``, … instead of overwriting.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from devices.errors import DeviceError
from devices.ticketprinter.base import TicketSlip
from devices.ticketprinter.errors import PrinterNotConnected, SlipNotSaved
from devices.ticketprinter.render import DPI, paper_width_px, render_slip

__all__ = ["PdfTicketPrinter"]

log = logging.getLogger(__name__)

_FORMATS = {"pdf": "PDF", "png": "PNG"}


class PdfTicketPrinter:
    """Implements ``TicketPrinter`` by writing files. ``folder`` (or ``port``, the same configuration key
    the ESC/POS driver reads its connection from) is where they go; it is created on ``open``."""

    def __init__(
        self, *, folder: str = "", port: str = "", paper_mm: int = 80, fmt: str = "pdf", **_ignored: object
    ) -> None:
        where = str(folder or port).strip()
        if not where:
            raise DeviceError(
                "未设置小票文件夹，请在设置 [devices] ticket_printer_port 中填写保存小票的文件夹",
                code="bad_printer_port",
                detail="pdf ticket printer without a folder",
            )
        if fmt not in _FORMATS:
            raise DeviceError(f"小票文件格式只能是 pdf 或 png，而不是 {fmt}", code="bad_slip_format")
        try:
            self._width = paper_width_px(paper_mm)
        except ValueError as exc:
            raise DeviceError(str(exc), code="bad_paper_width", detail=f"paper_mm={paper_mm}") from None
        self.folder = Path(where)
        self._fmt = fmt
        self._opened = False
        self.last_path: Path | None = None

    def describe(self) -> str:
        return f"小票文件（{self._fmt.upper()}，保存到 {self.folder}）"

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SlipNotSaved(
                f"无法创建小票文件夹 {self.folder}，请检查路径和权限", detail=f"mkdir: {exc!r}"
            ) from exc
        if not os.access(self.folder, os.W_OK):
            raise SlipNotSaved(f"小票文件夹 {self.folder} 无法写入，请检查文件夹权限", detail="not writable")
        self._opened = True

    def close(self) -> None:
        self._opened = False

    def print_ticket(self, slip: TicketSlip) -> None:
        if not self._opened:
            raise PrinterNotConnected(
                "小票文件打印机未打开，请检查小票打印机设置", detail="pdf printer not open"
            )
        image = render_slip(slip, self._width)
        stem = f"{slip.issued_at:%Y%m%d}-{_safe(slip.ticket_number)}"
        try:
            handle, tmp = tempfile.mkstemp(prefix=".slip-", suffix=f".{self._fmt}", dir=self.folder)
            with os.fdopen(handle, "wb") as out:
                image.save(out, _FORMATS[self._fmt], resolution=float(DPI))
            path = self._free_name(stem)
            os.replace(tmp, path)
        except OSError as exc:
            raise SlipNotSaved(
                f"小票文件无法保存到 {self.folder}，请检查文件夹权限和磁盘空间", detail=f"{exc!r}"
            ) from exc
        self.last_path = path
        log.info("ticket slip saved: %s", path.name)

    def _free_name(self, stem: str) -> Path:
        path = self.folder / f"{stem}.{self._fmt}"
        n = 2
        while path.exists():
            path = self.folder / f"{stem}-{n}.{self._fmt}"
            n += 1
        return path


def _safe(number: str) -> str:
    return "".join(ch for ch in number if ch.isalnum() or ch in "-_") or "ticket"
