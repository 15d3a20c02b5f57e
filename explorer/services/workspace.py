"""The workspace services ``compose.py`` gives the window: collections, trash, external edits,
history, import and export, over the Qt-free ``explorer.core.workspace`` and ``formats``.

Every call returns a ``Future``: file work runs on the one-thread disk executor (so operations
and the reloads after them land in order), import parsing on the worker. Nothing starts before
the core has opened the workspace marker (``ready``), so the two never race to create it. In
``--demo`` the providers' sample requests are written once as real collections, one per
provider, so the tree opens something useful in one click.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from explorer.core.models import Exchange, RequestSpec
from explorer.services.workspace_api import (
    HistoryEntry,
    ImportDone,
    ImportPreview,
    Pasted,
    Trashed,
    WorkspaceTree,
)

if TYPE_CHECKING:
    from explorer.core.formats.common import ImportResult
    from explorer.core.formats.service import Applied
    from explorer.core.providers import ProviderProfile
    from explorer.core.workspace import history
    from explorer.core.workspace.environments import EnvironmentValues
    from explorer.core.workspace.store import WorkspaceStore
    from explorer.core.workspace.watcher import ChangeSet, WorkspaceWatcher
    from explorer.services.core import Core

SAMPLES_SUFFIX = "-samples"
T = TypeVar("T")


def after_core(ready: Future[Core], executor: Executor, fn: Callable[[], T]) -> Future[T]:
    """``fn`` on ``executor`` once the core is up. Nothing is queued before that, so a window
    that quits before the core starts (``--quit-after-show``) leaves no task blocking the
    executor's shutdown."""
    result: Future[T] = Future()

    def submit(core: Future[Core]) -> None:
        error = core.exception()
        if error is not None:
            result.set_exception(error)
            return
        try:
            executor.submit(fn).add_done_callback(lambda done: _settle(result, done))
        except RuntimeError:  # the executor shut down meanwhile: nobody waits any more
            result.cancel()

    ready.add_done_callback(submit)
    return result


def _settle(target: Future[T], source: Future[T]) -> None:
    if source.cancelled():
        target.cancel()
    elif source.exception() is not None:
        target.set_exception(source.exception())
    else:
        target.set_result(source.result())


def workspace_root(workspace: Path | None, demo: bool) -> Path:
    """``--workspace DIR``, else the default workspace; ``--demo`` alone gets a workspace of
    its own beside it, so the sample collections never land in the user's work."""
    from explorer.core.workspace.marker import default_workspace_dir

    if workspace is not None:
        return workspace
    default = default_workspace_dir()
    return default.with_name("demo-workspace") if demo else default


def materialise_samples(store: WorkspaceStore, profiles: dict[str, ProviderProfile]) -> None:
    """One ``<provider> samples`` collection per provider with samples, written only when its
    folder is missing (an edited or deleted sample collection is the user's business)."""
    from explorer.core.workspace.collections import save_collection, slugify
    from explorer.core.workspace.model import Folder, SavedRequest

    for profile in sorted(profiles.values(), key=lambda p: p.name.casefold()):
        directory = store.collections_dir / f"{slugify(profile.id)}{SAMPLES_SUFFIX}"
        if not profile.samples or directory.exists():
            continue
        items = tuple(SavedRequest(spec, seq) for seq, spec in enumerate(profile.samples, 1))
        save_collection(
            Folder(f"{profile.name} samples", provider=profile.id, items=items), directory
        )


@dataclass
class CoreWorkspace:
    """The window's ``WorkspaceService``; ``ready`` yields the core (profiles, sandbox)."""

    disk: Executor
    worker: Executor
    ready: Future[Core]
    workspace: Path | None
    demo: bool
    _store: WorkspaceStore | None = None
    _watcher: WorkspaceWatcher | None = None
    _listeners: list[Callable[[frozenset[Path]], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopped: bool = False

    def _open(self) -> WorkspaceStore:
        """The store, opened on the disk thread once the core has the marker."""
        if self._store is None:
            from explorer.core.workspace.store import WorkspaceStore
            from explorer.core.workspace.watcher import WorkspaceWatcher

            core = self.ready.result()
            store = WorkspaceStore(workspace_root(self.workspace, self.demo))
            if self.demo:
                materialise_samples(store, core.profiles)
            watcher = WorkspaceWatcher(store.root)
            store.write_listeners.append(watcher.acknowledge)
            watcher.subscribe(self._on_watcher_changed)
            with self._lock:
                self._store, self._watcher = store, watcher
                if not self._stopped:  # a quit during the first load starts no thread
                    watcher.start()
            return store
        return self._store

    def _on_watcher_changed(self, changes: ChangeSet) -> None:
        paths = frozenset(changes.added | changes.modified | changes.removed)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(paths)

    def subscribe(self, listener: Callable[[frozenset[Path]], None]) -> None:
        """``listener`` gets the paths of each settled external change, on the watcher thread."""
        with self._lock:
            self._listeners.append(listener)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            watcher = self._watcher
        if watcher is not None:
            watcher.stop()

    def _on_disk(self, operation: Callable[[WorkspaceStore], T]) -> Future[T]:
        """``operation`` on the store, on the disk thread, once the core is up."""
        return after_core(self.ready, self.disk, lambda: operation(self._open()))

    def with_store(self, operation: Callable[[WorkspaceStore], T]) -> Future[T]:
        """``operation`` on the store, on the disk thread, once the core is up: the variables
        editor's writes land in order with the tree's (``explorer/services/variables.py``)."""
        return self._on_disk(operation)

    # -- the tree ------------------------------------------------------------------------
    def load(self) -> Future[WorkspaceTree]:
        def run() -> WorkspaceTree:
            store = self._open()
            collections, errors = store.load_all()
            return WorkspaceTree(store.root, tuple(collections), tuple(errors))

        return after_core(self.ready, self.disk, run)

    def read_request(self, path: Path) -> Future[RequestSpec]:
        from explorer.core.workspace.collections import load_request

        return after_core(
            self.ready,
            self.disk,
            lambda: load_request(path, self._open().marker.format_version).spec,
        )

    def create_collection(self, name: str, provider: str = "") -> Future[Path]:
        return self._on_disk(lambda store: store.create_collection(name, provider))

    def create_folder(self, parent: Path, name: str) -> Future[Path]:
        return self._on_disk(lambda store: store.create_folder(parent, name))

    def create_request(self, folder: Path, spec: RequestSpec) -> Future[Path]:
        return self._on_disk(lambda store: store.create_request(folder, spec))

    def save_request(self, path: Path, spec: RequestSpec) -> Future[None]:
        return self._on_disk(lambda store: store.save_request(path, spec))

    def rename(self, path: Path, name: str) -> Future[Path]:
        return self._on_disk(lambda store: store.rename(path, name))

    def duplicate(self, path: Path) -> Future[Path]:
        return self._on_disk(lambda store: store.duplicate(path))

    def move(self, path: Path, folder: Path) -> Future[Path]:
        return self._on_disk(lambda store: store.move(path, folder))

    def reorder(self, paths: list[Path]) -> Future[None]:
        return self._on_disk(lambda store: store.reorder(paths))

    def delete(self, path: Path) -> Future[Trashed]:
        return self._on_disk(lambda store: store.delete(path))

    def trash(self) -> Future[list[Trashed]]:
        return self._on_disk(lambda store: list[Trashed](store.trash()))

    def restore(self, entry: Trashed) -> Future[Path]:
        def run(store: WorkspaceStore) -> Path:
            from explorer.core.workspace.store import TrashEntry

            assert isinstance(entry, TrashEntry), "a trash entry comes from trash() or delete()"
            return store.restore(entry)

        return self._on_disk(run)

    def environments(self, collection: Path) -> Future[list[EnvironmentValues]]:
        """The saved environments of a collection bound to no provider, as the core's
        assembler reads them (``environments/<collection folder>.yaml``, where an import
        writes "Server 1"), for the window's environment list."""

        def run(store: WorkspaceStore) -> list[EnvironmentValues]:
            from explorer.core.workspace.environments import load_environments

            return load_environments(store.root, collection.name, store.marker.format_version)

        return self._on_disk(run)

    def provider_environments(self, provider_id: str) -> Future[list[EnvironmentValues]]:
        """A provider's saved environment values, for the URL bar's preview of what resolves."""

        def run(store: WorkspaceStore) -> list[EnvironmentValues]:
            from explorer.core.workspace.environments import load_environments

            return load_environments(store.root, provider_id, store.marker.format_version)

        return self._on_disk(run)

    # -- import and export ---------------------------------------------------------------
    def preview_import(self, kind: str, path: Path) -> Future[ImportPreview]:
        def run() -> ImportPreview:
            from explorer.core.formats import service
            from explorer.core.formats.common import describe

            found = kind
            if kind == "auto":
                from explorer.core.formats.detect import detect

                found = detect(path)
            result = service.read(found, path)
            tree = result.collection
            lines = [f"{tree.name}/", *describe(tree, "  ")] if tree.items else []
            lines += [f"environment {env.name!r}" for env in result.environments]
            return ImportPreview(
                found,
                path,
                tree.name,
                tuple(lines),
                len(tree.requests()),
                result.warnings,
                tuple(sorted(result.secrets)),
                result,
            )

        return after_core(self.ready, self.worker, run)

    def apply_import(self, preview: ImportPreview) -> Future[ImportDone]:
        def run() -> ImportDone:
            from explorer.core.formats import service
            from explorer.core.formats.common import ImportResult
            from explorer.core.workspace.collections import slugify, unique_path

            store = self._open()
            into = unique_path(store.collections_dir, slugify(preview.name, "collection"), "")
            result = preview.result
            assert isinstance(result, ImportResult)
            applied = service.apply(result, into, store.root)
            watcher = self._watcher
            assert watcher is not None, "opened with the store"
            for path in (into, *applied.environment_files):
                watcher.acknowledge(path)
            return ImportDone(applied.collection_dir, self._keep_secrets(result, applied))

        return after_core(self.ready, self.disk, run)

    def keep_pasted(self, request: Path | None, spec: RequestSpec) -> Future[Pasted]:
        def run(store: WorkspaceStore) -> Pasted:
            from explorer.core.formats.service import protect_pasted
            from explorer.core.secret_variables import collection_key
            from explorer.core.workspace.collections import COLLECTION_FILE

            folder = next(
                (
                    p
                    for p in (request.parents if request else ())
                    if (p / COLLECTION_FILE).is_file()
                ),
                None,
            )
            tree = store.load(folder)[0] if folder is not None else None
            if folder is None or tree is None:
                return Pasted(spec, "")
            protected, values = protect_pasted(spec, tree)
            if not values:
                return Pasted(spec, "")
            core = self.ready.result()
            for name, value in values.items():
                core.store.set(collection_key(core.workspace_id, folder.name, name), value)
            store.declare_secrets(folder, values)
            where = (
                "this session only (no keyring)"
                if core.store.kind == "session"
                else (core.store.description)
            )
            names = ", ".join("{{" + name + "}}" for name in values)
            noun = "variable" if len(values) == 1 else "variables"
            return Pasted(
                protected,
                f"Its credentials became the secret {noun} {names} of the collection, "
                f"kept in {where}.",
            )

        return self._on_disk(run)

    def _keep_secrets(self, result: ImportResult, applied: Applied) -> str:
        """The import's secret values into the window's credential store (the keyring, or
        the session-only store when there is none), and one sentence saying where."""
        from explorer.core.formats import service

        if not result.secrets:
            return ""
        core = self.ready.result()
        kept = service.keep_secrets(result, applied, core.workspace_id, core.store)
        names = ", ".join(kept.stored)
        if core.store.kind == "session":
            return f"The secret values ({names}) are kept for this session only (no keyring)."
        return f"The secret values ({names}) were stored in {kept.store_description}."

    def export(self, kind: str, collection: Path, target: Path) -> Future[list[Path]]:
        """Write the collection as ``kind`` to ``target``; a Postman export also writes each
        saved environment of the collection's provider beside it (secrets left empty)."""

        def run() -> list[Path]:
            from explorer.core.formats import service
            from explorer.core.formats.postman import export_postman_environment
            from explorer.core.workspace.collections import slugify
            from explorer.core.workspace.environments import load_environments
            from explorer.core.workspace.yamlio import write_text_atomic

            store = self._open()
            tree, _errors = store.load(collection)
            write_text_atomic(target, service.export(kind, collection, store.marker.format_version))
            written = [target]
            if kind == "postman" and tree is not None:
                stem = target.name.removesuffix(".json").removesuffix(".postman_collection")
                for env in load_environments(store.root, tree.provider or collection.name):
                    path = target.with_name(
                        f"{stem}.{slugify(env.name, 'env')}.postman_environment.json"
                    )
                    write_text_atomic(path, export_postman_environment(env))
                    written.append(path)
            return written

        return after_core(self.ready, self.disk, run)


@dataclass
class WorkspaceHistory:
    """The window's ``HistoryStore`` over ``history/*.jsonl``: written and read on the disk
    thread, pruned to the retention once when first opened."""

    disk: Executor
    ready: Future[Core]
    workspace: Path | None
    demo: bool
    _history: history.History | None = None

    def _open(self) -> history.History:
        if self._history is None:
            from explorer.core.workspace.history import History
            from explorer.services.settings import history_days

            self.ready.result()
            days = history_days()
            opened = History(workspace_root(self.workspace, self.demo), retention_days=days)
            opened.prune()
            self._history = opened
        return self._history

    def record(self, entry: HistoryEntry, exchange: Exchange) -> Future[HistoryEntry]:
        def run() -> HistoryEntry:
            kept = self._open().record(
                exchange,
                entry.spec.name,
                spec=entry.spec,
                provider=entry.provider_id or "",
                environment=entry.environment or "",
            )
            return _entry(kept)

        return after_core(self.ready, self.disk, run)

    def record_failure(self, entry: HistoryEntry) -> Future[HistoryEntry]:
        def run() -> HistoryEntry:
            kept = self._open().record_failure(
                entry.spec.method,
                entry.url or entry.spec.url,
                entry.error,
                entry.spec.name,
                spec=entry.spec,
                provider=entry.provider_id or "",
                environment=entry.environment or "",
            )
            return _entry(kept)

        return after_core(self.ready, self.disk, run)

    def recent(self, limit: int = 200) -> Future[list[HistoryEntry]]:
        return after_core(
            self.ready, self.disk, lambda: [_entry(e) for e in self._open().recent(limit)]
        )

    def clear(self) -> Future[int]:
        return after_core(self.ready, self.disk, lambda: len(self._open().clear()))


def _entry(kept: history.HistoryEntry) -> HistoryEntry:
    """A core history line as the history list shows it."""
    return HistoryEntry(
        spec=kept.to_spec(),
        status=kept.status,
        elapsed_ms=kept.total_ms,
        size=kept.size,
        sent_at=kept.at,
        provider_id=kept.provider or None,
        environment=kept.environment or None,
        url=kept.url,
        error=kept.error,
    )
