"""Big response bodies in the real window: time from the last byte to the first painted screen,
the longest stall of the UI thread (a 16 ms heartbeat timer) in each phase, and RSS growth.

The JSON is served by ``python -m http.server`` in a child process, so the server never competes
with the window for this process's GIL. Run offscreen:

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_big_body.py --sizes 50,200,1000 --rounds 3

Each size is loaded ``--rounds`` times; each round scrolls through the body and to its end
(Ctrl+End), searches it and saves it to a file, and the medians are printed. The stall is
measured per phase: while the bytes arrive (the network path, not the viewer), from the last
byte until the row index is complete, scrolling, searching and saving. RSS is sampled every
10 ms by a thread; growth is the highest sample of the round minus the RSS before it.
Targets (issue 17, median of 3 on the project's 2-core machine): 1 GB JSON first screen ≤ 1 s
after the last byte, no stall > 50 ms, RSS growth ≤ 0.3x the body; 200 MB first screen ≤ 0.3 s,
stall ≤ 50 ms; 50 MB no worse than before (0.27 s, 133 ms).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

Wait = Callable[[Callable[[], bool], float], None]


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


class RssSampler:
    """The highest RSS seen since ``reset``, sampled every 10 ms on a thread of its own."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.peak = rss_mb()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_mb())

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def measure(window, wait: Wait, url: str, save_dir: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """One round: load, scroll, Ctrl+End, search, save; returns the figures."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from explorer.core.models import RequestSpec

    marks: dict[str, float] = {}
    stalls: dict[str, float] = {}
    body = window.response.body
    view = body.view
    heartbeat = window.heartbeat

    def phase(name: str) -> None:
        stalls[name] = heartbeat.longest_stall_ms
        heartbeat.reset()

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "loaded" in marks and "screen" not in marks:
                marks["screen"] = time.perf_counter()
            return False

    def on_loaded() -> None:
        marks.setdefault("loaded", time.perf_counter())

    painted = Painted(window)
    view.viewport().installEventFilter(painted)
    body.loaded.connect(on_loaded)
    original = window._emit_progress

    def on_progress(generation: int, received: int, total: int | None) -> None:
        if total is not None and received >= total and "last_byte" not in marks:
            marks["last_byte"] = time.perf_counter()
            phase("download")
        original(generation, received, total)

    window._emit_progress = on_progress
    heartbeat.reset()
    started = time.perf_counter()
    window.send(RequestSpec("GET", url, read_timeout=300))
    wait(lambda: "screen" in marks, 300)
    wait(lambda: body.document is not None and body.document.complete, 300)
    marks["indexed"] = time.perf_counter()
    phase("index")
    bar = view.verticalScrollBar()
    for step in range(1, 11):  # scroll through the body while lexing runs on the worker
        bar.setValue(bar.maximum() * step // 10)
        wait(lambda: False, 0.05)
    view.setFocus()
    bar.setValue(0)
    end_started = time.perf_counter()
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    QApplication.sendEvent(view, key)
    wait(lambda: bar.value() == bar.maximum() and view.pending_target() is None, 60)
    end_s = time.perf_counter() - end_started
    phase("scroll")
    searched: list[int] = []
    on_searched = searched.append
    body.searched.connect(on_searched)
    search_started = time.perf_counter()
    body.open_search()
    body.search_bar.edit.setText("Widget")
    wait(lambda: bool(searched), 300)
    search_s = time.perf_counter() - search_started
    phase("search")
    saved: list[str] = []
    on_saved = saved.append
    window.response.saved.connect(on_saved)
    target = Path(save_dir) / "saved-body.json"
    save_started = time.perf_counter()
    window.response.save_to(str(target))
    wait(lambda: bool(saved), 300)
    save_s = time.perf_counter() - save_started
    phase("save")
    saved_size = target.stat().st_size
    target.unlink()
    body.search_bar.edit.clear()
    body.search_bar.hide()
    window._emit_progress = original
    view.viewport().removeEventFilter(painted)
    body.loaded.disconnect(on_loaded)
    body.searched.disconnect(on_searched)
    window.response.saved.disconnect(on_saved)
    return {
        "plain": float(not body.document.formatted and body.notice.isVisible()),
        "download_s": marks["last_byte"] - started,
        "first_screen_s": marks["screen"] - marks["last_byte"],
        "indexed_s": marks["indexed"] - marks["last_byte"],
        "end_s": end_s,
        "search_s": search_s,
        "save_s": save_s,
        "saved_mb": saved_size / 1e6,
        "matches": float(searched[0]),
        "rows": float(view.document.row_count if view.document else 0),
        **{f"stall_{name}_ms": value for name, value in stalls.items()},
        "stall_viewer_ms": max(v for k, v in stalls.items() if k != "download"),
    }


def report(size_mb: float, rounds: list[dict[str, float]]) -> str:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    each = ", ".join(f"{r['first_screen_s'] * 1000:.0f}" for r in rounds)
    stalls = ", ".join(f"{r['stall_viewer_ms']:.0f}" for r in rounds)
    return (
        f"{size_mb:.0f} MB JSON, median of {len(rounds)}: first screen "
        f"{med('first_screen_s') * 1000:.0f} ms after the last byte ({each}); longest UI stall "
        f"{med('stall_viewer_ms'):.0f} ms ({stalls}) — index {med('stall_index_ms'):.0f}, "
        f"scroll {med('stall_scroll_ms'):.0f}, search {med('stall_search_ms'):.0f}, save "
        f"{med('stall_save_ms'):.0f}; while downloading {med('stall_download_ms'):.0f} ms; "
        f"RSS growth {med('rss_growth_x'):.2f}x the body ({med('rss_growth_mb'):.0f} MB); "
        f"download {med('download_s'):.2f} s, indexed {med('indexed_s'):.2f} s after the last "
        f"byte, Ctrl+End {med('end_s') * 1000:.0f} ms, search {med('search_s'):.2f} s "
        f"({med('matches'):.0f} matches), save {med('save_s'):.2f} s "
        f"({med('saved_mb'):.0f} MB); {med('rows'):.0f} rows; opened "
        f"{'plain with the offer to format' if med('plain') else 'formatted'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,200,1000", help="body sizes in MB, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="loads per size (medians reported)")
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

    def wait(predicate: Callable[[], bool], timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate() and time.perf_counter() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if timeout > 1 and not predicate():
            raise SystemExit("timed out")

    sampler = RssSampler()
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
            print(f"idle window RSS with the core loaded: {rss_mb():.0f} MB", flush=True)
            for size in (int(s) for s in args.sizes.split(",")):
                path = Path(folder) / f"body-{size}.json"
                actual = make_json(path, size)
                url = f"http://127.0.0.1:{port}/{path.name}"
                rounds = []
                for _ in range(args.rounds):
                    window.response.clear()
                    gc.collect()
                    wait(lambda: False, 0.5)
                    sampler.reset()
                    before = sampler.peak
                    result = measure(window, wait, url, folder)
                    result["rss_growth_mb"] = sampler.peak - before
                    result["rss_growth_x"] = (sampler.peak - before) * 1e6 / actual
                    rounds.append(result)
                print(report(actual / 1e6, rounds), flush=True)
                window.response.clear()
                path.unlink()
        finally:
            sampler.close()
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
