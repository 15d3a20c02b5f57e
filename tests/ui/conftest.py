"""Real windows offscreen, wired to the services ``app.py`` builds (the real core, a throwaway
workspace, no OS keyring: the session-only store), and, for vendor flows, the embedded sandbox.
Every test ends by shutting the executors down and proving no thread of ours is left running."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.services.api import Services
from explorer.services.compose import Executors, build_services

# The offscreen platform warns that it cannot propagate size hints whenever a window is shown.
OFFSCREEN_NOISE = "propagateSizeHints"


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


def open_window(qtbot, services: Services):  # type: ignore[no-untyped-def]
    from explorer.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot, services: Services):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, services)
    yield win
    win.close()


@pytest.fixture
def demo_window(qtbot, demo_services: Services):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, demo_services)
    qtbot.waitUntil(lambda: win.provider_bar.provider_combo.count() > 1, timeout=20_000)
    yield win
    win.close()
