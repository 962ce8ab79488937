"""A virtual smart card for pcscd's ``vpcd`` reader: our own, because Debian's ``vicc`` is broken.

The vpcd protocol (ENVIRONMENT.md "Smart cards"): vpcd listens on TCP 35963 (reader ``Virtual PCD 00 00``)
and 35964 (``… 00 01``); a card is "inserted" by connecting to it and "removed" by closing the connection.
Every message is a 2-byte big-endian length plus a payload. A 1-byte payload is a control code — 0 power off,
1 power on, 2 reset (no answer), 4 "send your ATR" (answered with the ATR, which is also how vpcd polls for
presence) — anything longer is a command APDU, answered with the response APDU (data + SW1 SW2).

Cards (answers come from test data, never from a real person):

- :class:`IdCardChip`: a resident ID card on a plain contactless reader. Only its 8-byte serial can be read
  (``00 36 00 00 08``, idcard.md §9.1); everything else fails as the real chip's does without a SAM.
- :class:`SocialSecurityChip`: a 社会保障卡 with the SSSE application (§9.2), answering with the quirks of a
  T=0 card (``61xx`` after SELECT, ``6Cxx`` for a wrong Le) and, if asked, requiring a PIN for EF06.
  Selecting EF07/EF08 or sending VERIFY is answered ``6982`` and recorded in ``forbidden``.

:class:`VpcdCardEmulator` inserts one card at a time; a thread answers vpcd until the card is removed.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from devices.idcard.model import IdCard
from devices.idcard.social_security import (
    AID,
    LENGTHS,
    TAG_BIRTH,
    TAG_CARD_NUMBER,
    TAG_NAME,
    TAG_NATION,
    TAG_SEX,
    TAG_SSN,
    record_values,
    refuse_forbidden,
    tlv,
)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # reader "Virtual PCD 00 00"; 35964 is "… 00 01"

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4

SW_OK = b"\x90\x00"
SW_SECURITY = b"\x69\x82"  # security status not satisfied (PIN needed)
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_RECORD_NOT_FOUND = b"\x6a\x83"
SW_FUNCTION_NOT_SUPPORTED = b"\x6a\x81"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"
SW_WRONG_P1P2 = b"\x6b\x00"
SW_CONDITIONS = b"\x69\x85"


def contactless_atr(historical: bytes) -> bytes:
    """A PC/SC part 3 ATR for a contactless card: 3B 8n 80 01 + historical bytes + TCK."""
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for byte in body:
        tck ^= byte
    return b"\x3b" + body + bytes([tck])


# A Type B card: 4 bytes application data, 3 bytes protocol info, MBLI/CID (PC/SC part 3 §3.1.3.2.3.2).
ID_CARD_ATR = contactless_atr(bytes.fromhex("0000000000718100"))
# A contact T=0 card: TB1 = TC1 = 00, ten historical bytes, no TD1 (so no TCK).
SOCIAL_SECURITY_ATR = bytes.fromhex("3B6A0000") + b"SSCARD-T01"


class VirtualCard(Protocol):
    atr: bytes

    def reset(self) -> None: ...

    def respond(self, apdu: bytes) -> bytes: ...


@dataclass
class IdCardChip:
    """A resident ID card on a contactless PC/SC reader: only the serial (UID) answers."""

    uid: bytes = bytes.fromhex("0123456789ABCDEF")
    atr: bytes = ID_CARD_ATR

    def reset(self) -> None:
        pass

    def respond(self, apdu: bytes) -> bytes:
        if apdu[:4] == b"\x00\x36\x00\x00":
            return self.uid + SW_OK
        if apdu[1:2] == b"\xa4":
            return SW_FILE_NOT_FOUND
        return SW_INS_NOT_SUPPORTED


@dataclass
class SocialSecurityChip:
    """A 社会保障卡 with the SSSE application, built from a SOCIAL_SECURITY :class:`IdCard`.

    ``pin_status``: the status word EF06 reads answer until a PIN is verified (never, by us): None for a card
    that needs no PIN, ``69 82`` / ``63 Cx`` for a card that wants one, ``69 83`` for a blocked PIN.
    ``sfi_read``: whether the card supports reading EF05 by SFI (otherwise the driver must select EF05).
    """

    card: IdCard
    pin_status: bytes | None = None
    sfi_read: bool = True
    atr: bytes = SOCIAL_SECURITY_ATR
    forbidden: list[bytes] = field(default_factory=list)
    _records: dict[int, bytes] = field(init=False)
    _app: bool = field(default=False, init=False)
    _ef: bytes = field(default=b"", init=False)
    _pending: bytes = field(default=b"", init=False)

    def __post_init__(self) -> None:
        self._records = record_values(self.card)

    def reset(self) -> None:
        self._app, self._ef, self._pending = False, b"", b""

    def respond(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2 = apdu[:4]
        data, le = _body(apdu)
        if cla != 0x00:
            return SW_CLA_NOT_SUPPORTED
        if ins == 0x20:  # VERIFY: this project never sends a PIN
            self.forbidden.append(bytes(apdu))
            return SW_SECURITY
        if ins == 0xC0:  # GET RESPONSE after 61xx
            pending, self._pending = self._pending, b""
            return pending + SW_OK if pending else SW_CONDITIONS
        if ins == 0xA4:
            return self._select(p1, data)
        if ins == 0xB2:
            return self._read_record(p1, p2, le)
        return SW_INS_NOT_SUPPORTED

    def _select(self, p1: int, data: bytes) -> bytes:
        if p1 == 0x04:
            if data != AID:
                return SW_FILE_NOT_FOUND
            self._app, self._ef = True, b""
            # A T=0 card answers a SELECT with FCI this way: "61 len, fetch it with GET RESPONSE".
            self._pending = b"\x6f" + bytes([len(AID) + 2]) + b"\x84" + bytes([len(AID)]) + AID
            return bytes([0x61, len(self._pending)])
        if p1 == 0x02 and self._app:
            if data in (b"\xef\x07", b"\xef\x08"):
                self.forbidden.append(b"select " + data.hex().upper().encode())
                return SW_SECURITY
            if data in (b"\xef\x05", b"\xef\x06"):
                self._ef = data
                return SW_OK
        return SW_FILE_NOT_FOUND

    def _read_record(self, p1: int, p2: int, le: int | None) -> bytes:
        sfi, mode = p2 >> 3, p2 & 0x07
        if sfi == 5 and mode == 0x04:
            if not (self._app and self.sfi_read):
                return SW_FUNCTION_NOT_SUPPORTED
            ef, tag = b"\xef\x05", p1
        elif sfi == 0 and mode in (0x00, 0x04):
            ef, tag = self._ef, p1  # P1: the record's identifier (tag) or number, same values here
        else:
            return SW_WRONG_P1P2
        if not self._app or not ef:
            return SW_CONDITIONS
        if ef == b"\xef\x06" and self.pin_status is not None:
            return self.pin_status
        wanted = {
            b"\xef\x05": {TAG_CARD_NUMBER},
            b"\xef\x06": {TAG_SSN, TAG_NAME, TAG_SEX, TAG_NATION, TAG_BIRTH},
        }
        if tag not in wanted[ef]:
            return SW_RECORD_NOT_FOUND
        record = tlv(tag, self._records[tag])
        if le != len(record):
            return bytes([0x6C, 2 + LENGTHS[tag]])  # T=0: "wrong Le, the right one is xx"
        return record + SW_OK


def _body(apdu: bytes) -> tuple[bytes, int | None]:
    """(data, Le) of a short APDU: case 1 (header), 2 (Le), 3 (Lc data) or 4 (Lc data Le)."""
    if len(apdu) == 4:
        return b"", None
    if len(apdu) == 5:
        return b"", apdu[4] or 256
    lc = apdu[4]
    data = apdu[5 : 5 + lc]
    le = apdu[5 + lc] if len(apdu) > 5 + lc else None
    return data, le


class VpcdCardEmulator:
    """Inserts virtual cards into a vpcd reader. Thread-safe; one card at a time.

    ``apdus`` records every command APDU received (all cards), ``forbidden`` those no driver may send (a PIN,
    EF07/EF08), ``controls`` every control code.
    """

    def __init__(self, host: str = VPCD_HOST, port: int = VPCD_PORT) -> None:
        self.host, self.port = host, port
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._card: VirtualCard | None = None
        self.apdus: list[bytes] = []
        self.forbidden: list[bytes] = []  # VERIFY (a PIN) or SELECT EF07/EF08: no driver may ever send these
        self.controls: list[int] = []
        self.errors: list[str] = []
        self.on_apdu: Callable[[bytes], None] | None = None

    @property
    def card(self) -> VirtualCard | None:
        return self._card

    def insert(self, card: VirtualCard, timeout: float = 5.0) -> None:
        """Connect to vpcd as ``card``. ``ConnectionError`` (with the reason) if vpcd is not listening."""
        self.remove()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as exc:
            raise ConnectionError(f"vpcd is not listening on {self.host}:{self.port}: {exc}") from exc
        sock.settimeout(None)  # the serving thread blocks in recv until vpcd speaks or the card is removed
        with self._lock:
            self._sock, self._card = sock, card
            self._thread = threading.Thread(
                target=self._serve, args=(sock, card), name="vpcd-card", daemon=True
            )
            self._thread.start()

    def remove(self, timeout: float = 5.0) -> None:
        """Take the card out: close the connection, so vpcd reports the reader empty at its next poll."""
        with self._lock:
            sock, thread = self._sock, self._thread
            self._sock, self._thread, self._card = None, None, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # vpcd closed it first
            sock.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                raise RuntimeError("the vpcd card thread did not stop")

    def _serve(self, sock: socket.socket, card: VirtualCard) -> None:
        try:
            while True:
                header = _recv_exactly(sock, 2)
                if header is None:
                    return
                (size,) = struct.unpack(">H", header)
                payload = _recv_exactly(sock, size) if size else b""
                if payload is None:
                    return
                answer = self._answer(card, payload)
                if answer is not None:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
        except OSError as exc:
            if self._sock is sock:  # not our own remove()
                self.errors.append(f"{type(exc).__name__}: {exc}")

    def _answer(self, card: VirtualCard, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            code = payload[0]
            self.controls.append(code)
            if code == CTRL_ATR:
                return card.atr
            if code == CTRL_RESET:
                card.reset()
            return None  # power on/off and reset are not answered
        apdu = bytes(payload)
        self.apdus.append(apdu)
        try:
            refuse_forbidden(apdu)
        except ValueError:
            self.forbidden.append(apdu)
        if self.on_apdu is not None:
            self.on_apdu(apdu)
        return card.respond(apdu)


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < size:
        chunk = sock.recv(size - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)
