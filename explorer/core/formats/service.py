"""Import and export as whole operations, shared by the CLI and the window's File menu.

``read`` parses a file of a given kind into an ``ImportResult`` (nothing written: the window
shows ``describe(result.collection)`` and ``result.warnings`` as the preview); ``apply`` writes it
into a workspace; ``export`` turns a collection folder into the text of a format.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from explorer.core.errors import ExplorerError, FormatError, UsageError
from explorer.core.formats.common import ImportResult, read_input
from explorer.core.workspace.collections import COLLECTION_FILE, load_collection, save_collection
from explorer.core.workspace.environments import merge_environment
from explorer.core.workspace.marker import FORMAT_VERSION

IMPORT_KINDS = ("postman", "http", "curl", "openapi")
EXPORT_KINDS = ("postman", "http")


@dataclass(frozen=True, slots=True)
class Applied:
    """What an import wrote: the collection folder (None for an environment-only file), the
    environment files, and the names of secret values that were not written anywhere."""

    collection_dir: Path | None
    request_count: int
    environment_files: tuple[Path, ...]
    secret_names: tuple[str, ...]


def parse(kind: str, text: str, source: str, name: str | None = None) -> ImportResult:
    """``text`` of an import ``kind`` (postman, http, curl, openapi) as an ``ImportResult``."""
    from explorer.core.formats.curl import import_curl
    from explorer.core.formats.http_file import import_http
    from explorer.core.formats.openapi import import_openapi
    from explorer.core.formats.postman import import_postman

    if kind == "http":
        result = import_http(text, source, name or Path(source).stem)
    elif kind in IMPORT_KINDS:
        result = {"postman": import_postman, "curl": import_curl, "openapi": import_openapi}[kind](
            text, source
        )
    else:
        raise UsageError(f"'{kind}' cannot be imported; use one of {', '.join(IMPORT_KINDS)}.")
    if name:
        result = replace(result, collection=replace(result.collection, name=name))
    return result


def read(kind: str, path: Path, name: str | None = None) -> ImportResult:
    return parse(kind, read_input(path), str(path), name)


def apply(
    result: ImportResult, into: Path, workspace: Path | None, provider: str | None = None
) -> Applied:
    """Write an import: the collection into the new folder ``into``, environments into
    ``workspace``'s ``environments/<provider>.yaml``. Secret values are never written."""
    tree = result.collection
    if provider:
        tree = replace(tree, provider=provider)
    env_only = not tree.items and bool(result.environments)
    if not env_only and (into / COLLECTION_FILE).exists():
        raise UsageError(
            f"{into} already holds a collection; import into a new folder, or delete it first."
        )
    if result.environments and workspace is None:
        raise UsageError(
            f"{into} is not inside a workspace, so environments cannot be saved; "
            "pass --workspace DIR or import into a workspace's collections folder."
        )
    env_files = tuple(
        dict.fromkeys(
            merge_environment(workspace, provider or tree.provider or into.name, env)
            for env in result.environments
            if workspace is not None
        )
    )
    if not env_only:
        save_collection(tree, into)
    return Applied(
        None if env_only else into,
        len(tree.requests()),
        env_files,
        tuple(sorted(result.secrets)),
    )


def export(kind: str, directory: Path, version: int = FORMAT_VERSION) -> str:
    """The collection in ``directory`` as ``kind`` text. A collection with unreadable files is
    refused (the export would silently lack them); ``ExportBlocked.errors`` lists them."""
    from explorer.core.formats.http_file import export_http
    from explorer.core.formats.postman import export_postman

    if kind not in EXPORT_KINDS:
        raise UsageError(f"'{kind}' cannot be exported; use one of {', '.join(EXPORT_KINDS)}.")
    result = load_collection(directory, version)
    if result.collection is None:
        raise UsageError(f"{directory} is not a collection (it has no {COLLECTION_FILE}).")
    if result.errors:
        raise ExportBlocked(result.errors)
    return (
        export_postman(result.collection) if kind == "postman" else export_http(result.collection)
    )


class ExportBlocked(ExplorerError):
    """Some files of the collection do not parse; each is in ``errors`` with its location."""

    def __init__(self, errors: tuple[FormatError, ...]) -> None:
        super().__init__(
            f"{len(errors)} file(s) of the collection could not be read ({errors[0]}); "
            "fix them, then export again."
        )
        self.errors = errors
