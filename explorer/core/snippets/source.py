"""A saved request file with what it inherits, ready for ``generate``.

A ``<slug>.request.yaml`` alone is not the whole request: its folders and collection add headers,
an auth, variables (secret ones by name only) and the default provider. This walks up from the
file to ``collection.yaml`` and applies them the way a send does: the nearest folder wins, the
request's own headers win over inherited ones, and an auth of None inherits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from explorer.core.models import RequestSpec
from explorer.core.templating import Layer, Scope
from explorer.core.workspace import migrations, yamlio
from explorer.core.workspace.codec import folder_from_data
from explorer.core.workspace.collections import COLLECTION_FILE, FOLDER_FILE, load_request
from explorer.core.workspace.marker import FORMAT_VERSION
from explorer.core.workspace.model import Folder, with_inherited


@dataclass(frozen=True, slots=True)
class RequestSource:
    """The request as it will be sent, its variables, and the collection's default provider."""

    spec: RequestSpec
    scope: Scope
    secret_names: frozenset[str]
    provider: str
    base_dir: Path


def load_request_source(path: Path, variables: dict[str, str] | None = None) -> RequestSource:
    """Read ``path`` (raises ``FormatError`` with file and line) and its folders' settings."""
    saved = load_request(path)
    folders = _ancestors(path.parent)
    spec = with_inherited(saved.spec, folders)
    layers = [Layer("command line", dict(variables or {}))]
    secret: set[str] = set()
    for folder in folders:
        names = frozenset(v.name for v in folder.variables if v.secret)
        secret |= names
        values = {v.name: v.value for v in folder.variables if not v.secret or v.value}
        layers.append(Layer(f"folder {folder.name}", values, names))
    provider = next((f.provider for f in folders if f.provider), "")
    return RequestSource(spec, Scope(tuple(layers)), frozenset(secret), provider, path.parent)


def _ancestors(directory: Path) -> list[Folder]:
    """The folders from ``directory`` up to the collection root, nearest first."""
    found: list[Folder] = []
    current = directory.resolve()
    while True:
        for name in (FOLDER_FILE, COLLECTION_FILE):
            meta = current / name
            if meta.is_file():
                data = migrations.upgrade(
                    "folder", yamlio.read(meta), FORMAT_VERSION, path=str(meta)
                )
                found.append(folder_from_data(data, str(meta)))
                if name == COLLECTION_FILE:
                    return found
        if current.parent == current:
            return found
        current = current.parent
