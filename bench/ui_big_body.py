"""Big response bodies in the real window: time from the last byte to the first painted screen,
the longest stall of the UI thread (a 16 ms heartbeat timer), and peak RSS.

The JSON is served by ``python -m http.server`` in a child process, so the server never competes
with the window for this process's GIL. Run offscreen:

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_big_body.py [--sizes 50,200]

Each size is loaded, scrolled, searched and saved to a file. Targets (DESIGN.md §5): 50 MB JSON
first screen ≤ 1 s after the last byte, stall ≤ 50 ms throughout; 200 MB opens (plain,
searchable, save-to-file) without freezing; memory a small multiple of the body size.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_json(path: Path, megabytes: int) -> int:
    """A minified array of API-like records, ``megabytes`` MB (what a list endpoint sends)."""
    record = {
        "id": 0,
        "sku": "SKU-000000",
        "name": "Widget with a fairly descriptive product name",
        "price": {"amount": 1234.5, "currency": "EUR"},
        "tags": ["catalog", "active", "priced"],
        "updatedOn": "2026-11-22T10:00:00Z",
        "active": True,
        "notes": None,
    }
    target = megabytes * 1024 * 1024
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        written, index = 1, 0
        while written < target:
            record["id"] = index
            record["sku"] = f"SKU-{index:06d}"
            piece = ("," if index else "") + json.dumps(record, separators=(",", ":"))
            out.write(piece)
            written += len(piece)
            index += 1
        out.write("]")
    return path.stat().st_size


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(window, qtbot_wait, url: str, save_dir: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent, QObject

    from explorer.core.models import RequestSpec

    marks: dict[str, float] = {}

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "loaded" in marks and "screen" not in marks:
                marks["screen"] = time.perf_counter()
            return False

    painted = Painted(window)
    window.response.body.view.viewport().installEventFilter(painted)
    window.response.body.loaded.connect(lambda: marks.setdefault("loaded", time.perf_counter()))
    original = window._emit_progress

    def on_progress(generation: int, received: int, total: int | None) -> None:
        if total is not None and received >= total:
            marks["last_byte"] = time.perf_counter()
        original(generation, received, total)

    window._emit_progress = on_progress
    window.heartbeat.reset()
    started = time.perf_counter()
    window.send(RequestSpec("GET", url, read_timeout=120))
    qtbot_wait(lambda: "screen" in marks, 120)
    first_screen_stall = window.heartbeat.longest_stall_ms
    view = window.response.body.view
    bar = view.verticalScrollBar()
    for step in range(1, 11):  # scroll through the body while lexing runs on the worker
        bar.setValue(bar.maximum() * step // 10)
        qtbot_wait(lambda: False, 0.05)
    body = window.response.body
    body.open_search()
    searched: list[int] = []
    body.searched.connect(searched.append)
    body.search_bar.edit.setText("Widget")
    qtbot_wait(lambda: bool(searched), 60)
    search_stall = window.heartbeat.longest_stall_ms
    window.heartbeat.reset()
    saved: list[str] = []
    window.response.saved.connect(saved.append)
    target = Path(save_dir) / "saved-body.json"
    save_started = time.perf_counter()
    window.response.save_to(str(target))
    qtbot_wait(lambda: bool(saved), 120)
    save_s = time.perf_counter() - save_started
    saved_size = target.stat().st_size
    target.unlink()
    return {
        "plain": float(not body.document.formatted and body.notice.isVisible()),
        "search_stall_ms": search_stall,
        "save_s": save_s,
        "save_stall_ms": window.heartbeat.longest_stall_ms,
        "saved_mb": saved_size / 1e6,
        "download_s": marks["last_byte"] - started,
        "first_screen_after_last_byte_s": marks["screen"] - marks["last_byte"],
        "stall_until_first_screen_ms": first_screen_stall,
        "longest_stall_ms": max(search_stall, window.heartbeat.longest_stall_ms),
        "matches": float(searched[0]),
        "rows": float(view.document.row_count if view.document else 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,200", help="body sizes in MB, comma-separated")
    args = parser.parse_args()

    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    from explorer.app import tune_interpreter
    from explorer.core.models import RequestSpec
    from explorer.services.api import SendContext
    from explorer.services.compose import Executors, build_services
    from explorer.ui.main_window import MainWindow

    tune_interpreter()  # as app.run_gui does
    app = QApplication.instance() or QApplication(sys.argv[:1])

    def wait(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.perf_counter() + timeout
        while not predicate() and time.perf_counter() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if timeout > 1 and not predicate():
            raise SystemExit("timed out")

    with tempfile.TemporaryDirectory(prefix="ui-big-body-") as folder:
        os.environ["API_EXPLORER_HOME"] = str(Path(folder) / "home")
        os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        executors = Executors()
        services = build_services(executors, workspace=Path(folder) / "workspace")
        window = MainWindow(services)
        window.resize(1440, 900)
        window.show()
        gc.freeze()  # as app.run_gui does
        wait(lambda: False, 0.5)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait(lambda: False, 0.5)
            warm = services.sender.start(
                RequestSpec("HEAD", f"http://127.0.0.1:{port}/"), SendContext()
            )
            warm.future.result(timeout=30)  # the core is up, as in the running app
            print(f"idle window RSS with the core loaded: {rss_mb():.0f} MB")
            for size in (int(s) for s in args.sizes.split(",")):
                path = Path(folder) / f"body-{size}.json"
                actual = make_json(path, size)
                wait(lambda: False, 0.3)
                before = rss_mb()
                url = f"http://127.0.0.1:{port}/{path.name}"
                result = measure(window, wait, url, folder)
                peak = peak_rss_mb()
                print(
                    f"{actual / 1e6:.0f} MB JSON: download {result['download_s']:.2f} s, "
                    f"first screen {result['first_screen_after_last_byte_s'] * 1000:.0f} ms "
                    f"after the last byte, longest UI stall "
                    f"{result['stall_until_first_screen_ms']:.0f} ms until then and "
                    f"{result['longest_stall_ms']:.0f} ms through scrolling, search and save "
                    f"({result['matches']:.0f} matches, {result['rows']:.0f} rows; opened "
                    f"{'plain with the offer to format' if result['plain'] else 'formatted'}; "
                    f"saved {result['saved_mb']:.0f} MB in {result['save_s']:.2f} s, stall "
                    f"{result['save_stall_ms']:.0f} ms); RSS {before:.0f} → {rss_mb():.0f} MB, "
                    f"peak {peak:.0f} MB = {(peak - before) * 1e6 / actual:.1f}x the body "
                    "above the RSS before",
                    flush=True,
                )
                window.response.clear()
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
    sys.exit(main())
