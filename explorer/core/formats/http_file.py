"""``.http`` / ``.rest`` files (VS Code REST Client, JetBrains, httpyac): import and export.

Import understands ``###`` separators (the text after them names the request), ``@var =
value`` definitions, ``#`` and ``//`` comments (comment lines above a request become its docs),
``# @name``, ``# @no-redirect`` and ``# @no-reject-unauthorized``, query continuation lines
(``?a=1`` / ``&b=2``), headers, and bodies: text, form, multipart with a boundary, and
``< file``. Response handlers (``> {% %}``) and output redirects (``>>``) are reported and
dropped.

Export writes one runnable file: collection variables as ``@var = value`` (secret ones only as
``# @secret name``, never their values), each folder's path as ``# @folder A/B`` (ignored by the
other tools, read back by ours), and each request's effective auth as the header or query
parameter the tools understand (``Authorization: Basic user:password`` / ``Bearer token``, the API
key's header or parameter), with ``# @auth TYPE {settings}`` where the header alone would not
say which auth it is (API key, OAuth2, and types only kept, such as digest). A collection bound
to a provider also carries the provider's auth and headers (``export_http``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote_plus

from explorer.core.errors import FormatError
from explorer.core.formats.common import (
    ImportResult,
    SecretVault,
    absorb_content_type,
    emit_content_type,
    guarded,
    protect,
)
from explorer.core.formats.provider_export import ProviderExport, TokenGrant, bind
from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.workspace.model import Folder, SavedRequest, Variable

BOUNDARY = "----ApiExplorerBoundary7MA4YWxk"
REQUEST_LINE = re.compile(
    r"^(?:(?P<method>[A-Z][A-Z0-9_-]*)\s+)?(?P<url>(?:\{\{[^{}\r\n]*\}\}|\S)+)"
    r"(?:\s+HTTP/\d(?:\.\d)?)?\s*$"
)
"""``[METHOD] URL [HTTP/x]``; a ``{{$randomInt 1 5}}`` in the URL may hold spaces."""
VARIABLE_LINE = re.compile(r"^@(?P<name>[\w.$-]+)\s*=\s?(?P<value>.*)$")
META_LINE = re.compile(r"^(?:#|//)\s*@(?P<key>[\w-]+)\s*(?P<value>.*)$")
HANDLER_LINE = re.compile(r"^> \S+\.(?:js|mjs|cjs)\s*$")
METHODS = frozenset(
    {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"}
    | {"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "QUERY"}
)
URL_LIKE = re.compile(
    r"^(?:\{\{|/|[A-Za-z][\w+.-]*://|[\w-]+(?:\.[\w-]+)*:\d+|[\w-]+(?:\.[\w-]+)+/)"
)
"""What a request line without a method must start with: a variable, a path, a scheme, a host
with a port, or a dotted host and a path; a lone word is prose, not a request."""
SAFE = "{}$"


@dataclass
class _Block:
    title: str
    start: int
    lines: list[tuple[int, str]] = field(default_factory=list)


# -- import ----------------------------------------------------------------------------------
def import_http(text: str, source: str = "<http>", name: str = "http import") -> ImportResult:
    """The requests of a ``.http`` file as a new collection named ``name``."""
    return guarded(source, lambda: protect(_Importer(source).run(text, name)))


class _Importer:
    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []
        self.vault = SecretVault()
        self.variables: dict[str, str] = {}
        self.secrets: list[str] = []
        self.collection_name = ""
        self.description: list[str] = []
        self.skipped: list[int] = []  # lines that are not requests, reported as warnings

    def fail(self, line: int, message: str) -> FormatError:
        return FormatError(message, path=self.source, line=line)

    def run(self, text: str, name: str) -> ImportResult:
        if "\0" in text:
            raise FormatError("holds NUL bytes, so it is binary, not text", path=self.source)
        blocks = self._blocks(text)
        entries: dict[tuple[str, ...], list[tuple[str, ...] | SavedRequest]] = {(): []}
        for block in blocks:
            parsed = self._request(block, first=block is blocks[0])
            if parsed is None:
                continue
            trail, spec = parsed
            for depth in range(1, len(trail) + 1):
                if trail[:depth] not in entries:
                    entries[trail[:depth]] = []
                    entries[trail[: depth - 1]].append(trail[:depth])
            entries[trail].append(SavedRequest(spec, len(entries[trail]) + 1))
        if len(entries) == 1 and not entries[()]:
            raise FormatError(
                "holds no request (a line such as 'GET https://...')",
                path=self.source,
                line=self.skipped[0] if self.skipped else None,
            )
        variables = [Variable(k, v) for k, v in self.variables.items() if k not in self.secrets]
        variables += [Variable(k, secret=True) for k in dict.fromkeys(self.secrets)]
        variables += [v for v in self.vault.variables() if v.name not in self.secrets]
        root = self._tree((), entries, self.collection_name or name)
        root = replace(root, description="\n".join(self.description), variables=tuple(variables))
        return ImportResult(
            root, (), (*self.warnings, *self.vault.warnings), dict(self.vault.values)
        )

    def _tree(
        self,
        trail: tuple[str, ...],
        entries: dict[tuple[str, ...], list[tuple[str, ...] | SavedRequest]],
        name: str,
    ) -> Folder:
        items: list[Folder | SavedRequest] = []
        for seq, entry in enumerate(entries[trail], start=1):
            if isinstance(entry, SavedRequest):
                items.append(replace(entry, seq=seq))
            else:
                items.append(replace(self._tree(entry, entries, entry[-1]), seq=seq))
        return Folder(name, items=tuple(items))

    def _blocks(self, text: str) -> list[_Block]:
        blocks = [_Block("", 1)]
        for number, raw in enumerate(text.split("\n"), start=1):
            line = raw.rstrip("\r")
            if line.startswith("###"):
                blocks.append(_Block(line[3:].strip(), number + 1))
            else:
                blocks[-1].lines.append((number, line))
        return blocks

    def _request(self, block: _Block, *, first: bool) -> tuple[tuple[str, ...], RequestSpec] | None:
        meta: dict[str, str] = {}
        docs: list[str] = []
        lines = block.lines
        index = 0
        request_line = None
        while index < len(lines):
            number, line = lines[index]
            index += 1
            stripped = line.strip()
            if not stripped:
                continue
            if self._meta_or_comment(line.lstrip(), meta, docs, first):
                continue
            variable = VARIABLE_LINE.match(stripped)
            if variable:
                self.variables[variable["name"]] = variable["value"].strip()
                continue
            match = _request_line(stripped)
            if match is not None:
                request_line = (number, stripped, match)
                break
            self.skipped.append(number)
            self.warnings.append(f"line {number}: '{stripped[:60]}' is not a request; skipped")
        if request_line is None:
            if first:
                self.description = docs
            return None
        number, line, match = request_line
        url = match["url"]
        params: list[KeyValue] = []
        while index < len(lines) and lines[index][1].strip()[:1] in ("?", "&"):
            piece = lines[index][1].strip()[1:]
            key, _, value = piece.partition("=")
            params.append(KeyValue(key.strip(), value.strip()))
            index += 1
        headers: list[KeyValue] = []
        while index < len(lines) and lines[index][1].strip():
            number, header = lines[index]
            index += 1
            if header.lstrip().startswith(("#", "//")):
                continue
            name, sep, value = header.partition(":")
            if not sep or not name.strip():
                raise self.fail(number, f"'{header[:60]}' is not a header (Name: value)")
            headers.append(KeyValue(name.strip(), value.strip()))
        body_lines = self._body_lines(lines[index + 1 :] if index < len(lines) else [])
        spec = self._spec(
            RequestSpec(method=match["method"] or "GET", url=url, params=tuple(params)),
            headers,
            body_lines,
            where=f"line {block.start}",
            declared=meta.get("auth", ""),
        )
        spec = replace(
            spec,
            name=meta.get("name") or block.title or f"{spec.method} {url}",
            docs="\n".join(docs),
            follow_redirects="no-redirect" not in meta,
            verify_tls="no-reject-unauthorized" not in meta,
        )
        trail = tuple(p for p in meta.get("folder", "").split("/") if p.strip())
        return trail, spec

    def _meta_or_comment(
        self, line: str, meta: dict[str, str], docs: list[str], first: bool
    ) -> bool:
        found = META_LINE.match(line)
        if found:
            key, value = found["key"], found["value"].strip()
            if key == "secret" and value:
                self.secrets.append(value)
            elif key == "collection" and first:
                self.collection_name = value
            else:
                meta[key] = value
            return True
        if line.startswith(("#", "//")):
            text = line[1:] if line.startswith("#") else line[2:]
            docs.append(text[1:] if text.startswith(" ") else text)
            return True
        return False

    def _body_lines(self, lines: list[tuple[int, str]]) -> list[str]:
        body: list[str] = []
        for number, line in lines:
            if line.startswith(("> {%", ">> ", ">>! ")) or HANDLER_LINE.match(line):
                self.warnings.append(
                    f"line {number}: response handlers and output redirects are not imported"
                )
                break
            body.append(line)
        while body and not body[-1].strip():
            body.pop()
        return body

    def _spec(
        self,
        start: RequestSpec,
        headers: list[KeyValue],
        body_lines: list[str],
        *,
        where: str,
        declared: str,
    ) -> RequestSpec:
        content_type = next((h.value for h in headers if h.name.lower() == "content-type"), "")
        body = _body(body_lines, content_type.lower(), content_type)
        kept, body = absorb_content_type(tuple(headers), body)
        if body.mode is BodyMode.MULTIPART:  # the boundary is chosen again at send time
            kept = tuple(h for h in kept if h.name.lower() != "content-type")
        rest = list(kept)
        params = list(start.params)
        auth = self._declared(declared, rest, params, where) if declared else None
        if auth is None:
            rest = []
            for header in kept:
                found = _auth_from_header(header) if auth is None else None
                if found is None:
                    rest.append(header)
                else:
                    auth = found
        return replace(
            start,
            params=tuple(params),
            headers=self.vault.headers(tuple(rest), where),
            body=body,
            auth=self.vault.auth(auth, where),
        )

    def _declared(
        self, text: str, headers: list[KeyValue], params: list[KeyValue], where: str
    ) -> AuthSpec | None:
        """The auth an ``# @auth TYPE {settings}`` line declares (see ``_auth_rows``); an API
        key's value is taken out of the header or query row it names."""
        kind, _, raw = text.partition(" ")
        try:
            settings = json.loads(raw) if raw.strip() else {}
        except ValueError:
            settings = None
        if not kind or not isinstance(settings, dict):
            self.warnings.append(f"{where}: '# @auth {text[:40]}' is not an auth; ignored")
            return None
        values = {str(k): str(v) for k, v in settings.items()}
        if kind == "oauth2":
            headers[:] = [h for h in headers if h.name.lower() != "authorization"]
        if kind != "api-key":
            return AuthSpec(kind, tuple(values.items()))
        key, where_in = values.get("key", ""), values.get("in", "header")
        rows = params if where_in == "query" else headers
        fold = str.lower if where_in == "header" else str  # header names ignore case
        found = [i for i, row in enumerate(rows) if fold(row.name) == fold(key)]
        if not found:
            self.warnings.append(f"{where}: the API key {where_in} {key!r} is missing; ignored")
            return None
        value = rows.pop(found[-1]).value
        return AuthSpec("api-key", (("key", key), ("value", value), ("in", where_in)))


def _request_line(line: str) -> re.Match[str] | None:
    """``METHOD URL`` with a known method (or any upper-case one before a URL), or a URL alone;
    anything else (a stray word, prose) is not a request."""
    match = REQUEST_LINE.match(line)
    if match is None or match["method"] in METHODS or URL_LIKE.match(match["url"]):
        return match
    return None


def _auth_from_header(header: KeyValue) -> AuthSpec | None:
    if header.name.lower() != "authorization":
        return None
    scheme, _, credential = header.value.partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and credential and " " not in credential:
        return AuthSpec("bearer", (("token", credential),))
    if scheme.lower() == "basic":
        match = re.match(r"^([^\s:]*)\s*[\s:]\s*(.*)$", credential)
        if match:
            return AuthSpec("basic", (("username", match[1]), ("password", match[2])))
    return None


def _body(lines: list[str], kind: str, content_type: str) -> Body:
    if not lines:
        return Body()
    text = "\n".join(lines)
    if len(lines) == 1 and lines[0].startswith("< "):
        return Body(BodyMode.BINARY_FILE, file=lines[0][2:].strip())
    if "json" in kind:
        return Body(BodyMode.JSON, text)
    if kind.startswith("application/x-www-form-urlencoded"):
        joined = "".join(line.strip() for line in lines)
        pairs = parse_qsl(joined, keep_blank_values=True)
        return Body(BodyMode.FORM, fields=tuple(FormField(k, v) for k, v in pairs))
    boundary = re.search(r"boundary=\"?([^\";]+)", content_type)
    if kind.startswith("multipart/form-data") and boundary:
        fields = _multipart(lines, boundary.group(1))
        if fields is not None:
            return Body(BodyMode.MULTIPART, fields=fields)
    return Body(BodyMode.RAW, text)


def _multipart(lines: list[str], boundary: str) -> tuple[FormField, ...] | None:
    fields: list[FormField] = []
    parts: list[list[str]] = []
    for line in lines:
        if line.strip() in (f"--{boundary}", f"--{boundary}--"):
            parts.append([])
        elif parts:
            parts[-1].append(line)
    for part in parts:
        if not part:
            continue
        try:
            split = part.index("")
        except ValueError:
            return None
        head, value_lines = part[:split], part[split + 1 :]
        disposition = " ".join(h for h in head if h.lower().startswith("content-disposition"))
        name = re.search(r'name="([^"]*)"', disposition)
        if name is None:
            return None
        kind = next(
            (h.split(":", 1)[1].strip() for h in head if h.lower().startswith("content-type:")),
            None,
        )
        value = "\n".join(value_lines)
        if len(value_lines) == 1 and value_lines[0].startswith("< "):
            fields.append(
                FormField(
                    name.group(1), value_lines[0][2:].strip(), is_file=True, content_type=kind
                )
            )
        else:
            fields.append(FormField(name.group(1), value, content_type=kind))
    return tuple(fields)


# -- export ----------------------------------------------------------------------------------
def _auth_rows(auth: AuthSpec | None) -> tuple[list[KeyValue], list[KeyValue], list[str]]:
    """Headers, query params and ``# @auth`` lines that carry ``auth`` in a .http file.

    Basic and bearer are the ``Authorization`` header every tool understands. An API key is its
    header or query row plus ``# @auth api-key {"key": ..., "in": ...}`` saying which row it is;
    OAuth2 is ``Bearer {{access_token}}`` plus its settings; a type the tools cannot send is its
    settings only. Other tools ignore ``# @auth``; our importer reads the auth back from it."""
    if auth is None or auth.type == "none":
        return [], [], []
    if auth.type == "basic":
        value = f"Basic {auth.get('username')}:{auth.get('password')}"
        return [KeyValue("Authorization", value)], [], []
    if auth.type == "bearer":
        return [KeyValue("Authorization", f"Bearer {auth.get('token')}")], [], []
    if auth.type == "api-key":
        row = KeyValue(auth.get("key"), auth.get("value"))
        where = "query" if auth.get("in") == "query" else "header"
        meta = [_auth_meta("api-key", {"key": row.name, "in": where})]
        return ([], [row], meta) if where == "query" else ([row], [], meta)
    meta = [_auth_meta(auth.type, dict(auth.params))]
    if auth.type == "oauth2":
        return [KeyValue("Authorization", "Bearer {{access_token}}")], [], meta
    return [], [], meta


def _auth_meta(kind: str, params: dict[str, str]) -> str:
    return f"# @auth {kind} {json.dumps(params, ensure_ascii=False)}"


def _body_text(body: Body) -> list[str]:
    if body.mode in (BodyMode.JSON, BodyMode.RAW):
        return body.text.split("\n") if body.text else []
    if body.mode is BodyMode.FORM:
        pairs = [
            f"{quote_plus(f.name, SAFE)}={quote_plus(f.value, SAFE)}"
            for f in body.fields
            if f.enabled
        ]
        return ["&".join(pairs)] if pairs else []
    if body.mode is BodyMode.BINARY_FILE:
        return [f"< {body.file or ''}"]
    if body.mode is BodyMode.MULTIPART:
        lines = []
        for f in body.fields:
            if not f.enabled:
                continue
            lines.append(f"--{BOUNDARY}")
            disposition = f'Content-Disposition: form-data; name="{f.name}"'
            if f.is_file:
                disposition += f'; filename="{f.value.rsplit("/", 1)[-1]}"'
            lines.append(disposition)
            if f.content_type:
                lines.append(f"Content-Type: {f.content_type}")
            lines.append("")
            lines.append(f"< {f.value}" if f.is_file else f.value)
        return [*lines, f"--{BOUNDARY}--"]
    return []


def _request_lines(spec: RequestSpec, trail: tuple[str, ...], auth: AuthSpec | None) -> list[str]:
    lines = [f"### {spec.name}"]
    lines += [f"# {line}" if line else "#" for line in spec.docs.split("\n") if spec.docs]
    if trail:
        lines.append(f"# @folder {'/'.join(trail)}")
    if not spec.follow_redirects:
        lines.append("# @no-redirect")
    if not spec.verify_tls:
        lines.append("# @no-reject-unauthorized")
    effective = spec.auth or auth
    if effective is not None and effective.type == _TOKEN:
        auth_headers, auth_params, meta = _token_rows(effective)
    else:
        auth_headers, auth_params, meta = _auth_rows(effective)
    lines += meta
    lines.append(f"{spec.method} {spec.url}")
    params = [p for p in spec.params if p.enabled] + auth_params
    for n, param in enumerate(params):
        joiner = "&" if n or "?" in spec.url else "?"
        lines.append(f"    {joiner}{param.name}={param.value}")
    headers = emit_content_type(spec)
    if spec.body.mode is BodyMode.MULTIPART and not any(
        h.name.lower() == "content-type" for h in headers
    ):
        headers = (*headers, KeyValue("Content-Type", f"multipart/form-data; boundary={BOUNDARY}"))
    lines += [f"{h.name}: {h.value}" for h in (*headers, *auth_headers) if h.enabled]
    body = _body_text(spec.body)
    if body:
        lines += ["", *body]
    return [*lines, ""]


def export_http(tree: Folder, provider: ProviderExport | None = None) -> str:
    """The collection as one ``.http`` file that httpyac and REST Client run as is. With the
    ``provider`` the collection is bound to, its auth and headers are written in (see
    ``provider_export``): an OAuth2 grant as httpyac's own OAuth2 (``_builtin_oauth2``) or,
    where that cannot send what the app sends, as a named token request (``_token_request``)."""
    lines = [f"# @collection {tree.name}"]
    lines += [
        f"# {line}" if line else "#" for line in tree.description.split("\n") if tree.description
    ]
    lines += [f"# @secret {v.name}" for v in tree.variables if v.secret]
    lines += [f"@{v.name} = {v.value}" for v in tree.variables if not v.secret]
    token_block: list[str] = []
    if provider is not None:
        grant = provider.grant
        token = None
        if grant is not None:
            builtin = _builtin_oauth2(grant)
            if builtin is not None:
                lines += [f"@{name} = {value}" for name, value in builtin]
                token = AuthSpec(_TOKEN, (("flow", grant.grant_type),))
            else:
                token_block = _token_request(grant)
                token = AuthSpec(_TOKEN, (("ref", TOKEN_REQUEST),))
        tree = bind(tree, provider, token)
    lines += ["", *token_block]

    def walk(
        folder: Folder,
        trail: tuple[str, ...],
        auth: AuthSpec | None,
        inherited: tuple[KeyValue, ...],
    ) -> None:
        for item in folder.items:
            if isinstance(item, SavedRequest):
                spec = replace(item.spec, headers=(*inherited, *item.spec.headers))
                lines.extend(_request_lines(spec, trail, auth))
            else:
                walk(item, (*trail, item.name), item.auth or auth, (*inherited, *item.headers))

    walk(tree, (), tree.auth, tree.headers)
    return "\n".join(lines).rstrip("\n") + "\n"


#: The auth type ``bind`` gives requests that inherit a provider's OAuth2 token (this module
#: only): ``flow`` for httpyac's OAuth2, ``ref`` for the named token request.
_TOKEN = "provider-token"  # noqa: S105 - an auth type's name
#: The ``# @name`` of the token request, and so the variable its response is read from.
TOKEN_REQUEST = "provider_token"  # noqa: S105 - a request's name


def _token_rows(auth: AuthSpec) -> tuple[list[KeyValue], list[KeyValue], list[str]]:
    flow = auth.get("flow")
    if flow:
        return [KeyValue("Authorization", f"oauth2 {flow}")], [], []
    ref = auth.get("ref")
    return [KeyValue("Authorization", f"Bearer {{{{{ref}.access_token}}}}")], [], [f"# @ref {ref}"]


def _builtin_oauth2(grant: TokenGrant) -> list[tuple[str, str]] | None:
    """httpyac's OAuth2 settings (``oauth2_*`` variables) for ``grant``, or None when httpyac's
    own token request would differ from the app's: JSON encoding, token headers, a grant it
    lacks (refresh-only) or no client id."""
    fields = dict(grant.fields)
    client_id = grant.client[0] if grant.client else fields.pop("client_id", "")
    client_secret = grant.client[1] if grant.client else fields.pop("client_secret", "")
    supported = grant.grant_type in ("password", "client_credentials")
    if not supported or grant.encoding != "form" or grant.headers or not client_id:
        return None
    settings = [
        ("oauth2_tokenEndpoint", grant.token_url),
        ("oauth2_clientId", client_id),
        ("oauth2_clientSecret", client_secret),
        ("oauth2_useAuthorizationHeader", "true" if grant.client else "false"),
    ]
    for name in ("username", "password", "scope"):
        if fields.get(name):
            settings.append((f"oauth2_{name}", fields[name]))
    return [(k, v) for k, v in settings if v]


def _token_request(grant: TokenGrant) -> list[str]:
    """The grant as a request named ``TOKEN_REQUEST``; each request that needs the token names
    it with ``# @ref`` and sends ``Bearer {{provider_token.access_token}}``."""
    lines = [f"### {TOKEN_REQUEST}", f"# @name {TOKEN_REQUEST}", f"POST {grant.token_url}"]
    if grant.encoding == "json":
        lines.append("Content-Type: application/json")
        body = [json.dumps(dict(grant.fields), ensure_ascii=False)]
    else:
        lines.append("Content-Type: application/x-www-form-urlencoded")
        body = ["&".join(f"{quote_plus(k, SAFE)}={quote_plus(v, SAFE)}" for k, v in grant.fields)]
    if grant.client:
        lines.append(f"Authorization: Basic {grant.client[0]}:{grant.client[1]}")
    lines += [f"{name}: {value}" for name, value in grant.headers]
    return [*lines, "", *body, ""]
