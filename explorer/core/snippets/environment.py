"""A provider environment's share of a snippet's input, decided once for the CLI and the window.

Both front ends know a request, a provider profile and an environment name; they differ only in
where stored values come from (the CLI's OS keyring, the window's credential store, which may be
session-only). This layers the workspace's saved environment values under the request's own
variables and, only when secrets are to be revealed, reads the stored values through the caller's
``read_stored`` and splits them into secret variables and credential slots. Without reveal nothing
stored is read at all, so a secret cannot reach the snippet by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from explorer.core.errors import UsageError
from explorer.core.models import RequestSpec
from explorer.core.providers import ProviderProfile, credential_slots
from explorer.core.snippets.build import SnippetOptions
from explorer.core.templating import Layer, Scope
from explorer.core.tls import NO_TLS, written
from explorer.core.workspace.environments import EnvironmentValues, load_environments
from explorer.core.workspace.model import folder_layers

if TYPE_CHECKING:
    from explorer.core.context import Binding, Placement
    from explorer.core.pipeline import ApiSession
    from explorer.core.workbench import Workbench

StoredReader = Callable[[list[str]], Mapping[str, str]]
"""Reads the named stored values of the environment (blocking: a keyring call)."""


def for_environment(
    options: SnippetOptions,
    profile: ProviderProfile,
    environment: str,
    *,
    saved: Sequence[EnvironmentValues] = (),
    read_stored: StoredReader | None = None,
) -> SnippetOptions:
    """``options`` aimed at ``profile``'s ``environment``; raises ``UsageError`` for an unknown
    environment. ``saved`` are the workspace's ``environments/<provider>.yaml`` entries; they
    (and revealed secret variables) resolve after the first layer of ``options.scope`` (the
    request's own variables) and before the rest (its folders'), as a send resolves them."""
    env = profile.environment(environment)
    if env is None:
        names = ", ".join(e.name for e in profile.environments) or "none"
        raise UsageError(
            f"{profile.name} has no environment '{environment}'; choose one of: {names}."
        )
    extra: list[Layer] = []
    secret_names = set(options.secret_names)
    match = next((e for e in saved if e.name.lower() == env.name.lower()), None)
    if match is not None:
        secret_names |= set(match.secret_names)
        layer = Layer(f"saved {env.name}", dict(match.values), frozenset(match.secret_names))
        extra.append(layer)
    credentials: dict[str, str] = {}
    auth = profile.auth
    slots = {s.name for s in credential_slots(auth)}
    if options.auth_mode != "reveal":
        secret_names |= slots  # `{{client_id}}` in a URL: read from the environment, like secrets
    elif read_stored is not None:
        credentials = dict(read_stored(sorted(slots | secret_names)))
        revealed = {n: credentials.pop(n) for n in list(credentials) if n in secret_names}
        extra.append(Layer("keyring", revealed, frozenset(revealed)))
    return replace(
        options,
        scope=_after_own(options.scope, extra),
        secret_names=frozenset(secret_names),
        provider=profile,
        environment=env.name,
        credentials=credentials,
    )


def _after_own(scope: Scope, layers: Sequence[Layer]) -> Scope:
    """``layers`` after the request's own variables (the first layer) and before the folders'
    (the rest): the order a send resolves in."""
    return replace(scope, layers=(*scope.layers[:1], *layers, *scope.layers[1:]))


def for_request(
    workbench: Workbench,
    spec: RequestSpec,
    placement: Placement,
    selected: Binding,
    variables: Mapping[str, str] | None = None,
    *,
    auth_mode: str = "as-sent",
    keep_variables: bool = False,
    ca_bundle: str | None = None,
    access_token: str | None = None,
) -> tuple[RequestSpec, SnippetOptions]:
    """What ``generate`` needs for ``spec`` placed at ``placement``, decided by the same
    assembler a send uses (binding, inheritance, anchored files, layer order). The store is read
    only to reveal."""
    reveal = auth_mode == "reveal"
    assembled = workbench.assemble(spec, placement, selected, variables, read_secrets=False)
    secret_names = frozenset(
        {*assembled.secret_names, *(n for layer in assembled.layers for n in layer.secret)}
    )
    options = SnippetOptions(
        secret_names=secret_names,
        auth_mode=auth_mode,
        keep_variables=keep_variables,
        base_dir=assembled.base_dir,
        ca_bundle=ca_bundle,
    )
    session = assembled.session
    preset = session.env.tls if session is not None else NO_TLS
    options = replace(
        options,
        tls=workbench.client.network.filling(
            written(
                assembled.scope(),
                preset=preset,
                override=workbench.tls,
                base_dir=assembled.base_dir,
            )
        ),
        network=workbench.client.network,
    )
    if session is None:
        if reveal:  # the collection's and its environment's stored secrets, as a send reads them
            assembled = workbench.assemble(spec, placement, selected, variables)
        return assembled.spec, replace(options, scope=assembled.scope())
    own = {**session.variables, **assembled.variables}
    folders = folder_layers(placement.folders)
    options = replace(
        options,
        scope=Scope((Layer("request", own), *folders)),
        access_token=access_token if reveal else None,
    )
    saved: tuple[EnvironmentValues, ...] = ()
    if workbench.workspace_root is not None:
        saved = tuple(load_environments(workbench.workspace_root, session.profile.id))
    options = for_environment(
        options,
        session.profile,
        session.env.name,
        saved=saved,
        read_stored=lambda names: _stored(workbench, session, placement, names),
    )
    return assembled.spec, options


def _stored(
    workbench: Workbench, session: ApiSession, placement: Placement, names: list[str]
) -> dict[str, str]:
    """The provider environment's stored values of ``names``, then the collection's own
    (``secret_variables``) for the secret variables the environment has none of."""
    from explorer.core.secret_variables import collection_layer

    found = workbench.store.values(session.key(""), names)
    declared = {n for folder in placement.folders for n in folder.secret_names()}
    rest = (set(names) & declared) - set(found)
    layer = collection_layer(
        workbench.store, workbench.workspace_id, placement.collection_key, rest
    )
    return {**(dict(layer.values) if layer is not None else {}), **found}
