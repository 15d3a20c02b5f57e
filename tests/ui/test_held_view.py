"""The Tree tab's view is the held view (events entered through Python overrides, which took
the 20 MB filter's UI stall from ~100 ms to ~10 ms in ``bench/ui_json_tree.py``), and its
replacement header keeps the settings ``QTreeView`` gives its own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from explorer.ui.held_view import HeldHeaderView, HeldTreeView
from explorer.ui.json_tree import JsonTreePanel
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_the_tree_tab_uses_it_with_the_usual_header(qtbot) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(1) as executor:
        panel = JsonTreePanel(executor)
        qtbot.addWidget(panel)
        view = panel.view
        assert isinstance(view, HeldTreeView)
        header = view.header()
        assert isinstance(header, HeldHeaderView)
        assert header.sectionsMovable()
        assert header.stretchLastSection()
        assert header.model() is panel.model
