"""PC/SC readers through pyscard: registry key ``pcsc`` (idcard.md §9).

What a plain PC/SC reader can read:

- a 社会保障卡 (contact, or the contactless interface of 3rd-generation cards): the SSSE application's basic
  fields, EF05 卡号 and EF06 社会保障号码 / 姓名 (GBK) / 性别 / 民族 / 出生日期 (see
  :mod:`devices.idcard.social_security`). A card that wants its PIN first raises :class:`PinRequired`; the
  driver never sends a PIN, and never reads EF07 (fingerprints) or EF08 (photo).
- a resident ID card on a contactless reader: only its 8-byte serial (``00 36 00 00 08``). That proves a card
  is there but holds no data without a SAM, so it raises :class:`UnsupportedCard` telling the clerk to use an
  ID-card reader or type the data; the serial is kept in memory only as the "already read" key.

Presence: the reader's state from ``SCardGetStatusChange`` (a card is there once it has answered with its
ATR). Waiting for a card is pyscard's blocking ``CardRequest(timeout=…)``; the driver never uses
``CardMonitor``, whose callbacks run on pyscard's own thread, so nothing calls back into the application.

Lift-and-represent: after a card was handled (read, or refused for a PIN or as unsupported) the driver waits
in ``WAIT_REMOVED`` until PC/SC reports the reader empty or its card-event counter (the upper 16 bits of the
reader state, counted by pcsc-lite and Windows alike) moves, i.e. the card was taken out and put back.

Hot-plug: a reader that disappears raises ``DeviceNotConnected``; the next ``read_card`` lists the readers
again. A stopped PC/SC service (pcscd restarted, Windows "Smart Card" service) drops the context; the next
call establishes a new one. Event counters do not survive that, so a card found lying on the reader right
after is read again and returned only if it is not the one read last.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from typing import Any

from smartcard import scard
from smartcard.CardRequest import CardRequest
from smartcard.CardType import AnyCardType
from smartcard.Exceptions import CardRequestTimeoutException, NoCardException, SmartcardException

from devices.errors import CardReadFailed, DeviceError, DeviceNotConnected, PinRequired, UnsupportedCard
from devices.idcard import social_security as ssc
from devices.idcard.model import IdCard

__all__ = ["PcscCardReader"]

log = logging.getLogger(__name__)

_NOT_OPEN = "读卡器未打开，请重新连接读卡器"
_NO_SERVICE = "智能卡服务未运行，无法使用 PC/SC 读卡器，请联系管理员启动 pcscd（Windows：Smart Card 服务）"
_NO_READER = "未找到 PC/SC 读卡器，请检查连接线；如已连接，请在设备设置中核对读卡器名称"
_UNPLUGGED = "读卡器未连接，请检查连接线"
_CARD_MOVED = "读卡时卡片被移开，请重新放置卡片，放稳后不要移动"
_READ_FAILED = "读取社保卡失败，请重新插入社保卡；如反复失败，卡片可能已损坏"
_ID_CARD_NEEDS_SAM = (
    "这是居民身份证：此读卡器只能识别卡片，无法读取身份证信息。请使用身份证阅读器读卡，或手工录入"
)
_UNKNOWN_CARD = "无法识别的卡片，请放置社会保障卡；身份证请使用身份证阅读器，或手工录入"
_PIN_BLOCKED = "社保卡密码已锁定，无法读取，请持卡人到社保经办机构解锁；可先手工录入"

# PC/SC errors that mean the service (not the reader) went away: renew the context.
_SERVICE_GONE = frozenset(
    {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE}
)
_SW_OK = 0x9000


class _State(enum.Enum):
    IDLE = "idle"
    WAIT_REMOVED = "wait_removed"


def _sw(response: tuple[list[int], int, int]) -> tuple[bytes, int]:
    """pyscard's ``transmit`` result ``(data, sw1, sw2)`` as ``(data, SW)``."""
    data, sw1, sw2 = response
    return bytes(data), (sw1 << 8) | sw2


class PcscCardReader:
    """``port`` (or ``reader``): part of the reader's name, case-insensitive; empty: the first reader listed."""

    def __init__(
        self,
        port: str | None = None,
        *,
        reader: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wanted_name = (reader or port or "").strip()
        self._clock = clock
        self._context: Any = None
        self._reader: str | None = None
        self._wanted_open = False
        self._state = _State.IDLE
        self._events: int | None = None  # the reader's card-event counter when the card was handled
        # What identified the card handled last (its serial, or its numbers), in memory only.
        self._last_key: bytes | None = None

    # -- CardReader -------------------------------------------------------------------------------------

    def open(self) -> None:
        """Find the reader. If this raises, the reader stays wanted: ``read_card`` tries again."""
        self._wanted_open = True
        self._ensure_reader()

    def close(self) -> None:
        self._wanted_open = False
        self._reader = None
        self._release_context()

    def describe(self) -> str:
        if self._reader is not None:
            return f"PC/SC 读卡器（{self._reader}，已连接）"
        wanted = f"名称含“{self._wanted_name}”" if self._wanted_name else "自动选择第一个读卡器"
        return f"PC/SC 读卡器（{wanted}，未连接）"

    def read_card(self, timeout: float) -> IdCard | None:
        if not self._wanted_open:
            raise DeviceNotConnected(_NOT_OPEN, detail="read_card before open() or after close()")
        deadline = self._clock() + timeout
        reader = self._ensure_reader()
        while True:
            state = self._reader_state(reader)
            present = bool(state & scard.SCARD_STATE_PRESENT)
            events = state >> 16
            if self._state is _State.WAIT_REMOVED:
                if not present or (self._events is not None and events != self._events):
                    log.debug("card left the field")
                    self._state = _State.IDLE
                elif self._events is None:
                    # The context was renewed: counters restarted. Read again; the same card stays unread.
                    card = self._read_present(reader, remaining=0.0, same_as_last_is_none=True)
                    if card is not None or self._clock() >= deadline:
                        return card
                    continue
                else:
                    remaining = deadline - self._clock()
                    if remaining <= 0:
                        return None
                    self._wait_for_change(reader, state, remaining)
                    continue
            card = self._read_present(reader, remaining=max(0.0, deadline - self._clock()))
            if card is not None or self._clock() >= deadline:
                return card

    # -- reading a card -------------------------------------------------------------------------------------

    def _read_present(
        self, reader: str, *, remaining: float, same_as_last_is_none: bool = False
    ) -> IdCard | None:
        """Wait up to ``remaining`` s for a card (pyscard's blocking CardRequest) and handle it."""
        request = self._card_request(reader, remaining)
        try:
            try:
                service = request.waitforcard()
            except CardRequestTimeoutException:
                return None
            except SmartcardException as exc:
                raise self._pcsc_error(exc, "waiting for a card") from exc
            connection = service.connection
            try:
                try:
                    connection.connect()
                except NoCardException:
                    return None  # gone again before we connected
                except SmartcardException as exc:
                    raise CardReadFailed(_CARD_MOVED, detail=f"connect: {exc}") from exc
                self._events = self._reader_state(reader) >> 16
                key, outcome = self._identify_and_read(connection)
            finally:
                _quietly(connection.disconnect)
                _quietly(connection.release)
        finally:
            _quietly(lambda: request.__exit__(None, None, None))  # releases its PC/SC context
        repeat = same_as_last_is_none and key is not None and key == self._last_key
        self._state, self._last_key = _State.WAIT_REMOVED, key
        if repeat:
            log.debug(
                "the card still on the reader after a PC/SC restart was read before: not returned again"
            )
            return None
        if isinstance(outcome, DeviceError):
            raise outcome
        log.info("card read: %s", outcome.card_type.value)
        return outcome

    def _identify_and_read(self, connection: Any) -> tuple[bytes | None, IdCard | DeviceError]:
        """(the card's key, the card or the error it stands for). Transmission failures raise instead: they
        leave the driver IDLE, so the next call tries the card again."""
        _, sw = self._transmit(connection, ssc.SELECT_SSSE)
        if sw == _SW_OK:
            try:
                card = self._read_social_security(connection)
            except PinRequired as exc:
                return None, exc
            return (card.card_number + card.id_number).encode(), card
        pin = _pin_error(sw)
        if pin is not None:
            return None, pin
        uid, sw = self._transmit(connection, ssc.GET_UID)
        if sw == _SW_OK and len(uid) == 8:
            return uid, UnsupportedCard(
                _ID_CARD_NEEDS_SAM, code="id_card_needs_sam", detail="resident ID card serial only"
            )
        return None, UnsupportedCard(_UNKNOWN_CARD, code="unknown_card", detail=f"SSSE select SW={sw:04X}")

    def _read_social_security(self, connection: Any) -> IdCard:
        records: dict[int, bytes] = {}
        data, sw = self._transmit(connection, ssc.EF05_CARD_NUMBER_SFI)
        if sw != _SW_OK and _pin_error(sw) is None:
            # Not every card reads by SFI: select EF05, then read its record 07.
            _, sw = self._transmit(connection, ssc.SELECT_EF05)
            if sw == _SW_OK:
                data, sw = self._transmit(connection, ssc.READ_CARD_NUMBER_SELECTED)
        self._check(sw, "EF05 card number")
        records[ssc.TAG_CARD_NUMBER] = ssc.parse_record(data, ssc.TAG_CARD_NUMBER)
        self._check(self._transmit(connection, ssc.SELECT_EF06)[1], "select EF06")
        for apdu, tag in (
            (ssc.READ_SSN, ssc.TAG_SSN),
            (ssc.READ_NAME, ssc.TAG_NAME),
            (ssc.READ_SEX, ssc.TAG_SEX),
            (ssc.READ_NATION, ssc.TAG_NATION),
            (ssc.READ_BIRTH, ssc.TAG_BIRTH),
        ):
            data, sw = self._transmit(connection, apdu)
            self._check(sw, f"EF06 record {tag:02X}")
            records[tag] = ssc.parse_record(data, tag)
        return ssc.social_security_card(records)

    @staticmethod
    def _check(sw: int, step: str) -> None:
        if sw == _SW_OK:
            return
        error = _pin_error(sw)
        if error is not None:
            raise error
        raise CardReadFailed(_READ_FAILED, code="ssc_read_failed", detail=f"{step}: SW={sw:04X}")

    def _transmit(self, connection: Any, apdu: bytes) -> tuple[bytes, int]:
        """Send one APDU; follow ``61xx`` (GET RESPONSE) and ``6Cxx`` (resend with Le = xx) as T=0 cards want."""
        ssc.refuse_forbidden(apdu)
        try:
            data, sw = _sw(connection.transmit(list(apdu)))
            if sw >> 8 == 0x6C and len(apdu) == 5:
                data, sw = _sw(connection.transmit(list(apdu[:4]) + [sw & 0xFF]))
            collected = data
            while sw >> 8 == 0x61:
                data, sw = _sw(connection.transmit([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
                collected += data
        except SmartcardException as exc:
            raise CardReadFailed(_CARD_MOVED, detail=f"transmit {apdu[:2].hex()}: {exc}") from exc
        return collected, sw

    # -- PC/SC plumbing -----------------------------------------------------------------------------------------

    def _card_request(self, reader: str, remaining: float) -> Any:
        try:
            return CardRequest(timeout=remaining, readers=[reader], cardType=AnyCardType(), newcardonly=False)
        except SmartcardException as exc:
            raise self._pcsc_error(exc, "card request") from exc

    def _ensure_context(self) -> Any:
        if self._context is None:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                raise DeviceNotConnected(
                    _NO_SERVICE, code="no_pcsc_service", detail=_hr("establish", hresult)
                )
            self._context = context
            self._events = None  # counters of an earlier service instance mean nothing now
        return self._context

    def _release_context(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            _quietly(lambda: scard.SCardReleaseContext(context))

    def _ensure_reader(self) -> str:
        context = self._ensure_context()
        hresult, names = scard.SCardListReaders(context, [])
        if hresult in _SERVICE_GONE:
            self._lost_service(hresult)
            context = self._ensure_context()
            hresult, names = scard.SCardListReaders(context, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            names = []
        elif hresult != scard.SCARD_S_SUCCESS:
            raise self._hresult_error(hresult, "list readers")
        chosen = self._choose(list(names))
        if chosen is None:
            self._reader = None
            detail = f"wanted {self._wanted_name!r}, listed {list(names)!r}"
            raise DeviceNotConnected(_NO_READER, detail=detail)
        if chosen != self._reader:
            log.info("PC/SC reader: %s", chosen)
            self._reader = chosen
        return chosen

    def _choose(self, names: list[str]) -> str | None:
        if not self._wanted_name:
            return names[0] if names else None
        wanted = self._wanted_name.casefold()
        return next((name for name in names if wanted in name.casefold()), None)

    def _reader_state(self, reader: str) -> int:
        hresult, states = scard.SCardGetStatusChange(
            self._ensure_context(), 0, [(reader, scard.SCARD_STATE_UNAWARE)]
        )
        if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
            raise self._hresult_error(hresult, "reader state")
        state: int = states[0][1]
        if state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
            self._reader = None
            raise DeviceNotConnected(_UNPLUGGED, detail=f"reader state 0x{state:X}")
        return state

    def _wait_for_change(self, reader: str, state: int, remaining: float) -> None:
        """Block until the reader's state differs from ``state`` or ``remaining`` s pass (no polling)."""
        current = state & ~scard.SCARD_STATE_CHANGED
        hresult, _ = scard.SCardGetStatusChange(
            self._ensure_context(), max(1, int(remaining * 1000)), [(reader, current)]
        )
        if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
            raise self._hresult_error(hresult, "wait for removal")

    def _lost_service(self, hresult: int) -> None:
        log.warning("PC/SC service went away (%s): renewing the context", _hr("", hresult).strip())
        self._release_context()
        self._reader = None

    def _hresult_error(self, hresult: int, step: str) -> DeviceError:
        if hresult in _SERVICE_GONE:
            self._lost_service(hresult)
            return DeviceNotConnected(_NO_SERVICE, code="no_pcsc_service", detail=_hr(step, hresult))
        if hresult in (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE):
            self._reader = None
            return DeviceNotConnected(_UNPLUGGED, detail=_hr(step, hresult))
        return DeviceError(detail=_hr(step, hresult))

    def _pcsc_error(self, exc: SmartcardException, step: str) -> DeviceError:
        hresult = getattr(exc, "hresult", -1)
        if hresult in (-1, None):
            return DeviceError(detail=f"{step}: {exc}")
        return self._hresult_error(hresult, step)


def _pin_error(sw: int) -> PinRequired | None:
    if sw == 0x6983:
        return PinRequired(_PIN_BLOCKED, code="pin_blocked", detail="SW=6983")
    if sw == 0x6982 or sw & 0xFFF0 == 0x63C0:
        return PinRequired(detail=f"SW={sw:04X}")
    return None


def _hr(step: str, hresult: int) -> str:
    return f"{step}: {scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"


def _quietly(call: Callable[[], object]) -> None:
    """Release PC/SC handles without letting a failure (the service may be gone) hide the real outcome."""
    try:
        call()
    except (SmartcardException, OSError) as exc:
        log.debug("PC/SC release failed: %s", exc)
