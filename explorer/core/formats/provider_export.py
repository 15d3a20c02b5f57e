"""A provider's auth written into an export, so a provider-bound collection runs unchanged in
Postman/newman and httpyac.

The app applies a collection's provider at send time (``pipeline.ApiSession``): the preset's
extra headers and its auth go on every request to the provider's origins whose auth inherits.
An exported file has no provider, so the export writes the same rules into it. Every credential
is a ``{{slot}}`` variable the tool's user supplies (never a value); an API-key template's
``{partner}`` fields become ``{{partner}}``; a generated ``{{$guid32}}`` becomes the tools' own
fresh ``{{$guid}}``. A token grant is described here tool-neutrally (``TokenGrant``); each
exporter renders it its own way (a Postman pre-request script, httpyac's OAuth2). The
collection's own OAuth2 auths are described the same way (``auth_grant``) where a tool can
fetch their token without a user.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, replace

from explorer.core.auth.schema import GRANTS, provider_slots
from explorer.core.errors import TemplateError
from explorer.core.formats.auth_map import BASIC, HEADLESS, OAUTH2, POST, default, split_params
from explorer.core.models import AuthSpec, KeyValue, RequestSpec
from explorer.core.origins import origin_of
from explorer.core.providers import AuthConfig, ProviderProfile
from explorer.core.templating import Layer, Scope, expand, join_base_url
from explorer.core.workspace.model import Folder, SavedRequest

_GENERATED = re.compile(r"\{\{\s*\$(?:guid32|reference_id)\s*\}\}")


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """The provider's OAuth2 grant as the token request the tools must send. ``fields`` are the
    body (grant type, credential slots, scope, and the client when it authenticates in the
    body); ``client`` is the (id, secret) pair sent as HTTP Basic instead."""

    provider: str
    grant_type: str
    token_url: str
    encoding: str
    fields: tuple[tuple[str, str], ...]
    client: tuple[str, str] | None
    headers: tuple[tuple[str, str], ...]
    skew_seconds: float
    skew_fraction: float


@dataclass(frozen=True, slots=True)
class ProviderExport:
    """What a provider adds to the requests of its collection: ``headers`` on every request to
    its origins, and to those that inherit either ``auth`` (API key, Basic, bearer, as the
    auth schema's parameters) or a token from ``grant``. ``origins`` are the provider's
    origins; empty when no environment names them without variables from elsewhere (then
    every request counts as its own)."""

    headers: tuple[KeyValue, ...]
    auth: AuthSpec | None
    grant: TokenGrant | None
    origins: frozenset[str]


def slot(name: str) -> str:
    return "{{" + name + "}}"


def generated(value: str) -> str:
    """A per-request generated value (``{{$guid32}}``, ``{{$reference_id}}``) as the fresh
    ``{{$guid}}`` that Postman and httpyac make for every request."""
    return _GENERATED.sub("{{$guid}}", value)


def _template(template: str) -> str:
    """An API-key format (``Partner {partner}:{api_key}``) with its fields as variables."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if name:
            out.append(slot(name))
    return "".join(out)


def _token_url(profile: ProviderProfile) -> str:
    """The preset's token URL; environments that each name their own share ``{{token_url}}``."""
    if profile.auth.token_url:
        return profile.auth.token_url
    urls = {env.token_url for env in profile.environments if env.token_url}
    return urls.pop() if len(urls) == 1 else slot("token_url")


def _grant(profile: ProviderProfile, slots: set[str]) -> TokenGrant | None:
    cfg = profile.auth
    grant = GRANTS.get(cfg.kind)
    if grant is None:
        return None
    client_id = cfg.client_id or (slot("client_id") if "client_id" in slots else "")
    client_secret = slot("client_secret") if "client_secret" in slots else ""
    fields: list[tuple[str, str]] = [("grant_type", grant.grant_type)]
    if grant.grant_type == "password":
        fields += [("username", slot("username")), ("password", slot("password"))]
    elif grant.grant_type == "refresh_token":
        fields.append(("refresh_token", slot("refresh_token")))
    client = None
    if cfg.client_auth == "basic" and client_id:
        client = (client_id, client_secret)
    else:
        fields += [(k, v) for k, v in (("client_id", client_id), ("client_secret", client_secret))]
        fields = [(k, v) for k, v in fields if v]
    if cfg.scope:
        fields.append(("scope", cfg.scope))
    return TokenGrant(
        provider=profile.name,
        grant_type=grant.grant_type,
        token_url=_token_url(profile),
        encoding=cfg.token_request,
        fields=tuple(fields),
        client=client,
        headers=tuple((k, generated(v)) for k, v in cfg.token_headers),
        skew_seconds=cfg.skew_seconds,
        skew_fraction=cfg.skew_fraction,
    )


def _static(profile: ProviderProfile) -> AuthSpec | None:
    """Auth kinds without a token endpoint, as the request-level auth every tool knows."""
    cfg = profile.auth
    if cfg.kind == "api-key":
        where = "query" if cfg.api_key_query else "header"
        key = cfg.api_key_query or cfg.api_key_header or "Authorization"
        value = _template(cfg.api_key_format)
        return AuthSpec("api-key", (("key", key), ("value", value), ("in", where)))
    if cfg.kind == "basic":
        return AuthSpec("basic", (("username", slot("username")), ("password", slot("password"))))
    if cfg.kind == "bearer":
        return AuthSpec("bearer", (("token", slot("static_token")),))
    return None


def _origins(profile: ProviderProfile) -> frozenset[str]:
    """The origins of the provider's servers, as ``ApiSession.origins`` finds them, in each
    environment whose URLs its own variables fill (``{{base_url}}/token`` does; a simulator's
    ``{{sandbox_url}}`` does not). Empty when none does: then every request counts as its own."""
    found: set[str] = set()
    for env in profile.environments:
        scope = Scope((Layer(env.name, {**env.variables, "base_url": env.base_url}),))
        urls = (env.base_url, env.token_url or profile.auth.token_url, *env.origins)
        try:
            expanded = [expand(url, scope, "provider origin") for url in urls if url]
        except TemplateError:
            continue
        found.update(o for o in map(origin_of, expanded) if o is not None)
    return frozenset(found)


def auth_grant(auth: AuthSpec) -> TokenGrant | None:
    """The token request of a collection's own OAuth2 ``auth`` as a tool must send it, when a
    tool can send it without a user: a client credentials, password or refresh token grant
    with a token URL, a client secret (in HTTP Basic or the body) or a public client, and no
    static access token. None otherwise (authorization code and device code need a user, a
    ``private_key_jwt`` assertion needs signing, an issuer alone needs discovery)."""
    params = dict(auth.params)
    grant = params.get("grant_type") or default(OAUTH2, "grant_type")
    method = params.get("client_auth") or default(OAUTH2, "client_auth")
    token_url = params.get("token_url", "")
    if grant not in HEADLESS or method not in (BASIC, POST, "none") or not token_url:
        return None
    if params.get("access_token"):
        return None
    fields: list[tuple[str, str]] = [("grant_type", grant)]
    needs = {"password": ("username", "password"), "refresh_token": ("refresh_token",)}
    fields += [(name, params.get(name, "")) for name in needs.get(grant, ())]
    client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
    client = (client_id, secret) if method == BASIC and secret else None
    if client is None and client_id:
        fields.append(("client_id", client_id))
    if client is None and method == POST and secret:
        fields.append(("client_secret", secret))
    fields += [(k, params[k]) for k in ("scope", "audience", "resource") if params.get(k)]
    fields += split_params(params.get("extra_params", ""))
    return TokenGrant(
        provider="OAuth2",
        grant_type=grant,
        token_url=token_url,
        encoding="form",
        fields=tuple(fields),
        client=client,
        headers=(),
        skew_seconds=_APP_DEFAULTS.skew_seconds,
        skew_fraction=_APP_DEFAULTS.skew_fraction,
    )


_APP_DEFAULTS = AuthConfig()
"""The token manager's skew defaults, which a collection's own OAuth2 auth uses."""


def provider_export(profile: ProviderProfile) -> ProviderExport:
    """What ``profile`` adds to its collection's requests, in variables only."""
    cfg = profile.auth
    slots = {s.name for s in cfg.credentials} or set(provider_slots(cfg.kind, cfg.api_key_format))
    return ProviderExport(
        headers=tuple(KeyValue(k, generated(v)) for k, v in cfg.extra_headers),
        auth=_static(profile),
        grant=_grant(profile, slots),
        origins=_origins(profile),
    )


def _own(spec: RequestSpec, origins: frozenset[str]) -> bool:
    """Whether ``spec`` goes to the provider: a ``{{base_url}}`` URL does, and so does a
    literal one on its origins (or any, when they are unknown)."""
    origin = origin_of(spec.url)
    return not origins or origin is None or "{{" in origin or origin in origins


def bind(tree: Folder, bound: ProviderExport, token: AuthSpec | None) -> Folder:
    """``tree`` with the provider applied as the app sends it: the root inherits the
    provider's static auth, or ``token`` (how the exporting tool presents the grant's token),
    unless it has an auth of its own; each request to the provider's origins gains the extra
    headers it and its folders do not set; a request elsewhere that would inherit the
    provider's auth gets none, as the app sends it without the provider's credentials."""
    provided = bound.auth or token
    root_auth = tree.auth
    if root_auth is None or root_auth.type == "inherit":
        root_auth = provided

    def walk(folder: Folder, present: frozenset[str], auth: AuthSpec | None) -> Folder:
        items: list[Folder | SavedRequest] = []
        for item in folder.items:
            if isinstance(item, Folder):
                names = present | {h.name.lower() for h in item.headers if h.enabled}
                items.append(walk(item, names, auth if _inherits(item.auth) else item.auth))
            else:
                items.append(replace(item, spec=request(item.spec, present, auth)))
        return replace(folder, items=tuple(items))

    def request(spec: RequestSpec, present: frozenset[str], auth: AuthSpec | None) -> RequestSpec:
        url = join_base_url(spec.url)  # as the app sends a relative URL under a provider
        spec = spec if url == spec.url else replace(spec, url=url)
        if not _own(spec, bound.origins):
            if _inherits(spec.auth) and provided is not None and auth is provided:
                return replace(spec, auth=AuthSpec("none"))
            return spec
        names = present | {h.name.lower() for h in spec.headers if h.enabled}
        extra = tuple(h for h in bound.headers if h.name.lower() not in names)
        return replace(spec, headers=(*spec.headers, *extra)) if extra else spec

    top = frozenset(h.name.lower() for h in tree.headers if h.enabled)
    return walk(replace(tree, auth=root_auth), top, root_auth)


def _inherits(auth: AuthSpec | None) -> bool:
    return auth is None or auth.type == "inherit"
