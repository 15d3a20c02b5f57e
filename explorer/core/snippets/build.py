"""From a saved request to a ``SnippetRequest``: variables, secrets, auth and headers decided once.

This mirrors ``templating.resolve`` (same enabled rows, same implied Content-Type, same header
merging as ``HttpClient``) so a snippet sends what our client sends, with two differences: a
secret never becomes a literal unless reveal was asked for (it becomes an environment variable
the snippet reads), and kept ``{{variables}}`` become variables declared at the snippet's top.
"""

from __future__ import annotations

import re
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from explorer.core import dynamic
from explorer.core.auth.registry import build_auth, without_cookie
from explorer.core.auth.schema import GRANTS, validate
from explorer.core.errors import InvalidRequest, TemplateError
from explorer.core.models import AuthSpec, Body, BodyMode, RequestSpec
from explorer.core.origins import origin_of
from explorer.core.providers import (
    SECRET_SLOTS,
    AuthConfig,
    CredentialSlot,
    Environment,
    ProviderProfile,
    credential_slots,
)
from explorer.core.snippets.errors import SnippetError
from explorer.core.snippets.model import (
    ACCESS_TOKEN,
    AwsSigV4,
    BasicAuth,
    FormPart,
    Ref,
    SnippetBody,
    SnippetRequest,
    Text,
    TokenFlow,
    Var,
)
from explorer.core.snippets.proxy import decide
from explorer.core.templating import (
    ENV_PREFIX,
    MAX_DEPTH,
    MAX_EXPANDED,
    VARIABLE,
    Layer,
    Scope,
    build_url,
    check_header,
    check_json,
    check_method,
    expand,
    header_joiner,
    implied_content_type,
    join_base_url,
)
from explorer.core.tls import TlsFiles

if TYPE_CHECKING:
    from explorer.core.http.network import Network

AUTH_MODES = ("as-sent", "reveal", "flow")
_GRANTS = {kind: grant.grant_type for kind, grant in GRANTS.items()}
#: The grants of a request's own OAuth2 auth a full-flow snippet can perform (no browser).
_FLOW_GRANTS = ("client_credentials", "password", "refresh_token")
#: Names the generated code itself uses, in any target; a kept variable never shadows them.
_RESERVED_WORDS = (
    "access_token auth body break case chan client const continue data default defer do "
    "else err env export false fetch fetch_token fields files for form fs func function go "
    "goto header headers http if import in interface json let map new null os out package "
    "grant pair params part pem print proxies proxy range req request requests resp response "
    "return roots select "
    "send session struct switch target token transport true try type uri url var while "
    "with writer"
)
_RESERVED = frozenset(_RESERVED_WORDS.split())
#: Per-request generated values of provider headers (``pipeline.GENERATED``), made at export.
_GENERATED = frozenset({"$guid32", "$reference_id"})


@dataclass(frozen=True, slots=True)
class SnippetOptions:
    """How to generate.

    ``scope`` holds the request's own variables (collection, ``--var``), as for ``send``; with a
    ``provider`` and ``environment`` name, the environment's variables (and ``base_url``) and the
    ``credentials`` are layered under it exactly as ``ApiSession.scope`` does. Credentials are
    only needed to reveal them: without a value, a credential becomes an environment variable.
    ``secret_names`` are variables known to be secret whose values are not at hand.

    ``auth_mode``: ``as-sent`` (secrets become environment variables, the default), ``reveal``
    (literal values) or ``flow`` (the snippet performs the provider's token grant itself).
    ``access_token`` is the current token, written out only with ``reveal``. ``network`` is the
    client's (``HttpClient.network``): the proxy the send would use (``snippets.proxy``)."""

    scope: Scope = field(default_factory=Scope)
    provider: ProviderProfile | None = None
    environment: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)
    auth_mode: str = "as-sent"
    keep_variables: bool = False
    secret_names: frozenset[str] = frozenset()
    base_dir: Path | None = None
    ca_bundle: str | None = None
    access_token: str | None = None
    tls: TlsFiles = field(default_factory=TlsFiles)
    network: Network | None = None


def env_name(name: str, prefix: str = "") -> str:
    """``priceedge`` + ``password`` → ``PRICEEDGE_PASSWORD``: a portable environment name."""
    base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "SECRET"
    pre = re.sub(r"[^A-Za-z0-9]+", "_", prefix).strip("_").upper()
    if pre and not base.startswith(pre + "_") and base != pre:
        base = f"{pre}_{base}"
    return base if not base[0].isdigit() else f"_{base}"


def identifier(name: str) -> str:
    """A name that is a valid identifier in every target and shadows nothing they use."""
    ident = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "value"
    if ident[0].isdigit():
        ident = f"v_{ident}"
    return f"{ident}_value" if ident.lower() in _RESERVED else ident


class _Builder:
    def __init__(self, options: SnippetOptions) -> None:
        if options.auth_mode not in AUTH_MODES:
            raise SnippetError(
                f"'{options.auth_mode}' is not an auth mode; use one of {', '.join(AUTH_MODES)}."
            )
        self.options = options
        self.reveal = options.auth_mode == "reveal"
        provider = options.provider
        self.environment = _environment(provider, options.environment)
        self.prefix = provider.id if provider else ""
        self.slots: dict[str, CredentialSlot] = {}
        if provider is not None:
            cfg = provider.auth
            slots = credential_slots(cfg)
            self.slots = {s.name: s for s in slots}
        self.slot_secrets = {n for n, s in self.slots.items() if s.secret or n in SECRET_SLOTS}
        self.scope = _layered(options, self.environment, self.slot_secrets)
        self.vars: dict[str, Var] = {}
        self.kept: dict[str, str] = {}
        self.undefined: list[tuple[str, str]] = []
        self.recursive: list[tuple[str, str]] = []
        self.secrets: set[str] = set()
        self.notes: list[str] = []
        self.produced = 0

    # -- strings -------------------------------------------------------------------------------

    def text(self, raw: str, where: str, chain: tuple[str, ...] = ()) -> Text:
        parts: list[str | Ref] = []
        pos = 0
        for match in VARIABLE.finditer(raw):
            parts.append(raw[pos : match.start()])
            pos = match.end()
            parts.extend(self._variable(match.group(1), match.group(0), where, chain).parts)
        parts.append(raw[pos:])
        return Text.of(*parts)

    def plain(self, raw: str, where: str) -> str:
        """A string that must be literal in every target (method, file path, header name)."""
        value = self.text(raw, where)
        literal = value.literal
        if literal is None:
            raise SnippetError(
                f"The {where} uses a secret or kept variable; a snippet needs a plain value there."
            )
        return literal

    def _special(self, name: str, where: str) -> Text | None:
        """Generated header values, ``$env.NAME`` and ``$processEnv NAME`` (the snippet reads
        the variable where it runs), and dynamic values (made now, by ``dynamic`` as a send)."""
        if name in _GENERATED:
            note = f"The {where} is generated per request; this one was made with the snippet."
            if note not in self.notes:
                self.notes.append(note)
            return Text.of(uuid.uuid4().hex)
        if name.startswith(ENV_PREFIX):
            key = name.removeprefix(ENV_PREFIX)
            hint = f"the environment variable {{{{{name}}}}} refers to"
            return Text.of(self.env(key, hint, secret=False, prefixed=False))
        if not name.startswith("$") or (
            not dynamic.is_known(name) and self.scope.lookup(name) is not None
        ):
            return None
        try:
            key, args = dynamic.split(name)
            if key == "$processEnv" and len(args) == 1:
                hint = f"the environment variable {{{{{name}}}}} refers to"
                return Text.of(self.env(args[0], hint, secret=False, prefixed=False))
            return Text.of(dynamic.make(name, {}))
        except dynamic.DynamicError as exc:
            raise dynamic.DynamicValueError([(name, where)], [f"In {where}, {exc}"]) from None

    def _variable(self, name: str, token: str, where: str, chain: tuple[str, ...]) -> Text:
        special = self._special(name, where)
        if special is not None:
            return special
        if name in chain or len(chain) >= MAX_DEPTH:
            if (name, where) not in self.recursive:
                self.recursive.append((name, where))
            return Text.of(token)
        found = self.scope.lookup(name)
        secret = (
            (found is not None and found[1])
            or name in self.options.secret_names
            or name in self.slot_secrets
        )
        if found is None:
            if secret or name in self.slots:
                slot = self.slots.get(name)
                optional = slot is not None and slot.optional
                return Text.of(self.env(name, self._hint(name), secret=secret, optional=optional))
            if (name, where) not in self.undefined:
                self.undefined.append((name, where))
            return Text.of(token)
        value = self.text(found[0], where, (*chain, name))
        self.produced += sum(len(p) for p in value.parts if isinstance(p, str))
        if self.produced > MAX_EXPANDED:
            raise TemplateError([(chain[0] if chain else name, where)], reason="too large")
        if secret:
            if value.literal:
                self.secrets.add(value.literal)
            if not self.reveal:
                return Text.of(self.env(name, self._hint(name), secret=True))
        if self.options.keep_variables and not chain:
            return Text.of(self.keep(name, value))
        return value

    def _hint(self, name: str) -> str:
        slot = self.slots.get(name)
        if slot is not None:
            label = (slot.label or slot.name.replace("_", " ")).lower()
            owner = self.options.provider.name if self.options.provider else "the provider"
            return f"your {owner} {label} (stored with api-explorer credentials set)"
        return f"the value of the secret variable {{{{{name}}}}}"

    def env(
        self,
        name: str,
        hint: str,
        *,
        secret: bool = True,
        prefixed: bool = True,
        optional: bool = False,
    ) -> Ref:
        env = env_name(name, self.prefix if prefixed else "")
        ident = identifier(env.lower())
        known = self.vars.get(ident)
        if known is None or known.env != env:
            ident = self._unique(ident, env)
            if optional:
                hint += " (optional: may be empty)"
            self.vars[ident] = Var(ident, env=env, hint=hint, secret=secret, optional=optional)
        return Ref(ident)

    def keep(self, name: str, value: Text) -> Ref:
        if name in self.kept:
            return Ref(self.kept[name])
        ident = self._unique(identifier(name), None)
        self.kept[name] = ident
        self.vars[ident] = Var(ident, value=value)
        return Ref(ident)

    def _unique(self, ident: str, env: str | None) -> str:
        base, n = ident, 2
        while (ident in self.vars and self.vars[ident].env != env) or ident in _RESERVED:
            ident, n = f"{base}_{n}", n + 1
        return ident

    def secret_param(self, raw: str, name: str) -> Text:
        """A credential from an auth spec: an environment variable unless revealed."""
        value = self.text(raw, f"auth {name}")
        if self.reveal:
            return value
        if all(isinstance(p, Ref) and self.vars[p.ident].env for p in value.parts) and value.parts:
            return value
        literal = "".join(p for p in value.parts if isinstance(p, str))
        if literal:
            self.secrets.add(literal)
        match = VARIABLE.fullmatch(raw.strip())
        key = match.group(1) if match else name
        return Text.of(self.env(key, f"the {name} of this request's auth", secret=True))

    def check(self) -> None:
        if self.recursive:
            raise TemplateError(self.recursive, reason="recursive")
        if self.undefined:
            raise TemplateError(self.undefined)


def _environment(provider: ProviderProfile | None, name: str | None) -> Environment | None:
    if provider is None:
        if name:
            raise SnippetError(f"--env {name} needs --provider too; pass both or neither.")
        return None
    if not name:
        names = ", ".join(e.name for e in provider.environments) or "none"
        raise SnippetError(f"{provider.name} needs an environment; choose one of: {names}.")
    env = provider.environment(name)
    if env is None:
        names = ", ".join(e.name for e in provider.environments) or "none"
        raise SnippetError(f"{provider.name} has no environment '{name}'; choose one of: {names}.")
    return env


def _layered(options: SnippetOptions, env: Environment | None, slot_secrets: set[str]) -> Scope:
    """The environment and the credentials right after the request's own variables (the first
    layer of ``options.scope``) and before the rest (saved values, secret variables, folders):
    the order ``ApiSession.scope`` sends in (``explorer.core.context``)."""
    scope = options.scope
    if env is None:
        return scope
    secret = frozenset(slot_secrets | set(env.secret_variables))
    values = {**env.variables, "base_url": env.base_url}
    creds = {k: v for k, v in options.credentials.items() if k != "refresh_token" and v}
    own, rest = scope.layers[:1], scope.layers[1:]
    provider = (
        Layer(f"environment {env.name}", values, secret),
        Layer("credentials", creds, secret),
    )
    return replace(scope, layers=(*own, *provider, *rest))


def build(spec: RequestSpec, options: SnippetOptions) -> SnippetRequest:
    """Decide everything a target renders; raises the same typed errors ``resolve`` raises."""
    b = _Builder(options)
    method = b.plain(spec.method, "method").strip().upper()
    check_method(method, spec.method)
    raw_url = spec.url.strip()
    if b.environment is not None:
        raw_url = join_base_url(raw_url)
    url = b.text(raw_url, "URL")
    params = [
        (b.text(p.name, "params"), b.text(p.value, f"param {p.name}"))
        for p in spec.params
        if p.enabled
    ]
    headers: list[tuple[str, Text]] = []
    for h in spec.headers:
        if h.enabled and h.name.strip():
            name = b.plain(h.name, "header name").strip()
            headers.append((name, b.text(h.value, f"header {h.name}")))
    body, implied = _body(spec.body, b)
    applied = _auth(spec.auth, b, headers, params, url)
    proxy = decide(b, url, options.network)
    b.check()
    _validate(url, headers)
    if body is not None and body.kind == "multipart":
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
    elif implied and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", Text.of(implied)))
    if options.auth_mode == "reveal" and b.secrets:
        b.notes.append("This snippet contains secrets in clear text; do not share or commit it.")
    return SnippetRequest(
        method=method,
        url=url,
        params=tuple(params),
        headers=merge_headers(headers),
        body=body,
        basic=applied.basic,
        digest=applied.digest,
        aws=applied.aws,
        connect_timeout=spec.connect_timeout,
        read_timeout=spec.read_timeout,
        follow_redirects=spec.follow_redirects,
        max_redirects=spec.max_redirects,
        verify_tls=spec.verify_tls,
        ca_bundle=options.ca_bundle or options.tls.ca_bundle,
        client_cert=None if options.tls.pkcs12 else options.tls.client_cert,
        client_key=None if options.tls.pkcs12 else options.tls.client_key,
        pkcs12=options.tls.pkcs12,
        proxy=proxy,
        variables=tuple(b.vars.values()),
        notes=(*b.notes, *_pkcs12_note(options.tls)),
        flow=applied.flow,
        secrets=frozenset(b.secrets),
    )


def merge_headers(headers: list[tuple[str, Text]]) -> tuple[tuple[str, Text], ...]:
    """One entry per name, repeats joined as ``HttpClient`` joins them (", ", "; " for Cookie)."""
    merged: dict[str, tuple[str, Text]] = {}
    for name, value in headers:
        key = name.lower()
        if key in merged:
            first, joined = merged[key]
            joiner = header_joiner(key)
            merged[key] = (first, joined + Text.of(joiner) + value)
        else:
            merged[key] = (name, value)
    return tuple(merged.values())


def _validate(url: Text, headers: list[tuple[str, Text]]) -> None:
    literal = url.literal
    if literal is not None:
        build_url(literal, [])
    elif isinstance(url.parts[0], str) and "://" in url.parts[0]:
        scheme = url.parts[0].split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise InvalidRequest(f"'{scheme}' URLs cannot be sent; use http:// or https://.")
    for name, value in headers:
        check_header(name, (p for p in value.parts if isinstance(p, str)))


def _body(body: Body, b: _Builder) -> tuple[SnippetBody | None, str | None]:
    mode = body.mode
    if mode is BodyMode.NONE:
        return None, None
    if mode in (BodyMode.JSON, BodyMode.RAW):
        text = b.text(body.text, "body")
        if mode is BodyMode.JSON and text.literal:
            check_json(text.literal)
        return SnippetBody("text", text=text), implied_content_type(body)
    if mode is BodyMode.FORM:
        parts = tuple(
            FormPart(b.text(f.name, "form"), b.text(f.value, f"form field {f.name}"))
            for f in body.fields
            if f.enabled
        )
        return SnippetBody("form", parts=parts), implied_content_type(body)
    if mode is BodyMode.MULTIPART:
        parts = tuple(
            _multipart_part(f.name, f.value, f.is_file, f.content_type, b)
            for f in body.fields
            if f.enabled
        )
        return SnippetBody("multipart", parts=parts), None
    path = _path(b.plain(body.file or "", "body file"), b)
    return SnippetBody("file", path=path), implied_content_type(body)


def _multipart_part(
    name: str, value: str, is_file: bool, content_type: str | None, b: _Builder
) -> FormPart:
    field_name = b.text(name, "multipart")
    if not is_file:
        return FormPart(
            field_name, b.text(value, f"multipart field {name}"), content_type=content_type
        )
    path = _path(b.plain(value, f"multipart file {name}"), b)
    return FormPart(
        field_name,
        Text.of(path),
        is_file=True,
        filename=Path(path).name,
        content_type=content_type or "application/octet-stream",
    )


def _path(raw: str, b: _Builder) -> str:
    if not raw:
        raise InvalidRequest("No file is chosen for the body; pick a file or change the body mode.")
    path = Path(raw).expanduser()
    if not path.is_absolute() and b.options.base_dir is not None:
        path = b.options.base_dir / path
    return str(path)


def _own_origin(b: _Builder, url: Text) -> bool:
    """Whether ``url`` is on one of the provider environment's origins (``ApiSession.origins``);
    when it is not, the snippet says so and carries none of the provider's credentials."""
    env, provider = b.environment, b.options.provider
    head = url.literal if url.literal is not None else url.parts[0] if url.parts else ""
    target = origin_of(head) if isinstance(head, str) and "://" in head else None
    if env is None or provider is None or target is None:
        return True
    allowed: set[str] = set()
    for raw in (env.base_url, env.token_url or provider.auth.token_url, *env.origins):
        try:
            origin = origin_of(expand(raw, b.scope, "provider origin")) if raw else None
        except TemplateError:
            origin = None
        if origin is not None:
            allowed.add(origin)
    if target in allowed:
        return True
    b.notes.append(
        f"{provider.name} ({env.name})'s credentials are not in this snippet: {target} is not "
        f"one of its origins ({', '.join(sorted(allowed)) or 'none'})."
    )
    return False


@dataclass(frozen=True, slots=True)
class _Applied:
    """What an auth leaves for the targets besides headers and params."""

    basic: BasicAuth | None = None
    digest: BasicAuth | None = None
    aws: AwsSigV4 | None = None
    flow: TokenFlow | None = None


def _auth(
    auth: AuthSpec | None,
    b: _Builder,
    headers: list[tuple[str, Text]],
    params: list[tuple[Text, Text]],
    url: Text,
) -> _Applied:
    """Apply the request's auth (or the provider's, when it inherits) to headers and params."""
    provider = b.options.provider
    kind = "provider" if auth is None or auth.type in ("inherit", "provider") else auth.type
    if kind == "provider":
        if provider is None or not _own_origin(b, url):
            _no_flow(b)
            return _Applied()
        return _provider_auth(provider, b, headers, params)
    assert auth is not None
    if kind == "oauth2" and provider is not None and _own_origin(b, url):
        return _provider_auth(provider, b, headers, params)
    if kind == "none":
        _no_flow(b)
        return _Applied()
    try:
        checked = validate(kind, dict(auth.params))
    except InvalidRequest as exc:
        raise SnippetError(str(exc)) from None
    if kind == "oauth2":
        return _request_oauth2(checked, b, headers, params)
    _no_flow(b)
    return _credentials(kind, checked, b, headers, params)


def _credentials(
    kind: str,
    checked: dict[str, str],
    b: _Builder,
    headers: list[tuple[str, Text]],
    params: list[tuple[Text, Text]],
) -> _Applied:
    """Auth that sends credentials with every request (no token endpoint)."""
    if kind in ("digest", "awsv4"):
        build_auth(kind, checked)  # the sender's own checks: a missing key is one sentence
    if kind in ("basic", "digest"):
        user = b.text(checked["username"], "auth username")
        pair = BasicAuth(user, b.secret_param(checked["password"], "password"))
        return _Applied(basic=pair) if kind == "basic" else _Applied(digest=pair)
    if kind == "awsv4":
        return _Applied(aws=_aws(checked, b))
    if kind == "bearer":
        token = b.secret_param(checked["token"], "token")
        _set(headers, "Authorization", Text.of("Bearer ") + token)
        return _Applied()
    value = b.secret_param(checked["value"], "api_key")
    _api_key(checked["key"], checked["in"], value, headers, params)
    return _Applied()


def _aws(checked: dict[str, str], b: _Builder) -> AwsSigV4:
    token = checked["session_token"]
    return AwsSigV4(
        access_key=b.text(checked["access_key"], "auth access_key"),
        secret_key=b.secret_param(checked["secret_key"], "secret_key"),
        region=b.text(checked["region"], "auth region"),
        service=b.text(checked["service"], "auth service"),
        session_token=b.secret_param(token, "session_token") if token else None,
    )


def _api_key(
    key: str,
    where: str,
    value: Text,
    headers: list[tuple[str, Text]],
    params: list[tuple[Text, Text]],
) -> None:
    """An API key in the header, query parameter or cookie named ``key``, replacing one there
    (a cookie joins the Cookie header, as ``ApiKeyAuth`` adds it)."""
    if where == "query":
        params[:] = [(k, v) for k, v in params if k.literal != key]
        params.append((Text.of(key), value))
    elif where == "cookie":
        _set_cookie(headers, key, value)
    else:
        _set(headers, key, value)


def _set_cookie(headers: list[tuple[str, Text]], name: str, value: Text) -> None:
    """The cookie ``name`` last in the Cookie header; one of that name in a literal Cookie
    header is removed (a header made of variables is kept as it is)."""
    kept: list[tuple[str, Text]] = []
    for header, text in headers:
        literal = text.literal
        if header.lower() != "cookie" or literal is None:
            kept.append((header, text))
        elif rest := without_cookie(literal, name):
            kept.append((header, Text.of(rest)))
    headers[:] = [*kept, ("Cookie", Text.of(f"{name}=") + value)]


def _no_flow(b: _Builder) -> None:
    if b.options.auth_mode == "flow":
        raise SnippetError(
            "Full flow needs a provider whose auth is an OAuth2 grant; pass --provider and --env, "
            "or drop --flow."
        )


def _set(headers: list[tuple[str, Text]], name: str, value: Text) -> None:
    """Auth replaces a header of the same name, as a requests ``AuthBase`` does."""
    headers[:] = [(k, v) for k, v in headers if k.lower() != name.lower()]
    headers.append((name, value))


def _slot(b: _Builder, name: str) -> Text:
    return b.text("{{" + name + "}}", f"credential {name}")


def _provider_auth(
    provider: ProviderProfile,
    b: _Builder,
    headers: list[tuple[str, Text]],
    params: list[tuple[Text, Text]],
) -> _Applied:
    cfg = provider.auth
    user_headers = {k.lower() for k, _ in headers}
    for name, raw in cfg.extra_headers:
        if name.lower() not in user_headers:
            headers.append((name, b.text(raw, f"{provider.id} header {name}")))
    if cfg.kind == "oauth2":
        return _provider_oauth2(provider, cfg, b, headers, params)
    grant = _GRANTS.get(cfg.kind)
    if grant is None:
        _no_flow(b)
        return _Applied(basic=_static_auth(cfg, b, headers, params))
    if b.options.auth_mode == "flow":
        flow = _flow(provider, cfg, grant, b)
        _set(headers, "Authorization", Text.of("Bearer ") + _runtime_token(b))
        return _Applied(flow=flow)
    _set(headers, "Authorization", Text.of("Bearer ") + _token(provider, cfg, grant, b))
    return _Applied()


def _provider_oauth2(
    provider: ProviderProfile,
    cfg: AuthConfig,
    b: _Builder,
    headers: list[tuple[str, Text]],
    params: list[tuple[Text, Text]],
) -> _Applied:
    """Auth kind ``oauth2``: the token from an environment variable (or the current one if
    revealed), placed as the preset says; a snippet cannot run its grants (``--flow``)."""
    if b.options.auth_mode == "flow":
        raise SnippetError(
            f"{provider.name}'s OAuth2 (auth kind oauth2) cannot be run by a snippet; drop --flow "
            "and give the token in the environment variable the snippet names."
        )
    token: Text
    current = b.options.access_token
    if current:
        b.secrets.add(current)
    if current and b.reveal:
        token = Text.of(current)
    else:
        grant = cfg.oauth2_setting("grant_type", "client_credentials").replace("_", " ")
        hint = f"a {provider.name} access token ({grant} grant)"
        token = Text.of(b.env("token", hint, secret=True))
    if cfg.oauth2_setting("add_token_to") == "query":
        params[:] = [(k, v) for k, v in params if k.literal != ACCESS_TOKEN]
        params.append((Text.of(ACCESS_TOKEN), token))
        return _Applied()
    prefix = cfg.oauth2_setting("header_prefix", "Bearer")
    _set(headers, "Authorization", Text.of(f"{prefix} " if prefix else "") + token)
    return _Applied()


def _runtime_token(b: _Builder) -> Text:
    """The access token a full-flow snippet fetches itself."""
    b.vars[ACCESS_TOKEN] = Var(ACCESS_TOKEN, secret=True, runtime=True)
    return Text.of(Ref(ACCESS_TOKEN))


def _static_auth(
    cfg: AuthConfig, b: _Builder, headers: list[tuple[str, Text]], params: list[tuple[Text, Text]]
) -> BasicAuth | None:
    """Auth kinds without a token endpoint: the credentials go on every call."""
    if cfg.kind == "api-key":
        where = "query" if cfg.api_key_query else "header"
        key = cfg.api_key_query or cfg.api_key_header or "Authorization"
        _api_key(key, where, _format(cfg.api_key_format, b), headers, params)
    elif cfg.kind == "basic":
        return BasicAuth(_slot(b, "username"), _slot(b, "password"))
    elif cfg.kind == "bearer":
        _set(headers, "Authorization", Text.of("Bearer ") + _slot(b, "static_token"))
    return None


def _token(provider: ProviderProfile, cfg: AuthConfig, grant: str, b: _Builder) -> Text:
    """The access token as sent: an environment variable, or the current token if revealed."""
    current = b.options.access_token
    if current:
        b.secrets.add(current)
        if b.reveal:
            return Text.of(current)
    token_url = _token_url(cfg, b)
    hint = (
        f"a {provider.name} access token, from the {grant.replace('_', ' ')} grant at "
        f"{token_url.literal or cfg.token_url}; or export with --flow and the snippet fetches "
        "one itself"
    )
    return Text.of(b.env("token", hint, secret=True))


def _token_url(cfg: AuthConfig, b: _Builder) -> Text:
    env = b.environment
    raw = (env.token_url if env is not None and env.token_url else None) or cfg.token_url
    return b.text(raw, "token URL")


def _format(template: str, b: _Builder) -> Text:
    """A provider's API-key template (``ApiKey {username}:{password}``): each ``{field}`` is a
    credential slot."""
    parts: list[str | Ref] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(literal)
        if name:
            parts.extend(_slot(b, name).parts)
    return Text.of(*parts)


def _flow(provider: ProviderProfile, cfg: AuthConfig, grant: str, b: _Builder) -> TokenFlow:
    if cfg.otp is not None:
        b.notes.append(
            f"{provider.name} asks some users for a one-time password before the grant; this "
            "snippet works for users who need none."
        )
    client_id: Text | None = None
    if cfg.client_id:
        client_id = b.text(cfg.client_id, "client id")
    elif "client_id" in b.slots:
        client_id = _slot(b, "client_id")
    has_secret = "client_secret" in b.slots
    client_secret = _slot(b, "client_secret") if has_secret else None
    client: BasicAuth | None = None
    common: list[tuple[str, Text]] = []
    if cfg.client_auth == "basic" and client_id is not None:
        client = BasicAuth(client_id, client_secret or Text())
    else:
        if client_id is not None:
            common.append(("client_id", client_id))
        if client_secret is not None:
            common.append(("client_secret", client_secret))
    fields: list[tuple[str, Text]] = [("grant_type", Text.of(grant))]
    if grant == "password":
        fields += [("username", _slot(b, "username")), ("password", _slot(b, "password"))]
    elif grant == "refresh_token":
        fields.append(("refresh_token", _slot(b, "refresh_token")))
    fields += common
    if cfg.scope:
        fields.append(("scope", b.text(cfg.scope, "scope")))
    refresh = [("grant_type", Text.of("refresh_token")), *common]
    return TokenFlow(
        provider=provider.name,
        grant=grant,
        token_url=_token_url(cfg, b),
        encoding=cfg.token_request,
        fields=tuple(fields),
        refresh_fields=tuple(refresh),
        headers=tuple((k, b.text(v, f"token header {k}")) for k, v in cfg.token_headers),
        client=client,
    )


def _request_oauth2(
    checked: dict[str, str],
    b: _Builder,
    headers: list[tuple[str, Text]],
    params: list[tuple[Text, Text]],
) -> _Applied:
    """A request's own OAuth2 auth (no provider): the token from an environment variable, or
    with full flow fetched by the snippet from the auth's token endpoint."""
    flow = None
    if b.options.auth_mode == "flow":
        flow = _own_flow(checked, b)
        token = _runtime_token(b)
    else:
        token = _own_token(checked, b)
    if checked["add_token_to"] == "query":  # noqa: S105 - a placement, not a password
        params[:] = [(k, v) for k, v in params if k.literal != ACCESS_TOKEN]
        params.append((Text.of(ACCESS_TOKEN), token))
        return _Applied(flow=flow)
    prefix = checked["header_prefix"]  # as the sender writes it (``oauth_request``)
    _set(headers, "Authorization", Text.of(f"{prefix} " if prefix else "") + token)
    return _Applied(flow=flow)


def _own_token(checked: dict[str, str], b: _Builder) -> Text:
    """The access token as sent: the auth's own (a secret), the current one if revealed, else
    an environment variable with a hint on how to get one."""
    if checked["access_token"]:
        return b.secret_param(checked["access_token"], "access_token")
    current = b.options.access_token
    if current:
        b.secrets.add(current)
        if b.reveal:
            return Text.of(current)
    grant = checked["grant_type"]
    where = f" at {checked['token_url']}" if checked["token_url"] else ""
    hint = (
        f"an OAuth2 access token ({grant.replace('_', ' ')} grant{where}); get one with "
        "'api-explorer login' on this request's file"
    )
    if grant in _FLOW_GRANTS:
        hint += ", or export with --flow and the snippet fetches one itself"
    return Text.of(b.env("access_token", hint, secret=True))


def _own_flow(checked: dict[str, str], b: _Builder) -> TokenFlow:
    """The token request of a request's own OAuth2 auth, as ``_flow`` builds a provider's."""
    grant = checked["grant_type"]
    if grant not in _FLOW_GRANTS:
        raise SnippetError(
            f"Full flow covers the client credentials, password and refresh token grants, not "
            f"{grant.replace('_', ' ')}; get a token with 'api-explorer login' and drop --flow."
        )
    if not checked["token_url"]:
        raise SnippetError(
            "Full flow needs the OAuth2 auth's token URL; enter it (an issuer is looked up "
            "when sending, not in a snippet)."
        )
    client_auth = checked["client_auth"]
    if client_auth == "private_key_jwt":
        raise SnippetError(
            "Full flow cannot sign a private_key_jwt client assertion; get a token with "
            "'api-explorer login' and drop --flow."
        )
    client_id = b.text(checked["client_id"], "client id") if checked["client_id"] else None
    secret = checked["client_secret"]
    client_secret = b.secret_param(secret, "client_secret") if secret else None
    client: BasicAuth | None = None
    common: list[tuple[str, Text]] = []
    if client_auth == "client_secret_basic" and client_id is not None:
        client = BasicAuth(client_id, client_secret or Text())
    elif client_id is not None:
        common.append(("client_id", client_id))
        if client_secret is not None and client_auth == "client_secret_post":
            common.append(("client_secret", client_secret))
    fields = [("grant_type", Text.of(grant)), *_grant_fields(checked, grant, b), *common]
    for name in ("scope", "audience", "resource"):
        if checked[name]:
            fields.append((name, b.text(checked[name], name)))
    for name, value in parse_qsl(checked["extra_params"], keep_blank_values=True):
        fields.append((name, b.text(value, f"token parameter {name}")))
    return TokenFlow(
        provider="OAuth2",
        grant=grant,
        token_url=b.text(checked["token_url"], "token URL"),
        encoding="form",
        fields=tuple(fields),
        refresh_fields=(("grant_type", Text.of("refresh_token")), *common),
        client=client,
    )


def _grant_fields(checked: dict[str, str], grant: str, b: _Builder) -> list[tuple[str, Text]]:
    if grant == "password":
        user = b.text(checked["username"], "auth username")
        return [("username", user), ("password", b.secret_param(checked["password"], "password"))]
    if grant == "refresh_token":
        raw = checked["refresh_token"]
        if raw:
            return [("refresh_token", b.secret_param(raw, "refresh_token"))]
        hint = "an OAuth2 refresh token (from 'api-explorer login' or the token endpoint)"
        return [("refresh_token", Text.of(b.env("refresh_token", hint, secret=True)))]
    return []


def _pkcs12_note(tls: TlsFiles) -> tuple[str, ...]:
    """How a snippet presents a PKCS#12 client certificate: curl reads it with its password from
    TLS_PASSWORD; the other targets need it as PEM."""
    if not tls.pkcs12:
        return ()
    return (
        f"The client certificate is the PKCS#12 file {tls.pkcs12}: curl reads it with its "
        "password in TLS_PASSWORD; for the other targets convert it first "
        f"(openssl pkcs12 -in {tls.pkcs12} -out client.pem -nodes).",
    )
