"""Import and export as whole operations, shared by the CLI and the window's File menu.

``read`` parses a file of a given kind into an ``ImportResult`` (nothing written: the window
shows ``describe(result.collection)`` and ``result.warnings`` as the preview); ``plan_import``
decides whether and where it can be written, without writing (``import --dry-run``); ``apply``
writes it into a workspace after the same decision, so a dry run fails exactly when the import
would; ``export`` turns a collection folder into the text of a format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from explorer.core.credentials import CredentialStore
from explorer.core.errors import ExplorerError, FormatError, StorageError, UsageError
from explorer.core.formats.common import ImportResult, read_input
from explorer.core.formats.provider_export import ProviderExport
from explorer.core.models import RequestSpec
from explorer.core.places import nearest_existing
from explorer.core.secret_variables import Kept
from explorer.core.workspace import codec, yamlio
from explorer.core.workspace.collections import (
    COLLECTION_FILE,
    create_collection,
    load_collection,
)
from explorer.core.workspace.environments import (
    environment_path,
    load_environments,
    merge_environment,
)
from explorer.core.workspace.marker import FORMAT_VERSION
from explorer.core.workspace.model import Folder, SavedRequest, Variable

IMPORT_KINDS = ("postman", "http", "curl", "openapi", "har", "insomnia", "bruno")
"""Every kind ``read`` takes; ``auto`` (``detect``) picks one of them from the content."""
EXPORT_KINDS = ("postman", "http")


@dataclass(frozen=True, slots=True)
class Applied:
    """What an import wrote: the collection folder (None for an environment-only file), the
    environment files, and the names of secret values that were not written anywhere."""

    collection_dir: Path | None
    request_count: int
    environment_files: tuple[Path, ...]
    secret_names: tuple[str, ...]
    collection_key: str = ""
    environment_key: str = ""


def parse(kind: str, text: str, source: str, name: str | None = None) -> ImportResult:
    """``text`` of an import ``kind`` (one of ``IMPORT_KINDS``, or ``auto``) as an
    ``ImportResult``; a Bruno ``kind`` here is one ``.bru`` request file."""
    from explorer.core.formats.bruno import import_bru_text
    from explorer.core.formats.curl import import_curl
    from explorer.core.formats.har import import_har
    from explorer.core.formats.http_file import import_http
    from explorer.core.formats.insomnia import import_insomnia
    from explorer.core.formats.openapi import import_openapi
    from explorer.core.formats.postman import import_postman

    if kind == "auto":
        from explorer.core.formats.detect import detect_text

        kind = detect_text(text, source)
    if kind == "http":
        result = import_http(text, source, name or Path(source).stem)
    elif kind in IMPORT_KINDS:
        importers = {
            "postman": import_postman,
            "curl": import_curl,
            "openapi": import_openapi,
            "har": import_har,
            "insomnia": import_insomnia,
            "bruno": import_bru_text,
        }
        result = importers[kind](text, source)
    else:
        raise UsageError(
            f"'{kind}' cannot be imported; use one of {', '.join(IMPORT_KINDS)} or auto."
        )
    return _named(result, name)


def read(kind: str, path: Path, name: str | None = None) -> ImportResult:
    """The file (for Bruno, also a collection folder) at ``path`` as an ``ImportResult``."""
    if kind == "auto":
        from explorer.core.formats.detect import detect

        kind = detect(path)
    if kind == "bruno" and (path.is_dir() or path.name == "bruno.json"):
        from explorer.core.formats.bruno import import_bruno

        return _named(import_bruno(path), name)
    return parse(kind, read_input(path), str(path), name)


def _named(result: ImportResult, name: str | None) -> ImportResult:
    if not name:
        return result
    return replace(result, collection=replace(result.collection, name=name))


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import will write: the collection (its provider applied) into
    ``collection_dir`` (None for an environment-only file), and its environments into the
    provider's file ``environment_file`` (None when there are none)."""

    tree: Folder
    collection_dir: Path | None
    environment_key: str
    environment_file: Path | None


def plan_import(
    result: ImportResult, into: Path, workspace: Path | None, provider: str | None = None
) -> ImportPlan:
    """Every check the import makes, writing nothing: the target is a new collection folder
    that can be created, each file serialises, environments have a workspace and a readable,
    writable file to merge into. ``apply`` calls it first, and so does ``--dry-run``."""
    tree = result.collection
    if provider:
        tree = replace(tree, provider=provider)
    env_only = not tree.items and bool(result.environments)
    if not env_only:
        if (into / COLLECTION_FILE).exists():
            raise UsageError(
                f"{into} already holds a collection; import into a new folder, or delete it first."
            )
        check_folder(into)
        _serialise(tree, root=True)
    key = provider or tree.provider or into.name
    env_file = None
    if result.environments:
        if workspace is None:
            raise UsageError(
                f"{into} is not inside a workspace, so environments cannot be saved; "
                "pass --workspace DIR or import into a workspace's collections folder."
            )
        env_file = environment_path(workspace, key)
        load_environments(workspace, key)  # a file that does not parse cannot be merged into
        _check_file(env_file)
    return ImportPlan(tree, None if env_only else into, key, env_file)


def check_folder(path: Path) -> None:
    """``path`` is a folder, or can be made one: the nearest existing folder on the way is a
    folder this process may write (what ``mkdir`` and the first file write will need)."""
    existing = nearest_existing(path)
    if not existing.is_dir():
        raise StorageError("is a file, not a folder; choose another place", path=str(existing))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise StorageError(
            "cannot be written (permission denied); choose a folder you can write to",
            path=str(existing),
        )


def _check_file(path: Path) -> None:
    if path.exists() and (path.is_dir() or not os.access(path, os.W_OK)):
        reason = "is a folder, not a file" if path.is_dir() else "cannot be written"
        raise StorageError(f"{reason}; move it out of the way", path=str(path))
    check_folder(path.parent)


def _serialise(folder: Folder, *, root: bool) -> None:
    """Every file of the collection as text, so one that cannot be saved fails before any is
    written (``save_collection`` does the same per file)."""
    yamlio.dump(codec.folder_to_data(folder, root=root))
    for item in folder.items:
        if isinstance(item, SavedRequest):
            yamlio.dump(codec.request_to_data(item.spec, item.seq))
        else:
            _serialise(item, root=False)


def apply(
    result: ImportResult, into: Path, workspace: Path | None, provider: str | None = None
) -> Applied:
    """Write an import: the collection into the new folder ``into``, environments into
    ``workspace``'s ``environments/<provider>.yaml``. Secret values are never written."""
    plan = plan_import(result, into, workspace, provider)
    env_files: tuple[Path, ...] = ()
    if workspace is not None and result.environments:
        env_files = tuple(
            dict.fromkeys(
                merge_environment(workspace, plan.environment_key, env)
                for env in result.environments
            )
        )
    if plan.collection_dir is not None:
        try:
            create_collection(plan.tree, plan.collection_dir)  # all at once (kill -9)
        except OSError as exc:  # a folder that vanished or filled up meanwhile
            raise StorageError(
                f"cannot be written ({exc.strerror or exc})", path=str(plan.collection_dir)
            ) from exc
    return Applied(
        plan.collection_dir,
        len(plan.tree.requests()),
        env_files,
        tuple(sorted(result.secrets)),
        into.name,
        plan.environment_key,
    )


def keep_secrets(
    result: ImportResult,
    applied: Applied,
    workspace_id: str,
    store: CredentialStore | None,
    unavailable: str = "",
) -> Kept:
    """After ``apply``: the import's secret values into ``store`` (the keyring), each where a
    send will look for it (``secret_variables``): an imported environment's secrets under that
    environment, the rest under the collection. ``store`` None says how to provide them."""
    from explorer.core.secret_variables import keep

    environments = {
        env.name: (applied.environment_key, env.secret_names) for env in result.environments
    }
    return keep(
        store,
        workspace_id,
        applied.collection_key,
        result.secrets,
        environments,
        unavailable=unavailable,
        shown=str(applied.collection_dir or ""),
    )


def export(kind: str, directory: Path, version: int = FORMAT_VERSION) -> str:
    """The collection in ``directory`` as ``kind`` text. A collection with unreadable files is
    refused (the export would silently lack them); ``ExportBlocked.errors`` lists them. A
    collection bound to a provider preset carries the preset's auth and headers, as variables
    (``provider_export``), so the tools send what the app sends."""
    from explorer.core.formats.http_file import export_http
    from explorer.core.formats.postman import export_postman

    if kind not in EXPORT_KINDS:
        raise UsageError(f"'{kind}' cannot be exported; use one of {', '.join(EXPORT_KINDS)}.")
    result = load_collection(directory, version)
    if result.collection is None:
        raise UsageError(f"{directory} is not a collection (it has no {COLLECTION_FILE}).")
    if result.errors:
        raise ExportBlocked(result.errors)
    tree = result.collection
    bound = _provider(tree.provider, directory) if tree.provider else None
    return export_postman(tree, bound) if kind == "postman" else export_http(tree, bound)


def _provider(provider_id: str, directory: Path) -> ProviderExport | None:
    """The auth of the provider preset a collection is bound to (the workspace's presets, then
    the built-ins), as its export carries it. A binding that names no preset (an import's
    environment group, such as ``--provider shop``) adds nothing."""
    from explorer.core.formats.provider_export import provider_export
    from explorer.core.provider_loader import load_providers
    from explorer.core.workspace.marker import find_workspace

    profiles, _errors = load_providers(find_workspace(directory))
    profile = profiles.get(provider_id)
    return None if profile is None else provider_export(profile)


class ExportBlocked(ExplorerError):
    """Some files of the collection do not parse; each is in ``errors`` with its location."""

    def __init__(self, errors: tuple[FormatError, ...]) -> None:
        super().__init__(
            f"{len(errors)} file(s) of the collection could not be read ({errors[0]}); "
            "fix them, then export again."
        )
        self.errors = errors


def protect_pasted(spec: RequestSpec, collection: Folder) -> tuple[RequestSpec, dict[str, str]]:
    """A request pasted into the editor (a curl command, literal values as typed) with its
    literal secrets moved out by the importers' one classifier (``protect``): the request with
    ``{{variables}}`` and their values by name. Names the collection already uses are not
    reused, so a pasted secret never overwrites one of its variables."""
    from explorer.core.formats.common import protect, variable_names
    from explorer.core.formats.secrets import references

    taken = tuple(Variable(name, secret=True) for name in variable_names(collection))
    tree = Folder(collection.name, variables=taken, items=(SavedRequest(spec, 1),))
    result = protect(ImportResult(tree))
    item = result.collection.items[0]
    assert isinstance(item, SavedRequest), "protect keeps the one request where it was"
    used = references(_text(item.spec))
    return item.spec, {k: v for k, v in result.secrets.items() if k in used}


def _text(spec: RequestSpec) -> str:
    """The request as its file's text (every place a ``{{variable}}`` can be used)."""
    return yamlio.dump(codec.request_to_data(spec, 0))
