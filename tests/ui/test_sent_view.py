"""The Sent and Timing tabs after real sends: a vendor's ``x-reference-id`` and a masked
Authorization that Reveal shows on an explicit click, the redirect chain hop by hop, and a
waterfall of measured phases that add up to the total."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QLabel, QListWidget, QTableWidget, QToolButton, QWidget

from explorer.core.models import Body, BodyMode, KeyValue, RequestSpec
from explorer.core.redaction import MASK
from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_send_flow import send
from tests.ui.test_vendor_flows import choose, send_sample

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def child(window: QWidget, kind: type, name: str):  # type: ignore[no-untyped-def]
    found = window.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name}"
    return found


def table_rows(table: QTableWidget) -> dict[str, str]:
    return {
        table.item(row, 0).text().lower(): table.item(row, 1).text()
        for row in range(table.rowCount())
    }


def show_mode(window, mode: str) -> None:  # type: ignore[no-untyped-def]
    modes = window.response.modes
    modes.setCurrentIndex(next(i for i in range(modes.count()) if modes.tabText(i) == mode))


def test_the_sent_view_shows_the_reference_id_and_masks_authorization_until_revealed(
    qtbot, demo_window
) -> None:
    choose(qtbot, demo_window, "flexiti")
    outcome = send_sample(qtbot, demo_window)
    exchange = outcome.exchange
    assert exchange.response.status == 200
    show_mode(demo_window, "Sent")
    view = child(demo_window, QWidget, "sentRequestView")
    assert view.isVisible()
    headers = child(view, QTableWidget, "sentHeaders")
    rows = table_rows(headers)
    sent = {name.lower(): value for name, value in exchange.sent_headers}
    assert rows["x-reference-id"] == sent["x-reference-id"]
    assert rows["authorization"] == f"Bearer {MASK}"
    token = sent["authorization"].removeprefix("Bearer ")
    assert token
    assert all(token not in value for value in rows.values())

    reveal = child(view, QToolButton, "sentRevealSecrets")
    reveal.click()
    assert table_rows(headers)["authorization"] == f"Bearer {token}"
    reveal.click()
    assert table_rows(headers)["authorization"] == f"Bearer {MASK}"


def test_the_redirect_chain_is_listed_hop_by_hop(qtbot, window, httpbin_url) -> None:
    send(qtbot, window, f"{httpbin_url}/redirect/2")
    show_mode(window, "Sent")
    hops = child(window, QListWidget, "sentRedirects")
    lines = [hops.item(i).text() for i in range(hops.count())]
    assert len(lines) == 2
    assert lines[0].startswith(f"302  GET {httpbin_url}/redirect/2  →  ")
    assert lines[1].endswith(f"→  {httpbin_url}/get")
    line = child(window, QLabel, "sentRequestLine").full_text()
    assert line.startswith(f"GET {httpbin_url}/get")


def test_the_timing_view_shows_each_measured_phase(qtbot, window, httpbin_url) -> None:
    send(qtbot, window, f"{httpbin_url}/bytes/4096")
    show_mode(window, "Timing")
    view = child(window, QWidget, "timingView")
    assert view.isVisible()
    timings = window.response.exchange.timings
    assert set(view.rows) >= {"DNS", "Connect", "TLS", "Send", "First byte", "Download"}
    shown = {
        label: float(value.text().removesuffix(" ms").replace(",", ""))
        for label, (_, _, value) in view.rows.items()
    }
    assert shown["Connect"] > 0
    assert abs(sum(shown.values()) - timings.total_ms) <= 0.05 * timings.total_ms + 0.1 * len(shown)
    bars = [bar for _, bar, _ in view.rows.values()]
    assert all(abs(a.end - b.start) < 1e-9 for a, b in itertools.pairwise(bars))  # a waterfall
    assert child(view, QLabel, "timingSummary").text() == timings.summary()
    assert "bytes of headers" in child(view, QLabel, "timingSizes").text()

    window.response.clear()
    assert not view.rows


def sent_rows(table: QTableWidget) -> list[tuple[str, str]]:
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def test_the_sent_headers_are_the_ones_written_with_host_and_content_length(
    qtbot, window, edge
) -> None:
    """What the server received is what the tab lists, and ``send -v`` prints the same lines."""
    window.editor.load(
        RequestSpec(
            "POST",
            f"{edge.base_url}/echo",
            headers=(KeyValue("X-Trace", "t-1"),),
            body=Body(BodyMode.JSON, '{"a": 1}'),
        )
    )
    with qtbot.waitSignal(window.request_finished, timeout=10_000):
        window.editor.send_button.click()
    show_mode(window, "Sent")
    rows = sent_rows(child(window, QTableWidget, "sentHeaders"))
    shown = {name.lower(): value for name, value in rows}
    assert shown["host"] == f"127.0.0.1:{edge.port}"
    assert shown["content-length"] == "8"
    echoed = json.loads(window.response.exchange.response.body.read_bytes())
    assert [[name, value] for name, value in rows] == echoed["headers"]
    wire = child(window, QLabel, "sentWireLine")
    assert wire.isVisible()
    assert wire.full_text() == "On the wire: POST /echo HTTP/1.1"

    same_request = ("POST", f"{edge.base_url}/echo", "-H", "X-Trace: t-1", "--json", '{"a": 1}')
    cli = subprocess.run(
        [sys.executable, "-m", "explorer", "send", *same_request, "-v"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    head = cli.stderr.split("POST /echo HTTP/1.1\n", 1)[1].split("\n\n", 1)[0]
    assert head.splitlines() == [f"{name}: {value}" for name, value in rows]
