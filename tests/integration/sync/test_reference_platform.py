"""The HTTP client against the reference platform on 127.0.0.1: the contract, end to end."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from hallclient.domain.outbox import RecordKind
from hallclient.services.ports import PlatformError
from hallclient.sync.client import TOKEN_REFUSED
from hallclient.sync.reference_platform import ReferencePlatform
from tests.fakes.outbox import sample_record
from tests.integration.sync.conftest import TOKEN, make_client


def test_the_same_record_twice_is_stored_once_and_answered_duplicate(platform):
    client = make_client(platform)
    record = sample_record()

    first = client.push([record])
    second = client.push([record])

    assert [r.status for r in first + second] == ["accepted", "duplicate"]
    assert platform.count() == 1
    stored = platform.records()[0]
    assert stored["id"] == record.record_id and stored["kind"] == "case.accept"
    assert stored["payload"]["applyer_type"] == "1"  # mapped through the reference code table
    assert stored["device_time"] == "2026-03-02T09:15:00.000Z"


def test_a_batch_is_answered_record_by_record_in_order(platform):
    client = make_client(platform)
    good = sample_record(ordering_key="a")
    incomplete = sample_record(ordering_key="b", project_no=None)
    result = sample_record(RecordKind.CASE_RESULT, ordering_key="a")

    answers = client.push([good, incomplete, result])

    assert [(a.record_id, a.status) for a in answers] == [
        (good.record_id, "accepted"),
        (incomplete.record_id, "rejected"),
        (result.record_id, "accepted"),
    ]
    assert answers[1].reason == "缺少必填字段：project_no"
    assert [r["id"] for r in platform.records()] == [good.record_id, result.record_id]
    assert platform.records(RecordKind.CASE_RESULT)[0]["payload"]["result_type"] == "0"


def test_an_unmapped_code_is_rejected_locally_and_never_sent(platform):
    client = make_client(platform)
    record = sample_record(applyer_page_type="1000")  # a private code no table maps

    [answer] = client.push([record])

    assert answer.status == "rejected" and "证件类型" in answer.reason
    assert platform.stats()["answers"] == {"accepted": 0, "duplicate": 0, "rejected": 0}


def test_requests_without_a_token_get_401(platform):
    for method, path in [
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/records:batch"),
        ("GET", "/api/v1/stats"),
    ]:
        response = requests.request(method, platform.url + path, json={"records": []}, timeout=5)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused_and_not_retryable(start_platform):
    platform = start_platform(token=TOKEN)

    with pytest.raises(PlatformError) as info:
        make_client(platform, token="someone-else").push([sample_record()])

    assert info.value.message == TOKEN_REFUSED and info.value.retryable is False
    assert make_client(platform, token="someone-else").health().detail == TOKEN_REFUSED
    assert make_client(platform, token=TOKEN).health().ok
    assert platform.count() == 0


@pytest.mark.timeout(20)
def test_a_slow_platform_times_out_instead_of_hanging(start_platform):
    platform = start_platform(faults="latency_ms=3000")
    client = make_client(platform, timeout=(1.0, 0.3))

    with pytest.raises(PlatformError) as info:
        client.push([sample_record()])
    health = client.health()

    assert info.value.retryable and "超时" in info.value.message
    assert not health.ok and "超时" in health.detail


def test_health_gives_the_server_clock(platform):
    before = dt.datetime.now(dt.UTC)
    health = make_client(platform).health()
    after = dt.datetime.now(dt.UTC)

    assert health.ok
    # the server clock is this machine's clock, read between the two local readings (ms precision)
    assert before - dt.timedelta(milliseconds=1) <= health.server_time <= after


def test_an_injected_error_stores_nothing(start_platform):
    platform = start_platform(faults="error=1")

    with pytest.raises(PlatformError) as info:
        make_client(platform).push([sample_record()])

    assert info.value.retryable and "HTTP 500" in info.value.message
    assert platform.count() == 0


def test_injected_rejections_store_nothing(start_platform):
    platform = start_platform(faults="reject=1")

    answers = make_client(platform).push([sample_record(ordering_key=f"k{i}") for i in range(3)])

    assert {a.status for a in answers} == {"rejected"} and "故障注入" in answers[0].reason
    assert platform.count() == 0 and platform.stats()["faults"]["reject"] == 3


def test_a_malformed_batch_is_a_400_for_the_whole_request(platform):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    url = platform.url + "/api/v1/records:batch"
    assert requests.post(url, data=b"not json", headers=headers, timeout=5).status_code == 400
    assert (
        requests.post(url, json={"records": [{"kind": "notice"}]}, headers=headers, timeout=5).status_code
        == 400
    )
    assert requests.get(url, headers=headers, timeout=5).status_code == 405
    assert requests.get(platform.url + "/api/v1/nothing", headers=headers, timeout=5).status_code == 404


def test_catalogue_pulls_page_by_cursor(platform):
    platform.add_items("catalogue", [{"task_code": f"T{i}", "task_name": f"事项{i}"} for i in range(5)])
    client = make_client(platform)

    pages = [platform_page.items for platform_page in client.pull_all("catalogue", None)]
    first = client.pull("catalogue", limit=2)
    rest = client.pull("catalogue", first.next_cursor, limit=10)

    assert [item["task_code"] for page in pages for item in page] == [f"T{i}" for i in range(5)]
    assert [i["task_code"] for i in first.items] == ["T0", "T1"] and first.next_cursor
    assert [i["task_code"] for i in rest.items] == ["T2", "T3", "T4"] and rest.next_cursor is None
    assert client.pull("calendar").items == ()
    with pytest.raises(PlatformError) as info:
        client.pull("staff", cursor="not-a-cursor")
    assert not info.value.retryable


def test_stats_count_records_by_kind(platform):
    client = make_client(platform)
    client.push([sample_record(ordering_key="a"), sample_record(RecordKind.REVIEW, ordering_key="a")])

    stats = client.stats()

    assert stats["records"] == 2
    assert stats["by_kind"]["case.accept"] == 1 and stats["by_kind"]["review"] == 1
    assert stats["by_kind"]["notice"] == 0


def test_a_bad_fault_spec_is_refused_before_listening(tmp_path):
    with pytest.raises(ValueError, match="unknown fault"):
        ReferencePlatform(tmp_path / "p.db", faults="chaos=1")


def test_an_in_memory_store_works(tmp_path):
    with ReferencePlatform(None) as platform:
        make_client(platform).push([sample_record()])
        assert platform.count(RecordKind.CASE_ACCEPT) == 1
    assert platform.url.startswith("http://127.0.0.1:")
