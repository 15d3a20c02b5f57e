"""The collection tree as saved: folders holding folders and requests, ordered by ``seq``.

``RequestSpec`` stays the request model; ``SavedRequest`` only adds what the tree needs (its
order and where it lives on disk). A collection is its root ``Folder``; ``provider`` is only
meaningful there. Nodes are immutable; edits build new ones with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from explorer.core.models import AuthSpec, KeyValue, RequestSpec
from explorer.core.templating import Layer
from explorer.core.tls import PASSWORD, TlsFiles


@dataclass(frozen=True, slots=True)
class Variable:
    """A collection or folder variable. A secret one is saved by name only; its value lives in
    the keyring, so ``value`` is always empty for it on disk."""

    name: str
    value: str = ""
    secret: bool = False


@dataclass(frozen=True, slots=True)
class SavedRequest:
    """A request file: the spec, its manual order and (once loaded or saved) its path."""

    spec: RequestSpec
    seq: int = 0
    path: Path | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True, slots=True)
class Folder:
    """A collection (the root) or a sub-folder: inherited headers, auth and variables."""

    name: str
    seq: int = 0
    description: str = ""
    provider: str = ""
    variables: tuple[Variable, ...] = ()
    headers: tuple[KeyValue, ...] = ()
    auth: AuthSpec | None = None
    items: tuple[Folder | SavedRequest, ...] = ()
    path: Path | None = field(default=None, compare=False)
    #: The collection's CA bundle and client certificate (``collection.yaml`` ``tls:``, paths
    #: relative to the collection's folder); only meaningful on the root, like ``provider``.
    tls: TlsFiles = field(default_factory=TlsFiles)

    def requests(self) -> list[tuple[tuple[str, ...], SavedRequest]]:
        """Every request in tree order with the names of the folders above it."""
        found: list[tuple[tuple[str, ...], SavedRequest]] = []
        for item in self.items:
            if isinstance(item, SavedRequest):
                found.append(((), item))
            else:
                found.extend(((item.name, *trail), req) for trail, req in item.requests())
        return found

    def secret_names(self) -> list[str]:
        """The secret variables declared, and ``tls_password`` when ``tls`` names a PKCS#12
        file (its password lives in the credential store like theirs)."""
        names = self.declared_secrets()
        if self.tls.pkcs12 and PASSWORD not in names:
            names.append(PASSWORD)
        return names

    def declared_secrets(self) -> list[str]:
        """The secret variables the file lists (``secret_variables``)."""
        return [v.name for v in self.variables if v.secret]


def with_inherited(spec: RequestSpec, folders: list[Folder] | tuple[Folder, ...]) -> RequestSpec:
    """``spec`` as it is sent below ``folders`` (nearest first): folder headers the request does
    not set itself come first, outermost first; an auth of None (or ``inherit``) takes the
    nearest folder's. The runner, snippets and the window all apply it the same way."""
    present = {h.name.lower() for h in spec.headers if h.enabled}
    inherited: list[KeyValue] = []
    for folder in reversed(folders):
        for header in folder.headers:
            if header.enabled and header.name.lower() not in present:
                inherited.append(header)
    auth = spec.auth
    if auth is None or auth.type == "inherit":
        owner = auth_owner(folders)
        auth = owner.auth if owner is not None else auth
    if not inherited and auth is spec.auth:
        return spec  # nothing inherited: no copy (a run plans every request of the collection)
    return replace(spec, headers=(*inherited, *spec.headers), auth=auth)


def auth_owner(folders: list[Folder] | tuple[Folder, ...]) -> Folder | None:
    """The nearest folder that sets an auth: what a request whose auth is None or ``inherit``
    is sent with (``with_inherited``), and what the window's Auth tab names."""
    return next((f for f in folders if f.auth is not None), None)


def folder_layers(chain: tuple[Folder, ...]) -> tuple[Layer, ...]:
    """The variables of ``chain`` (nearest folder first) as scope layers; secret ones are named
    only, their values come from the credential store. A collection's ``tls:`` becomes its
    reserved variables (``tls_client_cert`` ...), anchored to its folder."""
    return tuple(
        Layer(
            f"folder {folder.name}",
            {
                **{v.name: v.value for v in folder.variables if not v.secret},
                **folder.tls.anchored(folder.path).variables(),
            },
            frozenset(folder.secret_names()),
        )
        for folder in chain
    )


def folders_above(collections: tuple[Folder, ...], request: Path) -> tuple[Folder, ...]:
    """The folders holding the request saved at ``request``, nearest first, up to its
    collection; empty when no collection holds it (a request that is not saved)."""

    def search(folder: Folder, above: tuple[Folder, ...]) -> tuple[Folder, ...] | None:
        chain = (folder, *above)
        for item in folder.items:
            if isinstance(item, SavedRequest) and item.path == request:
                return chain
            if isinstance(item, Folder):
                found = search(item, chain)
                if found is not None:
                    return found
        return None

    for collection in collections:
        found = search(collection, ())
        if found is not None:
            return found
    return ()
