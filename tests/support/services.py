"""The application services over the real core, shared by the Qt-free service tests and the
window tests: a throwaway workspace and home, no OS keyring (the session-only store), and in
``demo`` the embedded sandbox. Each test ends by shutting the executors down and proving no
thread of ours is left running."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.services.api import Services
from explorer.services.compose import Executors, build_services

__all__ = ["demo_services", "executors", "services"]


@pytest.fixture
def executors() -> Iterator[Executors]:
    pools = Executors()
    yield pools
    pools.shutdown()
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("explorer-")]
    assert not leftover, f"threads left running: {leftover}"


def _services(
    executors: Executors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, demo: bool
) -> Iterator[Services]:
    monkeypatch.setenv("API_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    services = build_services(executors, workspace=tmp_path / "workspace", demo=demo)
    yield services
    services.sender.shutdown()
    for stop in services.on_shutdown:
        stop()


@pytest.fixture
def services(
    executors: Executors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    yield from _services(executors, tmp_path, monkeypatch, demo=False)


@pytest.fixture
def demo_services(
    executors: Executors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    yield from _services(executors, tmp_path, monkeypatch, demo=True)
