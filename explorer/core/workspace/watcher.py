"""Debounced detection of external edits (a ``git pull``, an editor) to workspace files.

A polling watcher: it compares (mtime, size) of the workspace's YAML files every ``interval``
seconds and reports a change set once the files have stopped changing for ``debounce`` seconds,
so a checkout that rewrites fifty files arrives as one event. Polling works on every platform and
file system (network shares, containers) without a native dependency. Callbacks run on the
watcher thread: a UI must hand them to its own thread (``loop.call_soon_threadsafe``). Our own
writes are acknowledged with ``acknowledge(path)`` so they are not reported back as external.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Snapshot = dict[Path, tuple[int, int]]
WATCHED = ("collections", "environments", "providers")


@dataclass(frozen=True, slots=True)
class ChangeSet:
    added: frozenset[Path]
    modified: frozenset[Path]
    removed: frozenset[Path]

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed)


def snapshot(root: Path) -> Snapshot:
    found: Snapshot = {}
    for name in WATCHED:
        base = root / name
        if not base.is_dir():
            continue
        for path in base.rglob("*.yaml"):
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def _under(candidate: Path, path: Path) -> bool:
    return candidate == path or path in candidate.parents


def diff(old: Snapshot, new: Snapshot) -> ChangeSet:
    return ChangeSet(
        added=frozenset(new.keys() - old.keys()),
        modified=frozenset(p for p in new.keys() & old.keys() if new[p] != old[p]),
        removed=frozenset(old.keys() - new.keys()),
    )


class WorkspaceWatcher:
    """Reports external changes under a workspace, debounced. ``poll()`` drives it by hand (for
    tests and for hosts with their own timers); ``start()`` runs it on a daemon thread."""

    def __init__(self, root: Path, *, interval: float = 0.5, debounce: float = 0.3) -> None:
        self.root = root
        self.interval = interval
        self.debounce = debounce
        self._known = snapshot(root)
        self._pending: Snapshot | None = None
        self._pending_since = 0.0
        self._subscribers: list[Callable[[ChangeSet], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._life = threading.Lock()  # start and stop may come from different threads

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]:
        """Call ``callback`` with each change set; returns the function that unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)
        return lambda: self._unsubscribe(callback)

    def _unsubscribe(self, callback: Callable[[ChangeSet], None]) -> None:
        with self._lock:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

    def acknowledge(self, path: Path) -> None:
        """Our own write, rename or delete of a file or a whole folder: record its new state so
        it is not reported as an external change."""
        fresh = {p: st for p, st in snapshot(self.root).items() if _under(p, path)}
        with self._lock:
            for known in [p for p in self._known if _under(p, path)]:
                del self._known[known]
            self._known.update(fresh)

    def poll(self, now: float | None = None) -> ChangeSet | None:
        """Look once; returns and publishes the change set when one has settled."""
        now = time.monotonic() if now is None else now
        current = snapshot(self.root)
        with self._lock:
            if not diff(self._known, current):
                self._pending = None
                return None
            if self._pending != current:
                self._pending, self._pending_since = current, now
                return None
            if now - self._pending_since < self.debounce:
                return None
            changes = diff(self._known, current)
            self._known, self._pending = current, None
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(changes)
        return changes

    def start(self) -> None:
        with self._life:
            if self._thread is not None:
                return
            self._stop.clear()
            thread = threading.Thread(target=self._run, name="workspace-watcher", daemon=True)
            thread.start()
            self._thread = thread

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def stop(self) -> None:
        """Stop the thread and wait for it (call on quit)."""
        with self._life:
            self._stop.set()
            if self._thread is not None:
                self._thread.join()
                self._thread = None
