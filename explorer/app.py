"""GUI bootstrap: QApplication, the qasync event loop, the main window.

Everything Qt starts here, so headless commands never pay for importing it.
"""

from __future__ import annotations

import argparse
import sys
import time


def run_gui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("API Explorer")
    window = QMainWindow()
    window.setWindowTitle("API Explorer")
    window.resize(1280, 800)
    window.show()
    if args.quit_after_show:

        def report() -> None:
            elapsed = (time.perf_counter() - started) * 1000
            sys.stdout.write(f"shown in {elapsed:.0f} ms\n")
            sys.stdout.flush()
            app.quit()

        QTimer.singleShot(0, report)
    return int(app.exec())
