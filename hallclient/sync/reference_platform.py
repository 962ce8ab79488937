"""The reference platform: the exchange contract served from this program, standard library only.

It backs the tests, the demo and the trainer's room, and lets hall IT check a deployment
(``hallclient platform serve``). Records go to its own SQLite store, idempotent by record id.
Faults (errors, drops after commit, rejections, latency, a down period) come from a SPEC string,
see ``hallclient.sync.faults``. It binds to 127.0.0.1 unless told otherwise and speaks plain HTTP:
put it behind TLS before sending it real personal data from another machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hmac
import json
import logging
import os
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hallclient.sync import contract
from hallclient.sync.faults import Faults, parse_faults
from hallclient.sync.platform_rules import check_record
from hallclient.sync.platform_store import PlatformStore

log = logging.getLogger(__name__)


class _Drop(Exception):
    """Close the connection without an answer."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    platform: ReferencePlatform

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and went away is normal here (faults); no tracebacks on stderr.
        log.debug("request from %s ended with an error", client_address, exc_info=True)


class ReferencePlatform:
    def __init__(
        self,
        db_path: str | os.PathLike[str] | None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: str = "",
        token: str | Collection[str] | None = None,
    ) -> None:
        self._store = PlatformStore(":memory:" if db_path is None else db_path)
        self._faults = parse_faults(faults)
        self._rng = random.Random(self._faults.seed)
        self._tokens = None if token is None else ({token} if isinstance(token, str) else set(token))
        if self._tokens is not None and not all(self._tokens):
            raise ValueError("a platform token cannot be empty")
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._counters: Counter[str] = Counter()
        self._connections: set[socket.socket] = set()
        self._down_until = time.monotonic() + self._faults.down
        self._server = _Server((host, port), _Handler)  # binds and listens now
        self._server.platform = self
        self._thread: threading.Thread | None = None
        self._serving = threading.Event()
        self._closed = False

    # ---- life cycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReferencePlatform:
        """Serve on a background thread; the socket is already listening when this returns."""
        self._begin()
        self._thread = threading.Thread(target=self._serve, name="reference-platform", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until ``stop()`` from another thread or KeyboardInterrupt."""
        self._begin()
        self._serve()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()  # wakes handlers held by latency_ms
        if self._serving.is_set():
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout)
        self._close()

    def _begin(self) -> None:
        if self._serving.is_set() or self._closed:
            raise RuntimeError("the reference platform is already running or was stopped")
        self._serving.set()
        self._down_until = time.monotonic() + self._faults.down
        log.info("reference platform listening on %s (faults: %s)", self.url, self._faults)

    def _serve(self) -> None:
        try:
            self._server.serve_forever(poll_interval=0.05)  # stop() returns within 50 ms
        finally:
            self._serving.clear()
            self._close()

    def _close(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            open_connections = list(self._connections)
        for conn in open_connections:  # idle keep-alive connections would hold handler threads
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._store.close()

    def __enter__(self) -> ReferencePlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- operator and test API ----------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._faults

    def set_faults(self, spec: str) -> None:
        """Replace the faults while running; a ``down`` period counts from now."""
        faults = parse_faults(spec)
        with self._lock:
            self._faults = faults
            if faults.seed is not None:
                self._rng.seed(faults.seed)
            self._down_until = time.monotonic() + faults.down

    def count(self, kind: str | None = None) -> int:
        return self._store.count(kind)

    def records(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Stored records in arrival order, each as the batch carried it plus ``received_at``."""
        return self._store.records(kind)

    def add_items(self, resource: str, items: Sequence[Mapping[str, Any]]) -> None:
        """Publish catalogue, calendar or staff items for clients to pull."""
        if resource not in contract.PULL_RESOURCES:
            raise ValueError(f"unknown resource {resource!r}; one of {contract.PULL_RESOURCES}")
        self._store.add_items(resource, items)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            counters = dict(self._counters)
        return {
            "records": self._store.count(),
            "by_kind": self._store.by_kind(),
            "answers": {a: counters.get(a, 0) for a in contract.ANSWERS},
            "faults": {f: counters.get(f"fault.{f}", 0) for f in ("error", "drop", "reject", "down")},
        }

    # ---- used by the handler ------------------------------------------------------------------

    def _track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(conn)

    def _dice(self, fault: str) -> bool:
        with self._lock:
            rate = float(getattr(self._faults, fault))
            hit = rate > 0 and self._rng.random() < rate
            if hit:
                self._counters[f"fault.{fault}"] += 1
        return hit

    def _authorised(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        if self._tokens is None:
            return True
        return any(hmac.compare_digest(token.encode(), t.encode()) for t in self._tokens)

    def _is_down(self) -> bool:
        down = time.monotonic() < self._down_until
        if down:
            with self._lock:
                self._counters["fault.down"] += 1
        return down

    def _batch(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise ValueError("body must be an object with a records array")
        records = body["records"]
        if len(records) > contract.MAX_BATCH:
            raise ValueError(f"at most {contract.MAX_BATCH} records per batch")
        if not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in records):
            raise ValueError("every record must be an object with a string id")
        answers: list[dict[str, Any]] = []
        to_store: list[dict[str, Any]] = []
        for record in records:
            reason = check_record(record)
            if reason is None and self._dice("reject"):
                reason = "故障注入：平台拒收（reject）"
            if reason is None:
                to_store.append(record)
                answers.append({"id": record["id"], "status": "accepted"})
            else:
                answers.append({"id": record["id"], "status": "rejected", "reason": reason})
        received_at = contract.rfc3339(dt.datetime.now(dt.UTC))
        fresh = iter(self._store.store(to_store, received_at))
        for answer in answers:
            if answer["status"] == "accepted" and not next(fresh):
                answer["status"] = "duplicate"
        with self._lock:
            self._counters.update(a["status"] for a in answers)
        if self._dice("drop"):
            raise _Drop
        return {"results": answers}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hallclient-reference-platform/1"
    timeout = 30  # a client that went quiet does not hold a thread for ever
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.platform._track(self.connection, True)

    def finish(self) -> None:
        self.server.platform._track(self.connection, False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        platform = self.server.platform
        body = self._read_body()
        if body is None:
            return
        latency = platform.faults.latency_ms / 1000
        if latency and platform._stopping.wait(latency):
            self.close_connection = True
            return
        if platform._is_down():
            return self._send(503, {"error": "platform is down (fault injection)"}, {"Retry-After": "1"})
        if not platform._authorised(self.headers.get("Authorization")):
            header = 'Bearer realm="hallclient-reference-platform", error="invalid_token"'
            return self._send(401, {"error": "missing or invalid bearer token"}, {"WWW-Authenticate": header})
        parts = urlsplit(self.path)
        try:
            self._route(method, parts.path, parse_qs(parts.query), body)
        except _Drop:
            self.close_connection = True  # stored, but the client never hears so: a duplicate maker

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        platform = self.server.platform
        resource = path.removeprefix(contract.API_PREFIX + "/")
        if path == contract.HEALTH_PATH and method == "GET":
            return self._send(200, {"status": "ok", "time": contract.rfc3339(dt.datetime.now(dt.UTC))})
        if path == contract.STATS_PATH and method == "GET":
            return self._send(200, platform.stats())
        if path == contract.BATCH_PATH and method == "POST":
            if platform._dice("error"):
                return self._send(500, {"error": "internal error (fault injection)"})
            try:
                document = json.loads(body)
                return self._send(200, platform._batch(document))
            except (ValueError, UnicodeDecodeError) as exc:
                return self._send(400, {"error": str(exc)[:200]})
        if resource in contract.PULL_RESOURCES and method == "GET":
            if platform._dice("error"):
                return self._send(500, {"error": "internal error (fault injection)"})
            return self._pull(resource, query)
        known = {contract.HEALTH_PATH, contract.STATS_PATH, contract.BATCH_PATH}
        known |= {f"{contract.API_PREFIX}/{r}" for r in contract.PULL_RESOURCES}
        return self._send(405 if path in known else 404, {"error": f"no {method} {path}"})

    def _pull(self, resource: str, query: dict[str, list[str]]) -> None:
        cursor = query.get("cursor", [""])[-1]
        limit_text = query.get("limit", ["100"])[-1]
        if not (cursor == "" or cursor.isdigit()) or not limit_text.isdigit():
            return self._send(400, {"error": "invalid cursor or limit"})
        limit = int(limit_text)
        if not 1 <= limit <= contract.MAX_BATCH:
            return self._send(400, {"error": f"limit must be 1..{contract.MAX_BATCH}"})
        items, after = self.server.platform._store.page(resource, int(cursor or 0), limit)
        return self._send(200, {"items": items, "next_cursor": None if after is None else str(after)})

    def _read_body(self) -> bytes | None:
        length_text = self.headers.get("Content-Length", "0")
        if not length_text.isdigit():
            self.close_connection = True  # the body's end is unknown: this connection is unusable
            self._send(400, {"error": "bad Content-Length"})
            return None
        length = int(length_text)
        if length > contract.MAX_BODY_BYTES:
            self.close_connection = True
            self._send(413, {"error": "body too large"})
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, code: int, document: Any, headers: Mapping[str, str] | None = None) -> None:
        data = contract.dumps(document)
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the reference platform (exchange contract v1).")
    parser.add_argument("--db", default="reference-platform.db", help="SQLite file (':memory:' for none)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--faults", default="", help="e.g. error=0.3,drop=0.1,latency_ms=200,seed=7")
    parser.add_argument("--token", action="append", help="accept only this token (repeatable); default: any")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        platform = ReferencePlatform(
            args.db, host=args.host, port=args.port, faults=args.faults, token=args.token
        )
    except (ValueError, OSError) as exc:
        print(f"cannot start the reference platform: {exc}")
        return 2
    print(f"reference platform on {platform.url} — Ctrl+C to stop", flush=True)
    try:
        platform.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
