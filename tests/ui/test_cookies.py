"""Cookies in the window: the response's Cookies tab (``cookiesTable``, credential-looking
values masked until ``cookiesReveal``), the jar sending them on the next request (httpbin and
the demo sandbox's PriceEdge affinity cookie), and Tools → Cookies… (``cookieJarDialog``) with
Delete and Clear."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QPushButton, QTabBar, QTableWidget

from explorer.core.redaction import MASK
from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_send_flow import child, send
from tests.ui.test_vendor_flows import choose, send_sample

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def set_cookies(base: str, *cookies: str) -> str:
    """An httpbin URL whose 200 response carries each ``Set-Cookie`` given."""
    return f"{base}/response-headers?" + "&".join(f"Set-Cookie={quote(c)}" for c in cookies)


def cookies_seen_by(window) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return json.loads(window.response.exchange.response.body.read_bytes())["cookies"]


def column(table: QTableWidget, index: int) -> list[str]:
    return [table.item(row, index).text() for row in range(table.rowCount())]


def test_the_cookies_tab_lists_what_the_response_set_and_the_next_send_carries_it(
    qtbot, window, httpbin_url
) -> None:
    url = set_cookies(httpbin_url, "theme=dark; Path=/; SameSite=Lax", "sid=s3cr3t; HttpOnly")
    send(qtbot, window, url)
    modes = child(window, QTabBar, "responseModes")
    modes.setCurrentIndex([modes.tabText(i) for i in range(modes.count())].index("Cookies"))
    table = child(window, QTableWidget, "cookiesTable")
    assert table.isVisible()
    assert column(table, 0) == ["theme", "sid"]
    assert column(table, 1) == ["dark", MASK]
    assert column(table, 5) == ["", "✓"]  # HttpOnly
    assert column(table, 7) == ["Lax", ""]  # SameSite
    headers = child(window, QTableWidget, "responseHeaders")
    assert "s3cr3t" not in column(headers, 1)  # the Headers tab keeps Set-Cookie masked
    qtbot.mouseClick(child(window, QPushButton, "cookiesReveal"), Qt.MouseButton.LeftButton)
    assert column(table, 1) == ["dark", "s3cr3t"]

    send(qtbot, window, f"{httpbin_url}/cookies")
    assert cookies_seen_by(window) == {"theme": "dark", "sid": "s3cr3t"}
    assert table.rowCount() == 0  # this response set none
    assert column(table, 1) == []


def test_the_jar_viewer_deletes_one_cookie_and_clears_the_jar(qtbot, window, httpbin_url) -> None:
    send(qtbot, window, set_cookies(httpbin_url, "a=1", "b=2"))
    dialog = child(window, QDialog, "cookieJarDialog")
    assert not dialog.isVisible()  # made with the window, listed when opened
    child(window, QAction, "cookiesAction").trigger()
    assert dialog.isVisible()
    table = child(dialog, QTableWidget, "cookieJarTable")
    qtbot.waitUntil(lambda: table.rowCount() == 2)
    assert column(table, 0) == ["a", "b"]
    delete = child(dialog, QPushButton, "cookieJarDelete")
    assert not delete.isEnabled()
    table.selectRow(0)
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: column(table, 0) == ["b"])
    send(qtbot, window, f"{httpbin_url}/cookies")
    assert cookies_seen_by(window) == {"b": "2"}

    qtbot.mouseClick(child(dialog, QPushButton, "cookieJarClear"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: table.rowCount() == 0)
    send(qtbot, window, f"{httpbin_url}/cookies")
    assert cookies_seen_by(window) == {}
    dialog.close()


def test_a_cookie_the_sandbox_sets_is_sent_on_the_next_request(qtbot, demo_window) -> None:
    choose(qtbot, demo_window, "priceedge")
    first = send_sample(qtbot, demo_window)
    assert not any(name.lower() == "cookie" for name, _ in first.exchange.sent_headers)
    table = child(demo_window, QTableWidget, "cookiesTable")
    assert column(table, 0) == ["ARRAffinity"]
    second = send_sample(qtbot, demo_window)
    sent = dict((name.lower(), value) for name, value in second.exchange.sent_headers)
    assert sent["cookie"].startswith("ARRAffinity=")
    assert table.rowCount() == 0  # the sandbox saw it come back and set nothing new
