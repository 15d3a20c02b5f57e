"""Fixtures of the hardening suite (docs/security.md): hostile servers on loopback, TLS servers
that fail in each way a real one can, and the hypothesis profiles every fuzz test runs under.

``HYPOTHESIS_PROFILE=long`` runs each property test for thousands of examples instead of the few
dozen CI affords; the profiles are registered in ``tests/conftest.py`` so the older fuzz tests in
``tests/core`` obey them too.
"""

from __future__ import annotations

import datetime
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.hostile import HostileServer
from tests.support.servers import EdgeServer


@pytest.fixture
def home(secret_service, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The environment of a CLI process: the private Secret Service, a private app home, no
    colours (and no keyring backend forced by the test run)."""
    env = {**secret_service.env, "API_EXPLORER_HOME": str(tmp_path / "app-home"), "NO_COLOR": "1"}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    return env


@pytest.fixture(scope="session")
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ca_file(tls_ca, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("hardening-ca") / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(path))
    return str(path)


def _tls_server(
    tls_ca, *hosts: str, old_protocol: ssl.TLSVersion | None = None, **cert
) -> EdgeServer:  # type: ignore[no-untyped-def]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls_ca.issue_cert(*hosts, **cert).configure_cert(context)
    if old_protocol is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the point of this server
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = old_protocol
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return EdgeServer(tls=context)


@pytest.fixture(scope="session")
def bad_tls(tls_ca) -> Iterator[dict[str, EdgeServer]]:  # type: ignore[no-untyped-def]
    """HTTPS servers whose certificate or protocol is wrong, each trusted by ``ca_file``."""
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    servers = {
        "expired": _tls_server(tls_ca, "127.0.0.1", not_after=past),
        "wrong host": _tls_server(tls_ca, "vendor.example"),
        "TLS 1.0 only": _tls_server(tls_ca, "127.0.0.1", old_protocol=ssl.TLSVersion.TLSv1),
        "TLS 1.1 only": _tls_server(tls_ca, "127.0.0.1", old_protocol=ssl.TLSVersion.TLSv1_1),
        "good": _tls_server(tls_ca, "127.0.0.1"),
    }
    yield servers
    for server in servers.values():
        server.stop()
