"""The Run dialog's options (``runOptions``), per-row detail (``runDetail``) and "Re-run failed"
on the real runner: a data file's rows and iterations reach the requests, a report is written,
the detail shows the request as sent with its credentials masked and the failed assertion, a
re-run sends only what failed; and the dialog sends what ``api-explorer run`` sends with the
same options (a recording server compares them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from explorer.core.models import KeyValue
from explorer.ui.run_dialog import RunDialog
from tests.core.runner.helpers import jsonpath, request, status, write
from tests.support.recording import RecordingServer
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


def rows(tmp_path: Path) -> Path:
    data = tmp_path / "rows.csv"
    data.write_text("user,code\nann,200\nbob,500\n", encoding="utf-8")
    return data


def opened(qtbot, runs, directory: Path) -> RunDialog:  # type: ignore[no-untyped-def]
    dialog = RunDialog(runs, directory)
    qtbot.addWidget(dialog)
    dialog.open()
    environment = dialog.findChild(QComboBox, "runEnvironment")
    qtbot.waitUntil(lambda: environment.count() > 0, timeout=10_000)
    assert environment.currentText() == "No environment"  # a provider-less collection
    return dialog


def test_the_form_runs_data_rows_writes_a_report_and_shows_details(
    qtbot, runs, tmp_path: Path, httpbin_url
) -> None:
    directory = write(
        tmp_path,
        request(
            "who",
            httpbin_url + "/get?user={{user}}",
            0,
            headers=(KeyValue("Authorization", "Bearer s3cret-token"),),
        ),
        request("code", httpbin_url + "/status/{{code}}", 1, assertions=(status(200),)),
    )
    dialog = opened(qtbot, runs, directory)
    form = dialog.findChild(QWidget, "runOptions")
    assert form is not None
    dialog.findChild(QLineEdit, "runDataFile").setText(str(rows(tmp_path)))
    dialog.findChild(QSpinBox, "runIterations").setValue(2)
    report = dialog.findChild(QComboBox, "runReport")
    report.setCurrentIndex(report.findData(".json"))
    target = tmp_path / "out" / "report.json"
    dialog.findChild(QLineEdit, "runReportFile").setText(str(target))
    with qtbot.waitSignal(dialog.report_written, timeout=20_000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 4
    assert [dialog.table.item(r, 2).text() for r in range(4)] == ["200", "200", "200", "500"]
    kept = json.loads(target.read_text(encoding="utf-8"))
    assert kept["summary"]["requests"] == 4
    assert "s3cret-token" not in target.read_text(encoding="utf-8")

    detail = dialog.findChild(QPlainTextEdit, "runDetail")
    dialog.table.selectRow(0)
    text = detail.toPlainText()
    assert text.startswith(f"GET {httpbin_url}/get?user=ann\n")
    assert "Authorization: Bearer ••••••" in text
    assert "s3cret-token" not in text
    assert "Response: 200" in text
    assert '"user": "ann"' in text  # the body's head
    dialog.table.selectRow(3)
    text = detail.toPlainText()
    assert text.startswith(f"GET {httpbin_url}/status/500\n")
    assert "Failed assertions:\n  status == 200: got 500" in text


def test_rerun_failed_sends_only_the_failed_requests(qtbot, runs, tmp_path, httpbin_url) -> None:
    directory = write(
        tmp_path,
        request("who", httpbin_url + "/get?user={{user}}", 0),
        request("code", httpbin_url + "/status/{{code}}", 1, assertions=(status(200),)),
    )
    dialog = opened(qtbot, runs, directory)
    dialog.findChild(QLineEdit, "runDataFile").setText(str(rows(tmp_path)))
    with qtbot.waitSignal(dialog.run_finished, timeout=20_000):
        dialog.start_button.click()
    assert dialog.table.rowCount() == 4  # one iteration per data row
    rerun = dialog.rerun_button
    assert rerun.objectName() == "runRerunFailed"
    assert rerun.isEnabled()
    with qtbot.waitSignal(dialog.run_finished, timeout=20_000):
        rerun.click()
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (0, 1, 2)] == ["2", "code", "500"]
    assert dialog.options.data == ({"user": "ann", "code": "200"}, {"user": "bob", "code": "500"})


def test_a_data_file_that_cannot_be_used_is_one_sentence(qtbot, runs, tmp_path) -> None:
    directory = write(tmp_path, request("r", "http://127.0.0.1:9/", 0))
    dialog = opened(qtbot, runs, directory)
    broken = tmp_path / "broken.csv"
    broken.write_text('user\n"ann\n', encoding="utf-8")
    dialog.findChild(QLineEdit, "runDataFile").setText(str(broken))
    dialog.start_button.click()
    qtbot.waitUntil(lambda: "data file cannot be used" in dialog.summary.text(), timeout=10_000)
    assert dialog.table.rowCount() == 0
    assert dialog.start_button.isEnabled()


def test_the_dialog_sends_what_the_cli_sends_with_the_same_options(
    qtbot, runs, recorder, tmp_path
) -> None:
    base = recorder.base_url
    directory = write(
        tmp_path,
        request(
            "first",
            base + "/first?user={{user}}",
            0,
            assertions=(jsonpath("$.args.user", '"ann"'),),
        ),
        request("second", base + "/second?user={{user}}", 1),
    )
    data = tmp_path / "rows.csv"
    data.write_text("user\nann\nbob\n", encoding="utf-8")

    mark = recorder.mark()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "explorer", "run", str(directory), "--data", str(data)),
            *("--iterations", "2", "--bail", "--workspace", str(tmp_path / "ws")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "API_EXPLORER_HOME": str(tmp_path / "home")},
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    by_cli = recorder.since(mark)

    dialog = opened(qtbot, runs, directory)
    dialog.findChild(QLineEdit, "runDataFile").setText(str(data))
    dialog.findChild(QSpinBox, "runIterations").setValue(2)
    dialog.findChild(QCheckBox, "runBail").setChecked(True)
    mark = recorder.mark()
    with qtbot.waitSignal(dialog.run_finished, timeout=20_000):
        dialog.start_button.click()
    by_dialog = recorder.since(mark)

    targets = ["/first?user=ann", "/second?user=ann", "/first?user=bob"]  # bailed
    assert [r.target for r in by_cli] == targets
    assert [(r.method, r.target, r.body) for r in by_dialog] == [
        (r.method, r.target, r.body) for r in by_cli
    ]
    assert [sorted(r.headers) for r in by_dialog] == [sorted(r.headers) for r in by_cli]
    assert dialog.summary.text().endswith("(stopped at the first failure)")
