"""Variables where they live, for the window's environments and variables editor: the
variables of a collection or folder file and of a saved environment as one list of
``Variable`` rows (secret ones by name only), which requests use a name, and which value a
name resolves to in a scope and from which layer.

Writes go through the existing writers (``yamlio.write`` via ``codec`` and
``environments.save_environments``): atomic, the rest of each file kept as those writers keep
it. Secret values never reach these files; the caller stores them (``secret_variables``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from explorer.core.errors import ExplorerError, UsageError
from explorer.core.templating import VARIABLE, Scope, expand
from explorer.core.workspace import codec, migrations, yamlio
from explorer.core.workspace.collections import COLLECTION_FILE, FOLDER_FILE
from explorer.core.workspace.environments import (
    EnvironmentValues,
    load_environments,
    save_environments,
)
from explorer.core.workspace.model import Folder, SavedRequest, Variable

__all__ = [
    "Explained",
    "Usage",
    "check_names",
    "collection_of",
    "create_environment",
    "delete_environment",
    "environment_variables",
    "explain",
    "folder_file",
    "folder_variables",
    "rename_environment",
    "set_environment_variables",
    "set_folder_variables",
    "usages",
]

NAME = re.compile(r"[^{}\s$][^{}\s]*")


def check_names(names: Iterable[str]) -> None:
    """One sentence for the first name that cannot be a ``{{variable}}``, or is given twice."""
    seen: set[str] = set()
    for name in names:
        if not name:
            raise UsageError("A variable needs a name; type one or remove the row.")
        if not NAME.fullmatch(name):
            raise UsageError(
                f"'{name}' cannot be a variable name: no spaces or braces, and it may not start "
                "with '$' (those are dynamic values)."
            )
        if name in seen:
            raise UsageError(f"The variable '{name}' is listed twice; keep one row.")
        seen.add(name)


def collection_of(directory: Path) -> Path:
    """The collection (the folder holding ``collection.yaml``) that ``directory`` is in."""
    for candidate in (directory, *directory.parents):
        if (candidate / COLLECTION_FILE).is_file():
            return candidate
    raise UsageError(f"{directory} is in no collection (no {COLLECTION_FILE} above it).")


def folder_file(directory: Path) -> Path:
    """``collection.yaml`` or ``folder.yaml`` of ``directory``."""
    for name in (COLLECTION_FILE, FOLDER_FILE):
        if (directory / name).is_file():
            return directory / name
    raise UsageError(f"{directory} is neither a collection nor a folder of one.")


def _read_folder(meta: Path, version: int) -> Folder:
    data = migrations.upgrade("folder", yamlio.read(meta), version, path=str(meta))
    return codec.folder_from_data(data, str(meta))


def folder_variables(directory: Path, version: int) -> tuple[Variable, ...]:
    """The variables ``collection.yaml`` / ``folder.yaml`` of ``directory`` declares."""
    return _read_folder(folder_file(directory), version).variables


def set_folder_variables(directory: Path, variables: Iterable[Variable], version: int) -> Path:
    """Replace the variables of ``directory``'s file, keeping everything else it holds."""
    meta = folder_file(directory)
    folder = replace(_read_folder(meta, version), variables=tuple(variables))
    yamlio.write(meta, codec.folder_to_data(folder, root=meta.name == COLLECTION_FILE))
    return meta


def _as_variables(env: EnvironmentValues) -> tuple[Variable, ...]:
    plain = [Variable(k, v) for k, v in env.values.items() if k not in env.secret_names]
    return (*plain, *(Variable(n, secret=True) for n in env.secret_names))


def environment_variables(
    workspace: Path, key: str, name: str, version: int
) -> tuple[Variable, ...]:
    """The saved variables of environment ``name`` in ``environments/<key>.yaml`` (none
    saved yet: no rows)."""
    wanted = name.lower()
    found = next(
        (e for e in load_environments(workspace, key, version) if e.name.lower() == wanted), None
    )
    return _as_variables(found) if found is not None else ()


def set_environment_variables(
    workspace: Path, key: str, name: str, variables: Iterable[Variable], version: int
) -> Path:
    """Replace environment ``name``'s saved variables (adding it when the file lacks it),
    keeping the other environments and their order."""
    rows = tuple(variables)
    values = {v.name: v.value for v in rows if not v.secret}
    secrets = tuple(v.name for v in rows if v.secret)
    envs = load_environments(workspace, key, version)
    wanted = name.lower()
    updated = [
        EnvironmentValues(e.name, values, secrets) if e.name.lower() == wanted else e for e in envs
    ]
    if not any(e.name.lower() == wanted for e in envs):
        updated.append(EnvironmentValues(name, values, secrets))
    return save_environments(workspace, key, updated)


def create_environment(workspace: Path, key: str, name: str, version: int) -> Path:
    """A new, empty environment ``name`` in ``environments/<key>.yaml``."""
    name = name.strip()
    envs = load_environments(workspace, key, version)
    if not name:
        raise UsageError("An environment needs a name; type one.")
    if any(e.name.lower() == name.lower() for e in envs):
        raise UsageError(f"There is already an environment '{name}'; choose another name.")
    return save_environments(workspace, key, [*envs, EnvironmentValues(name)])


def rename_environment(workspace: Path, key: str, old: str, new: str, version: int) -> Path:
    """Environment ``old`` renamed ``new``, in place (its secret values are the caller's)."""
    new = new.strip()
    envs = load_environments(workspace, key, version)
    if not new:
        raise UsageError("An environment needs a name; type one.")
    if new.lower() != old.lower() and any(e.name.lower() == new.lower() for e in envs):
        raise UsageError(f"There is already an environment '{new}'; choose another name.")
    renamed = [replace(e, name=new) if e.name.lower() == old.lower() else e for e in envs]
    return save_environments(workspace, key, renamed)


def delete_environment(workspace: Path, key: str, name: str, version: int) -> Path:
    """Environment ``name`` removed from ``environments/<key>.yaml``."""
    envs = load_environments(workspace, key, version)
    kept = [e for e in envs if e.name.lower() != name.lower()]
    return save_environments(workspace, key, kept)


@dataclass(frozen=True, slots=True)
class Usage:
    """A request that references a variable, and where in it (``url``, ``headers`` ...)."""

    name: str
    request: str
    path: Path | None
    places: tuple[str, ...]


def _texts(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, Mapping):
        for value in data.values():
            yield from _texts(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _texts(value)


def usages(trees: Iterable[Folder], names: Iterable[str]) -> list[Usage]:
    """Every request of ``trees`` that references one of ``names`` as ``{{name}}``, by name,
    then in tree order."""
    wanted = set(names)
    found: list[Usage] = []
    for tree in trees:
        found.extend(_used_by_folders(tree, wanted))
        for _trail, saved in tree.requests():
            found.extend(_used_in(saved, wanted))
    order = {name: i for i, name in enumerate(sorted(wanted))}
    return sorted(found, key=lambda u: order[u.name])


def _used_by_folders(folder: Folder, wanted: set[str]) -> Iterator[Usage]:
    """A collection's or folder's own headers and auth (a bearer ``{{token}}`` set on the
    collection), which every request below it inherits, as a usage named after the folder."""
    texts = {
        "headers": [text for row in folder.headers for text in (row.name, row.value)],
        "auth": [value for _key, value in folder.auth.params] if folder.auth is not None else [],
    }
    places: dict[str, list[str]] = {}
    for key, values in texts.items():
        for text in values:
            for match in VARIABLE.finditer(text):
                name = match.group(1)
                if name in wanted and key not in places.setdefault(name, []):
                    places[name].append(key)
    for name, where in places.items():
        yield Usage(
            name, f"{folder.name} (folder, for every request in it)", folder.path, tuple(where)
        )
    for item in folder.items:
        if isinstance(item, Folder):
            yield from _used_by_folders(item, wanted)


def _used_in(saved: SavedRequest, wanted: set[str]) -> Iterator[Usage]:
    places: dict[str, list[str]] = {}
    for key, value in codec.request_to_data(saved.spec, saved.seq).items():
        for text in _texts(value):
            for match in VARIABLE.finditer(text):
                name = match.group(1)
                if name in wanted and key not in places.setdefault(name, []):
                    places[name].append(key)
    for name, where in places.items():
        yield Usage(name, saved.name, saved.path, tuple(where))


@dataclass(frozen=True, slots=True)
class Explained:
    """What ``{{name}}`` resolves to in a scope: its value (expanded; ``problem`` instead when
    it cannot be), the layer that gives it, and whether it is secret."""

    name: str
    value: str
    layer: str
    secret: bool
    problem: str = ""


def explain(scope: Scope) -> list[Explained]:
    """Every name ``scope`` defines, first layer first, as a send would resolve it."""
    explained = []
    for name in scope.names():
        layer = next(layer.name for layer in scope.layers if name in layer.values)
        found = scope.lookup(name)
        secret = found is not None and found[1]
        try:
            value, problem = expand("{{" + name + "}}", scope, f"variable {name}"), ""
        except ExplorerError as exc:
            value, problem = "", str(exc)
        explained.append(Explained(name, value, layer, secret, problem))
    return explained
