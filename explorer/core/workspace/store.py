"""Tree operations for the collection view, by path: create, rename, duplicate, delete to a
recoverable trash, move, reorder and search. Qt-free, so the window and tests share it.

Every operation works on files directly (atomic writes, renames) and returns the new path; the
caller reloads the affected folder with ``load_collection``. Deleted items go to
``<workspace>/.trash/`` with a note of where they came from, so ``restore`` puts them back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from explorer.core.errors import FormatError, UsageError
from explorer.core.models import RequestSpec
from explorer.core.workspace import codec, migrations, yamlio
from explorer.core.workspace.collections import (
    COLLECTION_FILE,
    FOLDER_FILE,
    REQUEST_SUFFIX,
    load_collection,
    load_folder,
    load_request,
    save_collection,
    save_request,
    slugify,
    unique_path,
)
from explorer.core.workspace.marker import open_workspace
from explorer.core.workspace.model import Folder, SavedRequest, Variable

TRASH = ".trash"
TRASH_NOTE = "trashed.yaml"


@dataclass(frozen=True, slots=True)
class TrashEntry:
    path: Path
    origin: Path
    name: str
    deleted_at: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A request that matched: its file, the collection/folder trail and what matched."""

    path: Path
    trail: tuple[str, ...]
    name: str
    method: str
    url: str
    field: str


class WorkspaceStore:
    """The collections of one workspace (``<root>/collections``)."""

    def __init__(self, root: Path) -> None:
        self.marker = open_workspace(root)
        self.root = root
        self.collections_dir = root / "collections"
        self.trash_dir = root / TRASH
        #: Called with each path an operation wrote, renamed or removed (e.g. the watcher's
        #: ``acknowledge``, so our own edits are not reported back as external changes).
        self.write_listeners: list[Callable[[Path], None]] = []

    def _changed(self, *paths: Path) -> None:
        for path in paths:
            for listener in self.write_listeners:
                listener(path)

    # -- listing and loading -------------------------------------------------------------
    def collection_dirs(self) -> list[Path]:
        if not self.collections_dir.is_dir():
            return []
        return sorted(
            d
            for d in self.collections_dir.iterdir()
            if d.is_dir() and not d.name.startswith(".") and (d / COLLECTION_FILE).is_file()
        )

    def load(self, directory: Path) -> tuple[Folder | None, tuple[FormatError, ...]]:
        """A collection, or one of its sub-folders (to refresh only what changed)."""
        if (directory / FOLDER_FILE).is_file():
            result = load_folder(directory, self.marker.format_version)
        else:
            result = load_collection(directory, self.marker.format_version)
        return result.collection, result.errors

    def load_all(self) -> tuple[list[Folder], list[FormatError]]:
        trees: list[Folder] = []
        errors: list[FormatError] = []
        for directory in self.collection_dirs():
            tree, problems = self.load(directory)
            if tree is not None:
                trees.append(tree)
            errors.extend(problems)
        return trees, errors

    # -- creating ------------------------------------------------------------------------
    def create_collection(self, name: str, provider: str = "") -> Path:
        directory = unique_path(self.collections_dir, slugify(name, "collection"), "")
        save_collection(Folder(name=name, provider=provider), directory)
        self._changed(directory)
        return directory

    def create_folder(self, parent: Path, name: str) -> Path:
        directory = unique_path(parent, slugify(name, "folder"), "")
        yamlio.write(
            directory / FOLDER_FILE,
            codec.folder_to_data(Folder(name, self._next_seq(parent)), root=False),
        )
        self._changed(directory)
        return directory

    def create_request(self, folder: Path, spec: RequestSpec) -> Path:
        path = unique_path(folder, slugify(spec.name), REQUEST_SUFFIX)
        save_request(path, SavedRequest(spec, self._next_seq(folder)))
        self._changed(path)
        return path

    def save_request(self, path: Path, spec: RequestSpec) -> None:
        """Save an edited request in place, keeping its order."""
        seq = load_request(path, self.marker.format_version).seq if path.exists() else 0
        save_request(path, SavedRequest(spec, seq))
        self._changed(path)

    def declare_secrets(self, collection: Path, names: Iterable[str]) -> None:
        """Declare ``names`` secret variables of the collection in ``collection`` (a pasted
        curl's credentials, whose values go to the keyring), keeping what it declares."""
        meta = collection / COLLECTION_FILE
        folder = self._read_folder(meta)
        known = {v.name for v in folder.variables}
        added = tuple(Variable(n, secret=True) for n in dict.fromkeys(names) if n not in known)
        if added:
            folder = replace(folder, variables=(*folder.variables, *added))
            yamlio.write(meta, codec.folder_to_data(folder, root=True))
            self._changed(meta)

    # -- rename, duplicate, move, reorder ------------------------------------------------
    def rename(self, path: Path, new_name: str) -> Path:
        if not new_name.strip():
            raise UsageError("A name cannot be empty; type a name.")
        if path.name.endswith(REQUEST_SUFFIX):
            saved = load_request(path, self.marker.format_version)
            target = unique_path(path.parent, slugify(new_name), REQUEST_SUFFIX, set())
            if slugify(new_name) + REQUEST_SUFFIX == path.name:
                target = path
            save_request(target, replace(saved, spec=replace(saved.spec, name=new_name)))
            if target != path:
                path.unlink()
            self._changed(path, target)
            return target
        meta = self._meta(path)
        folder = self._read_folder(meta)
        target = path
        if slugify(new_name, "folder") != path.name:
            target = unique_path(path.parent, slugify(new_name, "folder"), "")
            path.rename(target)
        yamlio.write(
            target / meta.name,
            codec.folder_to_data(replace(folder, name=new_name), root=meta.name == COLLECTION_FILE),
        )
        self._changed(path, target)
        return target

    def duplicate(self, path: Path) -> Path:
        if path.name.endswith(REQUEST_SUFFIX):
            saved = load_request(path, self.marker.format_version)
            spec = replace(saved.spec, name=f"{saved.spec.name} copy")
            return self.create_request(path.parent, spec)
        meta = self._meta(path)
        folder = self._read_folder(meta)
        target = unique_path(path.parent, f"{path.name}-copy", "")
        shutil.copytree(path, target)
        seq = folder.seq if meta.name == COLLECTION_FILE else self._next_seq(path.parent)
        yamlio.write(
            target / meta.name,
            codec.folder_to_data(
                replace(folder, name=f"{folder.name} copy", seq=seq),
                root=meta.name == COLLECTION_FILE,
            ),
        )
        self._changed(target)
        return target

    def move(self, path: Path, destination: Path) -> Path:
        """Move a request or folder into folder ``destination``, last in its order."""
        if destination == path or path in destination.parents:
            raise UsageError("A folder cannot be moved into itself; pick another folder.")
        suffix = REQUEST_SUFFIX if path.name.endswith(REQUEST_SUFFIX) else ""
        stem = path.name.removesuffix(suffix)
        target = unique_path(destination, stem, suffix)
        seq = self._next_seq(destination)
        path.rename(target)
        self._set_seq(target, seq)
        self._changed(path, target)
        return target

    def reorder(self, ordered: list[Path]) -> None:
        """Give the items of one folder the order of ``ordered`` (seq 1, 2, 3 ...)."""
        for seq, path in enumerate(ordered, start=1):
            self._set_seq(path, seq)
        self._changed(*ordered)

    # -- trash ---------------------------------------------------------------------------
    def delete(self, path: Path) -> TrashEntry:
        """Move a request, folder or collection to the workspace trash."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        holder = unique_path(
            self.trash_dir, f"{stamp}-{path.name.removesuffix(REQUEST_SUFFIX)}", ""
        )
        holder.mkdir(parents=True)
        origin = path.relative_to(self.root).as_posix()
        deleted_at = datetime.now(UTC).isoformat(timespec="seconds")
        yamlio.write(holder / TRASH_NOTE, {"origin": origin, "deleted_at": deleted_at})
        path.rename(holder / path.name)
        self._changed(path)
        return TrashEntry(holder / path.name, self.root / origin, path.name, deleted_at)

    def trash(self) -> list[TrashEntry]:
        entries: list[TrashEntry] = []
        if not self.trash_dir.is_dir():
            return entries
        for holder in sorted(self.trash_dir.iterdir(), reverse=True):
            try:
                note = codec.Reader(yamlio.read(holder / TRASH_NOTE), str(holder))
            except FormatError:
                continue
            origin = self.root / note.text("origin")
            entries.append(
                TrashEntry(holder / origin.name, origin, origin.name, note.text("deleted_at"))
            )
        return entries

    def restore(self, entry: TrashEntry) -> Path:
        """Put a trashed item back where it was (numbered if that name is taken again)."""
        suffix = REQUEST_SUFFIX if entry.name.endswith(REQUEST_SUFFIX) else ""
        entry.origin.parent.mkdir(parents=True, exist_ok=True)
        target = unique_path(entry.origin.parent, entry.name.removesuffix(suffix), suffix)
        entry.path.rename(target)
        shutil.rmtree(entry.path.parent)
        self._changed(target)
        return target

    # -- search --------------------------------------------------------------------------
    def search(self, query: str) -> list[SearchHit]:
        """Requests whose name, URL, method, docs, headers or body contain ``query``
        (case-insensitive), across every collection."""
        needle = query.casefold().strip()
        hits: list[SearchHit] = []
        if not needle:
            return hits
        for tree in self.load_all()[0]:
            for trail, saved in tree.requests():
                spec = saved.spec
                fields = {
                    "name": spec.name,
                    "url": spec.url,
                    "method": spec.method,
                    "docs": spec.docs,
                    "headers": " ".join(f"{h.name}: {h.value}" for h in spec.headers),
                    "params": " ".join(f"{p.name}={p.value}" for p in spec.params),
                    "body": spec.body.text,
                }
                for field_name, text in fields.items():
                    if needle in text.casefold():
                        assert saved.path is not None
                        hits.append(
                            SearchHit(
                                saved.path,
                                (tree.name, *trail),
                                spec.name,
                                spec.method,
                                spec.url,
                                field_name,
                            )
                        )
                        break
        return hits

    # -- helpers -------------------------------------------------------------------------
    def _meta(self, directory: Path) -> Path:
        for name in (COLLECTION_FILE, FOLDER_FILE):
            if (directory / name).is_file():
                return directory / name
        return directory / FOLDER_FILE

    def _read_folder(self, meta: Path) -> Folder:
        if not meta.exists():
            return Folder(meta.parent.name)
        data = migrations.upgrade(
            "folder", yamlio.read(meta), self.marker.format_version, path=str(meta)
        )
        return codec.folder_from_data(data, str(meta))

    def _next_seq(self, folder: Path) -> int:
        seqs = [0]
        for entry in folder.iterdir() if folder.is_dir() else ():
            try:
                if entry.name.endswith(REQUEST_SUFFIX):
                    seqs.append(load_request(entry, self.marker.format_version).seq)
                elif entry.is_dir() and not entry.name.startswith("."):
                    seqs.append(self._read_folder(entry / FOLDER_FILE).seq)
            except FormatError:
                continue
        return max(seqs) + 1

    def _set_seq(self, path: Path, seq: int) -> None:
        if path.name.endswith(REQUEST_SUFFIX):
            saved = load_request(path, self.marker.format_version)
            if saved.seq != seq:
                save_request(path, replace(saved, seq=seq))
            return
        meta = self._meta(path)
        folder = self._read_folder(meta)
        if folder.seq != seq or not meta.exists():
            yamlio.write(
                meta,
                codec.folder_to_data(replace(folder, seq=seq), root=meta.name == COLLECTION_FILE),
            )
