"""The last line of defence: anything that is not an ``ExplorerError`` is a bug. It is logged
with its traceback to the log file and shown in a crash dialog (qutebrowser's ``crashsignal``),
and the app keeps running, so the user can save their work."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from explorer.core.redaction import RedactingFormatter, format_exception, mask_credentials

log = logging.getLogger("explorer.crash")


class CrashHandler:
    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.count = 0
        self._dialog: QMessageBox | None = None

    def install(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(self.log_path, encoding="utf-8", delay=True)
        # Every line of the log, tracebacks included, is masked (docs/security.md).
        handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logging.getLogger("explorer").addHandler(handler)
        sys.excepthook = self.excepthook

    def excepthook(
        self,
        kind: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        self.count += 1
        text = format_exception(kind, error, tb)
        log.error("unhandled exception\n%s", text)
        if QApplication.instance() is None:
            sys.__excepthook__(kind, error, tb)
            return
        if self._dialog is not None and self._dialog.isVisible():
            return
        dialog = QMessageBox(QApplication.activeWindow())
        dialog.setObjectName("crashDialog")
        dialog.setIcon(QMessageBox.Icon.Critical)
        dialog.setWindowTitle("API Explorer hit a bug")
        dialog.setText(
            "Something went wrong inside API Explorer: "
            f"{mask_credentials(f'{kind.__name__}: {error}')}. "
            "Your requests are unaffected; the details are in the log."
        )
        dialog.setInformativeText(f"Log file: {self.log_path}")
        dialog.setDetailedText(text)
        dialog.open()
        self._dialog = dialog
