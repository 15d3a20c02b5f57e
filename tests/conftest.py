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

from tests.support.servers import EdgeServer, WsgiServer

_NEEDS = re.compile(r"needs '([^']+)', which this machine lacks")
_missing: dict[str, set[str]] = {}


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
