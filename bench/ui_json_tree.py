"""The response tree on a big JSON body in the real window: the longest stall of the UI thread
(the window's 16 ms heartbeat) while the body is parsed into the tree, while a JSONPath filter
runs over it, and while it is freed for the next response; and how long each took.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_json_tree.py --sizes 20 --rounds 3

The body is ``ui_big_body.make_json``'s array of records, served by ``python -m http.server``
in a child process. Target (issue 15): a 20 MB body never stalls the UI more than 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ui_big_body import free_port, make_json

FILTER = "$[?@.id < 50].sku"  # visits every record


def measure(
    window, wait: Callable[[Callable[[], bool], float], None], url: str
) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from explorer.core.models import RequestSpec

    heartbeat, panel, modes = window.heartbeat, window.response.tree, window.response.modes
    result: dict[str, float] = {}
    done: list[str] = []
    panel.shown.connect(lambda: done.append("shown"))
    panel.filtered.connect(lambda: done.append("filtered"))
    window.send(RequestSpec("GET", url, read_timeout=300))
    wait(lambda: window.response.exchange is not None and not window.busy, 120)
    tree_tab = [modes.tabText(i) for i in range(modes.count())].index("Tree")
    wait(lambda: modes.isTabVisible(tree_tab), 30)
    heartbeat.reset()
    start = time.perf_counter()
    modes.setCurrentIndex(tree_tab)
    wait(lambda: "shown" in done, 120)
    result["parse_s"] = time.perf_counter() - start
    result["parse_stall_ms"] = heartbeat.longest_stall_ms
    heartbeat.reset()
    start = time.perf_counter()
    panel.filter_edit.setText(FILTER)
    wait(lambda: "filtered" in done, 120)
    result["filter_s"] = time.perf_counter() - start
    result["filter_stall_ms"] = heartbeat.longest_stall_ms
    heartbeat.reset()
    panel.filter_edit.setText("")
    window.response.clear()  # frees the document on the worker
    wait(lambda: False, 2.0)
    result["release_stall_ms"] = heartbeat.longest_stall_ms
    modes.setCurrentIndex(0)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="20", help="body sizes in MB, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="loads per size (medians reported)")
    args = parser.parse_args()

    import gc

    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    from explorer.app import tune_interpreter
    from explorer.services.compose import Executors, build_services
    from explorer.ui.main_window import MainWindow

    tune_interpreter()
    app = QApplication.instance() or QApplication(sys.argv[:1])

    def wait(predicate: Callable[[], bool], timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate() and time.perf_counter() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if timeout > 2.5 and not predicate():
            raise SystemExit("timed out")

    with tempfile.TemporaryDirectory(prefix="ui-json-tree-") as folder:
        os.environ["API_EXPLORER_HOME"] = str(Path(folder) / "home")
        os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        executors = Executors()
        services = build_services(executors, workspace=Path(folder) / "workspace")
        window = MainWindow(services)
        window.resize(1440, 900)
        window.show()
        gc.freeze()  # as app.run_gui does
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait(lambda: False, 1.0)
            for size in (int(s) for s in args.sizes.split(",")):
                path = Path(folder) / f"body-{size}.json"
                actual = make_json(path, size)
                rounds = [
                    measure(window, wait, f"http://127.0.0.1:{port}/{path.name}")
                    for _ in range(args.rounds)
                ]
                keys = rounds[0].keys()
                medians = {key: statistics.median(r[key] for r in rounds) for key in keys}
                worst = max(v for r in rounds for k, v in r.items() if k.endswith("stall_ms"))
                figures = ", ".join(f"{key} {value:.2f}" for key, value in medians.items())
                print(f"{actual / 1e6:.1f} MB: {figures} (worst stall: {worst:.0f} ms)", flush=True)
                path.unlink()
        finally:
            server.terminate()
            server.wait()
            window.close()
            for stop in services.on_shutdown:
                stop()
            executors.shutdown()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
