"""Regenerate the window screenshots: the real app on a real X server (Xvfb, 1440x900), in the
light and the dark palette, with a real exchange from the embedded sandbox on screen.

    .venv/bin/python docs/screenshots/make_screenshots.py

Without a display it re-runs itself under ``xvfb-run`` (Debian: ``apt-get install xvfb xauth
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WIDTH, HEIGHT = 1440, 900
PROVIDER, SAMPLE = "priceedge", 1  # "Items, first page": a POST with a JSON body and envelope


def main() -> int:
    if not os.environ.get("DISPLAY"):
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            sys.stderr.write("make_screenshots: needs a display or xvfb-run (see above).\n")
            return 1
        screen = f"{WIDTH}x{HEIGHT}x24"
        return subprocess.call([xvfb, "-a", "-s", f"-screen 0 {screen}", sys.executable, __file__])
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="screenshots-") as home:
        os.environ["API_EXPLORER_HOME"] = home
        return shoot(Path(home))


def sample_path(window) -> Path | None:  # type: ignore[no-untyped-def]
    """The ``SAMPLE``-th request of the provider's demo collection in the tree, once loaded."""
    from explorer.ui.collection_model import Role

    model = window.collections.model
    for row in range(model.rowCount()):
        collection = model.index(row, 0)
        if collection.data(Role.PROVIDER) == PROVIDER and model.rowCount(collection) > SAMPLE:
            return model.index(SAMPLE, 0, collection).data(Role.PATH)  # type: ignore[no-any-return]
    return None


def shoot(home: Path) -> int:
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    from explorer.app import tune_interpreter
    from explorer.services.compose import Executors, build_services
    from explorer.ui import theme
    from explorer.ui.main_window import MainWindow

    tune_interpreter()
    app = QApplication(sys.argv[:1])

    def wait(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise SystemExit("make_screenshots: timed out waiting for the window")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    executors = Executors()
    services = build_services(executors, workspace=home / "workspace", demo=True)
    try:
        for scheme in ("light", "dark"):
            os.environ["API_EXPLORER_THEME"] = scheme
            theme.apply(app)
            window = MainWindow(services)
            window.setGeometry(0, 0, WIDTH, HEIGHT)
            window.show()
            wait(lambda w=window: w.provider_bar.provider_combo.count() > 1)
            combo = window.provider_bar.provider_combo
            combo.setCurrentIndex(combo.findData(PROVIDER))
            wait(lambda w=window: sample_path(w) is not None)
            window.workspace.open(sample_path(window))
            window.editor.tabs.setCurrentIndex(2)  # the JSON body of the sample
            finished: list[object] = []
            window.request_finished.connect(finished.append)
            window.editor.send_button.click()
            wait(lambda f=finished: bool(f))
            body = window.response.body
            wait(lambda b=body: b.document is not None and b.document.formatted)
            wait(lambda b=body: bool(b.view.lexed_rows()))
            wait(lambda w=window: w.token_status.text().endswith("left"))
            deadline = time.monotonic() + 0.5
            wait(lambda d=deadline: time.monotonic() > d)
            screen = app.primaryScreen()
            shot = screen.grabWindow(0, 0, 0, WIDTH, HEIGHT)
            target = HERE / f"main-{scheme}.png"
            shot.save(str(target))
            sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
            window.close()
            window.deleteLater()
    finally:
        for stop in services.on_shutdown:
            stop()
        executors.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
