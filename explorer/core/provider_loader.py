"""Provider presets: YAML files → validated ``ProviderProfile`` objects.

Built-in presets ship in ``resources/providers/`` (found through ``builtin_providers_dir``, built
on ``resources.resource_dir``, so a frozen bundle only has to ship the folder); user-defined ones
live in ``<workspace>/providers/`` with the same schema (``docs/providers.md``). A user preset
wins over a built-in with the same id. A broken file becomes a ``FormatError`` naming the file,
the line, the key and what was expected; the other presets still load.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from explorer.core import safe_yaml
from explorer.core.errors import FormatError
from explorer.core.models import Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.providers import (
    AUTH_KINDS,
    OAUTH2_SETTINGS,
    AuthConfig,
    CredentialSlot,
    Environment,
    OtpStep,
    ProviderProfile,
    RateLimit,
)
from explorer.core.resources import resource_dir
from explorer.core.tls import FIELDS as TLS_FIELDS
from explorer.core.tls import TlsFiles

__all__ = ["builtin_providers_dir", "load_profile", "load_providers", "parse_profile"]

Path_ = tuple[str | int, ...]
ERROR_MODELS = ("generic", "rfc9457", "pce", "apim", "owin", "servicechannel", "flexiti", "oauth2")
ENVELOPES = ("none", "priceedge", "odata")
PAGINGS = ("none", "offset_limit", "from_size", "page_pagesize", "odata_top_skip", "body_page")
TOP_KEYS = frozenset(
    {
        "id",
        "name",
        "docs_url",
        "notes",
        "auth",
        "rate_limit",
        "rate_limits",
        "environments",
        "error_model",
        "envelope",
        "paging",
        "plain_http",
        "min_tls",
        "guesses",
        "sources",
        "samples",
    }
)


def builtin_providers_dir() -> Path:
    """Where the built-in presets live (``resources/providers`` wherever ``resource_dir`` says
    resources are: the checkout, or the bundle when frozen)."""
    return resource_dir() / "providers"


@dataclass(frozen=True, slots=True)
class _Doc:
    """One parsed file: its data plus the line of every key path, for located errors."""

    path: str
    lines: Mapping[Path_, int]

    def fail(
        self, where: Path_, expected: str, got: Any = None, *, missing: bool = False
    ) -> NoReturn:
        key = _dotted(where)
        line = None
        for depth in range(len(where), -1, -1):
            line = self.lines.get(where[:depth])
            if line is not None:
                break
        if missing:
            text = f"missing key '{key}': expected {expected}."
        else:
            text = f"key '{key}': expected {expected}, got {got!r}."
        raise FormatError(text, path=self.path, line=line)


def _dotted(where: Path_) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def _lines(node: yaml.Node, where: Path_, out: dict[Path_, int]) -> None:
    out.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*where, str(key.value))
            out[child] = key.start_mark.line + 1
            _lines(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*where, index), out)


def _read(path: Path) -> tuple[Any, _Doc]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read the preset: {exc}.", path=str(path)) from exc
    try:
        data, node = safe_yaml.load_yaml_nodes(text)
    except safe_yaml.YamlLimitError as exc:
        raise FormatError(f"{exc}; fix or revert the preset.", path=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise FormatError(f"not valid YAML: {problem}.", path=str(path), line=line) from exc
    lines: dict[Path_, int] = {}
    if node is not None:
        _lines(node, (), lines)
    return data, _Doc(str(path), lines)


class _Reader:
    """Typed accessors over one mapping; each wrong value raises a located ``FormatError``."""

    def __init__(self, doc: _Doc, data: Any, where: Path_, allowed: frozenset[str] | None) -> None:
        if not isinstance(data, dict):
            doc.fail(where, "a mapping of keys to values", data)
        self.doc, self.data, self.where = doc, data, where
        if allowed is not None:
            for key in data:
                if key not in allowed:
                    doc.fail(
                        (*where, str(key)), f"one of {', '.join(sorted(allowed))}", "an unknown key"
                    )

    def at(self, key: str) -> Path_:
        return (*self.where, key)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self.doc.fail(self.at(key), "a text value", missing=True)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.doc.fail(self.at(key), "a text value", value)
        return str(value)

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in options:
            self.doc.fail(self.at(key), f"one of {', '.join(options)}", value)
        return value

    def flag(self, key: str, default: bool | None) -> bool | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, bool):
            self.doc.fail(self.at(key), "true or false", value)
        return value

    def number(self, key: str, default: float | None = None, *, minimum: float = 0) -> float:
        value = self.data.get(key, default)
        if value is None:
            self.doc.fail(self.at(key), "a number", missing=True)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            self.doc.fail(self.at(key), f"a number ≥ {minimum:g}", value)
        return float(value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.doc.fail(self.at(key), "a list of text values", value)
        return tuple(value)

    def pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        """A ``{name: value}`` mapping (or a list of one-entry mappings) as ordered pairs."""
        value = self.data.get(key) or {}
        items: list[tuple[Any, Any]] | None = (
            list(value.items()) if isinstance(value, dict) else None
        )
        if isinstance(value, list) and all(isinstance(v, dict) and len(v) == 1 for v in value):
            items = [next(iter(v.items())) for v in value]
        if items is None:
            self.doc.fail(self.at(key), "a mapping of names to values", value)
        out = []
        for name, item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.doc.fail((*self.at(key), str(name)), "a text value", item)
            out.append((str(name), str(item)))
        return tuple(out)

    def child(self, key: str, allowed: frozenset[str] | None) -> _Reader:
        return _Reader(self.doc, self.data.get(key), self.at(key), allowed)

    def items(self, key: str, allowed: frozenset[str]) -> list[_Reader]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            self.doc.fail(self.at(key), "a list", value)
        return [_Reader(self.doc, v, (*self.at(key), i), allowed) for i, v in enumerate(value)]


RATE_KEYS = frozenset({"requests", "per_seconds", "scope", "status", "retry_after"})
AUTH_KEYS = frozenset(
    {
        "kind",
        "token_url",
        "client_id",
        "scope",
        "token_request",
        "client_auth",
        "token_headers",
        "extra_headers",
        "api_key_header",
        "api_key_query",
        "api_key_format",
        "refresh_rotates",
        "refresh_after_expiry",
        "token_rate_limit",
        "otp",
        "skew_seconds",
        "skew_fraction",
        "credentials",
        *OAUTH2_SETTINGS,
    }
)
OAUTH2_ONLY = frozenset(OAUTH2_SETTINGS) - {"token_url", "client_id", "scope", "client_auth"}
"""``auth`` keys that only kind ``oauth2`` reads."""
NOT_OAUTH2 = (
    "token_request",
    "token_headers",
    "api_key_header",
    "api_key_query",
    "api_key_format",
    "refresh_rotates",
    "refresh_after_expiry",
    "token_rate_limit",
    "otp",
    "skew_seconds",
    "skew_fraction",
)
"""``auth`` keys of the other kinds that kind ``oauth2`` (request-level OAuth2) cannot honour."""
ENV_KEYS = frozenset(
    {
        "name",
        "base_url",
        "live",
        "sandbox",
        "variables",
        "secret_variables",
        "token_url",
        "origins",
        "notes",
        "tls",
    }
)
TLS_KEYS = frozenset(TLS_FIELDS)
SAMPLE_KEYS = frozenset({"name", "method", "url", "params", "headers", "body", "docs"})
BODY_KEYS = frozenset({"json", "text", "form", "content_type"})
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _rate(r: _Reader) -> RateLimit:
    return RateLimit(
        requests=int(r.number("requests", minimum=1)),
        per_seconds=r.number("per_seconds", minimum=0.001),
        scope=r.text("scope", "client"),
        status=int(r.number("status", 429, minimum=100)),
        retry_after=bool(r.flag("retry_after", True)),
    )


def _auth(r: _Reader) -> AuthConfig:
    otp = None
    if r.has("otp"):
        o = r.child("otp", frozenset({"send_url", "otp_param"}))
        otp = OtpStep(send_url=o.text("send_url"), otp_param=o.text("otp_param", "otp"))
    token_limit = None
    if r.has("token_rate_limit"):
        token_limit = _rate(r.child("token_rate_limit", RATE_KEYS))
    slots = tuple(
        CredentialSlot(
            name=s.text("name"),
            label=s.text("label", ""),
            secret=bool(s.flag("secret", False)),
            optional=bool(s.flag("optional", False)),
        )
        for s in r.items("credentials", frozenset({"name", "label", "secret", "optional"}))
    )
    kind = r.choice("kind", AUTH_KINDS, "none")
    oauth2 = _oauth2(r) if kind == "oauth2" else ()
    for key in OAUTH2_ONLY:
        if kind != "oauth2" and r.has(key):
            r.doc.fail(r.at(key), "a key of kind oauth2 only", r.data[key])
    return AuthConfig(
        kind=kind,
        token_url=r.text("token_url", ""),
        client_id=r.text("client_id", ""),
        scope=r.text("scope", ""),
        token_request=r.choice("token_request", ("form", "json"), "form"),
        client_auth="body"
        if kind == "oauth2"
        else r.choice("client_auth", ("body", "basic"), "body"),
        token_headers=r.pairs("token_headers"),
        extra_headers=r.pairs("extra_headers"),
        api_key_header=r.text("api_key_header", "Authorization"),
        api_key_query=r.text("api_key_query", ""),
        api_key_format=r.text("api_key_format", "{api_key}"),
        refresh_rotates=r.flag("refresh_rotates", None),
        refresh_after_expiry=bool(r.flag("refresh_after_expiry", True)),
        token_rate_limit=token_limit,
        otp=otp,
        skew_seconds=r.number("skew_seconds", 30.0),
        skew_fraction=r.number("skew_fraction", 0.1),
        credentials=slots,
        oauth2=oauth2,
    )


def _oauth2(r: _Reader) -> tuple[tuple[str, str], ...]:
    """Kind ``oauth2``: the request-level OAuth2 settings it gives, choices checked against the
    auth schema; the other kinds' token settings are refused (this engine cannot honour them),
    and an interactive grant needs its endpoint or an issuer."""
    from explorer.core.auth.schema import SCHEMA

    for key in NOT_OAUTH2:
        if r.has(key):
            r.doc.fail(
                r.at(key),
                "no such key with kind oauth2 (its token requests are those of a request's OAuth2)",
                r.data[key],
            )
    settings: list[tuple[str, str]] = []
    for param in SCHEMA["oauth2"].params:
        if param.name not in OAUTH2_SETTINGS or not r.has(param.name):
            continue
        if param.choices:
            value = r.choice(param.name, param.choices, param.default)
        else:
            value = r.text(param.name)
        settings.append((param.name, value))
    given = dict(settings)
    endpoint = {"authorization_code": "auth_url", "device_code": "device_url"}.get(
        given.get("grant_type", "")
    )
    if endpoint is not None and not (given.get(endpoint) or given.get("issuer")):
        r.doc.fail(r.at(endpoint), f"the {endpoint} (or issuer) of this grant", missing=True)
    return tuple(settings)


def _environment(r: _Reader) -> Environment:
    variables = r.pairs("variables")
    return Environment(
        name=r.text("name"),
        base_url=r.text("base_url"),
        live=bool(r.flag("live", False)),
        sandbox=bool(r.flag("sandbox", False)),
        variables=dict(variables),
        secret_variables=r.strings("secret_variables"),
        token_url=r.text("token_url") if r.has("token_url") else None,
        origins=r.strings("origins"),
        notes=r.text("notes", ""),
        tls=_tls(r.child("tls", TLS_KEYS)) if r.has("tls") else TlsFiles(),
    )


def _tls(r: _Reader) -> TlsFiles:
    """An environment's ``tls:``; relative paths are relative to the workspace holding the
    preset (``<workspace>/providers/<id>.yaml``)."""
    tls = TlsFiles(*(r.text(key) if r.has(key) else None for key in TLS_FIELDS))
    problem = tls.problem()
    if problem is not None:
        r.doc.fail(r.where, "client_cert (with client_key if separate) or pkcs12", problem)
    return tls.anchored(Path(r.doc.path).parent.parent)


def _body(r: _Reader) -> Body:
    content_type = r.text("content_type") if r.has("content_type") else None
    if "json" in r.data:
        return Body(BodyMode.JSON, json.dumps(r.data["json"], indent=2), content_type)
    if r.has("form"):
        fields = tuple(FormField(name, value) for name, value in r.pairs("form"))
        return Body(BodyMode.FORM, content_type=content_type, fields=fields)
    if r.has("text"):
        return Body(BodyMode.RAW, r.text("text"), content_type or "text/plain")
    r.doc.fail(r.where, "one of json, form or text", missing=True)


def _sample(r: _Reader) -> RequestSpec:
    method = r.text("method", "GET").upper()
    if method not in METHODS:
        r.doc.fail(r.at("method"), f"one of {', '.join(METHODS)}", method)
    body = _body(r.child("body", BODY_KEYS)) if r.has("body") else Body()
    return RequestSpec(
        method=method,
        url=r.text("url"),
        name=r.text("name"),
        params=tuple(KeyValue(n, v) for n, v in r.pairs("params")),
        headers=tuple(KeyValue(n, v) for n, v in r.pairs("headers")),
        body=body,
        docs=r.text("docs", ""),
    )


def parse_profile(data: Any, doc: _Doc, *, builtin: bool) -> ProviderProfile:
    r = _Reader(doc, data, (), TOP_KEYS)
    ident = r.text("id")
    if not ident or not all(c.isalnum() or c in "-_" for c in ident):
        doc.fail(("id",), "letters, digits, '-' or '_'", ident)
    environments = tuple(_environment(e) for e in r.items("environments", ENV_KEYS))
    if not environments:
        doc.fail(("environments",), "at least one environment", missing=True)
    seen: set[str] = set()
    for index, env in enumerate(environments):
        if env.name.lower() in seen:
            doc.fail(("environments", index, "name"), "a name no other environment uses", env.name)
        seen.add(env.name.lower())
    rates = [_rate(x) for x in r.items("rate_limits", RATE_KEYS)]
    if r.has("rate_limit"):
        rates.insert(0, _rate(r.child("rate_limit", RATE_KEYS)))
    auth = _auth(r.child("auth", AUTH_KEYS)) if r.has("auth") else AuthConfig()
    endpoint = auth.oauth2_setting("issuer") or auth.token_url
    if auth.kind == "oauth2" and not endpoint and not all(e.token_url for e in environments):
        doc.fail(("auth", "token_url"), "a token_url (or issuer) of kind oauth2", missing=True)
    return ProviderProfile(
        id=ident,
        name=r.text("name"),
        docs_url=r.text("docs_url", ""),
        notes=r.text("notes", ""),
        auth=auth,
        rate_limits=tuple(rates),
        environments=environments,
        error_model=r.choice("error_model", ERROR_MODELS, "generic"),
        envelope=r.choice("envelope", ENVELOPES, "none"),
        paging=r.choice("paging", PAGINGS, "none"),
        builtin=builtin,
        source=doc.path,
        plain_http=r.text("plain_http", ""),
        min_tls=r.text("min_tls", ""),
        guesses=r.strings("guesses"),
        sources=r.strings("sources"),
        samples=tuple(_sample(s) for s in r.items("samples", SAMPLE_KEYS)),
    )


def load_profile(path: Path, *, builtin: bool = False) -> ProviderProfile:
    """One preset file as a profile; raises ``FormatError`` (file, line, key, expected)."""
    data, doc = _read(path)
    profile = parse_profile(data, doc, builtin=builtin)
    if profile.id != path.stem:
        doc.fail(("id",), f"'{path.stem}' (the file name without .yaml)", profile.id)
    return profile


def load_providers(
    workspace: Path | None = None,
    *,
    builtin_dir: Path | None = None,
    on_error: Callable[[FormatError], None] | None = None,
) -> tuple[dict[str, ProviderProfile], list[FormatError]]:
    """Every preset: built-ins, then ``<workspace>/providers/*.yaml`` (user wins on id clash).

    Returns ``(profiles by id, errors)``; a broken file is one error and never stops the rest.
    """
    profiles: dict[str, ProviderProfile] = {}
    errors: list[FormatError] = []
    sources = [(builtin_dir or builtin_providers_dir(), True)]
    if workspace is not None:
        sources.append((workspace / "providers", False))
    for directory, builtin in sources:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            try:
                profile = load_profile(path, builtin=builtin)
            except FormatError as exc:
                errors.append(exc)
                if on_error is not None:
                    on_error(exc)
                continue
            profiles[profile.id] = profile
    return profiles, errors
