"""The "Run collection" dialog: the options of ``api-explorer run`` (``runOptions``), then the
runner's results in a table as they come, a progress bar, Cancel, each row's request and
response (``runDetail``) and "Re-run failed". The run happens on the service's worker thread;
progress and the final result cross to the GUI thread through a queued signal, so no widget is
touched off the GUI thread. Rows stay in plan order (iteration, then ``seq``) whatever order
requests finish in."""

from __future__ import annotations

from bisect import bisect
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.core.runner.model import (
    Progress,
    RequestResult,
    RunOptions,
    RunResult,
    RunTargets,
)
from explorer.services.workspace_api import CollectionRuns, PendingRun
from explorer.ui.run_detail import detail_text
from explorer.ui.run_options import RunOptionsForm

COLUMNS = ("Iteration", "Request", "Status", "Time (ms)", "Assertions", "Result")
T = TypeVar("T")


class _Bridge(QObject):
    """Lives on the GUI thread; signals emitted from worker threads are queued to it."""

    progressed = Signal(object)
    finished = Signal(object)
    settled = Signal(object, object)  # a service future and what to call with it


class RunDialog(QDialog):
    """Runs ``directory`` through ``runs`` when Start is pressed (or ``start`` is called)."""

    run_finished = Signal(object)
    report_written = Signal(object)  # the report's path

    def __init__(
        self,
        runs: CollectionRuns,
        directory: Path,
        provider_id: str | None = None,
        environment: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runDialog")
        self.setWindowTitle(f"Run collection: {directory.name}")
        self.resize(860, 640)
        self.runs = runs
        self.directory = directory
        self.selected = (provider_id, environment)
        self.form = RunOptionsForm(directory, self)
        self.summary = QLabel("Choose the options, then Start.", self)
        self.summary.setObjectName("runSummary")
        self.summary.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("runProgress")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("runResults")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._size_columns()
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("runDetail")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a row to see its request and response.")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([260, 200])
        buttons = self._buttons()
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        layout = QVBoxLayout(self)
        for widget in (self.form, self.summary, self.progress):
            layout.addWidget(widget)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.run_result: RunResult | None = None
        self.pending: PendingRun | None = None
        self.options = RunOptions()  # of the last run started: "Re-run failed" keeps them
        self._order: list[tuple[int, int]] = []  # (iteration, index) of each row, sorted
        self._rows: list[RequestResult] = []
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self._on_run_progressed)
        self._bridge.finished.connect(self._on_run_finished)
        self._bridge.settled.connect(self._on_service_settled)
        self._later(runs.targets(directory, provider_id, environment), self._on_targets)

    def _buttons(self) -> QDialogButtonBox:
        """Start, Re-run failed, Cancel run and Close."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.start_button = self._button(buttons, "Start", "runStart")
        self.rerun_button = self._button(buttons, "Re-run failed", "runRerunFailed")
        self.cancel_button = self._button(buttons, "Cancel run", "runCancel")
        self.rerun_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        buttons.rejected.connect(self.reject)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.rerun_button.clicked.connect(self._on_rerun_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        return buttons

    def _button(self, box: QDialogButtonBox, text: str, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    def _size_columns(self) -> None:
        """Names and results get the room; the number columns fit their header (measuring
        contents would re-measure every row on each insert of a long run)."""
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        metrics = header.fontMetrics()
        for column, title in enumerate(COLUMNS):
            if title in ("Request", "Result"):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, metrics.horizontalAdvance(title) + 24)

    # -- services, off the GUI thread -------------------------------------------------------

    def _later(self, future: Future[T], then: Callable[[T], None]) -> None:
        """``then(result)`` on the GUI thread; a failure goes to the summary line."""
        future.add_done_callback(lambda done: self._bridge.settled.emit(done, then))

    def _on_service_settled(self, done: Future[object], then: Callable[[object], None]) -> None:
        error = done.exception()
        if error is not None:
            self.summary.setText(str(error))
            self.start_button.setEnabled(self.pending is None or self.pending.future.done())
            return
        then(done.result())

    def _on_targets(self, targets: RunTargets) -> None:
        self.form.set_targets(targets)

    # -- starting -----------------------------------------------------------------------------

    def start(self, options: RunOptions | None = None) -> None:
        """Run with ``options``, or with what the form says (its data file read first, off
        the GUI thread, as ``--data`` reads it)."""
        if options is not None:
            self._launch(options)
            return
        problem = self.form.problem()
        if problem:
            self.summary.setText(problem)
            return
        data = self.form.data_path()
        self.start_button.setEnabled(False)
        if data is None:
            self._launch(self.form.options())
        else:
            self.summary.setText(f"Reading {data.name}…")
            self._later(self.runs.with_data(self.form.options(), data), self._launch)

    def _launch(self, options: RunOptions) -> None:
        options = replace(options, details=True)
        self.options = options
        self.run_result = None
        self._order.clear()
        self._rows.clear()
        self.table.setRowCount(0)
        self.detail.clear()
        self.progress.setValue(0)
        self.summary.setText("Starting…")
        self.form.setEnabled(False)
        self.start_button.setEnabled(False)
        self.rerun_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        provider_id, environment = self.form.binding() or self.selected
        self.pending = self.runs.start(
            self.directory, provider_id, environment, self._bridge.progressed.emit, options
        )
        self.pending.future.add_done_callback(self._bridge.finished.emit)

    def _on_start_button_clicked(self) -> None:
        self.start()

    def _on_rerun_button_clicked(self) -> None:
        """Only the requests that did not pass, in their iterations, with the same options."""
        if self.run_result is not None:
            failed = frozenset(r.unit for r in self.run_result.results if not r.ok)
            self._launch(replace(self.options, only=failed))

    # -- progress and results -----------------------------------------------------------------

    def _on_run_progressed(self, progress: Progress) -> None:
        self.progress.setMaximum(progress.total)
        self.progress.setValue(progress.done)
        self.summary.setText(
            f"{progress.done} of {progress.total}: {progress.passed} passed, "
            f"{progress.failed} failed"
        )
        self._add_row(progress.result)

    def _add_row(self, result: RequestResult) -> None:
        key = result.unit
        row = bisect(self._order, key)
        self._order.insert(row, key)
        self._rows.insert(row, result)
        self.table.insertRow(row)
        held = sum(c.passed for c in result.checks)
        cells = (
            str(result.iteration + 1),
            " / ".join((*result.folder, result.name)),
            "" if result.status is None else str(result.status),
            f"{result.elapsed_ms:.0f}",
            f"{held}/{len(result.checks)}",
            result.outcome.value if result.ok else "; ".join(result.failures),
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column in (0, 2, 3, 4):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)

    def _on_table_selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self._rows):
            self.detail.setPlainText(detail_text(self._rows[rows[0].row()]))
        else:
            self.detail.clear()

    def _on_run_finished(self, done: Future[RunResult]) -> None:
        self.cancel_button.setEnabled(False)
        self.start_button.setEnabled(True)
        self.form.setEnabled(True)
        error = done.exception()
        if error is not None:
            self.summary.setText(f"The run could not start: {error}")
            self.run_finished.emit(None)
            return
        result = done.result()
        self.run_result = result
        held, checks = result.assertions
        state = ""
        if result.cancelled or result.bailed:
            state = " (cancelled)" if result.cancelled else " (stopped at the first failure)"
        self.summary.setText(
            f"{'Passed' if result.ok else 'Failed'}: {len(result.results)} requests, "
            f"{sum(r.ok for r in result.results)} passed; {held}/{checks} assertions held; "
            f"{result.elapsed_s:.2f} s{state}"
        )
        self.rerun_button.setEnabled(any(not r.ok for r in result.results))
        report = self.form.report_path()
        if report is not None:
            self._later(self.runs.write_report(result, report), self._on_report_written)
        self.run_finished.emit(result)

    def _on_report_written(self, path: Path) -> None:
        self.summary.setText(f"{self.summary.text()}. Report: {path}")
        self.report_written.emit(path)

    def _on_cancel_button_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        if self.pending is not None:
            self.pending.cancel()

    def done(self, code: int) -> None:
        """Closing the dialog cancels a run still going."""
        if self.pending is not None and not self.pending.future.done():
            self.pending.cancel()
        super().done(code)
