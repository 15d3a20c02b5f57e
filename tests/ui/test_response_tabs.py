"""The response area as a user sees it: a send that got no answer says why, whole, where the
body would be (the status line shows only what fits). The tab bar: every visible tab fits in
the bar (none past its edge or behind scroll arrows), also when the Tree tab appears for a JSON
body after the bar was laid out, at the window's default size and at 1000 px."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QTabBar

from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_history import refused_url
from tests.ui.test_send_flow import child, send

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def visible_tabs_fit(bar: QTabBar) -> list[str]:
    """The titles of the visible tabs drawn (partly) outside the bar: none is the answer."""
    return [
        bar.tabText(index)
        for index in range(bar.count())
        if bar.isTabVisible(index) and not bar.rect().contains(bar.tabRect(index))
    ]


@pytest.mark.parametrize("width", [1280, 1000])
def test_the_tree_tab_appears_inside_the_bar_for_a_json_body(qtbot, window, edge, width) -> None:  # type: ignore[no-untyped-def]
    window.resize(width, 700)
    bar = child(window, QTabBar, "responseModes")
    tree = [bar.tabText(i) for i in range(bar.count())].index("Tree")
    assert not bar.isTabVisible(tree)  # no JSON yet
    send(qtbot, window, f"{edge.base_url}/json-array?items=3")
    qtbot.waitUntil(lambda: bar.isTabVisible(tree))
    qtbot.waitUntil(lambda: not visible_tabs_fit(bar))
    assert bar.rect().contains(bar.tabRect(tree))
    if width == 1280:  # room for every title: the bar grew for the new tab (Qt does not re-ask)
        qtbot.waitUntil(lambda: bar.width() >= bar.sizeHint().width())
    send(qtbot, window, f"{edge.base_url}/latin1")  # not JSON: the tab goes again
    qtbot.waitUntil(lambda: not bar.isTabVisible(tree))
    assert not visible_tabs_fit(bar)


def test_the_problem_tab_shows_only_with_a_problem(qtbot, window, edge) -> None:  # type: ignore[no-untyped-def]
    bar = child(window, QTabBar, "responseModes")
    problem = [bar.tabText(i) for i in range(bar.count())].index("Problem")
    assert not bar.isTabVisible(problem)
    send(qtbot, window, f"{edge.base_url}/refused?size=40")  # 403 with RFC 9457 details
    qtbot.waitUntil(lambda: bar.isTabVisible(problem))
    assert bar.currentIndex() == problem
    assert not visible_tabs_fit(bar)
    send(qtbot, window, f"{edge.base_url}/json-array?items=2")
    qtbot.waitUntil(lambda: not bar.isTabVisible(problem))
    assert bar.currentIndex() != problem


def test_a_failed_send_says_why_in_full_where_the_body_would_be(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    width = window.width()
    url = refused_url() + "/" + "x" * 1500  # a long sentence with a long unbroken word
    window.editor.url.setText(url)
    with qtbot.waitSignal(window.request_failed, timeout=10_000) as failed:
        window.editor.send_button.click()
    notice = child(window, QLabel, "responseBodyNotice")
    qtbot.waitUntil(notice.isVisible)
    assert notice.text() == failed.args[0]
    assert window.width() == width
    window.response.clear()  # another request shown: the reason goes with it
    assert not notice.isVisible()
