"""The Run dialog's options form (``runOptions``): what ``api-explorer run`` takes as flags, as
widgets that build the same ``RunOptions``: environment, order and concurrency, iterations, data
file, bail and a report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from explorer.core.runner.model import RunOptions, RunTargets

NO_ENVIRONMENT = "No environment"
SEQUENTIAL, CONCURRENT = 0, 1
REPORTS = (("No report", ""), ("JUnit XML (.xml)", ".xml"), ("JSON (.json)", ".json"))
"""The reports ``--report`` writes, by suffix (``explorer.core.runner.reports``)."""


class RunOptionsForm(QGroupBox):
    """The options of one run; ``options()`` is what Start hands the runs service."""

    def __init__(self, directory: Path, parent: QWidget | None = None) -> None:
        super().__init__("Options", parent)
        self.setObjectName("runOptions")
        self.directory = directory
        self.targets: RunTargets | None = None
        self.environment = QComboBox(self)
        self.environment.setObjectName("runEnvironment")
        self.environment.setPlaceholderText("Reading the collection…")
        self.environment.setEnabled(False)
        self.order = QComboBox(self)
        self.order.setObjectName("runOrder")
        self.order.addItems(("Collection order, one at a time", "Collection order, concurrent"))
        self.concurrency = QSpinBox(self)
        self.concurrency.setObjectName("runConcurrency")
        self.concurrency.setRange(1, 256)
        self.concurrency.setSuffix(" at once")
        self.concurrency.setEnabled(False)
        self.iterations = QSpinBox(self)
        self.iterations.setObjectName("runIterations")
        self.iterations.setRange(0, 100_000)
        self.iterations.setSpecialValueText("One per data row (1 without data)")
        self.data_file = QLineEdit(self)
        self.data_file.setObjectName("runDataFile")
        self.data_file.setPlaceholderText("CSV or JSON rows, one per iteration (optional)")
        self.bail = QCheckBox("Stop at the first failure", self)
        self.bail.setObjectName("runBail")
        self.report = QComboBox(self)
        self.report.setObjectName("runReport")
        for label, suffix in REPORTS:
            self.report.addItem(label, suffix)
        self.report_file = QLineEdit(self)
        self.report_file.setObjectName("runReportFile")
        self.report_file.setEnabled(False)
        form = QFormLayout(self)
        form.addRow("Environment", self.environment)
        form.addRow("Order", _row(self, self.order, self.concurrency))
        form.addRow("Iterations", self.iterations)
        form.addRow("Data file", _row(self, self.data_file, self._browse("runDataFileBrowse")))
        form.addRow("", self.bail)
        self.report_browse = self._browse("runReportBrowse")
        self.report_browse.setEnabled(False)
        form.addRow("Report", _row(self, self.report, self.report_file, self.report_browse))
        self.order.currentIndexChanged.connect(self._on_order_changed)
        self.report.currentIndexChanged.connect(self._on_report_changed)

    def _browse(self, name: str) -> QPushButton:
        button = QPushButton("Browse…", self)
        button.setObjectName(name)
        if name == "runDataFileBrowse":
            button.clicked.connect(self._on_data_browse_clicked)
        else:
            button.clicked.connect(self._on_report_browse_clicked)
        return button

    def set_targets(self, targets: RunTargets) -> None:
        """The environments the collection can run in, ``targets.chosen`` selected."""
        self.targets = targets
        self.environment.clear()
        if not targets.provider:
            self.environment.addItem(NO_ENVIRONMENT, None)
        for name in targets.environments:
            self.environment.addItem(name, name)
        found = self.environment.findData(targets.chosen)
        self.environment.setCurrentIndex(max(found, 0))
        self.environment.setEnabled(self.environment.count() > 1 or bool(targets.provider))

    def binding(self) -> tuple[str | None, str | None] | None:
        """(provider, environment) as chosen, None until the collection has been read."""
        if self.targets is None:
            return None
        chosen = self.environment.currentData()
        return self.targets.provider or None, chosen if isinstance(chosen, str) else None

    def options(self) -> RunOptions:
        concurrent = self.order.currentIndex() == CONCURRENT
        return RunOptions(
            iterations=self.iterations.value() or None,
            concurrency=self.concurrency.value() if concurrent else 1,
            bail=self.bail.isChecked(),
        )

    def data_path(self) -> Path | None:
        text = self.data_file.text().strip()
        return Path(text).expanduser() if text else None

    def report_path(self) -> Path | None:
        text = self.report_file.text().strip()
        return Path(text).expanduser() if self.report.currentData() and text else None

    def problem(self) -> str:
        """Why Start cannot go yet, in one sentence ("" when it can)."""
        suffix = self.report.currentData()
        path = self.report_path()
        if suffix and path is None:
            return "Choose the file the report goes to."
        if path is not None and path.suffix.lower() != suffix:
            return f"A {self.report.currentText()} report's file must end in {suffix}."
        if path is not None and path.is_dir():
            return f"'{path}' is a folder; choose a file for the report."
        return ""

    def _on_order_changed(self, index: int) -> None:
        concurrent = index == CONCURRENT
        self.concurrency.setEnabled(concurrent)
        self.concurrency.setValue(max(self.concurrency.value(), 4) if concurrent else 1)

    def _on_report_changed(self) -> None:
        suffix = self.report.currentData()
        self.report_file.setEnabled(bool(suffix))
        self.report_browse.setEnabled(bool(suffix))
        if not suffix:
            return
        current = self.report_path()
        default = self.directory.parent / f"{self.directory.name}-report"
        self.report_file.setText(str((current or default).with_suffix(suffix)))

    def _on_data_browse_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Data file", str(self.directory), "Data rows (*.csv *.json);;All files (*)"
        )
        if chosen:
            self.data_file.setText(chosen)

    def _on_report_browse_clicked(self) -> None:
        suffix = self.report.currentData()
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Report", self.report_file.text(), f"Report (*{suffix})"
        )
        if chosen:
            self.report_file.setText(chosen)


def _row(parent: QWidget, *widgets: QWidget) -> QWidget:
    box = QWidget(parent)
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QLineEdit | QComboBox) else 0)
    return box
