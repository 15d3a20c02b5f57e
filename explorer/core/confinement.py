"""Which local files a saved request may read: those of its own workspace, unless the user says
otherwise.

A collection is untrusted (an import, a shared workspace): a ``binary-file`` body or a multipart
file part naming ``/etc/shadow`` or ``~/.ssh/id_rsa`` would post that file to whatever server
the collection chose. So a request that lives in a file reads only files inside its workspace
(the folder holding ``workspace.yaml``; outside any workspace, its collection's folder), after
symbolic links are followed. The user's own consent widens that, per file or folder
(``run --allow-file PATH``) or wholly (``run --allow-outside-workspace``); the window gives none
and refuses with one sentence. A request the user is typing (``send --data @FILE``, an unsaved
request in the window) is the user's own choice and is not confined.

The consent is process-wide, like ``redaction.remember``: a command grants it for its duration
(``granted``) and every thread of the run sees it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from explorer.core.errors import InvalidRequest
from explorer.core.models import Body, BodyMode

__all__ = [
    "Consent",
    "FileAccess",
    "FileOutsideWorkspace",
    "access_for",
    "file_notes",
    "granted",
]


class FileOutsideWorkspace(InvalidRequest):
    """A saved request names a body file outside its workspace without the user's consent."""


@dataclass(frozen=True, slots=True)
class Consent:
    """What the user allowed beyond the workspace: these files or folders, or everything."""

    paths: tuple[Path, ...] = ()
    anywhere: bool = False

    def covers(self, path: Path) -> bool:
        return self.anywhere or any(path == p or path.is_relative_to(p) for p in self.paths)


_lock = threading.Lock()
_granted: list[Consent] = []  # innermost grant last; none means the workspace only


@contextmanager
def granted(paths: Iterable[str | Path] = (), *, anywhere: bool = False) -> Iterator[Consent]:
    """Allow saved requests to read ``paths`` (files or folders), or any file, until the block
    ends (``run --allow-file``/``--allow-outside-workspace``)."""
    consent = Consent(tuple(Path(p).expanduser().resolve() for p in paths), anywhere)
    with _lock:
        _granted.append(consent)
    try:
        yield consent
    finally:
        with _lock:
            _granted.remove(consent)


def _current() -> Consent:
    with _lock:
        return _granted[-1] if _granted else Consent()


@dataclass(frozen=True, slots=True)
class FileAccess:
    """The files one saved request may read: under ``root``, or what the consent covers."""

    root: Path

    def check(self, path: Path) -> None:
        """Refuse ``path`` (absolute) when it lies outside the root, symbolic links followed,
        and the user has not allowed it."""
        real = path.resolve()
        if real.is_relative_to(self.root.resolve()):
            return
        if _current().covers(real):
            return
        raise FileOutsideWorkspace(
            f"The saved request reads '{path}', outside its workspace '{self.root}'; a "
            "collection may only read files inside its workspace, so move the file there or "
            f"allow it (api-explorer run --allow-file {path})."
        )


def access_for(location: Path | None) -> FileAccess | None:
    """The confinement of a request saved at ``location`` (its file or collection folder): its
    workspace, else its collection's folder; None for a request that lives in no file."""
    if location is None:
        return None
    from explorer.core.workspace.collections import COLLECTION_FILE
    from explorer.core.workspace.marker import find_workspace

    root = find_workspace(location)
    if root is not None:
        return FileAccess(root)
    folder = location if location.is_dir() else location.parent
    for candidate in (folder, *folder.parents):
        if (candidate / COLLECTION_FILE).is_file():
            return FileAccess(candidate)
    return FileAccess(folder)


def file_notes(body: Body, where: str = "") -> list[str]:
    """One warning per local file an imported ``body`` would read and send, so an import says
    loudly what it references (``-d @/etc/shadow``, a Postman file part)."""
    prefix = f"{where}: " if where else ""
    if body.mode is BodyMode.BINARY_FILE and body.file:
        files = [body.file]
    elif body.mode is BodyMode.MULTIPART:
        files = [f.value for f in body.fields if f.is_file and f.value]
    else:
        files = []
    return [
        f"{prefix}the request sends the local file '{name}'; check it before sending (a saved "
        "request reads only files inside its workspace unless allowed)"
        for name in files
    ]
