"""Reading and writing the TLS files the window's TLS dialog edits (``explorer.core.tls``).

Two places hold them:
- a provider environment's: the workspace's saved values of that environment
  (``environments/<provider>.yaml``, variables ``tls_ca_bundle``, ``tls_client_cert``,
  ``tls_client_key``, ``tls_pkcs12``), because presets are read-only built-ins or shared files;
  the user's own, so they may lie anywhere; a PKCS#12 password is the environment's credential
  slot ``tls_password``;
- a collection bound to no provider: its ``collection.yaml`` ``tls:``, written relative to the
  collection's folder when the file is inside it, and refused outside the workspace (a saved
  request reads no file outside it); the password is the collection's secret ``tls_password``.

Blocking (files, keyring): called on the credential service's executor.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.services.api import TlsTarget, TlsView

if TYPE_CHECKING:
    from explorer.core.pipeline import ApiSession
    from explorer.core.tls import TlsFiles
    from explorer.core.workspace.environments import EnvironmentValues
    from explorer.core.workspace.model import Folder
    from explorer.services.core import Core

__all__ = ["read_tls", "write_tls"]


def read_tls(core: Core, target: TlsTarget) -> TlsView:
    """The TLS files saved for ``target`` (a provider environment, or a collection folder)."""
    if isinstance(target, Path):
        return _collection_view(core, target)
    return _environment_view(core, core.session(*target))


def write_tls(core: Core, target: TlsTarget, view: TlsView, password: str | None) -> TlsView:
    """Save ``view``'s files for ``target``; ``password`` None keeps the stored PKCS#12
    password, "" forgets it. Returns what is saved now."""
    from explorer.core.errors import InvalidRequest
    from explorer.core.tls import TlsFiles

    files = TlsFiles(*(value.strip() or None for value in _fields(view)))
    problem = files.problem()
    if problem is not None:
        raise InvalidRequest(f"The TLS settings were not saved: {problem}.")
    if isinstance(target, Path):
        _save_collection(core, target, files, password)
    else:
        _save_environment(core, core.session(*target), files, password)
    return read_tls(core, target)


def _fields(view: TlsView) -> tuple[str, str, str, str]:
    return (view.ca_bundle, view.client_cert, view.client_key, view.pkcs12)


def _view(files: TlsFiles, *, stored: bool, defaults: TlsFiles | None, where: str) -> TlsView:
    return TlsView(
        ca_bundle=files.ca_bundle or "",
        client_cert=files.client_cert or "",
        client_key=files.client_key or "",
        pkcs12=files.pkcs12 or "",
        password_stored=stored,
        defaults=tuple(defaults.items().items()) if defaults is not None else (),
        where=where,
    )


def _environment_view(core: Core, session: ApiSession) -> TlsView:
    from explorer.core.tls import PASSWORD, TlsFiles
    from explorer.core.workspace.environments import environment_path

    saved = _saved_environment(core, session)
    files = TlsFiles.from_variables(saved.values) if saved is not None else TlsFiles()
    where = (
        f"Saved for {session.profile.name} ({session.env.name}) in "
        f"{_shown(core, environment_path(_root(core), session.profile.id))}; relative paths "
        "are relative to the workspace folder."
    )
    stored = core.store.get(session.key(PASSWORD)) is not None
    return _view(files, stored=stored, defaults=session.env.tls, where=where)


def _save_environment(
    core: Core, session: ApiSession, files: TlsFiles, password: str | None
) -> None:
    from explorer.core.tls import PASSWORD, environment_values
    from explorer.core.workspace.environments import EnvironmentValues, merge_environment

    saved = _saved_environment(core, session)
    name = saved.name if saved is not None else session.env.name
    values = environment_values(saved.values if saved is not None else {}, files)
    secrets = saved.secret_names if saved is not None else ()
    merge_environment(_root(core), session.profile.id, EnvironmentValues(name, values, secrets))
    if password is not None:
        session.write_credential(PASSWORD, password or None)


def _saved_environment(core: Core, session: ApiSession) -> EnvironmentValues | None:
    """The workspace's saved values of the session's environment, or None."""
    from explorer.core.workspace.environments import load_environments

    wanted = session.env.name.lower()
    saved = load_environments(_root(core), session.profile.id)
    return next((e for e in saved if e.name.lower() == wanted), None)


def _collection_view(core: Core, collection: Path) -> TlsView:
    from explorer.core.secret_variables import collection_key
    from explorer.core.tls import PASSWORD

    folder = _read_collection(core, collection)
    key = collection_key(core.workspace_id, collection.name, PASSWORD)
    where = (
        f"Saved in {_shown(core, collection / 'collection.yaml')}; relative paths are relative "
        "to the collection's folder, and every file must be inside the workspace."
    )
    stored = core.store.get(key) is not None
    return _view(folder.tls, stored=stored, defaults=None, where=where)


def _save_collection(core: Core, collection: Path, files: TlsFiles, password: str | None) -> None:
    from explorer.core.confinement import access_for
    from explorer.core.secret_variables import collection_key
    from explorer.core.tls import PASSWORD
    from explorer.core.workspace import codec, yamlio
    from explorer.core.workspace.collections import COLLECTION_FILE

    access = access_for(collection)
    relative: dict[str, str] = {}
    for name, value in files.items().items():
        path = Path(value).expanduser()
        path = path if path.is_absolute() else collection / path
        if access is not None:
            access.check(path)
        relative[name] = _relative(path, collection) or value
    folder = replace(_read_collection(core, collection), tls=replace(files, **relative))
    yamlio.write(collection / COLLECTION_FILE, codec.folder_to_data(folder, root=True))
    if password is not None:
        key = collection_key(core.workspace_id, collection.name, PASSWORD)
        if password:
            core.store.set(key, password)
        else:
            core.store.delete(key)


def _read_collection(core: Core, collection: Path) -> Folder:
    from explorer.core.context import format_version_at
    from explorer.core.workspace import codec, migrations, yamlio
    from explorer.core.workspace.collections import COLLECTION_FILE

    meta = collection / COLLECTION_FILE
    version = format_version_at(collection)
    data = migrations.upgrade("folder", yamlio.read(meta), version, path=str(meta))
    return codec.folder_from_data(data, str(meta))


def _relative(path: Path, folder: Path) -> str | None:
    """``path`` relative to ``folder`` when inside it (a collection stays movable)."""
    real, base = path.resolve(), folder.resolve()
    return real.relative_to(base).as_posix() if real.is_relative_to(base) else None


def _root(core: Core) -> Path:
    from explorer.core.errors import UsageError

    if core.workspace_root is None:
        raise UsageError("TLS files are saved in a workspace, and none is open.")
    return core.workspace_root


def _shown(core: Core, path: Path) -> str:
    """``path`` relative to the workspace when inside it (what the dialog says)."""
    root = core.workspace_root
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return str(path)
