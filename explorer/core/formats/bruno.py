"""Bruno collections: import a collection folder of ``.bru`` files (or one ``.bru`` file, or
Bruno's one-file JSON export) with its environments.

Bruno keeps a collection as a folder, not a file: ``bruno.json`` (name, ignored folders),
``collection.bru`` (collection headers, auth, variables), a sub-folder per folder with an
optional ``folder.bru``, one ``.bru`` file per request and ``environments/*.bru``. The files are
read by ``bruno_lang`` and mapped as bruno-cli sends them (``prepare-request.js``): the URL is
sent as written (its query string included; the query table only mirrors it), ``:name`` path
segments take the path parameters, the body is the block the request's ``body:`` mode selects,
the auth the one its ``auth:`` mode selects (``inherit`` → inherited, a folder's ``none``
passes the parent's on), multipart and file-body paths are relative to the collection folder.
Bruno's JSON export holds the same model; it is turned into the same blocks and mapped the same
way. Request variables (the app has none) are written into the request where it uses them;
simple assertions and post-response variables become assertions and captures. Scripts, tests,
blocks a request does not select and anything else not mapped is reported, never dropped
silently; literal secrets are moved to secret variables (``common.protect``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from explorer.core import dynamic
from explorer.core.auth.schema import auth_type, unsupported
from explorer.core.confinement import file_notes
from explorer.core.errors import FormatError
from explorer.core.formats import secrets
from explorer.core.formats.auth_map import (
    BASIC,
    IMPLICIT,
    NO_PKCE,
    OAUTH2,
    PER_AUTHORIZATION,
    PKCE,
    POST,
    complete,
    join_params,
    not_imported,
    oauth2_value,
)
from explorer.core.formats.bruno_lang import METHOD_TAGS, BruFile, ExportReader, Pair, parse_bru
from explorer.core.formats.common import (
    ImportResult,
    SecretVault,
    absorb_content_type,
    canonical,
    guarded,
    parse_json,
    protect,
    read_input,
)
from explorer.core.models import (
    Assertion,
    AuthSpec,
    Body,
    BodyMode,
    Capture,
    CheckKind,
    FormField,
    KeyValue,
    RequestSpec,
)
from explorer.core.runner.jsonpath import compile_path
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.model import Folder, SavedRequest, Variable

__all__ = ["import_bru_text", "import_bruno", "looks_like_bruno"]

REQUEST_TAGS = (*METHOD_TAGS, "http")
MAX_ENTRIES = 20_000
MAX_REQUESTS = 5_000
MAX_DEPTH = 32
IGNORED = ("node_modules", ".git")
OPEN_COLLECTION = "opencollection.yml"
RAW_TYPES = {"text": "text/plain", "xml": "application/xml", "sparql": "application/sparql-query"}
OAUTH2_NAMES = {
    "access_token_url": "token_url",
    "authorization_url": "auth_url",
    "callback_url": "redirect_uri",
    "client_id": "client_id",
    "client_secret": "client_secret",
    "scope": "scope",
    "username": "username",
    "password": "password",
    "access_token": "access_token",
    "refresh_token": "refresh_token",
    "token_header_prefix": "header_prefix",
}
"""Bruno's OAuth2 settings → the auth schema's (the grant, ``pkce``, ``credentials_placement``
and ``token_placement`` are read apart)."""
#: Bruno OAuth2 settings that need nothing here (the app always fetches and refreshes tokens).
OAUTH2_NOTHING = ("credentials_id", "auto_fetch_token", "auto_refresh_token")
#: Settings of the auth types the schema describes, by Bruno's names; the others are reported.
SIGNED_NAMES = {
    "awsv4": {
        "accessKeyId": "access_key",
        "secretAccessKey": "secret_key",
        "sessionToken": "session_token",
        "region": "region",
        "service": "service",
    },
    "digest": {"username": "username", "password": "password"},
}
TOKEN_BODY = "auth:oauth2:additional_params:access_token_req:body"  # noqa: S105 - a block tag
KEPT_NAMES = {
    "oauth1": {
        "consumer_key": "consumerKey",
        "consumer_secret": "consumerSecret",
        "access_token": "token",
        "token_secret": "tokenSecret",
        "callback_url": "callback",
        "signature_method": "signatureMethod",
        "private_key": "privateKey",
        "include_body_hash": "includeBodyHash",
    },
}
"""Settings of auth types the app only keeps, under Postman's names (a Postman export carries
them, as the Postman and Insomnia imports keep them)."""
KEPT_TYPES = {"akamai-edgegrid": "edgegrid"}
SCRIPT_TAGS = ("script:pre-request", "script:post-response", "tests")
ASSERT_OPERATORS = frozenset(
    {
        *("eq", "neq", "gt", "gte", "lt", "lte", "in", "notIn", "contains", "notContains"),
        *("length", "matches", "notMatches", "startsWith", "endsWith", "between", "isEmpty"),
        *("isNotEmpty", "isNull", "isUndefined", "isDefined", "isTruthy", "isFalsy", "isJson"),
        *("isNumber", "isString", "isBoolean", "isArray"),
    }
)
_PROCESS_ENV = re.compile(r"\{\{\s*process\.env\.([^{}\s]+)\s*\}\}")
_DYNAMIC = re.compile(r"\{\{\s*(\$[A-Za-z]\w*)[^{}]*\}\}")
_FILE = re.compile(r"^@file\((?P<paths>.*)\)$", re.DOTALL)
_CONTENT_TYPE = re.compile(r"^(?P<value>.*?)\s*@contentType\((?P<type>.*?)\)\s*$", re.DOTALL)
_RES = r"\$?res"
_BODY_REF = re.compile(
    rf"^{_RES}\.body(?P<path>(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[(?P<q>['\"])[^'\"]*(?P=q)\])+)$"
)
_HEADER_REF = re.compile(
    rf"^{_RES}\.headers(?:\.(?P<name>[\w-]+)|\[(?P<q>['\"])(?P<quoted>[^'\"]+)(?P=q)\])$"
)
_STATUS_REF = re.compile(rf"^{_RES}\.status$")
_TIME_REF = re.compile(rf"^{_RES}\.responseTime$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")


# -- entry points ----------------------------------------------------------------------------
def looks_like_bruno(path: Path) -> bool:
    """Whether ``path`` is something ``import_bruno`` takes: a folder holding ``bruno.json``,
    a ``bruno.json``, a ``.bru`` file, or a JSON file shaped as Bruno's collection export (a
    string ``version`` and ``name`` and an ``items`` list, Bruno's own test)."""
    try:
        if path.is_dir():
            return (path / "bruno.json").is_file()
        if path.name == "bruno.json" or path.suffix.lower() == ".bru":
            return path.is_file()
        if path.suffix.lower() != ".json" or not path.is_file():
            return False
        return _is_export(parse_json(read_input(path), str(path)))
    except (FormatError, OSError):
        return False


def import_bruno(path: Path) -> ImportResult:
    """The Bruno collection at ``path``: its folder, the ``bruno.json`` inside it, one ``.bru``
    file (a one-request collection, or an environment file), or a JSON export."""
    return guarded(str(path), lambda: protect(_import_path(path)))


def import_bru_text(text: str, source: str = "<bruno>") -> ImportResult:
    """The text of one Bruno file: Bruno's JSON collection export (it starts with ``{``), or
    one ``.bru`` file as a one-request collection (an environment file as an environment).
    Relative file paths are read from the collection folder around ``source`` (the folder
    holding ``bruno.json``), else from ``source``'s folder."""
    return guarded(source, lambda: protect(_text(text, source)))


def _import_path(path: Path) -> ImportResult:
    if path.is_dir():
        return _Walk(path.absolute()).run()
    if path.name == "bruno.json":
        return _Walk(path.absolute().parent).run()
    return _text(read_input(path), str(path))


def _text(text: str, source: str) -> ImportResult:
    place = Path(source).absolute()
    root = next((p for p in place.parents if (p / "bruno.json").is_file()), place.parent)
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _export(text, source, place.parent)
    return _single(text, source, root)


def _is_export(data: object) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("version"), str)
        and isinstance(data.get("name"), str)
        and isinstance(data.get("items"), list)
    )


def _single(text: str, source: str, root: Path) -> ImportResult:
    bru = parse_bru(text, source)
    mapper = _Mapper(root)
    name = Path(source).stem or "request"
    if not any(bru.has(t) for t in REQUEST_TAGS) and (bru.has("vars") or bru.has("vars:secret")):
        env = mapper.environment(bru, name, source)
        return mapper.result(Folder(env.name), [env])
    found = mapper.request(bru, Path(source).name, name)
    if found is None:
        raise FormatError(
            "is not a Bruno HTTP or GraphQL request (no get, post, put, delete, patch, options, "
            "head or http block)",
            path=source,
        )
    return mapper.result(Folder(found[1].spec.name, items=(replace(found[1], seq=1),)), [])


# -- mapping blocks to the model -------------------------------------------------------------
@dataclass
class _Mapper:
    """Maps ``BruFile``s (requests, folders, environments) to the model, collecting what it
    reports. ``root`` is the collection folder Bruno reads relative file paths from."""

    root: Path
    warnings: list[str] = field(default_factory=list)
    process_env: set[str] = field(default_factory=set)
    unknown_dynamic: set[str] = field(default_factory=set)
    inactive: int = 0
    vault: SecretVault = field(default_factory=SecretVault)

    def note(self, where: str, message: str, line: int = 0) -> None:
        """Report ``message`` about ``where`` (at ``line`` of a ``.bru`` file, when known)."""
        self.warnings.append(f"{where}:{line}: {message}" if line else f"{where}: {message}")

    def fix(self, value: str) -> str:
        """``{{process.env.X}}`` as the app's ``{{$processEnv X}}``; dynamic values the app
        does not make are remembered for the report."""
        self.unknown_dynamic |= {
            m[1] for m in _DYNAMIC.finditer(value) if not dynamic.is_known(m[1])
        }
        if "process.env." not in value:
            return value
        self.process_env |= set(_PROCESS_ENV.findall(value))
        return _PROCESS_ENV.sub(lambda m: f"{{{{$processEnv {m[1]}}}}}", value)

    def rows(self, pairs: tuple[Pair, ...]) -> tuple[KeyValue, ...]:
        return tuple(KeyValue(self.fix(p.name), self.fix(p.value), p.enabled) for p in pairs)

    def path(self, raw: str) -> str:
        """A file path as Bruno reads it: relative ones from the collection folder."""
        raw = self.fix(raw.strip())
        if not raw or "{{" in raw or Path(raw).is_absolute():
            return raw
        return str(self.root / raw)

    # -- requests
    def request(self, bru: BruFile, where: str, fallback: str) -> tuple[float, SavedRequest] | None:
        """The request of ``bru`` with its sort key (``meta.seq``), or None (reported) for
        one the app cannot send (gRPC, WebSocket) or a file without a request block."""
        kind = bru.value("meta", "type") or "http"
        tag = next((t for t in REQUEST_TAGS if bru.has(t)), None)
        if kind not in ("http", "graphql"):
            self.note(where, f"{kind} requests are not supported; the file was skipped")
            return None
        if tag is None:
            self.note(where, "holds no request block (get, post ...); the file was skipped")
            return None
        mode = bru.value(tag, "body") or "none"
        auth_mode = bru.value(tag, "auth") or "none"
        url, params = self.url(bru, tag, where)
        headers, body = self.content_type(
            self.rows(bru.pairs("headers")), self.body(bru, mode, where), mode
        )
        spec = RequestSpec(
            method=(bru.value(tag, "method") if tag == "http" else tag).upper() or "GET",
            url=url,
            name=bru.value("meta", "name") or fallback,
            params=params,
            headers=headers,
            body=body,
            auth=self.auth(bru, auth_mode, where, folder=False),
            docs=bru.text("docs"),
            assertions=self.assertions(bru.pairs("assert"), where),
            captures=self.captures(bru.pairs("vars:post-response"), where),
        )
        spec = self.request_vars(self.settings(spec, bru, where), bru, where)
        self.leftovers(bru, where, {"meta", tag, f"auth:{auth_mode}", *_body_tags(mode)})
        self.warnings += file_notes(spec.body, where)
        return _seq(bru.value("meta", "seq")), SavedRequest(spec)

    def url(self, bru: BruFile, tag: str, where: str) -> tuple[str, tuple[KeyValue, ...]]:
        """The URL as Bruno sends it, path parameters filled in, and the query table's rows
        the URL does not carry as disabled params (the URL's query is what Bruno sends)."""
        head, sep, query = self.fix(bru.value(tag, "url")).partition("?")
        for param in bru.pairs("params:path"):
            value = self.fix(param.value) or f"{{{{{param.name}}}}}"
            head = re.sub(rf"(?<=/):{re.escape(param.name)}(?=/|$)", _literal(value), head)
        pieces = {piece for piece in query.split("&") if piece} if sep else set()
        pieces |= {unquote(piece) for piece in pieces}
        params = []
        query_rows = (*bru.pairs("params:query"), *bru.pairs("query"))  # ``query``: bru v1's name
        for row in self.rows(query_rows):
            if row.enabled and (f"{row.name}={row.value}" in pieces or row.name in pieces):
                continue
            if row.enabled:
                self.note(
                    where,
                    f"the query parameter {row.name} is not in the URL, so Bruno does not "
                    "send it; it was imported disabled",
                )
            params.append(replace(row, enabled=False))
        return head + sep + query, tuple(params)

    def body(self, bru: BruFile, mode: str, where: str) -> Body:
        if mode == "none":
            return Body()
        if mode == "json":
            text = self.fix(bru.text("body:json") or bru.text("body"))
            return Body(BodyMode.JSON, text) if text.strip() else Body()
        if mode in RAW_TYPES:
            return Body(BodyMode.RAW, self.fix(bru.text(f"body:{mode}")))
        if mode == "formUrlEncoded":
            rows = self.rows(bru.pairs("body:form-urlencoded"))
            return Body(
                BodyMode.FORM, fields=tuple(FormField(r.name, r.value, r.enabled) for r in rows)
            )
        if mode == "multipartForm":
            parts = (f for p in bru.pairs("body:multipart-form") for f in self.parts(p, where))
            return Body(BodyMode.MULTIPART, fields=tuple(parts))
        if mode == "file":
            return self.file_body(bru.pairs("body:file"), where)
        if mode == "graphql":
            return self.graphql(bru, where)
        self.note(where, f"body mode {mode!r} is not supported; the body was not imported")
        return Body()

    def parts(self, pair: Pair, where: str) -> list[FormField]:
        """A multipart row: a text part, or one file part per ``@file(a|b)`` path; a file
        row with no file chosen (``@file()``) sends nothing in Bruno and is reported."""
        value, content_type = _content_type(pair.value)
        name = self.fix(pair.name)
        files = _FILE.match(value)
        if files is None:
            return [FormField(name, self.fix(value), pair.enabled, False, content_type)]
        paths = [p for p in files["paths"].split("|") if p.strip()]
        if not paths:
            self.note(where, f"the file part {name} has no file chosen; it was not imported")
        return [FormField(name, self.path(p), pair.enabled, True, content_type) for p in paths]

    def file_body(self, pairs: tuple[Pair, ...], where: str) -> Body:
        """``body:file``: the selected (enabled) file, as Bruno sends the first of them."""
        for pair in pairs:
            value, content_type = _content_type(pair.value)
            chosen = _FILE.match(value)
            if pair.enabled and chosen is not None:
                return Body(
                    BodyMode.BINARY_FILE, file=self.path(chosen["paths"]), content_type=content_type
                )
        self.note(where, "the file body has no selected file; the body was not imported")
        return Body()

    def graphql(self, bru: BruFile, where: str) -> Body:
        """A GraphQL body as the JSON Bruno posts; the variables are kept as written (they
        may hold ``{{variables}}`` outside quotes, valid once filled in)."""
        query = self.fix(bru.text("body:graphql"))
        variables = self.fix(bru.text("body:graphql:vars")).strip() or "{}"
        self.note(where, 'the GraphQL body became a JSON body {"query", "variables"}')
        query_json = json.dumps(query, ensure_ascii=False)
        text = f'{{\n  "query": {query_json},\n  "variables": {variables}\n}}'
        return Body(BodyMode.JSON, text)

    def content_type(
        self, headers: tuple[KeyValue, ...], body: Body, mode: str
    ) -> tuple[tuple[KeyValue, ...], Body]:
        """A Content-Type header folded into the body it describes; the type Bruno adds to a
        text, XML, SPARQL or file body without one; a multipart type header dropped (Bruno
        replaces it by its own, with the boundary)."""
        if body.mode is BodyMode.MULTIPART:
            headers = tuple(
                h
                for h in headers
                if not (h.enabled and h.name.lower() == "content-type" and "multipart/" in h.value)
            )
        headers, body = absorb_content_type(headers, body)
        if body.mode is BodyMode.RAW and body.content_type is None:
            body = replace(body, content_type=RAW_TYPES[mode])
        if body.mode is BodyMode.BINARY_FILE and body.content_type is None:
            body = replace(body, content_type="application/octet-stream")
        return headers, body

    def auth(self, bru: BruFile, mode: str, where: str, *, folder: bool) -> AuthSpec | None:
        """The auth ``mode`` selects. ``inherit`` is None; so is a folder's ``none``, which
        bruno-cli passes over to the parent's auth."""
        if mode == "inherit" or (folder and mode == "none"):
            return None
        if mode == "none":
            return AuthSpec("none")
        values = {p.name: self.fix(p.value) for p in bru.pairs(f"auth:{mode}") if p.enabled}
        if mode == OAUTH2:
            mapped = self.oauth2(values, bru, where)
        elif mode in SIGNED_NAMES:
            mapped = self.signed(mode, values, where)
        else:
            mapped = _auth(mode, values)
        if auth_type(mapped.type) is None:
            self.note(where, unsupported(mapped.type))
            mapped = self.hide(mapped, where)
        return canonical(mapped, where, self.warnings)

    def signed(self, mode: str, values: Mapping[str, str], where: str) -> AuthSpec:
        """Digest and AWS Signature V4 by the schema's names; others (``profileName``) reported."""
        names = SIGNED_NAMES[mode]
        note = not_imported(
            where,
            mode,
            [k for k, v in values.items() if k not in names and v],
            "no equivalent here",
        )
        if note:
            self.warnings.append(note)
        return complete(mode, {names[k]: v for k, v in values.items() if k in names})

    def oauth2(self, values: Mapping[str, str], bru: BruFile, where: str) -> AuthSpec:
        """Bruno's OAuth2 in the schema's terms: the grant (implicit reported and run as
        authorization code with PKCE), PKCE, where the client's secret and the token go, the
        token request's additional body parameters; other settings and additional parameters
        (of the authorization and refresh requests, in headers or the query, disabled) are
        reported."""
        mapped = {OAUTH2_NAMES[k]: v for k, v in values.items() if k in OAUTH2_NAMES}
        grant = values.get("grant_type", "")
        if grant == "implicit":
            self.note(where, IMPLICIT)
            mapped |= {"grant_type": "authorization_code", "pkce": PKCE}
        elif grant and oauth2_value("grant_type", grant, where, self.warnings) is not None:
            mapped["grant_type"] = grant
        if grant == "authorization_code":
            mapped["pkce"] = PKCE if values.get("pkce") == "true" else NO_PKCE
        placement = values.get("credentials_placement", "")
        if placement:
            mapped["client_auth"] = POST if placement == "body" else BASIC
        place = values.get("token_placement", "")
        if place:
            mapped["add_token_to"] = "query" if place == "url" else "header"
        extra = [(p.name, self.fix(p.value)) for p in bru.pairs(TOKEN_BODY) if p.enabled]
        if extra:
            mapped["extra_params"] = join_params(extra)
        self.oauth2_leftovers(values, mapped, bru, where)
        return complete(OAUTH2, mapped)

    def oauth2_leftovers(
        self, values: Mapping[str, str], mapped: Mapping[str, str], bru: BruFile, where: str
    ) -> None:
        left = [k for k, v in values.items() if v and not _read_apart(k, v, mapped)]
        for why in dict.fromkeys(map(_unmapped_reason, left)):
            note = not_imported(where, OAUTH2, [k for k in left if _unmapped_reason(k) == why], why)
            if note:
                self.warnings.append(note)
        blocks = {b.tag for b in bru.blocks if b.tag.startswith("auth:oauth2:")} - {TOKEN_BODY}
        off = [p.name for p in bru.pairs(TOKEN_BODY) if not p.enabled]
        if blocks or off:
            named = ", ".join(sorted(blocks) + [f"{TOKEN_BODY} ~{n}" for n in off])
            self.note(
                where,
                f"OAuth2 additional parameters ({named}) are not imported (only the token "
                "request's enabled body parameters are sent)",
            )

    def hide(self, auth: AuthSpec, where: str) -> AuthSpec:
        """Literal secrets of an auth type the schema does not describe (an AWS secret key, an
        OAuth1 secret ...), found by the classifier's names and looks, moved to secret
        variables as ``protect`` moves those of the types it knows."""
        params = []
        for key, value in auth.params:
            kept = value
            if secrets.secret_name(key) or secrets.random_looking(value):
                kept = self.vault.slot(f"{auth.type}_{key}", value, where, f"the {auth.type} {key}")
            params.append((key, kept))
        return AuthSpec(auth.type, tuple(params))

    def settings(self, spec: RequestSpec, bru: BruFile, where: str) -> RequestSpec:
        """``settings``: redirects and the timeout; ``encodeUrl`` needs nothing (the client
        percent-encodes what a URL needs); others are reported."""
        values = {p.name: p.value for p in bru.pairs("settings") if p.enabled}
        follow = values.pop("followRedirects", "")
        limit = values.pop("maxRedirects", "")
        timeout = values.pop("timeout", "")
        values.pop("encodeUrl", None)
        if values:
            self.note(where, f"settings {', '.join(values)} are not imported")
        if follow in ("true", "false"):
            spec = replace(spec, follow_redirects=follow == "true")
        if limit.isdigit() and int(limit) <= 1000:
            spec = replace(spec, max_redirects=int(limit))
        if timeout.isdigit() and int(timeout) > 0:
            spec = replace(spec, read_timeout=int(timeout) / 1000)
        return spec

    def assertions(self, pairs: tuple[Pair, ...], where: str) -> tuple[Assertion, ...]:
        found = []
        for pair in pairs:
            check = _assertion(pair.name.strip(), self.fix(pair.value)) if pair.enabled else None
            if check is None:
                state = "" if pair.enabled else "disabled "
                what = f"'{pair.name}: {pair.value}'"
                self.note(where, f"the {state}assertion {what} is not imported", pair.line)
            else:
                found.append(check)
        return tuple(found)

    def captures(self, pairs: tuple[Pair, ...], where: str) -> tuple[Capture, ...]:
        """Post-response variables reading ``res.body.path`` or ``res.headers.name``."""
        found = []
        for pair in pairs:
            capture = _capture(pair.name.removeprefix("@"), pair.value.strip())
            if capture is None or not pair.enabled:
                state = "" if pair.enabled else "disabled "
                what = f"'{pair.name}: {pair.value}'"
                message = f"the {state}post-response variable {what} is not imported"
                self.note(where, message, pair.line)
            else:
                found.append(capture)
        return tuple(found)

    def request_vars(self, spec: RequestSpec, bru: BruFile, where: str) -> RequestSpec:
        """Request variables (``vars:pre-request``) written into the request where it uses
        them: the app has no request variables, and in Bruno they win over every other."""
        values: dict[str, str] = {}
        for pair in bru.pairs("vars:pre-request"):
            name = pair.name.removeprefix("@")
            if pair.enabled:
                values[name] = self.fix(pair.value)
            else:
                self.note(where, f"the disabled request variable {name} was not imported")
        if not values:
            return spec
        self.note(
            where,
            f"request variables {', '.join(values)} were written into the request where it "
            "uses them (the app has no request variables)",
        )
        return _substitute(spec, values)

    def leftovers(self, bru: BruFile, where: str, used: set[str]) -> None:
        """Report scripts and tests, count inactive bodies and auths, report other blocks."""
        mapped = {"headers", "params:query", "query", "params:path", "vars:pre-request", "docs"}
        mapped |= {"vars:post-response", "assert", "settings"}
        scripts = [t for t in SCRIPT_TAGS if bru.has(t)]
        if scripts:
            self.note(where, f"scripts and tests ({', '.join(scripts)}) are not imported")
        rest = {b.tag for b in bru.blocks} - used - mapped - set(SCRIPT_TAGS)
        rest -= {t for t in rest if t.startswith("auth:oauth2:")}  # reported with the auth
        inactive = {t for t in rest if t.startswith(("body", "auth:"))}
        self.inactive += bool(inactive)
        other = sorted(rest - inactive)
        if other:
            self.note(where, f"blocks {', '.join(other)} are not imported")

    # -- folders and environments
    def folder(self, bru: BruFile | None, where: str, name: str) -> Folder:
        """A folder's (or the collection's) headers, auth, variables and docs."""
        if bru is None:
            return Folder(name)
        variables = []
        for pair in bru.pairs("vars:pre-request"):
            if pair.enabled:
                variables.append(Variable(pair.name.removeprefix("@"), self.fix(pair.value)))
            else:
                self.note(where, f"the disabled variable {pair.name} was not imported")
        mode = bru.value("auth", "mode") or "none"
        auth = self.auth(bru, mode, where, folder=True)
        if bru.has("vars:post-response"):
            self.note(where, "post-response variables of a folder are not imported")
        self.leftovers(bru, where, {"meta", "auth", f"auth:{mode}", "vars:post-response"})
        return Folder(
            name=bru.value("meta", "name") or name,
            description=bru.text("docs"),
            variables=tuple(variables),
            headers=self.rows(bru.pairs("headers")),
            auth=auth,
        )

    def environment(self, bru: BruFile, name: str, where: str) -> EnvironmentValues:
        """``vars`` (enabled ones) and the names of ``vars:secret`` (their values are only in
        Bruno's own store, never in the file)."""
        secret = tuple(p.name for p in bru.pairs("vars:secret"))
        values = {}
        for pair in bru.pairs("vars"):
            if not pair.enabled:
                self.note(where, f"the disabled variable {pair.name} was not imported")
            elif pair.name not in secret:
                values[pair.name] = self.fix(pair.value)
        other = sorted({b.tag for b in bru.blocks} - {"vars", "vars:secret"})
        if other:
            self.note(where, f"blocks {', '.join(other)} are not imported")
        return EnvironmentValues(name, values, secret)

    def result(
        self, tree: Folder, envs: list[EnvironmentValues], found: Mapping[str, str] | None = None
    ) -> ImportResult:
        """The import: ``tree`` declaring the secret variables ``hide`` made, the warnings,
        and the secret values (``found`` ones too)."""
        made = [Variable(n, secret=True) for n in self.vault.values if n not in tree.secret_names()]
        tree = replace(tree, variables=(*tree.variables, *made))
        notes = self.finish(tree, envs)
        return ImportResult(tree, tuple(envs), tuple(notes), {**(found or {}), **self.vault.values})

    def finish(self, tree: Folder, envs: list[EnvironmentValues]) -> list[str]:
        """The warnings, with what is reported once for the whole import."""
        notes = [*self.warnings, *self.vault.warnings]
        if self.process_env:
            names = ", ".join(sorted(self.process_env))
            notes.append(
                f"{{{{process.env.NAME}}}} became {{{{$processEnv NAME}}}} ({names}); it is read "
                "only where allowed (send --process-env), else pass --var NAME=VALUE"
            )
        if self.unknown_dynamic:
            names = ", ".join(f"{{{{{n}}}}}" for n in sorted(self.unknown_dynamic))
            notes.append(f"dynamic values {names} are not made by API Explorer; define them")
        if self.inactive:
            notes.append(
                f"{self.inactive} file(s) hold body or auth blocks their mode does not select "
                "(Bruno does not send them); those blocks were not imported"
            )
        notes += _shadowed(tree, envs)
        return notes


def _body_tags(mode: str) -> set[str]:
    tags = {
        "json": {"body:json", "body"},
        "formUrlEncoded": {"body:form-urlencoded"},
        "multipartForm": {"body:multipart-form"},
        "file": {"body:file"},
        "graphql": {"body:graphql", "body:graphql:vars"},
    }
    return tags.get(mode, {f"body:{mode}"})


def _literal(value: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that inserts ``value`` as it is (no backslash escapes)."""
    return lambda _match: value


def _seq(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        return math.inf
    return value if math.isfinite(value) else math.inf


def _content_type(value: str) -> tuple[str, str | None]:
    """``value @contentType(type)`` split as Bruno splits it."""
    match = _CONTENT_TYPE.match(value)
    if match is None:
        return value, None
    return match["value"].strip(), match["type"].strip() or None


def _auth(mode: str, values: Mapping[str, str]) -> AuthSpec:
    """Bruno's auth settings as the auth schema's (``docs/auth.md``); other types by name."""
    if mode == "basic":
        return AuthSpec(
            "basic",
            (("username", values.get("username", "")), ("password", values.get("password", ""))),
        )
    if mode == "bearer":
        return AuthSpec("bearer", (("token", values.get("token", "")),))
    if mode == "apikey":
        where = "query" if values.get("placement") == "queryparams" else "header"
        return AuthSpec(
            "api-key",
            (("key", values.get("key", "")), ("value", values.get("value", "")), ("in", where)),
        )
    names = KEPT_NAMES.get(mode, {})
    return AuthSpec(
        KEPT_TYPES.get(mode, mode), tuple((names.get(k, k), v) for k, v in values.items())
    )


def _read_apart(key: str, value: str, mapped: Mapping[str, str]) -> bool:
    """Whether a Bruno OAuth2 setting was mapped or needs nothing here."""
    if key == "token_source":
        return value == "access_token"
    if key == "refresh_token_url":
        return value == mapped.get("token_url")
    read = ("grant_type", "pkce", "credentials_placement", "token_placement")
    return key in OAUTH2_NAMES or key in OAUTH2_NOTHING or key in read


def _unmapped_reason(key: str) -> str:
    if key in PER_AUTHORIZATION:
        return "made anew for each authorization"
    if key == "refresh_token_url":
        return "tokens are refreshed at the token URL"
    return "no equivalent here"


def _operand(text: str) -> str | None:
    """A Bruno assertion's right side as JSON text (its literal rules: ``true``, ``null``,
    numbers, quoted strings, else the text itself), None for an expression (``${...}``)."""
    text = text.strip()
    if text in ("true", "false", "null"):
        return text
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return json.dumps(text[1:-1], ensure_ascii=False)
    if _NUMBER.match(text):
        return text
    if "${" in text or text == "undefined":
        return None
    return json.dumps(text, ensure_ascii=False)


def _assertion(target: str, rule: str) -> Assertion | None:
    """``res.status: eq 200``, ``res.body.a[0].b: eq "x"`` or ``isDefined``,
    ``res.headers.name: eq text`` or ``isDefined``, ``res.responseTime: lt 500``; None for
    the others (they are reported)."""
    operator, _, operand = rule.strip().partition(" ")
    if operator not in ASSERT_OPERATORS:
        operator, operand = "eq", rule.strip()
    if _STATUS_REF.match(target) and operator == "eq" and operand.isdigit():
        return Assertion(CheckKind.STATUS, expected=operand) if 100 <= int(operand) <= 599 else None
    if _TIME_REF.match(target) and operator in ("lt", "lte") and operand.isdigit():
        return Assertion(CheckKind.MAX_MS, expected=operand)
    expected = _operand(operand) if operator == "eq" else None
    if operator not in ("eq", "isDefined") or (operator == "eq" and expected is None):
        return None
    header = _HEADER_REF.match(target)
    if header is not None:
        text = None if expected is None else json.loads(expected)
        text = text if isinstance(text, str) or text is None else expected
        return Assertion(CheckKind.HEADER, header["name"] or header["quoted"], text)
    path = _json_path(target)
    return None if path is None else Assertion(CheckKind.JSONPATH, path, expected)


def _json_path(reference: str) -> str | None:
    """``res.body.a[0]["b"]`` as the JSONPath ``$.a[0]["b"]``, None for anything else."""
    body = _BODY_REF.match(reference)
    if body is None:
        return None
    path = "$" + body["path"]
    try:
        compile_path(path)
    except FormatError:
        return None
    return path


def _capture(name: str, source: str) -> Capture | None:
    header = _HEADER_REF.match(source)
    if header is not None:
        return Capture(name, "header", header["name"] or header["quoted"])
    path = _json_path(source)
    return None if path is None else Capture(name, "jsonpath", path)


def _substitute(spec: RequestSpec, values: Mapping[str, str]) -> RequestSpec:
    """``spec`` with each ``{{name}}`` of ``values`` replaced by its value."""
    pattern = re.compile(r"\{\{\s*(" + "|".join(map(re.escape, values)) + r")\s*\}\}")

    def sub(text: str) -> str:
        return pattern.sub(lambda m: values[m[1]], text)

    def rows(rows: tuple[KeyValue, ...]) -> tuple[KeyValue, ...]:
        return tuple(replace(r, name=sub(r.name), value=sub(r.value)) for r in rows)

    body = spec.body
    fields = tuple(replace(f, name=sub(f.name), value=sub(f.value)) for f in body.fields)
    body = replace(body, text=sub(body.text), fields=fields, file=sub(body.file or "") or body.file)
    auth = spec.auth
    if auth is not None:
        auth = AuthSpec(auth.type, tuple((k, sub(v)) for k, v in auth.params))
    return replace(
        spec,
        url=sub(spec.url),
        params=rows(spec.params),
        headers=rows(spec.headers),
        body=body,
        auth=auth,
    )


def _shadowed(tree: Folder, envs: list[EnvironmentValues]) -> list[str]:
    """Folder variables an environment also sets: Bruno prefers the folder's value, the app
    the environment's."""
    names = {name for env in envs for name in (*env.values, *env.secret_names)}
    notes = []
    for item in tree.items:
        if isinstance(item, Folder):
            clash = sorted(v.name for v in item.variables if v.name in names)
            if clash:
                notes.append(
                    f"{item.name}: the folder variables {', '.join(clash)} are also set by an "
                    "environment; Bruno uses the folder's value, API Explorer the environment's"
                )
            notes += _shadowed(item, envs)
    return notes


# -- a collection folder ---------------------------------------------------------------------
def _yaml_refusal(root: Path) -> FormatError:
    return FormatError(
        f"is a Bruno collection in the YAML format ({OPEN_COLLECTION}); only .bru "
        "collections can be imported (or export it from Bruno as JSON)",
        path=str(root),
    )


class _Walk:
    """Reads a collection folder: ``bruno.json``, ``collection.bru``, the folders and requests
    below (``bruno.json``'s ``ignore``, ``node_modules``, ``.git`` and hidden folders skipped),
    ``environments/``; bounded in files, requests and depth."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mapper = _Mapper(root)
        self.ignore: set[str] = set(IGNORED)
        self.entries = 0
        self.requests = 0
        self.errors: list[FormatError] = []

    def run(self) -> ImportResult:
        name = self.config()
        if (self.root / ".env").is_file():
            self.mapper.note(
                ".env",
                "the collection's .env file was not imported; its values are the process "
                "environment Bruno's {{process.env.NAME}} reads",
            )
        tree = replace(self.folder(self.root, 0)[1], name=name)
        if not tree.requests() and self.errors:
            raise self.errors[0]
        if (self.root / OPEN_COLLECTION).is_file():
            self.yaml_collection(tree)
        return self.mapper.result(tree, self.environments())

    def yaml_collection(self, tree: Folder) -> None:
        """A folder that also holds Bruno's YAML format (``opencollection.yml`` and ``.yml``
        requests, which this import does not read): refused when no ``.bru`` request was
        found, else reported."""
        if not tree.requests():
            raise _yaml_refusal(self.root)
        self.mapper.note(
            OPEN_COLLECTION,
            "the folder also holds a Bruno YAML collection; its .yml requests were not "
            "imported (export it from Bruno as JSON to import them)",
        )

    def where(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def config(self) -> str:
        """The collection's name from ``bruno.json``, and its ``ignore`` list."""
        config = self.root / "bruno.json"
        if not config.is_file():
            if (self.root / OPEN_COLLECTION).is_file():
                raise _yaml_refusal(self.root)
            raise FormatError(
                "holds no bruno.json, so it is not a Bruno collection; choose the collection's "
                "folder (the one holding bruno.json)",
                path=str(self.root),
            )
        data = parse_json(read_input(config), str(config))
        if not isinstance(data, dict):
            raise FormatError("must be a JSON object", path=str(config))
        kind = data.get("type", "collection")
        if kind != "collection":
            raise FormatError(f"describes a Bruno {kind!s}, not a collection", path=str(config))
        ignore = data.get("ignore")
        if isinstance(ignore, list):
            self.ignore |= {str(item).strip("/") for item in ignore if isinstance(item, str)}
        skipped = sorted(set(data) & {"proxy", "clientCertificates", "scripts", "protobuf"})
        if skipped:
            self.mapper.note("bruno.json", f"settings {', '.join(skipped)} are not imported")
        name = data.get("name")
        return name if isinstance(name, str) and name.strip() else self.root.name

    def listing(self, directory: Path) -> list[Path]:
        try:
            found = sorted(directory.iterdir())
        except OSError as exc:
            raise FormatError(f"cannot be read ({exc.strerror})", path=str(directory)) from exc
        self.entries += len(found)
        if self.entries > MAX_ENTRIES:
            raise FormatError(
                f"holds more than {MAX_ENTRIES} files and folders; this is not one collection "
                "(choose the folder holding bruno.json)",
                path=str(self.root),
            )
        return found

    def read(self, path: Path) -> BruFile | None:
        """A ``.bru`` file, or None when it is missing or does not parse (reported)."""
        if not path.is_file():
            return None
        try:
            return parse_bru(read_input(path), str(path))
        except FormatError as exc:
            self.errors.append(exc)
            self.mapper.note(self.where(path), f"{exc}; the file was skipped")
            return None

    def skip(self, entry: Path, depth: int) -> bool:
        name = entry.name
        if name.startswith(".") or name in self.ignore or self.where(entry) in self.ignore:
            return True
        if depth == 0 and name == "environments":
            return True
        if entry.is_symlink():
            self.mapper.note(self.where(entry), "is a link to a folder; it was skipped")
            return True
        return False

    def folder(self, directory: Path, depth: int) -> tuple[float, Folder]:
        """The folder at ``directory`` with its sort key (``folder.bru``'s ``meta.seq``)."""
        if depth > MAX_DEPTH:
            raise FormatError(f"nests folders more than {MAX_DEPTH} deep", path=str(directory))
        folders: list[tuple[float, str, Folder]] = []
        requests: list[tuple[float, str, SavedRequest]] = []
        for entry in self.listing(directory):
            if entry.is_dir():
                if not self.skip(entry, depth):
                    seq, sub = self.folder(entry, depth + 1)
                    if sub.items or (entry / "folder.bru").is_file():  # not a folder of files
                        folders.append((seq, sub.name, sub))
            elif entry.suffix == ".bru" and entry.name not in ("folder.bru", "collection.bru"):
                found = self.request(entry)
                if found is not None:
                    requests.append((found[0], entry.name, found[1]))
        own = self.read(directory / ("collection.bru" if depth == 0 else "folder.bru"))
        where = self.where(directory) if depth else "collection.bru"
        base = self.mapper.folder(own, where, directory.name)
        seq = _seq(own.value("meta", "seq")) if own is not None else math.inf
        return seq, replace(base, items=_ordered(folders, requests))

    def request(self, path: Path) -> tuple[float, SavedRequest] | None:
        self.requests += 1
        if self.requests > MAX_REQUESTS:
            raise FormatError(
                f"holds more than {MAX_REQUESTS} requests; import a smaller collection",
                path=str(self.root),
            )
        bru = self.read(path)
        if bru is None:
            return None
        return self.mapper.request(bru, self.where(path), path.stem)

    def environments(self) -> list[EnvironmentValues]:
        folder = self.root / "environments"
        if not folder.is_dir() or folder.is_symlink():
            return []
        envs = []
        for path in self.listing(folder):
            bru = self.read(path) if path.suffix == ".bru" else None
            if bru is not None:
                envs.append(self.mapper.environment(bru, path.stem, self.where(path)))
        return envs


def _order(entry: tuple[float, str, object]) -> tuple[float, str]:
    return entry[0], entry[1].lower()


def _ordered(
    folders: list[tuple[float, str, Folder]], requests: list[tuple[float, str, SavedRequest]]
) -> tuple[Folder | SavedRequest, ...]:
    """Folders, then requests, each by ``seq`` then name (as Bruno lists them), numbered."""
    items: list[Folder | SavedRequest] = [f for *_, f in sorted(folders, key=_order)]
    items += [r for *_, r in sorted(requests, key=_order)]
    return tuple(replace(item, seq=i + 1) for i, item in enumerate(items))


# -- Bruno's JSON export ---------------------------------------------------------------------
def _export(text: str, source: str, root: Path) -> ImportResult:
    reader = ExportReader(source)
    data = reader.mapping(parse_json(text, source), "the file")
    if not _is_export(data):
        raise FormatError(
            "is not a Bruno collection export (it needs a version, a name and an items list)",
            path=source,
        )
    mapper = _Mapper(root)
    collection_root = reader.root(data.get("root"), "root")
    base = mapper.folder(collection_root, "collection", reader.text(data.get("name"), "name"))
    tree = replace(
        base,
        name=reader.text(data.get("name"), "name"),
        items=_json_items(reader, mapper, data.get("items"), "items", ""),
    )
    envs = [
        mapper.environment(
            reader.environment(raw, f"environments[{i}]"),
            reader.env_name(raw, i),
            f"environments[{i}]",
        )
        for i, raw in enumerate(reader.array(data.get("environments"), "environments"))
    ]
    return mapper.result(tree, envs, reader.secrets)


def _json_items(
    reader: ExportReader, mapper: _Mapper, value: object, where: str, trail: str
) -> tuple[Folder | SavedRequest, ...]:
    """The export's ``items`` (at JSON path ``where``, folder path ``trail``) as the tree."""
    if trail.count("/") > MAX_DEPTH:
        raise FormatError(f"{where} nests folders more than {MAX_DEPTH} deep", path=reader.source)
    folders: list[tuple[float, str, Folder]] = []
    requests: list[tuple[float, str, SavedRequest]] = []
    for i, raw in enumerate(reader.array(value, where)):
        at = f"{where}[{i}]"
        item = reader.mapping(raw, at)
        kind = reader.text(item.get("type"), f"{at}.type")
        name = reader.text(item.get("name"), f"{at}.name")
        place = f"{trail}{name or at}"
        if kind == "folder":
            own = reader.root(item.get("root"), f"{at}.root")
            base = mapper.folder(own, place, name or "folder")
            sub = replace(
                base,
                items=_json_items(reader, mapper, item.get("items"), f"{at}.items", place + "/"),
            )
            folders.append(
                (
                    _seq(own.value("meta", "seq") or reader.text(item.get("seq"), f"{at}.seq")),
                    sub.name,
                    sub,
                )
            )
            continue
        found = mapper.request(reader.request(item, at), place, name or "request")
        if found is not None:
            requests.append((found[0], name, found[1]))
    return _ordered(folders, requests)
