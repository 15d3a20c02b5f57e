"""What a request *is*, decided in one place for every front end.

The window, ``send``, ``run``, the window's Run dialog and ``snippet`` all hand a request and
where it lives to this module and get back the same answer:

- **which provider and environment apply** (``bind``): a saved request's collection decides the
  provider; the selector (or ``--provider/--env``) sets the environment and covers requests that
  live in no collection. A collection bound to no provider is never given the selected
  provider's variables or auth: its ``{{base_url}}`` is its own.
- **the variable layers, in one order** (``Assembled.scope``): the request's own (``--var``,
  data rows, captures), the provider environment (with ``base_url``), its stored credentials,
  the workspace's saved values of that environment, secret variables from the credential store,
  then the folders' variables, nearest first. A collection without a provider has its own saved
  environments (``environments/<collection folder>.yaml``, where an import puts "Server 1").
- **inheritance** (folder headers and auth), **where relative paths point** (the request file's
  folder, everywhere; the working directory only for requests that live in no file), and the
  base-URL join.
- **TLS files** (``explorer.core.tls.TlsFiles``, re-exported here): the command line's, the
  scope's reserved ``tls_*`` variables (a collection's ``tls:``, an environment's saved
  files), the preset's; applied to the API and token calls by ``ApiSession``.
- **a preview** of those layers for the URL bar (``preview_scope``), stored values shown as
  placeholders, so it never reads the keyring.

The rules here are pure; ``explorer.core.workbench`` applies them with the workspace's sessions,
and ``ApiSession`` (``pipeline``) then adds what only a provider has: credentials, tokens,
limits and the origins that may receive them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.core.confinement import FileAccess, access_for
from explorer.core.models import Body, BodyMode, RequestSpec
from explorer.core.templating import Layer, Scope
from explorer.core.tls import TlsFiles
from explorer.core.workspace.model import Folder, folder_layers

if TYPE_CHECKING:
    from explorer.core.pipeline import ApiSession
    from explorer.core.providers import Environment, ProviderProfile
    from explorer.core.settings import RequestDefaults
    from explorer.core.workspace.environments import EnvironmentValues

__all__ = [
    "UNBOUND",
    "UNPLACED",
    "Assembled",
    "Binding",
    "Placement",
    "TlsFiles",
    "anchor_files",
    "bind",
    "folders_from",
    "format_version_at",
    "placement_at",
    "placement_in",
    "placement_of",
    "preview_scope",
    "with_defaults",
]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a request lives: the folders above it (nearest first, its collection last) and
    its file. An unsaved request has neither."""

    folders: tuple[Folder, ...] = ()
    path: Path | None = None

    @property
    def collection(self) -> Folder | None:
        return self.folders[-1] if self.folders else None

    @property
    def base_dir(self) -> Path | None:
        """Where the request's relative file paths point: its file's folder."""
        return self.path.parent if self.path is not None else None

    @property
    def collection_key(self) -> str:
        """The name a provider-less collection's saved environments are filed under (its
        folder's name, as an import writes them)."""
        collection = self.collection
        if collection is None:
            return ""
        if collection.path is not None:
            return collection.path.name
        return collection.name


@dataclass(frozen=True, slots=True)
class Binding:
    """A provider and one of its environments; a provider of None is a literal request, whose
    environment (if any) names one of its collection's saved environments."""

    provider_id: str | None = None
    environment: str | None = None


UNPLACED = Placement()
"""A request that lives in no file (typed in the window, ``send``)."""
UNBOUND = Binding()
"""No provider selected."""


def bind(placement: Placement, selected: Binding) -> Binding:
    """The binding a request is sent under. A collection's provider wins over the selector's
    (the selector still picks the environment when it shows that provider); a collection bound
    to no provider gets none, whatever the selector shows."""
    collection = placement.collection
    if collection is None:
        return selected
    if not collection.provider:
        environment = selected.environment if selected.provider_id is None else None
        return Binding(None, environment)
    if selected.provider_id == collection.provider:
        return selected
    return Binding(collection.provider, None)


def anchor_files(spec: RequestSpec, base_dir: Path | None) -> RequestSpec:
    """``spec`` with relative body-file paths (binary-file bodies, multipart file parts) made
    absolute under ``base_dir``; templated paths are left to resolution."""
    if base_dir is None:
        return spec
    body = spec.body

    def anchored(raw: str) -> str:
        if not raw or "{{" in raw:
            return raw
        path = Path(raw).expanduser()
        return raw if path.is_absolute() else str(base_dir / path)

    if body.mode is BodyMode.BINARY_FILE and body.file:
        new_body: Body = replace(body, file=anchored(body.file))
    elif body.mode is BodyMode.MULTIPART and any(f.is_file for f in body.fields):
        fields = tuple(replace(f, value=anchored(f.value)) if f.is_file else f for f in body.fields)
        new_body = replace(body, fields=fields)
    else:
        return spec
    return replace(spec, body=new_body)


_OPTIONS = ("connect_timeout", "read_timeout", "follow_redirects", "max_redirects", "verify_tls")


def with_defaults(spec: RequestSpec, defaults: RequestDefaults) -> RequestSpec:
    """``spec`` with the settings' defaults for each option it leaves at the built-in default
    (``RequestSpec``'s): a request's own ``options:`` value wins whenever it differs from the
    built-in one, so a request saved with ``verify_tls: false`` stays unverified and one saved
    without options follows the settings."""
    builtin = RequestSpec()
    changes = {
        name: getattr(defaults, name)
        for name in _OPTIONS
        if getattr(spec, name) == getattr(builtin, name)
        and getattr(defaults, name) != getattr(builtin, name)
    }
    return replace(spec, **changes) if changes else spec


@dataclass(frozen=True)
class Assembled:
    """A request ready to send or to turn into a snippet: inherited headers and auth applied,
    file paths anchored, its binding, and the layers that resolve after the provider's own."""

    spec: RequestSpec
    placement: Placement
    binding: Binding
    session: ApiSession | None
    variables: Mapping[str, str]
    layers: tuple[Layer, ...]
    base_dir: Path | None
    secret_names: frozenset[str] = frozenset()

    process_env: bool = False

    @property
    def files(self) -> FileAccess | None:
        """The body files this request may read: a saved request's own workspace (see
        ``confinement``); None (any file) for a request that lives in no file."""
        collection = self.placement.collection
        return access_for(self.placement.path or (collection.path if collection else None))

    def scope(self, credentials: Mapping[str, str] | None = None) -> Scope:
        """Every layer in the documented order. With a session, its environment and the given
        ``credentials`` (none read when omitted: a preview must not touch the keyring)."""
        if self.session is None:
            layers = (Layer("request", dict(self.variables)), *self.layers)
            return Scope(layers, process_env=self.process_env)
        return self.session.scope(self.variables, credentials or {}, self.layers)


def format_version_at(path: Path) -> int:
    """The format version of the workspace holding ``path`` (files of an older workspace are
    upgraded when read), the current one outside any workspace."""
    from explorer.core.workspace.marker import FORMAT_VERSION, find_workspace, open_workspace

    root = find_workspace(path.resolve())
    if root is None:
        return FORMAT_VERSION
    return open_workspace(root, create=False).format_version


def placement_of(path: Path) -> tuple[RequestSpec, Placement]:
    """A saved request file and where it lives: its folders up to ``collection.yaml``, nearest
    first, each knowing its folder (``api-explorer snippet FILE``)."""
    from explorer.core.workspace.collections import load_request

    saved = load_request(path, format_version_at(path.parent))
    return saved.spec, Placement(folders_from(path.resolve().parent), path.resolve())


def placement_at(directory: Path) -> Placement:
    """Where a request at the top of the folder or collection ``directory`` lives (``api-explorer
    login FOLDER``): the folder and those above it up to its collection; none outside one."""
    from explorer.core.workspace.collections import COLLECTION_FILE

    folders = folders_from(directory.resolve())
    top = folders[-1].path if folders else None
    inside = top is not None and (top / COLLECTION_FILE).is_file()
    return Placement(folders if inside else ())


def folders_from(start: Path) -> tuple[Folder, ...]:
    """The folders from ``start`` up to the nearest ``collection.yaml``, nearest first, each
    read (and upgraded) as a send reads it, each knowing its folder."""
    from explorer.core.workspace import migrations, yamlio
    from explorer.core.workspace.codec import folder_from_data
    from explorer.core.workspace.collections import COLLECTION_FILE, FOLDER_FILE

    version = format_version_at(start)
    folders: list[Folder] = []
    current = start
    while True:
        for name in (FOLDER_FILE, COLLECTION_FILE):
            meta = current / name
            if meta.is_file():
                data = migrations.upgrade("folder", yamlio.read(meta), version, path=str(meta))
                folders.append(replace(folder_from_data(data, str(meta)), path=current))
                if name == COLLECTION_FILE:
                    return tuple(folders)
        if current.parent == current:
            return tuple(folders)
        current = current.parent


def placement_in(directory: Path) -> Placement:
    """Where a request typed on the command line lives when sent in a collection's context
    (``send --collection DIR``): at the top of the collection, so its variables, secret
    variables, headers, auth and provider apply as to a request saved there."""
    from explorer.core.errors import UsageError
    from explorer.core.workspace.collections import COLLECTION_FILE

    if not (directory / COLLECTION_FILE).is_file():
        raise UsageError(f"{directory} is not a collection (it has no {COLLECTION_FILE}).")
    return Placement(folders_from(directory.resolve()))


STORED = "(from the credential store)"
"""What a preview shows for a value that lives in the credential store."""


def preview_scope(
    profile: ProviderProfile | None,
    environment: Environment | None,
    folders: tuple[Folder, ...] = (),
    *,
    saved: EnvironmentValues | None = None,
    variables: Mapping[str, str] | None = None,
) -> Scope:
    """The layers a send of a request placed under ``folders`` would resolve in, in the same
    order, with every stored value (credential slots, secret variables) a placeholder: what the
    URL bar colours as defined and offers for completion, without reading the store. ``saved``
    is the workspace's saved environment that applies (the provider environment's, or a
    provider-less collection's chosen one)."""
    from explorer.core.providers import credential_slots

    layers: list[Layer] = [Layer("request", dict(variables or {}))]
    if profile is not None and environment is not None:
        slots = credential_slots(profile.auth)
        values = {**environment.variables, "base_url": environment.base_url}
        secret = frozenset({s.name for s in slots if s.secret} | set(environment.secret_variables))
        layers.append(Layer(f"environment {environment.name}", values, secret))
        layers.append(Layer("credentials", {s.name: STORED for s in slots}, secret))
    if saved is not None:
        layers.append(Layer(f"saved {saved.name}", dict(saved.values)))
    secret_names = {
        *(saved.secret_names if saved is not None else ()),
        *(n for f in folders for n in f.secret_names()),
    }
    if secret_names:
        stored = dict.fromkeys(secret_names, STORED)
        layers.append(Layer("keyring", stored, frozenset(secret_names)))
    return Scope((*layers, *folder_layers(folders)))
