"""Real windows offscreen, wired to the real core sender and executors the app builds; every test
ends by shutting them down and proving no thread of ours is left running."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.app import CoreSender, Executors
from explorer.ui.services import Services

# The offscreen platform warns that it cannot propagate size hints whenever a window is shown.
OFFSCREEN_NOISE = "propagateSizeHints"


@pytest.fixture
def executors() -> Iterator[Executors]:
    pools = Executors()
    yield pools
    pools.shutdown()
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("explorer-")]
    assert not leftover, f"threads left running: {leftover}"


@pytest.fixture
def services(executors: Executors, tmp_path: Path) -> Iterator[Services]:
    sender = CoreSender(executors.network)
    yield Services(
        sender=sender,
        worker=executors.worker,
        disk=executors.disk,
        settings_path=tmp_path / "window.ini",
    )
    sender.shutdown()


@pytest.fixture
def window(qtbot, services: Services):  # type: ignore[no-untyped-def]
    from explorer.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
