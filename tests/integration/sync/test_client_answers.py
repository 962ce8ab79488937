"""The client against answers the reference platform never gives: a scripted loopback server."""

from __future__ import annotations

import decimal
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hallclient.services.ports import PlatformError
from tests.fakes.outbox import sample_record
from tests.integration.sync.conftest import make_client

Answer = Callable[[dict], tuple[int, dict[str, str], bytes]]


class ScriptedServer:
    """Answers every request with ``answer(request_body)``; remembers the requests' methods and paths."""

    def __init__(self, answer: Answer) -> None:
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                server.requests.append((self.command, self.path))
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                code, headers, body = answer(json.loads(raw) if raw else {})
                self.send_response(code)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._thread.join(5)
        self._httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Answer], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(answer: Answer) -> ScriptedServer:
        servers.append(ScriptedServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _json(document: object) -> bytes:
    return json.dumps(document).encode()


def test_an_incomplete_answer_keeps_the_whole_batch_for_another_try(serve):
    def first_only(body: dict) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, _json({"results": [{"id": body["records"][0]["id"], "status": "accepted"}]})

    server = serve(first_only)
    with pytest.raises(PlatformError) as info:
        make_client(server).push([sample_record(ordering_key="a"), sample_record(ordering_key="b")])
    assert info.value.retryable and "不完整" in info.value.message


def test_an_answer_that_is_not_json_is_no_answer(serve):
    server = serve(lambda body: (200, {}, b"<html>gateway</html>"))
    with pytest.raises(PlatformError, match="格式错误") as info:
        make_client(server).push([sample_record()])
    assert info.value.retryable


def test_a_redirect_is_not_followed(serve):
    server = serve(lambda body: (301, {"Location": "http://127.0.0.1:9/elsewhere"}, b""))
    with pytest.raises(PlatformError, match="地址已变更") as info:
        make_client(server).push([sample_record()])
    assert not info.value.retryable
    assert server.requests == [("POST", "/api/v1/records:batch")]  # not re-sent as a GET, nor elsewhere


def test_a_record_that_cannot_be_encoded_is_set_aside_and_the_rest_is_sent(serve):
    def accept_all(body: dict) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, _json({"results": [{"id": r["id"], "status": "accepted"} for r in body["records"]]})

    server = serve(accept_all)
    odd = sample_record(ordering_key="a", fee=decimal.Decimal("12.50"))
    fine = sample_record(ordering_key="b")

    answers = make_client(server).push([odd, fine])

    assert [a.status for a in answers] == ["rejected", "accepted"]
    assert "无法编码" in answers[0].reason
