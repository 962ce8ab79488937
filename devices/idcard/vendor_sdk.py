"""ID-card readers through the vendor's own library (ctypes): registry key ``vendor-sdk`` (idcard.md §10).

Two library families are common in halls; both are optional, found only if installed, never bundled:

- ``termb`` (CVR SDK, e.g. 新中新 / 华视): ``CVR_InitComm(port)`` → 1, ``CVR_Authenticate()`` → 1 card
  found and selected / 2 none / 3 select failed / 0 not initialised, ``CVR_Read_Content(4)`` → 1, then
  ``GetPeopleName(buf, &len)`` … ``GetEndDate`` (GBK text) and ``GetBMPData(buf, &len)``: the photo as a BMP
  decoded by the vendor's licensed decoder, in memory. ``4`` asks for the read without the wz.txt / zp.bmp
  files older versions wrote for ``1`` [I]. The fingerprint read (``CVR_Read_FPContent``) is never called.
- ``sdtapi``: ``SDT_OpenPort`` → 0x90, ``SDT_StartFindIDCard`` → 0x9F, ``SDT_SelectIDCard`` → 0x90,
  ``SDT_ReadBaseMsg`` → 0x90 with the raw 256-byte text block (decoded by :mod:`devices.idcard.text`, so
  ``I``/``J`` cards come out right) and the 1024-byte WLT photo. The photo stays encrypted (``photo_wlt``):
  the only decoder paired with sdtapi (``WltRS.dll`` ``GetBmp``) works through files, which privacy.md §3
  forbids, so the clerk sees "照片不可用".

Ports are the vendors' numbers: 1001–1016 USB (default 1001), 1–16 serial COM1–COM16.

The vendors ship 32-bit Windows DLLs: a 64-bit Python cannot load them (idcard.md §10 suggests a 32-bit
helper process; not built yet), which is reported as such. With no library at all, ``open()`` raises
``DeviceUnavailable`` "未找到身份证阅读器厂商驱动（termb.dll/sdtapi.dll）".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import enum
import logging
import re
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from devices.errors import (
    CardReadFailed,
    DeviceError,
    DeviceNotConnected,
    DeviceTimeout,
    DeviceUnavailable,
)
from devices.idcard.codes import NATIONS, SEXES, nation_text, sex_text
from devices.idcard.frames import SW3_CARD_FOUND, SW3_NO_CARD, SW3_OK, status_error
from devices.idcard.model import CardType, IdCard
from devices.idcard.text import LONG_TERM, TEXT_SIZE, decode_text

__all__ = ["DEFAULT_LIBRARIES", "VendorSdkReader", "load_vendor_library"]

log = logging.getLogger(__name__)

MISSING = "未找到身份证阅读器厂商驱动（termb.dll/sdtapi.dll）"
_NOT_OPEN = "读卡器未打开，请重新连接读卡器"
_WRONG_BITS = "身份证阅读器厂商驱动与本程序位数不符（厂商驱动多为 32 位），请联系管理员安装匹配的驱动"
_NOT_A_SDK = "指定的文件不是身份证阅读器厂商驱动（缺少 CVR_InitComm 或 SDT_OpenPort），请检查设备设置"
_PORT_FAILED = "无法打开身份证阅读器（端口 {port}），请检查连接线和设备设置中的端口号"
_READ_FAILED = "读取身份证失败，请重新放置身份证，放稳后不要移动"

if sys.platform == "win32":
    DEFAULT_LIBRARIES: tuple[str, ...] = ("termb.dll", "sdtapi.dll")
else:
    DEFAULT_LIBRARIES = ("libtermb.so", "libsdtapi.so")

_FIELD_SIZE = 256
_BMP_SIZE = 65536  # a 102 x 126 24-bit BMP is 38 862 bytes (idcard.md §8)
_PHOTO_SIZE = 1024


class Kind(enum.Enum):
    TERMB = "termb"
    SDTAPI = "sdtapi"


class _State(enum.Enum):
    IDLE = "idle"
    WAIT_REMOVED = "wait_removed"


def _loader() -> Callable[[str], Any]:
    # The vendors' Windows DLLs use stdcall (WinDLL); shared objects elsewhere use the C convention.
    return ctypes.WinDLL if sys.platform == "win32" else ctypes.CDLL  # type: ignore[attr-defined]


def load_vendor_library(library: str | None = None) -> tuple[Any, Kind, str]:
    """Load the given library (a path or a name) or the first of the common ones found.

    ``DeviceUnavailable`` when none can be loaded, naming what was tried (in ``detail``).
    """
    candidates: list[str] = []
    if library:
        candidates.append(library)
    else:
        for name in DEFAULT_LIBRARIES:
            candidates.append(name)
            found = ctypes.util.find_library(Path(name).stem.removeprefix("lib"))
            if found and found not in candidates:
                candidates.append(found)
    load = _loader()
    tried: list[str] = []
    for candidate in candidates:
        try:
            handle = load(candidate)
        except OSError as exc:
            tried.append(f"{candidate}: {exc}")
            if _wrong_bitness(exc):
                raise DeviceUnavailable(_WRONG_BITS, code="vendor_sdk_bitness", detail=str(exc)) from exc
            continue
        kind = _kind(handle)
        if kind is None:
            if library:
                raise DeviceUnavailable(
                    _NOT_A_SDK, code="vendor_sdk_unknown", detail=f"{candidate}: no entry points"
                )
            tried.append(f"{candidate}: neither termb nor sdtapi")
            continue
        return handle, kind, candidate
    raise DeviceUnavailable(MISSING, code="vendor_sdk_missing", detail="; ".join(tried) or "nothing to try")


def _wrong_bitness(exc: OSError) -> bool:
    text = str(exc)
    return getattr(exc, "winerror", None) == 193 or "wrong ELF class" in text


def _kind(handle: Any) -> Kind | None:
    if _has(handle, "CVR_InitComm") and _has(handle, "CVR_Read_Content"):
        return Kind.TERMB
    if _has(handle, "SDT_OpenPort") and _has(handle, "SDT_ReadBaseMsg"):
        return Kind.SDTAPI
    return None


def _has(handle: Any, name: str) -> bool:
    try:
        getattr(handle, name)
    except AttributeError:
        return False
    return True


class VendorSdkReader:
    """``port``: the vendor's port number (1001 = first USB reader); ``library``: a path or name, empty to
    look for termb, then sdtapi, where the system finds libraries (on Windows also next to the program)."""

    def __init__(
        self,
        port: str | int | None = None,
        *,
        library: str | None = None,
        poll_interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._port = _port_number(port)
        self._library = library or None
        self._poll_interval = poll_interval
        self._clock = clock
        self._lib: Any = None
        self._kind: Kind | None = None
        self._path = ""
        self._connected = False
        self._wanted_open = False
        self._state = _State.IDLE

    # -- CardReader -------------------------------------------------------------------------------------

    def open(self) -> None:
        """Load the library and open the port. If this raises, the reader stays wanted: ``read_card`` retries."""
        self._wanted_open = True
        self._ensure_connected()

    def close(self) -> None:
        self._wanted_open = False
        self._disconnect()

    def describe(self) -> str:
        library = (
            f"{self._kind.value}：{self._path}"
            if self._kind
            else (self._library or "自动查找 termb / sdtapi")
        )
        status = "已连接" if self._connected else "未连接"
        return f"身份证阅读器厂商驱动（{library}，端口 {self._port}，{status}）"

    def read_card(self, timeout: float) -> IdCard | None:
        if not self._wanted_open:
            raise DeviceNotConnected(_NOT_OPEN, detail="read_card before open() or after close()")
        deadline = self._clock() + timeout
        self._ensure_connected()
        while True:
            present = self._find()
            if self._state is _State.WAIT_REMOVED:
                if not present:
                    self._state = _State.IDLE
            elif present:
                card = self._read()
                self._state = _State.WAIT_REMOVED
                log.info("card read: %s", card.card_type.value)
                return card
            remaining = deadline - self._clock()
            if remaining <= 0:
                return None
            # The reader is polled, it cannot signal a card (idcard.md §10).
            time.sleep(min(self._poll_interval, remaining))

    # -- the vendor calls ----------------------------------------------------------------------------------------

    def _ensure_connected(self) -> None:
        if self._connected:
            return
        if self._lib is None:
            self._lib, self._kind, self._path = load_vendor_library(self._library)
            log.info("vendor ID-card library loaded: %s (%s)", self._path, self._kind.value)
        if self._kind is Kind.TERMB:
            result = self._lib.CVR_InitComm(ctypes.c_int(self._port))
            ok = result == 1
        else:
            result = self._lib.SDT_OpenPort(ctypes.c_int(self._port))
            ok = result == SW3_OK
        if not ok:
            raise DeviceNotConnected(
                _PORT_FAILED.format(port=self._port), detail=f"open port returned {result}"
            )
        self._connected = True

    def _disconnect(self) -> None:
        if not self._connected:
            return
        self._connected = False
        try:
            if self._kind is Kind.TERMB:
                self._lib.CVR_CloseComm()
            else:
                self._lib.SDT_ClosePort(ctypes.c_int(self._port))
        except OSError as exc:
            log.debug("closing the vendor port failed: %s", exc)

    def _find(self) -> bool:
        if self._kind is Kind.TERMB:
            result = self._lib.CVR_Authenticate()
            if result == 1:
                return True
            if result in (2, 3):  # 2: no card found; 3: found but not selected (moving, or already read)
                return False
            self._connected = False  # 0: the port is not initialised (unplugged): open it again next time
            raise DeviceNotConnected(detail=f"CVR_Authenticate returned {result}")
        manager = (ctypes.c_ubyte * 8)()
        result = self._lib.SDT_StartFindIDCard(ctypes.c_int(self._port), manager, ctypes.c_int(0))
        if result == SW3_CARD_FOUND:
            return True
        if result == SW3_NO_CARD:
            return False
        raise self._sdt_error(result, "find")

    def _read(self) -> IdCard:
        if self._kind is Kind.TERMB:
            result = self._lib.CVR_Read_Content(ctypes.c_int(4))
            if result != 1:
                raise CardReadFailed(
                    _READ_FAILED, code="vendor_read_failed", detail=f"CVR_Read_Content {result}"
                )
            return self._termb_card()
        port = ctypes.c_int(self._port)
        serial = (ctypes.c_ubyte * 8)()
        result = self._lib.SDT_SelectIDCard(port, serial, ctypes.c_int(0))
        if result != SW3_OK:
            raise self._sdt_error(result, "select")
        text = (ctypes.c_ubyte * TEXT_SIZE)()
        photo = (ctypes.c_ubyte * _PHOTO_SIZE)()
        text_len, photo_len = ctypes.c_uint(0), ctypes.c_uint(0)
        result = self._lib.SDT_ReadBaseMsg(
            port, text, ctypes.byref(text_len), photo, ctypes.byref(photo_len), ctypes.c_int(0)
        )
        if result != SW3_OK:
            raise self._sdt_error(result, "read")
        if text_len.value != TEXT_SIZE:
            raise CardReadFailed(
                _READ_FAILED, code="vendor_read_failed", detail=f"text length {text_len.value}"
            )
        card = decode_text(bytes(text))
        wlt = bytes(photo)[: min(photo_len.value, _PHOTO_SIZE)]
        return dataclasses.replace(card, photo_wlt=wlt or None)

    def _termb_card(self) -> IdCard:
        get = self._termb_text
        cert_type = get("GetCertType") if _has(self._lib, "GetCertType") else ""
        if cert_type.strip() not in ("", "0"):
            # 'J' and 'I' cards: which Get* functions carry which field is not verified [M], so nothing is
            # guessed; the clerk sees what the library returned and keys the applicant by hand.
            values = [get(name) for name in ("GetPeopleName", "GetPeopleIDCode", "GetPeopleBirthday")]
            return IdCard(
                card_type=CardType.UNKNOWN, raw_text=f"证件类型 {cert_type.strip()}：" + " ".join(values)
            )
        sex = get("GetPeopleSex")
        sex_code = sex if sex in SEXES else next((code for code, text in SEXES.items() if text == sex), sex)
        nation_code = get("GetNationCode") if _has(self._lib, "GetNationCode") else ""
        if not nation_code:
            name = get("GetPeopleNation").removesuffix("族")
            nation_code = next((code for code, text in NATIONS.items() if text == name), name)
        end = get("GetEndDate")
        long_term = end == LONG_TERM
        return IdCard(
            card_type=CardType.RESIDENT,
            name=get("GetPeopleName"),
            sex=sex_text(sex_code),
            sex_code=sex_code,
            nation=nation_text(nation_code),
            nation_code=nation_code,
            birth=_date(get("GetPeopleBirthday")),
            address=get("GetPeopleAddress"),
            id_number=get("GetPeopleIDCode").upper(),
            authority=get("GetDepartment"),
            valid_from=_date(get("GetStartDate")),
            valid_to=None if long_term else _date(end),
            valid_long_term=long_term,
            photo_image=self._termb_photo(),
        )

    def _termb_text(self, name: str) -> str:
        buf = ctypes.create_string_buffer(_FIELD_SIZE)
        size = ctypes.c_int(_FIELD_SIZE)
        if getattr(self._lib, name)(buf, ctypes.byref(size)) != 1:
            return ""
        raw = buf.raw[: max(0, min(size.value, _FIELD_SIZE))].split(b"\0", 1)[0]
        return raw.decode("gbk", errors="replace").strip()

    def _termb_photo(self) -> bytes | None:
        """The BMP the vendor's licensed decoder made, in memory only (never a file: privacy.md §3)."""
        if not _has(self._lib, "GetBMPData"):
            return None
        buf = (ctypes.c_ubyte * _BMP_SIZE)()
        size = ctypes.c_int(_BMP_SIZE)
        if self._lib.GetBMPData(buf, ctypes.byref(size)) != 1 or not 0 < size.value <= _BMP_SIZE:
            return None
        return bytes(buf)[: size.value]

    def _sdt_error(self, result: int, step: str) -> DeviceError:
        detail = f"sdtapi {step} returned 0x{result:02X}"
        if result in (0x01, 0x03, 0x05):  # DLL-side port / transfer errors (idcard.md §4)
            self._connected = False
            return DeviceNotConnected(detail=detail)
        if result == 0x02:
            self._connected = False
            return DeviceTimeout(detail=detail)
        error = status_error(result)
        return error if error is not None else CardReadFailed(_READ_FAILED, detail=detail)


def _port_number(port: str | int | None) -> int:
    if port is None or port == "":
        return 1001
    text = str(port).strip().upper().removeprefix("COM").removeprefix("USB")
    if not text.isdigit():
        raise DeviceError(
            f"厂商驱动的端口应为数字（USB 1001–1016，串口 1–16），而不是“{port}”，请检查设备设置",
            code="bad_port",
        )
    return int(text)


def _date(text: str) -> date | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) != 8:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
