"""A network ESC/POS printer on 127.0.0.1, for tests: it parses what it is sent and answers DLE EOT.

It understands the commands the ticket-printer driver sends (``ESC @``, ``GS v 0`` raster images,
``ESC d n`` feeds, ``GS V`` cuts, ``DLE EOT n`` status queries) and keeps the printed slips as images.
Its state (``paper_out``, ``cover_open``, ``error``, ``silent``) sets the status answers, with the bits of
the Epson ESC/POS reference. A real printer's image data is never mistaken for a command here, because
the parser skips raster data by its declared size.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image


@dataclass
class Raster:
    width_bytes: int
    height: int
    data: bytes

    def image(self) -> Image.Image:
        """Black = 1 in ESC/POS raster; in a PIL "1" image black is 0."""
        raw = bytes(b ^ 0xFF for b in self.data)
        return Image.frombytes("1", (self.width_bytes * 8, self.height), raw)


@dataclass
class Parsed:
    commands: list[str] = field(default_factory=list)  # "init", "raster", "feed", "cut", "status", "?xx"
    rasters: list[Raster] = field(default_factory=list)
    cuts: int = 0


class EscposParser:
    """Feeds on a byte stream in any chunks; calls ``answer(n)`` for each ``DLE EOT n``."""

    def __init__(self, answer: Callable[[int], None] | None = None) -> None:
        self.buf = bytearray()
        self.out = Parsed()
        self._answer = answer

    def feed(self, chunk: bytes) -> None:
        self.buf += chunk
        while self.buf:
            used = self._one()
            if used == 0:
                return  # wait for more bytes
            del self.buf[:used]

    def _one(self) -> int:
        b = self.buf
        if b[0] == 0x1B and len(b) >= 2:
            if b[1] == 0x40:
                self.out.commands.append("init")
                return 2
            if b[1] == 0x64:
                if len(b) < 3:
                    return 0
                self.out.commands.append("feed")
                return 3
        if b[0] == 0x1D and len(b) >= 2:
            if b[1] == 0x76:  # GS v 0 m xL xH yL yH data
                if len(b) < 8:
                    return 0
                width, height = b[4] + 256 * b[5], b[6] + 256 * b[7]
                size = 8 + width * height
                if len(b) < size:
                    return 0
                self.out.rasters.append(Raster(width, height, bytes(b[8:size])))
                self.out.commands.append("raster")
                return size
            if b[1] == 0x56:  # GS V m [n]
                if len(b) < 3:
                    return 0
                extra = 1 if b[2] in (65, 66) else 0
                if len(b) < 3 + extra:
                    return 0
                self.out.cuts += 1
                self.out.commands.append("cut")
                return 3 + extra
        if b[0] == 0x10 and len(b) >= 2 and b[1] == 0x04:
            if len(b) < 3:
                return 0
            self.out.commands.append("status")
            if self._answer is not None:
                self._answer(b[2])
            return 3
        if b[0] in (0x1B, 0x1D, 0x10) and len(b) < 3:
            return 0
        self.out.commands.append(f"?{b[0]:02x}")
        return 1


class FakeNetworkPrinter:
    """``start()`` listens on 127.0.0.1 (a free port); ``port_setting`` is what the driver is given."""

    def __init__(self) -> None:
        self.paper_out = False
        self.cover_open = False
        self.error = False
        self.silent = False  # a printer that ignores DLE EOT
        self.connections = 0
        self._lock = threading.Lock()
        self._parsers: list[EscposParser] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: list[socket.socket] = []

    @property
    def port(self) -> int:
        return int(self._server.getsockname()[1])

    @property
    def port_setting(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    def start(self) -> FakeNetworkPrinter:
        t = threading.Thread(target=self._accept, name="fake-escpos", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for c in list(self._clients):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        for t in self._threads:
            t.join(timeout=5)
        self._server.close()

    def drop_connections(self) -> None:
        """As if the printer were switched off and on again: every open connection is closed."""
        for c in list(self._clients):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def send_stray(self, data: bytes) -> None:
        """Bytes nobody asked for, on every open connection: what a printer sends when a DLE EOT happens to
        appear inside raster data, or a late answer to a question that timed out."""
        for c in list(self._clients):
            c.sendall(data)

    # -- what was printed ----------------------------------------------------------------------------

    @property
    def rasters(self) -> list[Raster]:
        with self._lock:
            return [r for p in self._parsers for r in p.out.rasters]

    @property
    def cuts(self) -> int:
        with self._lock:
            return sum(p.out.cuts for p in self._parsers)

    @property
    def commands(self) -> list[str]:
        with self._lock:
            return [c for p in self._parsers for c in p.out.commands]

    # -- status ----------------------------------------------------------------------------------------

    def status_byte(self, n: int) -> int | None:
        if self.silent:
            return None
        offline = self.paper_out or self.cover_open or self.error
        if n == 1:
            return 0x12 | (0x08 if offline else 0)
        if n == 2:
            return (
                0x12
                | (0x04 if self.cover_open else 0)
                | (0x20 if self.paper_out else 0)
                | (0x40 if self.error else 0)
            )
        if n == 4:
            return 0x12 | (0x6C if self.paper_out else 0)
        return None

    # -- the server --------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._clients.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), name="fake-escpos-conn", daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        def answer(n: int) -> None:
            value = self.status_byte(n)
            if value is not None:
                conn.sendall(bytes([value]))

        parser = EscposParser(answer)
        with self._lock:
            self._parsers.append(parser)
        conn.settimeout(0.2)
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    parser.feed(chunk)
