"""Regenerate the window screenshots: the real app on a real X server (Xvfb, 1440x900), in the
light and the dark palette, with a real exchange from the embedded sandbox on screen, three
requests open in tabs, then the panes of the workbench: what was sent, its timing, the JSON
tree with a filter, and the variables editor, settings and Run dialogs.

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


def settle(wait) -> None:  # type: ignore[no-untyped-def]
    """Half a second for timers (token countdown, highlighting) to paint."""
    deadline = time.monotonic() + 0.5
    wait(lambda: time.monotonic() > deadline)


def grab_screen(app, name: str) -> None:  # type: ignore[no-untyped-def]
    target = HERE / name
    app.primaryScreen().grabWindow(0, 0, 0, WIDTH, HEIGHT).save(str(target))
    sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")


def grab_dialog(wait, dialog, name: str) -> None:  # type: ignore[no-untyped-def]
    """The dialog alone, as it draws itself, then closed."""
    dialog.show()
    settle(wait)
    target = HERE / name
    dialog.grab().save(str(target))
    sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
    dialog.close()


def sample_path(window, row: int = SAMPLE) -> Path | None:  # type: ignore[no-untyped-def]
    """The ``row``-th request of the provider's demo collection in the tree, once loaded."""
    from explorer.ui.collection_model import Role

    model = window.collections.model
    for index in range(model.rowCount()):
        collection = model.index(index, 0)
        if collection.data(Role.PROVIDER) == PROVIDER and model.rowCount(collection) > row:
            return model.index(row, 0, collection).data(Role.PATH)  # type: ignore[no-any-return]
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
            shoot_window(app, window, scheme, wait)
            shoot_panes(app, window, scheme, wait)
            window.close()
            window.deleteLater()
    finally:
        for stop in services.on_shutdown:
            stop()
        executors.shutdown()
    return 0


def shoot_window(app, window, scheme: str, wait) -> None:  # type: ignore[no-untyped-def]
    """Three requests open in tabs, the sample shown with its answer."""
    for row in (2, 0, SAMPLE):  # three tabs, the sample's last (shown)
        window.workspace.open(sample_path(window, row))
        wait(lambda w=window, r=row: w.workspace.path == sample_path(w, r))
    window.editor.tabs.setCurrentIndex(2)  # the JSON body of the sample
    finished: list[object] = []
    window.request_finished.connect(finished.append)
    window.editor.send_button.click()
    wait(lambda f=finished: bool(f))
    body = window.response.body
    wait(lambda b=body: b.document is not None and b.document.formatted)
    wait(lambda b=body: bool(b.view.lexed_rows()))
    wait(lambda w=window: w.token_status.text().endswith("left"))
    settle(wait)
    grab_screen(app, f"main-{scheme}.png")


def shoot_panes(app, window, scheme: str, wait) -> None:  # type: ignore[no-untyped-def]
    """Sent, Timing and the filtered Tree of that answer, then the dialogs."""
    for mode in ("Sent", "Timing", "Tree"):
        modes = window.response.modes
        modes.setCurrentIndex([modes.tabText(i) for i in range(modes.count())].index(mode))
        if mode == "Tree":
            tree = window.response.tree
            tree.filter_edit.setText("$..[?@.CostForPricing > 20].Name")
            wait(lambda t=tree: t.view.model() is not None and t.view.model().rowCount())
        settle(wait)
        grab_screen(app, f"{mode.lower()}-{scheme}.png")
    grab_dialog(wait, window.open_variables_editor(), f"variables-{scheme}.png")
    settings = window.dialogs().settings
    settings.open_settings()
    grab_dialog(wait, settings, f"settings-{scheme}.png")
    run = window.open_run_dialog(window.workspace.current_collection())
    done: list[object] = []
    run.run_finished.connect(done.append)
    run.start()
    wait(lambda d=done: bool(d))
    run.table.selectRow(0)
    grab_dialog(wait, run, f"run-{scheme}.png")


if __name__ == "__main__":
    sys.exit(main())
