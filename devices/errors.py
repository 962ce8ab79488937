"""Errors raised by every device driver.

Each error carries ``message``: one Chinese sentence a window clerk can act on ("读卡器未连接，请检查连接线"),
shown as is by the UI, and ``code``: a stable English identifier for logs, metrics and ``hallclient doctor``.
``detail`` is optional English technical context for logs; it never contains personal data (no names, no ID
numbers, no card bytes).
"""

from __future__ import annotations

__all__ = [
    "CardReadFailed",
    "DeviceError",
    "DeviceNotConnected",
    "DeviceTimeout",
    "DeviceUnavailable",
    "FrameError",
    "NoCard",
    "PinRequired",
    "SamError",
    "UnsupportedCard",
]


class DeviceError(Exception):
    """Base of every device error: ``message`` for the clerk, ``code`` for machines, ``detail`` for logs."""

    default_code = "device_error"
    default_message = "设备出现故障，请重试；如仍失败请联系管理员"

    def __init__(self, message: str | None = None, *, code: str | None = None, detail: str = "") -> None:
        self.message: str = message or self.default_message
        self.code: str = code or self.default_code
        self.detail: str = detail
        super().__init__(self.message)

    def __str__(self) -> str:
        return (
            f"{self.message} [{self.code}: {self.detail}]" if self.detail else f"{self.message} [{self.code}]"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, detail={self.detail!r})"


class DeviceNotConnected(DeviceError):
    """The device is absent, unplugged, or its port cannot be opened."""

    default_code = "not_connected"
    default_message = "读卡器未连接，请检查连接线"


class DeviceTimeout(DeviceError):
    """The device did not answer in time."""

    default_code = "timeout"
    default_message = "读卡器无响应，请检查连接线，或拔下读卡器后重新插上"


class NoCard(DeviceError):
    """No card in the reader's field when one was needed."""

    default_code = "no_card"
    default_message = "未检测到身份证，请将身份证平放在读卡器上"


class CardReadFailed(DeviceError):
    """The card was there but could not be read or authenticated; re-placing it usually helps."""

    default_code = "card_read_failed"
    default_message = "读取身份证失败，请重新放置身份证"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        detail: str = "",
        sw3: int | None = None,
    ) -> None:
        super().__init__(message, code=code, detail=detail)
        self.sw3: int | None = sw3


class FrameError(DeviceError):
    """A malformed, truncated or corrupted frame: a transmission problem, not a card problem."""

    default_code = "frame_error"
    default_message = "读卡器数据传输出错，请重新放置身份证；如反复出现请检查连接线"


class SamError(DeviceError):
    """The reader's security module (SAM_V) reported a status that is not about the card."""

    default_code = "sam_error"
    default_message = "读卡器安全模块出错，请拔下读卡器后重新插上；如仍失败请联系管理员"

    def __init__(
        self, sw3: int, message: str | None = None, *, code: str | None = None, detail: str = ""
    ) -> None:
        super().__init__(message, code=code, detail=detail)
        self.sw3: int = sw3


class DeviceUnavailable(DeviceError):
    """The driver cannot work on this machine (a library or vendor component is missing)."""

    default_code = "unavailable"
    default_message = "此电脑上无法使用该设备驱动，请联系管理员检查设备设置"


class PinRequired(DeviceError):
    """The card wants its holder's PIN before it shows the data (社会保障卡: SW 6982 / 63Cx).

    Drivers never try a PIN themselves: three wrong tries block the card (idcard.md §9.2). ``code`` is
    ``pin_blocked`` when the card says its PIN is already blocked (SW 6983).
    """

    default_code = "pin_required"
    default_message = "社保卡需要输入密码，请在密码键盘上输入"


class UnsupportedCard(DeviceError):
    """A card was recognised, but this reader cannot read the data the hall needs from it."""

    default_code = "unsupported_card"
    default_message = "此读卡器无法读取该卡片，请使用身份证阅读器，或手工录入"
