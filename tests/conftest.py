"""Fixtures shared by every layer: real servers on loopback, Qt offscreen, the missing-program
report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ.get("EXPLORER_BLOCK_QT") == "1":
    from tests.support import blockqt

    blockqt.install()

from tests.support.fuzz import register_profiles
from tests.support.servers import EdgeServer, WsgiServer

# The application services fixtures (executors, services, demo_services) for tests/services and
# tests/ui alike.
pytest_plugins = ["tests.support.services"]

register_profiles()

_NEEDS = re.compile(r"needs '([^']+)', which this machine lacks")
_missing: dict[str, set[str]] = {}


@pytest.fixture(autouse=True)
def _forget_remembered_secrets() -> Iterator[None]:
    """The process-wide set of secrets to mask (``redaction.remember``) starts empty for each
    test: a short value one test handled (say ``one``) must not mask another test's output."""
    from explorer.core import redaction

    redaction.forget_all()
    yield
    redaction.forget_all()


@pytest.fixture(scope="session")
def httpbin_url() -> Iterator[str]:
    """PyPI httpbin served on 127.0.0.1 by a werkzeug thread."""
    from httpbin import app

    server = WsgiServer(app)
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def edge() -> Iterator[EdgeServer]:
    server = EdgeServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls_ca():  # type: ignore[no-untyped-def]
    import trustme

    return trustme.CA()


@pytest.fixture(scope="session")
def tls_edge(tls_ca, tmp_path_factory) -> Iterator[tuple[EdgeServer, str]]:  # type: ignore[no-untyped-def]
    """An HTTPS edge server with a certificate from a throwaway CA; yields (server, CA path)."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_path = tmp_path_factory.mktemp("ca") / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(ca_path))
    server = EdgeServer(tls=context)
    yield server, str(ca_path)
    server.stop()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and isinstance(report.longrepr, tuple):
        match = _NEEDS.search(str(report.longrepr[2]))
        if match:
            _missing.setdefault(match.group(1), set()).add(report.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not _missing:
        return
    terminalreporter.section("programs this machine lacks")
    for program, nodes in sorted(_missing.items()):
        terminalreporter.write_line(
            f"{program}: {len(nodes)} test(s) could not run, e.g. {min(nodes)}"
        )


# -- auth, credentials and token lifecycle (issue 4) -------------------------------------------


class OAuth2Mock:
    """oauth2-mock-server (npm) started by ``tests/interop/oauth2_mock_launcher.mjs``."""

    USERNAME, PASSWORD, CLIENT_ID, CLIENT_SECRET = "alice", "wonderland", "explorer", "s3cret"

    def __init__(self, ttl: int = 2) -> None:
        import json
        import subprocess
        from pathlib import Path

        folder = Path(__file__).parent / "interop"
        config = {
            "username": self.USERNAME,
            "password": self.PASSWORD,
            "client_id": self.CLIENT_ID,
            "client_secret": self.CLIENT_SECRET,
            "ttl": ttl,
        }
        self.ttl = ttl
        self._process = subprocess.Popen(
            ["node", "oauth2_mock_launcher.mjs", json.dumps(config)],
            cwd=folder,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        info = json.loads(self._process.stdout.readline())
        self.issuer: str = info["issuer"]
        self.token_url: str = info["token_url"]
        self.userinfo_url: str = info["userinfo_url"]
        self.control_url: str = info["control_url"]

    def control(self, action: str = "stats") -> dict:  # type: ignore[type-arg]
        import json
        import urllib.request

        with urllib.request.urlopen(f"{self.control_url}/{action}", timeout=5) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(5)


@pytest.fixture(scope="session")
def oauth2_mock() -> Iterator[OAuth2Mock]:
    """A real third-party OAuth2 server enforcing alice/wonderland and issuing 2-second tokens."""
    from tests.support.programs import require

    require("node", "oauth2_mock")
    server = OAuth2Mock()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A private Secret Service (dbus-daemon + gnome-keyring-daemon, unlocked, throwaway HOME)."""
    from tests.support.keyring_service import SecretService
    from tests.support.programs import require

    dbus = require("dbus-daemon", "secret_service")
    daemon = require("gnome-keyring-daemon", "secret_service")
    require("dbus-send", "secret_service")
    service = SecretService(tmp_path_factory.mktemp("secret-service"), dbus, daemon)
    yield service
    service.stop()


@pytest.fixture
def secret_service_keyring(secret_service, monkeypatch):  # type: ignore[no-untyped-def]
    """keyring's SecretService backend talking to the private daemon."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.env["DBUS_SESSION_BUS_ADDRESS"])
    return secret_service.backend()


@pytest.fixture
def plaintext_keyring(tmp_path):  # type: ignore[no-untyped-def]
    """keyrings.alt's file keyring, confined to this test's temporary folder."""
    from tests.support.keyring_service import plaintext_keyring as make

    return make(tmp_path / "keyring")
