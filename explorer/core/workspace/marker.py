"""The workspace marker ``workspace.yaml``: its format version and stable id.

The id (a UUID created once) is the key prefix for everything the workspace keeps in the OS
keyring, so moving or renaming the folder never orphans its secrets. Commands given a path inside
a workspace find it by walking up to the marker.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from explorer.core.errors import FormatError, StorageError

MARKER = "workspace.yaml"
FORMAT_VERSION = 2


@dataclass(frozen=True, slots=True)
class WorkspaceMarker:
    root: Path
    id: str
    format_version: int = FORMAT_VERSION


def default_workspace_dir() -> Path:
    """The platform's user data folder (``API_EXPLORER_HOME`` overrides it, for tests)."""
    override = os.environ.get("API_EXPLORER_HOME")
    if override:
        return Path(override) / "workspace"
    from platformdirs import user_data_path

    return user_data_path("api-explorer", appauthor=False) / "workspace"


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``workspace.yaml``."""
    current = start.resolve()
    if current.is_file():
        current = current.parent
    for folder in (current, *current.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def open_workspace(root: Path, *, create: bool = True) -> WorkspaceMarker:
    """Read the marker in ``root``; create the folder and marker when missing and allowed."""
    path = root / MARKER
    if root.exists() and not root.is_dir():
        raise FormatError("is a file, not a workspace folder; choose a folder", path=str(root))
    if not path.exists():
        if not create:
            raise FormatError(
                "no workspace.yaml here; this folder is not a workspace", path=str(root)
            )
        import uuid  # only when a workspace is created: it imports ``platform``

        marker = WorkspaceMarker(root, str(uuid.uuid4()))
        try:
            root.mkdir(parents=True, exist_ok=True)
            created = write_marker(marker, exclusive=True)
        except OSError as exc:
            raise StorageError(
                f"the workspace cannot be created ({exc.strerror}); choose a folder you can "
                "write to",
                path=str(root),
            ) from exc
        if created:
            return marker
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FormatError("not UTF-8 text; restore it from git", path=str(path)) from exc
    except OSError as exc:
        raise FormatError(f"cannot be read ({exc.strerror})", path=str(path)) from exc
    except yaml.YAMLError as exc:  # PyYAML's own text is several lines of context and carets
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "a syntax error"
        raise FormatError(
            f"workspace.yaml is not valid YAML ({problem}); fix that line or restore it from git",
            path=str(path),
            line=line,
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise FormatError("workspace.yaml must be a mapping with an 'id' string", path=str(path))
    version = data.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise FormatError(
            f"format_version {version!r} is newer than this app understands ({FORMAT_VERSION}); "
            "update API Explorer",
            path=str(path),
        )
    return WorkspaceMarker(root, data["id"], version)


def write_marker(marker: WorkspaceMarker, *, exclusive: bool = False) -> bool:
    """Write the marker whole (a temp file moved into place). ``exclusive``: only if there is
    none yet, so two threads or processes creating the same workspace agree on one id (the
    loser reads the winner's); False when another one was there first."""
    text = f"format_version: {marker.format_version}\nid: {marker.id}\n"
    path = marker.root / MARKER
    fd, tmp = tempfile.mkstemp(prefix=f".{MARKER}.", suffix=".tmp", dir=marker.root)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if not exclusive:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic, and fails when the marker exists
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links (FAT, some network shares)
            os.replace(tmp, path)
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)
