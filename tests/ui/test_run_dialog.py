"""The "Run collection" dialog on the real runner against httpbin: rows arrive as requests
finish, in plan order, the summary says how it went, Cancel stops the run, and the window's Run
menu opens it without changing the provider selected in the window. The options form, the
detail pane and "Re-run failed" are in ``test_run_dialog_options.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from explorer.core.http import HttpClient
from explorer.core.runner.service import LocalRuns
from explorer.ui.run_dialog import RunDialog
from tests.core.runner.helpers import plain_workbench, request, status, write
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_results_fill_the_table_and_the_summary(qtbot, runs, tmp_path: Path, httpbin_url) -> None:
    directory = write(
        tmp_path,
        request("ok", httpbin_url + "/get", 0, assertions=(status(200),)),
        request("wrong status", httpbin_url + "/status/500", 1),
        request("created", httpbin_url + "/status/201", 2, assertions=(status(201),)),
    )
    dialog = RunDialog(runs, directory)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.table.rowCount() == 0  # nothing runs before Start
    with qtbot.waitSignal(dialog.run_finished, timeout=20_000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 3
    assert [dialog.table.item(r, 1).text() for r in range(3)] == ["ok", "wrong status", "created"]
    assert [dialog.table.item(r, 2).text() for r in range(3)] == ["200", "500", "201"]
    assert dialog.table.item(1, 5).text() == "status < 400: got 500"
    assert dialog.table.item(0, 4).text() == "1/1"
    assert dialog.progress.value() == dialog.progress.maximum() == 3
    assert dialog.summary.text().startswith("Failed: 3 requests, 2 passed; 2/3 assertions held")
    assert not dialog.cancel_button.isEnabled()


def test_rows_stay_in_plan_order_with_concurrency(qtbot, tmp_path: Path, httpbin_url) -> None:
    items = (
        request("slow", httpbin_url + "/delay/1", 0),
        request("fast", httpbin_url + "/get", 1),
        request("faster", httpbin_url + "/status/204", 2),
    )
    client = HttpClient()
    workbench = plain_workbench(client)
    runs = LocalRuns(lambda: workbench)
    try:
        dialog = RunDialog(runs, write(tmp_path, *items))
        qtbot.addWidget(dialog)
        dialog.open()
        dialog.form.order.setCurrentIndex(1)  # concurrent
        dialog.form.concurrency.setValue(4)
        with qtbot.waitSignal(dialog.run_finished, timeout=20_000):
            dialog.start()
    finally:
        runs.shutdown()
        client.close()
    assert dialog.run_result is not None
    assert dialog.run_result.results[0].name != "slow"  # it finished last ...
    assert [dialog.table.item(r, 1).text() for r in range(3)] == ["slow", "fast", "faster"]


def test_cancel_stops_the_run(qtbot, runs, tmp_path: Path, httpbin_url) -> None:
    items = [request(f"slow {n}", httpbin_url + "/delay/1", n) for n in range(6)]
    dialog = RunDialog(runs, write(tmp_path, *items))
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 1, timeout=10_000)
    with qtbot.waitSignal(dialog.run_finished, timeout=10_000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.run_result is not None
    assert dialog.run_result.cancelled
    assert dialog.table.rowCount() < 6
    assert dialog.summary.text().endswith("(cancelled)")


def test_the_run_menu_opens_the_dialog(qtbot, window, runs, tmp_path, httpbin_url) -> None:
    window.services.runs = runs
    directory = write(tmp_path, request("ok", httpbin_url + "/get", 0))
    dialog = window.open_run_dialog(directory)
    assert dialog is not None
    with qtbot.waitSignal(dialog.run_finished, timeout=20_000):
        dialog.findChild(QPushButton, "runStart").click()
    assert dialog.run_result is not None
    assert dialog.run_result.ok
    dialog.close()


def test_a_collection_runs_from_the_tree_in_its_own_provider(qtbot, demo_window) -> None:
    from PySide6.QtWidgets import QTreeView

    from tests.ui.test_vendor_flows import choose

    choose(qtbot, demo_window, "pce")  # another provider is chosen; the run uses PriceEdge
    tree = demo_window.findChild(QTreeView, "collectionTree")
    model = tree.model()

    def collection():  # type: ignore[no-untyped-def]
        rows = (model.index(r, 0) for r in range(model.rowCount()))
        return next((i for i in rows if i.data() == "PriceEdge samples"), None)

    qtbot.waitUntil(lambda: collection() is not None, timeout=10_000)
    tree.setCurrentIndex(collection())
    menu = tree.menu_for(collection())
    run = next(a for a in menu.actions() if a.objectName() == "collectionAction_run")
    run.trigger()
    menu.close()
    dialog = demo_window.findChild(RunDialog)
    assert dialog is not None
    environments = dialog.findChild(QComboBox, "runEnvironment")
    qtbot.waitUntil(lambda: environments.count() > 0, timeout=10_000)
    assert environments.currentText() == "Sandbox (local)"  # PriceEdge's, not the window's
    dialog.findChild(QPushButton, "runStart").click()
    qtbot.waitUntil(lambda: dialog.run_result is not None, timeout=30_000)
    assert demo_window.provider_bar.provider().id == "pce"  # the selection is left as it was
    assert dialog.table.rowCount() == 4
    assert dialog.run_result.ok, dialog.summary.text()
    dialog.close()
