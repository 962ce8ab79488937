"""The PlatformClient port over HTTP (requests): one batch POST per push, health, and pulls by cursor.

Every request has a timeout and TLS is always verified. Failures become ``PlatformError`` with a
message a clerk or the hall IT can act on; the records then stay pending (the worker decides when
to try again). Nothing here logs record contents.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from hallclient.domain.outbox import OutboxRecord
from hallclient.services.ports import PlatformClient, PlatformError, PlatformHealth, PushResult
from hallclient.sync import contract
from hallclient.sync.codes import CodeMapper, UnmappedCodeError

log = logging.getLogger(__name__)

TOKEN_REFUSED = "平台拒绝了本窗口的令牌，请联系大厅IT"
NO_TOKEN = "未配置本窗口的平台令牌，请由大厅IT运行 hallclient sync token set"
_LOOPBACK_NAMES = {"localhost"}


@dataclass(frozen=True)
class PullPage:
    items: tuple[Mapping[str, Any], ...]
    next_cursor: str | None


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HttpPlatformClient:
    """Speaks ``resources/platform/openapi.yaml``. One instance per thread (it owns a Session)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: tuple[float, float] = (3.05, 10),
        verify: bool | str = True,
        session: requests.Session | None = None,
        codes: CodeMapper | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"平台地址无效：{base_url!r}（应为 https://主机[:端口]）")
        # Records carry personal data (privacy.md §4): plain HTTP only to this machine itself.
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ValueError(f"平台地址必须使用 https（{parts.hostname}）；明文 http 只允许本机地址")
        if verify is False:
            raise ValueError("不能关闭证书校验；如平台使用内部证书，请配置 CA 证书文件路径")
        if isinstance(verify, str) and not os.path.exists(verify):
            raise ValueError(f"CA 证书文件不存在：{verify}")
        if not token:
            raise ValueError("未配置本窗口的平台令牌")
        if len(timeout) != 2 or min(timeout) <= 0:
            raise ValueError("timeout must be (connect seconds, read seconds), both positive")
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._verify = verify
        self._codes = codes if codes is not None else CodeMapper.reference()
        self._session = session if session is not None else requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": "hallclient-sync/1",
            }
        )

    def close(self) -> None:
        self._session.close()

    # ---- PlatformClient port ------------------------------------------------------------------

    def push(self, records: Sequence[OutboxRecord]) -> list[PushResult]:
        """Send one batch; per-record answers in the order given. Unmappable records are not sent."""
        if len(records) > contract.MAX_BATCH:
            raise ValueError(f"at most {contract.MAX_BATCH} records per batch")
        local: dict[str, PushResult] = {}
        encoded: list[bytes] = []
        sent: set[str] = set()
        for record in records:
            rid = record.record_id
            try:
                payload = self._codes.map_payload(record.kind, record.payload)
            except UnmappedCodeError as exc:
                log.warning("record %s (%s) not sent: no code for table %s", rid, record.kind, exc.table)
                local[rid] = PushResult(rid, "rejected", exc.message)
                continue
            try:
                # One record at a time, so that a record that cannot be encoded is set aside
                # instead of blocking every record behind it.
                encoded.append(contract.dumps(contract.record_to_wire(record, payload)))
            except (TypeError, ValueError) as exc:
                log.warning(
                    "record %s (%s) not sent: cannot encode it (%s)", rid, record.kind, type(exc).__name__
                )
                local[rid] = PushResult(
                    rid, "rejected", f"记录无法编码（{str(exc)[:100]}），未发送，请联系大厅IT"
                )
                continue
            sent.add(rid)
        answers: dict[str, PushResult] = {}
        if encoded:
            body = b'{"records":[' + b",".join(encoded) + b"]}"
            answers = self._parse_results(self._request("POST", contract.BATCH_PATH, data=body), sent)
        merged = {**answers, **local}
        return [merged[r.record_id] for r in records]

    def health(self) -> PlatformHealth:
        """Never raises: an unreachable platform is an answer (ok=False) for a health probe."""
        started = time.monotonic()
        try:
            body = self._json(self._request("GET", contract.HEALTH_PATH))
            server_time = contract.parse_rfc3339(str(body["time"]))
            ok = body.get("status") == "ok"
        except PlatformError as exc:
            return PlatformHealth(ok=False, server_time=None, detail=exc.message)
        except (KeyError, TypeError, ValueError):
            return PlatformHealth(ok=False, server_time=None, detail="平台健康检查应答格式错误")
        rtt_ms = round((time.monotonic() - started) * 1000)
        return PlatformHealth(ok=ok, server_time=server_time, detail=f"往返 {rtt_ms} 毫秒")

    # ---- pulls and operator endpoints ---------------------------------------------------------

    def pull(self, resource: str, cursor: str | None = None, limit: int = 100) -> PullPage:
        if resource not in contract.PULL_RESOURCES:
            raise ValueError(f"unknown resource {resource!r}; one of {contract.PULL_RESOURCES}")
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = self._json(self._request("GET", f"{contract.API_PREFIX}/{resource}", params=params))
        items = body.get("items")
        next_cursor = body.get("next_cursor")
        if not isinstance(items, list) or not (next_cursor is None or isinstance(next_cursor, str)):
            raise PlatformError("平台数据应答格式错误", retryable=True)
        return PullPage(tuple(items), next_cursor)

    def pull_all(
        self, resource: str, cursor: str | None = None, max_pages: int = 10_000
    ) -> Iterator[PullPage]:
        """Pages from ``cursor`` to the end (bounded by ``max_pages``)."""
        for _ in range(max_pages):
            page = self.pull(resource, cursor)
            yield page
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
        raise PlatformError("平台数据分页过多，已停止读取", retryable=True)

    def stats(self) -> dict[str, Any]:
        return self._json(self._request("GET", contract.STATS_PATH))

    # ---- plumbing -----------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, *, data: bytes | None = None, params: Mapping[str, Any] | None = None
    ) -> requests.Response:
        url = self._base + path
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        try:
            # No redirects: requests would turn the batch POST into a GET and could carry the
            # token elsewhere; a platform that moved is a configuration change for hall IT.
            response = self._session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            log.warning("%s %s: TLS failure (%s)", method, path, type(exc).__name__)
            raise PlatformError(
                "与一体化政务服务平台的安全连接失败（证书校验未通过），请联系大厅IT", retryable=False
            ) from exc
        except requests.exceptions.ConnectTimeout as exc:
            log.info("%s %s: connect timeout", method, path)
            raise PlatformError("无法连接一体化政务服务平台（连接超时）") from exc
        except requests.exceptions.ReadTimeout as exc:
            log.info("%s %s: read timeout", method, path)
            raise PlatformError("一体化政务服务平台未在规定时间内应答（读取超时）") from exc
        except requests.exceptions.ConnectionError as exc:
            log.info("%s %s: connection failed (%s)", method, path, type(exc).__name__)
            raise PlatformError("无法连接一体化政务服务平台（网络不通或连接中断）") from exc
        except requests.exceptions.RequestException as exc:
            log.warning("%s %s: request failed (%s)", method, path, type(exc).__name__)
            raise PlatformError("与一体化政务服务平台通信失败") from exc
        self._raise_for_status(method, path, response)
        return response

    @staticmethod
    def _raise_for_status(method: str, path: str, response: requests.Response) -> None:
        code = response.status_code
        if code < 300:
            return
        log.info("%s %s: HTTP %d", method, path, code)
        if code < 400:
            raise PlatformError(f"平台地址已变更（HTTP {code}），请联系大厅IT更新配置", retryable=False)
        if code in (401, 403):
            raise PlatformError(TOKEN_REFUSED, retryable=False)
        if code == 429 or code >= 500:
            raise PlatformError(f"一体化政务服务平台暂时不可用（HTTP {code}），稍后自动重试")
        # The contract keeps "error" short and free of record contents, so it may be shown.
        try:
            reason = str(response.json().get("error", ""))[:200]
        except (ValueError, AttributeError):
            reason = ""
        detail = f"：{reason}" if reason else ""
        raise PlatformError(f"平台拒绝了请求（HTTP {code}）{detail}", retryable=False)

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as exc:
            raise PlatformError("平台应答格式错误（不是 JSON）") from exc
        if not isinstance(body, dict):
            raise PlatformError("平台应答格式错误")
        return body

    def _parse_results(self, response: requests.Response, sent: set[str]) -> dict[str, PushResult]:
        results = self._json(response).get("results")
        if not isinstance(results, list):
            raise PlatformError("平台应答格式错误（缺少 results）")
        answers: dict[str, PushResult] = {}
        for item in results:
            if not isinstance(item, dict) or item.get("status") not in contract.ANSWERS:
                raise PlatformError("平台应答格式错误（记录状态无效）")
            record_id = str(item.get("id"))
            if record_id in sent:
                answers[record_id] = PushResult(record_id, item["status"], str(item.get("reason") or ""))
        if len(answers) != len(sent):
            # Without an answer for every record we cannot tell which were stored: keep all
            # pending and send them again; the platform's idempotency absorbs the repeats.
            raise PlatformError(f"平台应答不完整（{len(answers)}/{len(sent)} 条有结果），稍后自动重试")
        return answers


class DeferredPlatformClient:
    """A PlatformClient built on first use, on the thread that uses it (the sync thread).

    Reading the token may ask the OS keyring, which can take a while: never on the GUI thread at
    start-up, and a cold start never waits for it. A client that cannot be built (no token, a bad
    address) is an answer like "offline", with a message, not a crash; it is tried again next round.
    """

    def __init__(self, build: Callable[[], PlatformClient]) -> None:
        self._build = build
        self._client: PlatformClient | None = None

    def _get(self) -> PlatformClient:
        if self._client is None:
            try:
                self._client = self._build()
            except ValueError as exc:
                raise PlatformError(str(exc), retryable=False) from exc
        return self._client

    def push(self, records: Sequence[OutboxRecord]) -> list[PushResult]:
        return self._get().push(records)

    def health(self) -> PlatformHealth:
        try:
            client = self._get()
        except PlatformError as exc:
            return PlatformHealth(ok=False, server_time=None, detail=exc.message)
        return client.health()

    def close(self) -> None:
        close = getattr(self._client, "close", None)
        if close is not None:
            close()
