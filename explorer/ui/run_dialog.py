"""The "Run collection" dialog: the runner's results in a table as they come, a progress bar and
Cancel. The run happens on the service's worker thread; progress and the final result cross to
the GUI thread through a queued signal, so no widget is touched off the GUI thread. Rows stay in
plan order (iteration, then ``seq``) whatever order requests finish in."""

from __future__ import annotations

from bisect import bisect
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.core.runner.model import Progress, RequestResult, RunResult
from explorer.services.workspace_api import CollectionRuns, PendingRun

COLUMNS = ("Iteration", "Request", "Status", "Time (ms)", "Assertions", "Result")


class _Bridge(QObject):
    """Lives on the GUI thread; signals emitted from the worker are queued to it."""

    progressed = Signal(object)
    finished = Signal(object)


class RunDialog(QDialog):
    """Runs ``directory`` through ``runs`` as soon as it opens."""

    run_finished = Signal(object)

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
        self.resize(760, 460)
        self.summary = QLabel("Starting…", self)
        self.summary.setObjectName("runSummary")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("runProgress")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("runResults")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._size_columns()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.cancel_button = QPushButton("Cancel run", self)
        self.cancel_button.setObjectName("runCancel")
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.progress, self.table, buttons):
            layout.addWidget(widget)
        self.run_result: RunResult | None = None
        self._order: list[tuple[int, int]] = []  # (iteration, index) of each row, sorted
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self._on_run_progressed)
        self._bridge.finished.connect(self._on_run_finished)
        self.pending: PendingRun = runs.start(
            directory, provider_id, environment, self._bridge.progressed.emit
        )
        self.pending.future.add_done_callback(self._bridge.finished.emit)

    def _size_columns(self) -> None:
        """Names and results get the room; the number columns fit their header (measuring
        contents would re-measure every row on each insert of a long run)."""
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        metrics = header.fontMetrics()
        for column, title in enumerate(COLUMNS):
            if title in ("Request", "Result"):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, metrics.horizontalAdvance(title) + 24)

    def _on_run_progressed(self, progress: Progress) -> None:
        self.progress.setMaximum(progress.total)
        self.progress.setValue(progress.done)
        self.summary.setText(
            f"{progress.done} of {progress.total}: {progress.passed} passed, "
            f"{progress.failed} failed"
        )
        self._add_row(progress.result)

    def _add_row(self, result: RequestResult) -> None:
        key = (result.iteration, result.index)
        row = bisect(self._order, key)
        self._order.insert(row, key)
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

    def _on_run_finished(self, done: Future[RunResult]) -> None:
        self.cancel_button.setEnabled(False)
        error = done.exception()
        if error is not None:
            self.summary.setText(f"The run could not start: {error}")
            self.run_finished.emit(None)
            return
        result = done.result()
        self.run_result = result
        held, checks = result.assertions
        state = " (cancelled)" if result.cancelled else ""
        self.summary.setText(
            f"{'Passed' if result.ok else 'Failed'}: {len(result.results)} requests, "
            f"{sum(r.ok for r in result.results)} passed; {held}/{checks} assertions held; "
            f"{result.elapsed_s:.2f} s{state}"
        )
        self.run_finished.emit(result)

    def _on_cancel_button_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.pending.cancel()

    def done(self, code: int) -> None:
        """Closing the dialog cancels a run still going."""
        if not self.pending.future.done():
            self.pending.cancel()
        super().done(code)
