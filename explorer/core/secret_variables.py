"""Secret variables that no provider environment holds: a collection's own (an imported curl's
``-u user:pass``, a Postman collection's ``type: secret`` variable) and those of a provider-less
collection's saved environments (an imported Postman environment's token).

They live in the credential store like provider slots, keyed by the workspace's id and:
- the collection (``collection:<folder name>``, no environment) for the collection's secret
  variables, whatever environment the request is sent in;
- the environment file's key and the environment's name for an environment's secrets (the key
  a provider environment uses, ``<provider>`` or, without a provider, the collection's folder
  name, as ``environments/<key>.yaml`` is named).

Lookups go environment first, then collection, so a value stored for one environment overrides
the collection-wide one. Everything here takes a ``CredentialStore``: the keyring, the session
store or ``--secrets-from-env``'s ``EnvironmentStore`` (whose names ``env_name_for`` makes from
these keys: ``API_EXPLORER_COLLECTION_<FOLDER>_<NAME>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from explorer.core.credentials import CredentialKey, CredentialStore
from explorer.core.templating import Layer
from explorer.core.workspace.model import Folder

__all__ = [
    "COLLECTION_PREFIX",
    "Kept",
    "collection_key",
    "collection_layer",
    "declared",
    "environment_key",
    "environment_layer",
    "keep",
]

COLLECTION_PREFIX = "collection:"


def collection_key(workspace_id: str, collection: str, name: str) -> CredentialKey:
    """Where the collection ``collection`` (its folder's name) keeps secret variable ``name``."""
    return CredentialKey(workspace_id, f"{COLLECTION_PREFIX}{collection}", "", name)


def environment_key(workspace_id: str, file_key: str, environment: str, name: str) -> CredentialKey:
    """Where the saved environment ``environment`` of ``environments/<file_key>.yaml`` keeps
    secret ``name`` (the same key a provider environment's secret variables use)."""
    return CredentialKey(workspace_id, file_key, environment, name)


def declared(tree: Folder) -> tuple[str, ...]:
    """Every secret variable the collection and its folders declare, in tree order."""
    names = list(tree.secret_names())
    for item in tree.items:
        if isinstance(item, Folder):
            names += declared(item)
    return tuple(dict.fromkeys(names))


def collection_layer(
    store: CredentialStore, workspace_id: str, collection: str, names: Iterable[str]
) -> Layer | None:
    """The stored values of the collection's secret variables ``names`` (blocking: keyring),
    as a layer whose every value is secret; None when there is nothing to look up."""
    wanted = sorted(set(names))
    if not wanted or not collection:
        return None
    base = collection_key(workspace_id, collection, "")
    values = store.values(base, wanted)
    missing = _places(store, base, set(wanted) - set(values))
    return Layer(f"collection secrets {collection}", values, frozenset(values), missing)


def environment_layer(
    store: CredentialStore, workspace_id: str, file_key: str, environment: str, names: Iterable[str]
) -> Layer | None:
    """The stored values of a saved environment's secrets ``names`` (blocking: keyring)."""
    wanted = sorted(set(names))
    if not wanted:
        return None
    base = environment_key(workspace_id, file_key, environment, "")
    values = store.values(base, wanted)
    missing = _places(store, base, set(wanted) - set(values))
    return Layer(f"{environment} secrets", values, frozenset(values), missing)


def _places(store: CredentialStore, base: CredentialKey, names: set[str]) -> dict[str, str]:
    """Where the store reads each of ``names`` from outside (``--secrets-from-env``'s variable
    names), so an undefined variable's sentence can say where to put it; empty for a keyring."""
    places = {}
    for name in sorted(names):
        place = store.source_of(
            CredentialKey(base.workspace_id, base.provider, base.environment, name)
        )
        if place is not None:
            places[name] = place
    return places


@dataclass(frozen=True, slots=True)
class Kept:
    """Where an import's secret values went: ``stored`` names are in ``store_description``;
    ``missing`` names (no usable store) must be provided by the user, as ``advice`` says."""

    stored: tuple[str, ...]
    missing: tuple[str, ...]
    store_description: str
    advice: str


def keep(
    store: CredentialStore | None,
    workspace_id: str,
    collection: str,
    values: Mapping[str, str],
    environments: Mapping[str, tuple[str, tuple[str, ...]]],
    *,
    unavailable: str = "",
    shown: str = "",
) -> Kept:
    """Store an import's secret ``values``: a name an imported environment declares secret
    under that environment (``environments`` maps an environment's name to its file key and
    secret names), every other name under the collection. ``store`` None (no keyring) stores
    nothing and says how to provide them (``unavailable`` is why, ``shown`` the collection's
    path as the user should type it)."""
    names = tuple(sorted(values))
    if store is None:
        return Kept((), names, "", _advice(shown or collection, names, unavailable))
    in_environment: set[str] = set()
    for environment, (file_key, secret_names) in environments.items():
        for name in secret_names:
            if name in values:
                key = environment_key(workspace_id, file_key, environment, name)
                store.set(key, values[name])
                in_environment.add(name)
    for name in names:
        if name not in in_environment:
            store.set(collection_key(workspace_id, collection, name), values[name])
    return Kept(names, (), store.description, "")


def _advice(collection: str, names: tuple[str, ...], unavailable: str) -> str:
    flags = " ".join(f"--secret {name}" for name in names)
    why = f" ({unavailable})" if unavailable else ""
    return (
        f"No keyring is available{why}, so the values of {', '.join(names)} were not kept; "
        f"store them with 'api-explorer credentials set --collection {collection} {flags}' "
        "where a keyring works, or give them to send/run with --secrets-from-env "
        "(the names: 'api-explorer credentials env-names --collection "
        f"{collection}')."
    )
