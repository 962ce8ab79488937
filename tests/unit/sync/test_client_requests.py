"""Every request the platform client makes carries the timeouts and TLS verification, and no redirects."""

from __future__ import annotations

import json
from typing import Any

import requests

from hallclient.sync.client import HttpPlatformClient
from tests.fakes.outbox import sample_record


class RecordingSession(requests.Session):
    """Answers every request with a canned 200 and keeps the keyword arguments it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls.append({"method": method, "url": url, **kwargs})
        response = requests.Response()
        response.status_code = 200
        if url.endswith("records:batch"):
            ids = [r["id"] for r in json.loads(kwargs["data"])["records"]]
            body: Any = {"results": [{"id": i, "status": "accepted"} for i in ids]}
        elif url.endswith("health"):
            body = {"status": "ok", "time": "2026-03-02T09:00:00.000Z"}
        elif url.endswith("stats"):
            body = {"records": 0}
        else:
            body = {"items": [], "next_cursor": None}
        response._content = json.dumps(body).encode()
        return response


def test_push_health_pulls_and_stats_all_carry_timeouts_and_verification(tmp_path):
    bundle = tmp_path / "hall-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    session = RecordingSession()
    client = HttpPlatformClient(
        "https://platform.example.cn", "t", timeout=(3.05, 7.0), verify=str(bundle), session=session
    )

    client.push([sample_record()])
    client.health()
    client.pull("catalogue")
    client.stats()

    assert [c["method"] for c in session.calls] == ["POST", "GET", "GET", "GET"]
    for call in session.calls:
        assert call["timeout"] == (3.05, 7.0)
        assert call["verify"] == str(bundle)
        assert call["allow_redirects"] is False


def test_by_default_the_system_ca_set_verifies(tmp_path):
    session = RecordingSession()
    HttpPlatformClient("https://platform.example.cn", "t", session=session).health()
    assert session.calls[0]["verify"] is True
    assert session.calls[0]["timeout"] == (3.05, 10)
