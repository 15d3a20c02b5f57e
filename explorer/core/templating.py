"""``{{variable}}`` substitution and request resolution.

A ``Scope`` is an ordered list of named layers; the first layer that defines a name wins. The
usual order, built by the caller, is request → environment → collection, then the process
environment only when the user opted in. Dynamic values (``{{$uuid}}`` ...) are computed per
occurrence. Resolution never stops at the first problem: every undefined variable is collected
with where it was used, so the user fixes them all in one go.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from explorer.core import dynamic, safe_parse
from explorer.core.errors import InvalidRequest, InvalidURL, TemplateError
from explorer.core.models import (
    AuthSpec,
    Body,
    BodyMode,
    FileBody,
    RequestSpec,
    ResolvedRequest,
)
from explorer.core.redaction import remember

if TYPE_CHECKING:
    from explorer.core.confinement import FileAccess

VARIABLE = re.compile(r"\{\{\s*(\$[^{}\s]+(?:[ \t]+[^{}\r\n]*?)?|[^{}\s]+)\s*\}\}")
"""A ``{{name}}``, or a ``{{$dynamic arguments}}`` (only a ``$`` name may carry words after it)."""
MAX_DEPTH = 10
MAX_EXPANDED = 16 * 1024 * 1024
"""Characters variables may produce in one request: a "billion laughs" set of variables (each
referring to the next ten times) would otherwise take every byte of memory."""
ENV_PREFIX = "$env."
# A scheme (RFC 3986) and "//" before the first "/", "?" or "#": a "://" later in the query
# (``/search?next=https://x``) does not make a URL absolute.
ABSOLUTE_URL = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.\-]*://")


@dataclass(frozen=True)
class Layer:
    """One named source of variables; ``secret`` names are masked wherever their values end up.
    ``missing`` names where the values this layer should have held but does not must be put
    (``--secrets-from-env``'s environment variables), for the undefined-variable sentence."""

    name: str
    values: Mapping[str, str]
    secret: frozenset[str] = frozenset()
    missing: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """Ordered layers, first match wins. ``process_env`` opts into ``os.environ`` as a last layer
    and into ``{{$env.NAME}}`` lookups."""

    layers: tuple[Layer, ...] = ()
    process_env: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def missing_place(self, name: str) -> str | None:
        """Where a value of ``name`` none of the layers holds must be put, if a layer knows
        (``--secrets-from-env``: the environment variable's name)."""
        return next((layer.missing[name] for layer in self.layers if name in layer.missing), None)

    def lookup(self, name: str) -> tuple[str, bool] | None:
        """The raw (unexpanded) value of ``name`` and whether it is secret, or None. A name is
        secret when ANY layer marks it so: a ``--var`` or data-row value that overrides a
        credential slot or a secret variable is as secret as the value it replaces."""
        for layer in self.layers:
            if name in layer.values:
                return layer.values[name], any(name in other.secret for other in self.layers)
        if self.process_env:
            key = name.removeprefix(ENV_PREFIX)
            if key in self.environ:
                return self.environ[key], False
        return None

    def secret_names(self) -> frozenset[str]:
        """Every name some layer marks secret."""
        return frozenset().union(*(layer.secret for layer in self.layers))

    def secret_values(self) -> frozenset[str]:
        """The values the scope resolves its secret names to (not expanded), for masking text
        that did not come through a resolution."""
        found = (self.lookup(name) for name in self.secret_names())
        return frozenset(value for value, _ in filter(None, found) if value)

    def names(self) -> list[str]:
        """Every defined name, first layer first, for completion in the editor."""
        seen: dict[str, None] = {}
        for layer in self.layers:
            seen.update(dict.fromkeys(layer.values))
        return list(seen)


class _Expander:
    """Expands one request's strings, collecting problems and the secret values it used."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.undefined: list[tuple[str, str]] = []
        self.recursive: list[tuple[str, str]] = []
        self.too_deep: list[tuple[str, str]] = []
        self.too_large: list[tuple[str, str]] = []
        self.invalid: list[tuple[str, str]] = []
        self.invalid_reasons: list[str] = []
        self.produced = 0
        self.secrets: set[str] = set()

    def expand(self, text: str, where: str) -> str:
        if "{{" not in text:
            return text
        return self._expand(text, where, ())

    def _expand(self, text: str, where: str, chain: tuple[str, ...]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if self.too_large:
                return match.group(0)
            if dynamic.is_known(name):
                return self._dynamic(name, where, match.group(0))
            if name in chain or len(chain) >= MAX_DEPTH:
                problems = self.recursive if name in chain else self.too_deep
                if (name, where) not in problems:
                    problems.append((name, where))
                return match.group(0)
            found = self.scope.lookup(name)
            if found is None and name.startswith("$") and not name.startswith(ENV_PREFIX):
                return self._dynamic(name, where, match.group(0))  # unknown: says so
            if found is None:
                if (name, where) not in self.undefined:
                    self.undefined.append((name, where))
                return match.group(0)
            raw, secret = found
            value = self._expand(raw, where, (*chain, name)) if "{{" in raw else raw
            self.produced += len(value)
            if self.produced > MAX_EXPANDED:
                culprit = (chain[0] if chain else name, where)
                if culprit not in self.too_large:
                    self.too_large.append(culprit)
                return match.group(0)
            if secret and value:
                self.secrets.add(value)
            return value

        return VARIABLE.sub(replace, text)

    def _dynamic(self, token: str, where: str, placeholder: str) -> str:
        """A fresh dynamic value, or the placeholder kept and the problem recorded."""
        environ = self.scope.environ if self.scope.process_env else None
        try:
            return dynamic.make(token, environ)
        except dynamic.DynamicError as exc:
            if (token, where) not in self.invalid:
                self.invalid.append((token, where))
                self.invalid_reasons.append(f"In {where}, {exc}")
            return placeholder

    def check(self) -> None:
        if self.invalid:
            raise dynamic.DynamicValueError(self.invalid, self.invalid_reasons)
        if self.too_large:
            raise TemplateError(self.too_large, reason="too large")
        if self.recursive:
            raise TemplateError(self.recursive, reason="recursive")
        if self.too_deep:
            raise TemplateError(self.too_deep, reason="too deep")
        if self.undefined:
            names = dict.fromkeys(name for name, _ in self.undefined)
            hints = {name: self.scope.missing_place(name) for name in names}
            found = {name: place for name, place in hints.items() if place is not None}
            raise TemplateError(self.undefined, hints=found)


def expand(text: str, scope: Scope, where: str = "text") -> str:
    """Expand one string; raises ``TemplateError`` naming every undefined variable."""
    expander = _Expander(scope)
    result = expander.expand(text, where)
    expander.check()
    return result


def join_base_url(url: str) -> str:
    """A URL without a scheme (``/path``, ``path``) under ``{{base_url}}``; others unchanged.
    One rule for sends, snippets and previews."""
    stripped = url.strip()
    if not stripped or is_absolute(stripped) or stripped.startswith("{{"):
        return url
    return "{{base_url}}" + ("" if stripped.startswith("/") else "/") + stripped


def is_absolute(url: str) -> bool:
    """Whether ``url`` starts with a scheme, so no base URL applies to it."""
    return ABSOLUTE_URL.match(url) is not None


def variables_in(text: str) -> list[str]:
    """The variable names a string refers to, in order of first use."""
    return list(dict.fromkeys(VARIABLE.findall(text)))


def resolve(
    spec: RequestSpec,
    scope: Scope,
    *,
    base_dir: Path | None = None,
    files: FileAccess | None = None,
) -> ResolvedRequest:
    """Turn a saved spec into a concrete request. ``base_dir`` anchors relative file paths;
    ``files`` confines the body files a saved request may read (``confinement``)."""
    ex = _Expander(scope)
    method = ex.expand(spec.method, "method").strip().upper()
    url = ex.expand(spec.url, "URL").strip()
    params = [
        (ex.expand(p.name, "params"), ex.expand(p.value, f"param {p.name}"))
        for p in spec.params
        if p.enabled
    ]
    headers = [
        (ex.expand(h.name, "headers").strip(), ex.expand(h.value, f"header {h.name}"))
        for h in spec.headers
        if h.enabled and h.name.strip()
    ]
    body, implied_type = _resolve_body(spec.body, ex, base_dir, files)
    auth = _resolve_auth(spec.auth, ex)
    remember(ex.secrets)  # before any check, so an error quoting the URL is masked too
    ex.check()

    check_method(method, spec.method)
    for name, value in headers:
        check_header(name, (value,))
    if implied_type and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", implied_type))
    return ResolvedRequest(
        method=method,
        url=build_url(url, params),
        headers=tuple(headers),
        body=body,
        auth=auth,
        connect_timeout=spec.connect_timeout,
        read_timeout=spec.read_timeout,
        follow_redirects=spec.follow_redirects,
        max_redirects=spec.max_redirects,
        verify_tls=spec.verify_tls,
        secrets=frozenset(ex.secrets),
    )


def build_url(url: str, params: list[tuple[str, str]]) -> str:
    """Validate ``url`` and append ``params`` to its query string (existing query kept)."""
    if not url:
        raise InvalidURL("The URL is empty; type an address such as https://api.example.com/v1.")
    if not is_absolute(url):
        raise InvalidURL(
            f"{url!r} has no scheme; start it with https:// (or http:// for a local server)."
        )
    if any(ch in url for ch in "\r\n\t") or " " in url.strip():
        raise InvalidURL(
            f"{url!r} contains spaces or line breaks; encode them (%20) or remove them."
        )
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise InvalidURL(
            f"{url!r} contains control characters; remove them or percent-encode them."
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidURL(f"{url!r} is not a valid URL ({exc}); check the host and port.") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidURL(f"'{parts.scheme}' URLs cannot be sent; use http:// or https://.")
    if not parts.hostname:
        raise InvalidURL(f"{url!r} has no host; write it as https://host/path.")
    _check_host(parts.hostname, url)
    if not params:
        return url
    extra = urlencode(params, doseq=True)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _check_host(host: str, url: str) -> None:
    """Reject host names DNS cannot carry before anything is sent (an empty or over-long label,
    a non-ASCII name that is not a valid IDN), so the user reads what is wrong with the host
    instead of a connection error."""
    if host.startswith("[") or ":" in host:
        return  # an IPv6 literal; urlsplit has checked its brackets
    name = host.removesuffix(".")
    if not name.isascii():
        import idna  # lazy: only international names need it (it comes with requests)

        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise InvalidURL(
                f"The host {host!r} in {url!r} is not a valid international domain name ({exc})."
            ) from exc
    labels = name.split(".")
    if len(name) > 253 or any(not label or len(label) > 63 for label in labels):
        raise InvalidURL(
            f"The host {host!r} in {url!r} is not a valid host name: labels between dots must "
            "be 1 to 63 characters and the whole name at most 253."
        )


def check_method(method: str, raw: str) -> None:
    """``method`` (expanded, upper-cased) must be an HTTP token; ``raw`` is what was typed."""
    if not method or not re.fullmatch(r"[A-Z][A-Z0-9_-]*", method):
        raise InvalidRequest(f"{raw!r} is not an HTTP method; use GET, POST, PUT ...")


def check_header(name: str, value_parts: Iterable[str]) -> None:
    """A header name must be a token and no literal part of its value may hold a line break
    (header injection). Sends and snippets check the same way."""
    if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
        raise InvalidRequest(f"{name!r} is not a valid header name; use letters, digits and -.")
    if any("\r" in part or "\n" in part for part in value_parts):
        raise InvalidRequest(
            f"The value of header {name!r} contains a line break, which would inject headers; "
            "remove it."
        )


def check_json(text: str) -> None:
    """A JSON body, once its variables are filled in, must parse (line and column if not)."""
    if not text.strip():
        return
    try:
        safe_parse.loads(text)
    except safe_parse.NestingError as exc:
        raise InvalidRequest(f"The JSON body is {exc}; flatten it or send it as raw.") from exc
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            f"The JSON body is invalid at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
            "fix it or switch the body to raw."
        ) from exc


def header_joiner(name: str) -> str:
    """How repeated request headers of one name are joined on the wire (``; `` for Cookie)."""
    return "; " if name.lower() == "cookie" else ", "


def implied_content_type(body: Body) -> str | None:
    """The Content-Type a body implies when the request sets none (multipart's carries its
    boundary, so its encoder decides)."""
    defaults = {
        BodyMode.JSON: "application/json",
        BodyMode.RAW: "text/plain",
        BodyMode.BINARY_FILE: "application/octet-stream",
    }
    if body.mode is BodyMode.FORM:
        return "application/x-www-form-urlencoded"
    default = defaults.get(body.mode)
    return (body.content_type or default) if default is not None else None


def _resolve_body(
    body: Body, ex: _Expander, base_dir: Path | None, files: FileAccess | None
) -> tuple[bytes | FileBody | None, str | None]:
    """Encode the body; returns the bytes (or file) and the Content-Type it implies."""
    mode = body.mode
    if mode is BodyMode.NONE:
        return None, None
    if mode is BodyMode.JSON:
        text = ex.expand(body.text, "body")
        if not (ex.undefined or ex.recursive or ex.too_deep or ex.too_large or ex.invalid):
            check_json(text)
        return text.encode("utf-8"), implied_content_type(body)
    if mode is BodyMode.RAW:
        return ex.expand(body.text, "body").encode("utf-8"), implied_content_type(body)
    if mode is BodyMode.FORM:
        pairs = [
            (ex.expand(f.name, "form"), ex.expand(f.value, f"form field {f.name}"))
            for f in body.fields
            if f.enabled
        ]
        return urlencode(pairs).encode("ascii"), implied_content_type(body)
    if mode is BodyMode.MULTIPART:
        return _encode_multipart(body, ex, base_dir, files)
    path = _file_path(ex.expand(body.file or "", "body file"), base_dir, files)
    return FileBody(path, path.stat().st_size), implied_content_type(body)


def _encode_multipart(
    body: Body, ex: _Expander, base_dir: Path | None, files: FileAccess | None
) -> tuple[bytes, str]:
    from urllib3.fields import RequestField  # lazy: urllib3 comes with requests
    from urllib3.filepost import encode_multipart_formdata

    parts: list[tuple[str, str | tuple[str, bytes, str]] | RequestField] = []
    for f in body.fields:
        if not f.enabled:
            continue
        name = ex.expand(f.name, "multipart")
        value = ex.expand(f.value, f"multipart field {f.name}")
        if f.is_file:
            path = _file_path(value, base_dir, files)
            content_type = f.content_type or "application/octet-stream"
            parts.append((name, (path.name, path.read_bytes(), content_type)))
        elif f.content_type:  # curl -F 'meta={...};type=application/json': a typed text part
            field = RequestField(name=name, data=value.encode("utf-8"))
            field.make_multipart(content_type=f.content_type)
            parts.append(field)
        else:
            parts.append((name, value))
    data, content_type = encode_multipart_formdata(parts)
    return data, content_type


def _file_path(raw: str, base_dir: Path | None, files: FileAccess | None) -> Path:
    if not raw:
        raise InvalidRequest("No file is chosen for the body; pick a file or change the body mode.")
    path = Path(raw).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if files is not None:  # before the existence check: it must not probe the disk either
        files.check(path.absolute())
    if not path.is_file():
        raise InvalidRequest(f"The body file '{path}' does not exist or is not a file.")
    return path


def _resolve_auth(auth: AuthSpec | None, ex: _Expander) -> AuthSpec | None:
    if auth is None:
        return None
    params = tuple((k, ex.expand(v, f"auth {k}")) for k, v in auth.params)
    return AuthSpec(auth.type, params)
