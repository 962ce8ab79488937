"""Errors of the ticket-printer role, one per cause a person can fix (queue.md §6: no vague "print failed").

``message`` is for the clerk or hall IT ("小票打印机缺纸，请更换纸卷"); ``cause`` is a few words for the
customer at the kiosk ("缺纸"), shown as "小票打印失败：缺纸。请记住您的号码或联系工作人员".
"""

from __future__ import annotations

from devices.errors import DeviceError, DeviceNotConnected

__all__ = [
    "CoverOpen",
    "PaperOut",
    "PrinterFault",
    "PrinterNotConnected",
    "PrinterOffline",
    "SlipNotSaved",
    "TicketPrinterError",
]


class TicketPrinterError(DeviceError):
    """Base of the ticket-printer errors: the slip was not printed (the ticket itself is not affected)."""

    default_code = "ticket_printer_error"
    default_message = "小票打印机出现故障，请检查打印机；如仍失败请联系管理员"
    default_cause = "打印机故障"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        detail: str = "",
        cause: str | None = None,
    ) -> None:
        super().__init__(message, code=code, detail=detail)
        self.cause: str = cause or self.default_cause


class PrinterNotConnected(TicketPrinterError, DeviceNotConnected):
    """Unplugged, switched off, unreachable, or not opened."""

    default_code = "printer_not_connected"
    default_message = "小票打印机未连接，请检查打印机电源和连接线"
    default_cause = "打印机未连接"


class PaperOut(TicketPrinterError):
    default_code = "paper_out"
    default_message = "小票打印机缺纸，请更换纸卷"
    default_cause = "缺纸"


class CoverOpen(TicketPrinterError):
    default_code = "cover_open"
    default_message = "小票打印机纸仓盖未合上，请合上纸仓盖"
    default_cause = "打印机盖未合上"


class PrinterOffline(TicketPrinterError):
    """The printer says it is off line without saying why (feeding paper, a pause button)."""

    default_code = "printer_offline"
    default_message = "小票打印机处于暂停（离线）状态，请检查打印机指示灯，必要时关闭电源后重新打开"
    default_cause = "打印机暂停工作"


class PrinterFault(TicketPrinterError):
    """The printer reports an error of its own (cutter jam, head overheated, …)."""

    default_code = "printer_fault"
    default_message = "小票打印机报告故障（如切纸刀卡住），请关闭电源后重新打开；如仍失败请联系管理员"
    default_cause = "打印机故障"


class SlipNotSaved(TicketPrinterError):
    """The file driver could not write the slip (folder missing, no permission, disk full)."""

    default_code = "slip_not_saved"
    default_message = "小票文件无法保存，请检查小票文件夹的权限和磁盘空间"
    default_cause = "无法保存小票"
