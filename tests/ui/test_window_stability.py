"""A window that stays put (#15 item 7): long errors never resize it, splitters keep the user's
sizes through sends, provider switches, credential changes and a restart, the credentials panel
asks for the same width whatever it shows, and at 1000 by 650 every key control is on screen,
whole, with no tab hidden behind scroll arrows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QRect
from PySide6.QtWidgets import QComboBox, QTabBar, QTabWidget, QToolButton, QWidget

from explorer.core.models import RequestSpec
from explorer.services.api import Services
from tests.ui.conftest import OFFSCREEN_NOISE, open_window
from tests.ui.test_vendor_flows import choose

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

USER_SIZES = {"main_splitter": [300, 980], "side_splitter": [260, 140, 300]}


def layout_of(window) -> tuple[int, list[int], list[int], list[int]]:  # type: ignore[no-untyped-def]
    return (
        window.width(),
        window.main_splitter.sizes(),
        window.side_splitter.sizes(),
        window.work_splitter.sizes(),
    )


def set_user_sizes(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.main_splitter.setSizes(USER_SIZES["main_splitter"])
    window.side_splitter.setSizes(USER_SIZES["side_splitter"])
    window.work_splitter.setSizes([260, 470])
    qtbot.waitUntil(lambda: window.main_splitter.sizes()[0] == 300)


def settle(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Run the queued layout requests (a resize would happen here if anything asked for one)."""
    for _ in range(2):
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        window.layout().activate()


def test_a_2000_character_error_leaves_the_window_width_unchanged(qtbot, window, edge) -> None:  # type: ignore[no-untyped-def]
    set_user_sizes(qtbot, window)
    before = layout_of(window)
    with qtbot.waitSignal(window.request_finished, timeout=10_000) as finished:
        window.send(RequestSpec("GET", f"{edge.base_url}/refused?size=2000"))
    assert finished.args[0].exchange.response.status == 403
    assert "denied for the partner account" in window.response.problem.text()
    modes = window.response.modes
    for index in range(modes.count()):  # the problem card, the request as sent, ...
        if modes.isTabVisible(index):
            modes.setCurrentIndex(index)
            settle(qtbot, window)
            assert layout_of(window) == before, modes.tabText(index)

    with qtbot.waitSignal(window.request_failed, timeout=10_000) as failed:
        window.send(RequestSpec("GET", f"{edge.base_url}/a b/{'x' * 2000}"))
    assert len(failed.args[0]) > 2000
    window.messages.show_error(failed.args[0])
    settle(qtbot, window)
    assert layout_of(window) == before
    assert window.minimumSizeHint().width() <= 1000


def test_splitters_keep_the_users_sizes_across_sends_switches_and_a_restart(  # type: ignore[no-untyped-def]
    qtbot, demo_services: Services
) -> None:
    window = open_window(qtbot, demo_services)
    qtbot.waitUntil(lambda: window.provider_bar.provider_combo.count() > 1, timeout=20_000)
    choose(qtbot, window, "priceedge")
    set_user_sizes(qtbot, window)
    before = layout_of(window)
    panel = window.credentials
    hint = panel.minimumSizeHint().width(), panel.sizeHint().width()

    choose(qtbot, window, "procode")
    settle(qtbot, window)
    assert layout_of(window) == before
    panel.show_target(None, None)  # nothing to show: an empty panel
    settle(qtbot, window)
    assert layout_of(window) == before
    assert (panel.minimumSizeHint().width(), panel.sizeHint().width()) == hint
    choose(qtbot, window, "priceedge")
    stored = {slot.name for slot in panel.slots if slot.stored}
    missing = next(slot.name for slot in panel.slots if not slot.stored)
    panel.set_value(missing, "a-new-value-" * 20)  # one more row of buttons (Clear, Reveal)
    qtbot.waitUntil(lambda: {s.name for s in panel.slots if s.stored} == stored | {missing})
    settle(qtbot, window)
    assert layout_of(window) == before
    assert (panel.minimumSizeHint().width(), panel.sizeHint().width()) == hint

    with qtbot.waitSignal(window.request_finished, timeout=20_000):
        window.send(RequestSpec("GET", "{{base_url}}/nowhere/" + "y" * 500))
    settle(qtbot, window)
    assert layout_of(window) == before
    window.close()

    again = open_window(qtbot, demo_services)
    qtbot.waitUntil(lambda: again.main_splitter.sizes() == before[1])
    assert again.side_splitter.sizes() == before[2]
    again.close()


def inside_window(window, widget: QWidget) -> bool:  # type: ignore[no-untyped-def]
    """Shown, whole (no parent or sibling clips it) and within the window's rectangle."""
    if not widget.isVisible():
        return False
    top_left = widget.mapTo(window, QPoint(0, 0))
    placed = QRect(top_left, widget.size())
    whole = widget.visibleRegion().boundingRect() == widget.rect()
    return window.rect().contains(placed) and whole


def tabs_fit(bar: QTabBar) -> bool:
    arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    shown = [i for i in range(bar.count()) if bar.isTabVisible(i)]
    return not arrows and all(bar.rect().contains(bar.tabRect(i)) for i in shown)


def test_every_key_control_is_reachable_at_1000_by_650(qtbot, demo_window) -> None:  # type: ignore[no-untyped-def]
    window = demo_window
    choose(qtbot, window, "priceedge")
    hint = window.minimumSizeHint()
    assert hint.width() <= 1000
    assert hint.height() <= 650
    window.resize(1000, 650)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1000, 650))
    settle(qtbot, window)
    controls = {
        name: window.findChild(QWidget, name)
        for name in (
            "sendButton",
            "urlEdit",
            "methodCombo",
            "providerCombo",
            "environmentCombo",
            "requestTabs",
            "responseModes",
            "tokenStatus",
        )
    }
    assert all(isinstance(w, QWidget) for w in controls.values()), controls
    hidden = [name for name, widget in controls.items() if not inside_window(window, widget)]
    assert hidden == []
    assert isinstance(controls["providerCombo"], QComboBox)
    request_tabs = controls["requestTabs"]
    assert isinstance(request_tabs, QTabWidget)
    assert tabs_fit(request_tabs.tabBar())
    response_tabs = controls["responseModes"]
    assert isinstance(response_tabs, QTabBar)
    shown = {
        response_tabs.tabText(i)
        for i in range(response_tabs.count())
        if response_tabs.isTabVisible(i)
    }  # Tree and Problem only when they have content
    assert {"Pretty", "Raw", "Preview", "Headers", "Cookies", "Sent", "Timing"} <= shown
    assert tabs_fit(response_tabs)
