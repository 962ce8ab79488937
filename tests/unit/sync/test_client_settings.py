"""The client refuses unsafe or unusable settings before it sends anything."""

from __future__ import annotations

import pytest

from hallclient.sync.client import HttpPlatformClient


def test_tls_verification_cannot_be_turned_off():
    with pytest.raises(ValueError, match="证书校验"):
        HttpPlatformClient("https://platform.example.cn", "t", verify=False)


def test_a_ca_bundle_path_must_exist(tmp_path):
    with pytest.raises(ValueError, match="CA 证书文件不存在"):
        HttpPlatformClient("https://platform.example.cn", "t", verify=str(tmp_path / "missing.pem"))
    bundle = tmp_path / "hall-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    HttpPlatformClient("https://platform.example.cn", "t", verify=str(bundle)).close()


@pytest.mark.parametrize("url", ["http://platform.example.cn", "http://10.0.0.8:8765"])
def test_plain_http_is_refused_except_to_this_machine(url):
    with pytest.raises(ValueError, match="https"):
        HttpPlatformClient(url, "t")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"])
def test_plain_http_to_loopback_is_allowed(url):
    HttpPlatformClient(url, "t").close()


@pytest.mark.parametrize("url", ["ftp://platform.example.cn", "platform.example.cn", "https://"])
def test_a_malformed_address_is_refused(url):
    with pytest.raises(ValueError, match="平台地址无效"):
        HttpPlatformClient(url, "t")


def test_a_token_is_required():
    with pytest.raises(ValueError, match="令牌"):
        HttpPlatformClient("https://platform.example.cn", "")


def test_timeouts_must_be_positive():
    with pytest.raises(ValueError):
        HttpPlatformClient("https://platform.example.cn", "t", timeout=(0, 10))
