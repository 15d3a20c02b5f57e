"""Real windows offscreen, wired to the services ``app.py`` builds (the real core, a throwaway
workspace, no OS keyring: the session-only store), and, for vendor flows, the embedded sandbox.
Every test ends by shutting the executors down and proving no thread of ours is left running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from explorer.core.http import HttpClient
from explorer.core.runner.service import LocalRuns
from explorer.services.api import Services
from tests.core.runner.helpers import plain_workbench

# The offscreen platform warns that it cannot propagate size hints whenever a window is shown.
OFFSCREEN_NOISE = "propagateSizeHints"


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


@pytest.fixture
def runs() -> Iterator[LocalRuns]:
    """The collection runner over a plain workbench (no provider), for the Run dialog."""
    client = HttpClient()
    workbench = plain_workbench(client)
    service = LocalRuns(lambda: workbench)
    yield service
    service.shutdown()
    client.close()
