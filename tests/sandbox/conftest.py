"""One simulator per test session (per xdist worker), reset before every test so each test starts
from the seeded state; tests talk to it with plain ``requests``, never through our client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from explorer.sandbox import Sandbox, start_sandbox


class Sim:
    """Thin helpers over the control plane and the seeded credentials."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.url = sandbox.base_url
        self.http = requests.Session()

    def info(self) -> dict[str, Any]:
        return self.http.get(f"{self.url}/_sandbox/info", timeout=5).json()

    def env(self, provider: str, env: str) -> dict[str, Any]:
        return self.info()["providers"][provider]["environments"][env]

    def advance(self, seconds: float) -> None:
        response = self.http.post(
            f"{self.url}/_sandbox/clock", json={"advance": seconds}, timeout=5
        )
        assert response.status_code == 200

    def config(self, provider: str, **settings: Any) -> None:
        response = self.http.post(
            f"{self.url}/_sandbox/config",
            json={"provider": provider, "settings": settings},
            timeout=5,
        )
        assert response.status_code == 200, response.text

    def stats(self, provider: str, env: str) -> dict[str, Any]:
        return self.http.get(f"{self.url}/_sandbox/stats", timeout=5).json()[provider][env]

    def last_rule(self) -> str:
        entries = self.http.get(f"{self.url}/_sandbox/log?limit=1", timeout=5).json()["entries"]
        return str(entries[-1]["rule"])


@pytest.fixture(scope="session")
def _sandbox() -> Iterator[Sandbox]:
    with start_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sim(_sandbox: Sandbox) -> Iterator[Sim]:
    helper = Sim(_sandbox)
    assert helper.http.post(f"{helper.url}/_sandbox/reset", timeout=5).status_code == 200
    yield helper
    helper.http.close()
