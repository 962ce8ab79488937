"""Real TLS on 127.0.0.1: a platform with a hall-internal certificate is refused until its CA bundle
is configured; verification cannot be bypassed."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hallclient.services.ports import PlatformError
from hallclient.sync.client import HttpPlatformClient
from hallclient.sync.reference_platform import ReferencePlatform
from tests.fakes.outbox import sample_record


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A hall-internal certificate for 127.0.0.1 (its own CA), made on the spot."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hall exchange test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "hall-ca.pem", directory / "server-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_platform(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = self_signed(tmp_path)
    platform = ReferencePlatform(tmp_path / "platform.db")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    # The reference platform speaks plain HTTP; for this test its listening socket speaks TLS.
    platform._server.socket = context.wrap_socket(platform._server.socket, server_side=True)
    platform.start()
    try:
        yield platform.url.replace("http://", "https://"), cert
    finally:
        platform.stop()


def client(url: str, verify: bool | str = True) -> HttpPlatformClient:
    session = requests.Session()
    session.trust_env = False  # no REQUESTS_CA_BUNDLE or proxy from the environment
    return HttpPlatformClient(url, "window-1", timeout=(2.0, 5.0), verify=verify, session=session)


def test_an_unknown_certificate_is_refused_with_a_message_for_hall_it(tls_platform):
    url, _ = tls_platform
    health = client(url).health()
    assert health.ok is False and "证书校验未通过" in health.detail
    with pytest.raises(PlatformError) as caught:
        client(url).push([sample_record()])
    assert caught.value.retryable is False  # it will not mend itself: hall IT must configure the CA


def test_with_the_hall_ca_bundle_the_same_platform_is_trusted(tls_platform):
    url, ca = tls_platform
    hall_client = client(url, verify=str(ca))
    assert hall_client.health().ok is True
    (result,) = hall_client.push([sample_record()])
    assert result.status == "accepted"
