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
parameter the tools understand (``Authorization: Basic user:password`` / ``Bearer token``,
httpyac's ``Digest user:password`` and ``AWS key secret ...``, the API key's header, parameter
or cookie; OAuth2 as httpyac's ``Authorization: oauth2 FLOW`` with ``@oauth2_*`` variables
where that sends what the app sends, see ``_AuthWriter``), with ``# @auth TYPE {settings}``
where the header alone would not say all of the auth (an API key, OAuth2 settings httpyac has no
variable for, Digest's kept settings, types only kept). Import reads all of these back, httpyac's
OAuth2 variables included. A collection bound to a provider also carries the provider's auth and
headers (``export_http``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote_plus

from explorer.core.errors import FormatError
from explorer.core.formats.auth_map import (
    BASIC,
    HEADLESS,
    IMPLICIT,
    NO_PKCE,
    OAUTH2,
    PKCE,
    POST,
    complete,
    default,
    not_imported,
    token_name,
)
from explorer.core.formats.common import (
    ImportResult,
    SecretVault,
    absorb_content_type,
    emit_content_type,
    guarded,
    protect,
)
from explorer.core.formats.provider_export import ProviderExport, TokenGrant, auth_grant, bind
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
#: httpyac's OAuth2 variables (``oauth2_NAME``, or ``PREFIX_NAME``) → the schema's parameters.
HTTPYAC_OAUTH2 = {
    "tokenEndpoint": "token_url",
    "authorizationEndpoint": "auth_url",
    "deviceCodeEndpoint": "device_url",
    "clientId": "client_id",
    "clientSecret": "client_secret",
    "scope": "scope",
    "audience": "audience",
    "resource": "resource",
    "username": "username",
    "password": "password",
    "redirectUri": "redirect_uri",
}
#: httpyac's OAuth2 switches → (parameter, value when true, value when false).
HTTPYAC_SWITCHES = {
    "usePkce": ("pkce", PKCE, NO_PKCE),
    "useAuthorizationHeader": ("client_auth", BASIC, POST),
}
HTTPYAC_OTHER = (
    "responseType",
    "responseMode",
    "proxy",
    "subjectIssuer",
    "keepAlive",
    "useDeviceCodeClientSecret",
    "serverPort",
)
"""httpyac OAuth2 variables with no equivalent (reported; ``keepAlive`` is what the app does)."""
FLOWS_IN = {
    "client": "client_credentials",
    "client_credentials": "client_credentials",
    "code": "authorization_code",
    "authorization_code": "authorization_code",
    "device": "device_code",
    "device_code": "device_code",
    "password": "password",
    "implicit": "implicit",
    "hybrid": "implicit",
}
FLOWS_OUT = {
    "client_credentials": "client_credentials",
    "password": "password",
    "authorization_code": "authorization_code",
    "device_code": "device_code",
}
OAUTH2_HEADER = re.compile(
    r"^\s*(?:oauth2|openid)\s+(?P<flow>client(?:_credentials)?|(?:authorization_)?code"
    r"|device(?:_code)?|password|implicit|hybrid)(?:\s+(?!token_exchange\b)(?P<prefix>\S+))?"
    r"(?:\s+token_exchange\s+(?P<exchange>\S+))?\s*$",
    re.IGNORECASE,
)
"""httpyac's ``Authorization: oauth2 FLOW [PREFIX] [token_exchange PREFIX]``."""
DIGEST_COLON = re.compile(r"^(.*):(.*)$", re.DOTALL)
DIGEST_SPACE = re.compile(r"^(\S*)\s+(\S.*)$", re.DOTALL)
AWS_HEADER = re.compile(
    r"^(?P<access_key>\S*)\s+(?P<secret_key>\S*)\s*(?:token:\s*(?P<session_token>\S*))?"
    r"\s*(?:region:\s*(?P<region>\S*))?\s*(?:service:\s*(?P<service>\S*))?\s*$",
    re.IGNORECASE,
)
"""httpyac's ``Authorization: AWS key secret [token:T] [region:R] [service:S]``."""
#: Auth types whose ``# @auth`` settings complete what their ``Authorization`` header says.
MERGED = (OAUTH2, "digest")
TOKEN_META = "token-request"  # noqa: S105 - a meta line's name


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
        self.consumed: set[str] = set()  # httpyac OAuth2 variables read into an auth
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
        kept = {k: v for k, v in self.variables.items() if k not in self.consumed}
        variables = [Variable(k, v) for k, v in kept.items() if k not in self.secrets]
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
        if TOKEN_META in meta:  # a token request our export wrote for an OAuth2 auth
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
        kind = declared.partition(" ")[0]
        auth = None
        if declared and kind not in MERGED:
            auth = self._declared(declared, rest, params, where)
        if auth is None:
            found = self._header_auth(rest, where)
            auth = self._declared(declared, rest, params, where, found) if kind in MERGED else found
        return replace(
            start,
            params=tuple(params),
            headers=self.vault.headers(tuple(rest), where),
            body=body,
            auth=self.vault.auth(auth, where),
        )

    def _declared(
        self,
        text: str,
        headers: list[KeyValue],
        params: list[KeyValue],
        where: str,
        found: AuthSpec | None = None,
    ) -> AuthSpec | None:
        """The auth an ``# @auth TYPE {settings}`` line declares (see ``_AuthWriter``): OAuth2's
        and Digest's settings on top of those the ``Authorization`` header (and httpyac's
        variables) gave (``found``), the token's header or query parameter dropped; an API
        key's value taken out of the header, query row or cookie it names."""
        kind, _, raw = text.partition(" ")
        try:
            settings = json.loads(raw) if raw.strip() else {}
        except ValueError:
            settings = None
        if not kind or not isinstance(settings, dict):
            self.warnings.append(f"{where}: '# @auth {text[:40]}' is not an auth; ignored")
            return found
        values = {str(k): str(v) for k, v in settings.items()}
        if kind in MERGED:
            base = dict(found.params) if found is not None and found.type == kind else {}
            merged = base | values
            headers[:] = [h for h in headers if h.name.lower() != "authorization"]
            if merged.get("add_token_to") == "query":
                params[:] = [p for p in params if p.name != "access_token"]
            return complete(kind, merged)
        if kind != "api-key":
            return AuthSpec(kind, tuple(values.items()))
        key, where_in = values.get("key", ""), values.get("in", "header")
        if where_in == "cookie":
            return self._cookie_key(key, headers, where)
        rows = params if where_in == "query" else headers
        fold = str.lower if where_in == "header" else str  # header names ignore case
        matching = [i for i, row in enumerate(rows) if fold(row.name) == fold(key)]
        if not matching:
            self.warnings.append(f"{where}: the API key {where_in} {key!r} is missing; ignored")
            return None
        value = rows.pop(matching[-1]).value
        return AuthSpec("api-key", (("key", key), ("value", value), ("in", where_in)))

    def _cookie_key(self, key: str, headers: list[KeyValue], where: str) -> AuthSpec | None:
        """A cookie API key: its pair taken out of the ``Cookie`` header (dropped if empty)."""
        for index, header in enumerate(headers):
            if header.name.lower() != "cookie":
                continue
            pairs = [pair.strip() for pair in header.value.split(";")]
            for n, pair in enumerate(pairs):
                name, sep, value = pair.partition("=")
                if sep and name.strip() == key:
                    left = "; ".join(pairs[:n] + pairs[n + 1 :])
                    if left:
                        headers[index] = replace(header, value=left)
                    else:
                        del headers[index]
                    return AuthSpec("api-key", (("key", key), ("value", value), ("in", "cookie")))
        self.warnings.append(f"{where}: the API key cookie {key!r} is missing; ignored")
        return None

    def _header_auth(self, headers: list[KeyValue], where: str) -> AuthSpec | None:
        """The auth the first ``Authorization`` header that says one holds, taken out of
        ``headers``: Basic, Bearer, httpyac's Digest, AWS and OAuth2 (``oauth2 FLOW
        [PREFIX]`` with its ``@PREFIX_*`` variables)."""
        for index, header in enumerate(headers):
            if header.name.lower() != "authorization":
                continue
            found = _auth_from_header(header.value) or self._oauth2_header(header.value, where)
            if found is not None:
                del headers[index]
                return found
        return None

    def _oauth2_header(self, value: str, where: str) -> AuthSpec | None:
        """httpyac's ``Authorization: oauth2 FLOW [PREFIX]`` as OAuth2 auth built from the
        ``PREFIX_*`` variables (``oauth2_*`` by default, and as the fallback, as in httpyac)."""
        match = OAUTH2_HEADER.match(value)
        if match is None:
            return None
        params = {"grant_type": FLOWS_IN[match["flow"].lower()]}
        if params["grant_type"] == "implicit":
            self.warnings.append(f"{where}: {IMPLICIT}")
            params |= {"grant_type": "authorization_code", "pkce": PKCE}
        if match["exchange"]:
            self.warnings.append(f"{where}: OAuth2 token exchange is not supported; not imported")
        found = self._prefixed(match["prefix"] or OAUTH2)
        params |= {HTTPYAC_OAUTH2[k]: v for k, v in found.items() if k in HTTPYAC_OAUTH2}
        for name, table in HTTPYAC_SWITCHES.items():
            if name in found:
                params[table[0]] = table[1] if found[name].lower() == "true" else table[2]
        left = [k for k, v in found.items() if k in HTTPYAC_OTHER and v and k != "keepAlive"]
        note = not_imported(where, OAUTH2, left, "no equivalent here")
        if note:
            self.warnings.append(note)
        return complete(OAUTH2, params)

    def _prefixed(self, prefix: str) -> dict[str, str]:
        """httpyac's OAuth2 variables of ``prefix`` by their short names, read as httpyac reads
        them (any case; ``oauth2_`` ones for those ``prefix`` lacks); each one read is kept
        out of the collection's variables."""
        lowered = {name.lower(): name for name in self.variables}
        found: dict[str, str] = {}
        for short in (*HTTPYAC_OAUTH2, *HTTPYAC_SWITCHES, *HTTPYAC_OTHER):
            for head in dict.fromkeys((prefix, OAUTH2)):
                name = lowered.get(f"{head}_{short}".lower())
                if name is not None:
                    found[short] = self.variables[name]
                    self.consumed.add(name)
                    break
        return found


def _request_line(line: str) -> re.Match[str] | None:
    """``METHOD URL`` with a known method (or any upper-case one before a URL), or a URL alone;
    anything else (a stray word, prose) is not a request."""
    match = REQUEST_LINE.match(line)
    if match is None or match["method"] in METHODS or URL_LIKE.match(match["url"]):
        return match
    return None


def _auth_from_header(value: str) -> AuthSpec | None:
    """Basic and Bearer as every tool writes them; Digest and AWS as httpyac does
    (``Digest user:password``, ``AWS key secret [token:T] [region:R] [service:S]``)."""
    scheme, _, credential = value.partition(" ")
    credential, scheme = credential.strip(), scheme.lower()
    if scheme == "bearer" and credential and " " not in credential:
        return AuthSpec("bearer", (("token", credential),))
    if scheme == "basic":
        match = re.match(r"^([^\s:]*)\s*[\s:]\s*(.*)$", credential)
        if match:
            return AuthSpec("basic", (("username", match[1]), ("password", match[2])))
    if scheme == "digest" and not re.search(r'\w="', credential):  # not a computed answer
        match = DIGEST_COLON.match(credential) or DIGEST_SPACE.match(credential)
        if match:
            return complete("digest", {"username": match[1], "password": match[2]})
    if scheme == "aws":
        match = AWS_HEADER.match(credential)
        if match and match["access_key"] and match["secret_key"]:
            return complete("awsv4", {k: v for k, v in match.groupdict().items() if v is not None})
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

    Basic and bearer are the ``Authorization`` header every tool understands; Digest and AWS the
    header httpyac understands. An API key is its header, query row or cookie plus ``# @auth
    api-key {"key": ..., "in": ...}`` saying which it is; a type the tools cannot send is its
    settings only (OAuth2: ``_AuthWriter``). Other tools ignore ``# @auth``; our importer reads
    the auth back from it."""
    if auth is None or auth.type == "none":
        return [], [], []
    if auth.type == "basic":
        value = f"Basic {auth.get('username')}:{auth.get('password')}"
        return [KeyValue("Authorization", value)], [], []
    if auth.type == "bearer":
        return [KeyValue("Authorization", f"Bearer {auth.get('token')}")], [], []
    if auth.type == "digest":
        value = f"Digest {auth.get('username')}:{auth.get('password')}"
        rest = {
            k: v
            for k, v in auth.params
            if k not in ("username", "password") and v != default("digest", k)
        }
        return [KeyValue("Authorization", value)], [], [_auth_meta("digest", rest)] if rest else []
    if auth.type == "awsv4":
        return [KeyValue("Authorization", _aws_value(auth))], [], []
    if auth.type == "api-key":
        where = auth.get("in") if auth.get("in") in ("query", "cookie") else "header"
        meta = [_auth_meta("api-key", {"key": auth.get("key"), "in": where})]
        if where == "cookie":
            return [KeyValue("Cookie", f"{auth.get('key')}={auth.get('value')}")], [], meta
        row = KeyValue(auth.get("key"), auth.get("value"))
        return ([], [row], meta) if where == "query" else ([row], [], meta)
    return [], [], [_auth_meta(auth.type, dict(auth.params))]


def _aws_value(auth: AuthSpec) -> str:
    """httpyac's ``AWS key secret [token:T] [region:R] [service:S]``; an empty part, or one at
    the schema's default, is left out (httpyac's signer and our import then use the default)."""
    value = f"AWS {auth.get('access_key')} {auth.get('secret_key')}"
    for name, label in (("session_token", "token"), ("region", "region"), ("service", "service")):
        if auth.get(name) not in ("", default("awsv4", name)):
            value += f" {label}:{auth.get(name)}"
    return value


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


def _request_lines(
    spec: RequestSpec, trail: tuple[str, ...], auth: AuthSpec | None, writer: _AuthWriter
) -> list[str]:
    lines = [f"### {spec.name}"]
    lines += [f"# {line}" if line else "#" for line in spec.docs.split("\n") if spec.docs]
    if trail:
        lines.append(f"# @folder {'/'.join(trail)}")
    if not spec.follow_redirects:
        lines.append("# @no-redirect")
    if not spec.verify_tls:
        lines.append("# @no-reject-unauthorized")
    auth_headers, auth_params, meta = writer.rows(spec.auth or auth)
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
    where that cannot send what the app sends, as a named token request (``_token_request``).
    The collection's own OAuth2 auths are written the same ways (``_AuthWriter``)."""
    lines = [f"# @collection {tree.name}"]
    lines += [
        f"# {line}" if line else "#" for line in tree.description.split("\n") if tree.description
    ]
    lines += [f"# @secret {v.name}" for v in tree.variables if v.secret]
    lines += [f"@{v.name} = {v.value}" for v in tree.variables if not v.secret]
    token_block: list[str] = []
    taken = False
    if provider is not None:
        grant = provider.grant
        token = None
        if grant is not None:
            builtin = _builtin_oauth2(grant)
            if builtin is not None:
                lines += [f"@{name} = {value}" for name, value in builtin]
                token = AuthSpec(_TOKEN, (("flow", grant.grant_type),))
                taken = True
            else:
                token_block = _token_request(grant)
                token = AuthSpec(_TOKEN, (("ref", TOKEN_REQUEST),))
        tree = bind(tree, provider, token)
    writer = _AuthWriter(_effective_auths(tree, tree.auth), taken=taken)
    body: list[str] = []

    def walk(
        folder: Folder,
        trail: tuple[str, ...],
        auth: AuthSpec | None,
        inherited: tuple[KeyValue, ...],
    ) -> None:
        for item in folder.items:
            if isinstance(item, SavedRequest):
                spec = replace(item.spec, headers=(*inherited, *item.spec.headers))
                body.extend(_request_lines(spec, trail, auth, writer))
            else:
                walk(item, (*trail, item.name), item.auth or auth, (*inherited, *item.headers))

    walk(tree, (), tree.auth, tree.headers)
    lines += [*writer.head, "", *token_block, *writer.blocks, *body]
    return "\n".join(lines).rstrip("\n") + "\n"


class _AuthWriter:
    """The rows that carry each request's auth, and what the file's head needs for them: the
    collection's own OAuth2 auths as httpyac's OAuth2 where it sends what the app sends
    (``Authorization: oauth2 FLOW [PREFIX]`` and ``@PREFIX_*`` variables), else as a token
    request of their own (headless grants) or ``{{access_token}}``; ``# @auth oauth2 {...}``
    carries the settings httpyac's variables do not, so our import reads the auth back whole.

    One configuration uses httpyac's default ``oauth2_*`` variables; several use ``oauth2_1_*``,
    ``oauth2_2_*`` ..., none the default, because httpyac fills a prefix's missing variables
    from ``oauth2_*`` (so empty ones are simply left out). With a provider's grant on
    ``oauth2_*``, the auths' empty settings would be filled from it: a limit of the format."""

    def __init__(self, auths: list[AuthSpec], *, taken: bool) -> None:
        self.head: list[str] = []
        self.blocks: list[str] = []
        self.requests: set[str] = set()
        configs = [_httpyac_oauth2(dict(a.params)) for a in auths if a.type == OAUTH2]
        keys = list(dict.fromkeys(tuple(c[1].items()) for c in configs if c is not None))
        single = len(keys) == 1 and not taken
        self.prefixes = {
            key: OAUTH2 if single else f"{OAUTH2}_{n}" for n, key in enumerate(keys, 1)
        }
        for key, prefix in self.prefixes.items():
            self.head += [f"@{prefix}_{short} = {value}" for short, value in key if value]

    def rows(self, auth: AuthSpec | None) -> tuple[list[KeyValue], list[KeyValue], list[str]]:
        if auth is not None and auth.type == _TOKEN:
            return _token_rows(auth)
        if auth is None or auth.type != OAUTH2:
            return _auth_rows(auth)
        params = dict(auth.params)
        builtin = _httpyac_oauth2(params)
        if builtin is not None:
            flow, variables, rest = builtin
            prefix = self.prefixes[tuple(variables.items())]
            value = f"oauth2 {flow}" + ("" if prefix == OAUTH2 else f" {prefix}")
            meta = [_auth_meta(OAUTH2, rest)] if rest else []
            return [KeyValue("Authorization", value)], [], meta
        meta = [_auth_meta(OAUTH2, params)]
        token = params.get("access_token", "")
        grant = auth_grant(auth)
        if not token and grant is not None:
            name = token_name(auth)
            if name not in self.requests:
                self.requests.add(name)
                self.blocks += _token_request(grant, name, marked=True)
            token = f"{{{{{name}.access_token}}}}"
            meta.append(f"# @ref {name}")
        token = token or "{{access_token}}"
        if params.get("add_token_to") == "query":
            return [], [KeyValue("access_token", token)], meta
        value = f"{params.get('header_prefix', 'Bearer')} {token}".strip()
        return [KeyValue("Authorization", value)], [], meta


def _effective_auths(folder: Folder, auth: AuthSpec | None) -> list[AuthSpec]:
    """Each request's auth, its own or the nearest folder's above it (as ``export_http``)."""
    found: list[AuthSpec] = []
    for item in folder.items:
        if isinstance(item, Folder):
            found += _effective_auths(item, item.auth or auth)
        else:
            found += [a for a in (item.spec.auth or auth,) if a is not None]
    return found


def _httpyac_oauth2(params: dict[str, str]) -> tuple[str, dict[str, str], dict[str, str]] | None:
    """An OAuth2 auth as httpyac's own: its flow, its variables by httpyac's short names and the
    settings they do not carry (those not at the schema's default); None when httpyac would not
    send what the app sends (another grant, a static token, a token that is not a Bearer
    header, a ``private_key_jwt`` client, no token URL, extra parameters of a grant that a token
    request of our own sends exactly)."""
    grant = params.get("grant_type") or default(OAUTH2, "grant_type")
    method = params.get("client_auth") or default(OAUTH2, "client_auth")
    unsent = params.get("access_token") or (grant in HEADLESS and params.get("extra_params"))
    if grant not in FLOWS_OUT or unsent or method == "private_key_jwt":
        return None
    prefix = params.get("header_prefix", default(OAUTH2, "header_prefix"))
    if prefix != "Bearer" or params.get("add_token_to", "header") != "header":
        return None
    if not params.get("token_url"):
        return None
    variables: dict[str, str] = {}
    for short, name in HTTPYAC_OAUTH2.items():
        value = params.get(name, "")
        if name != "redirect_uri" or re.match(r"^[a-z][\w+.-]*://[^/]*:\d+", value):
            variables[short] = value
    if method == "none":  # a public client: httpyac must send no secret
        variables["clientSecret"] = ""
    pkce = params.get("pkce", "")
    if pkce in (PKCE, NO_PKCE):
        variables["usePkce"] = "true" if pkce == PKCE else "false"
    variables["useAuthorizationHeader"] = "true" if method == BASIC else "false"
    carried = {HTTPYAC_OAUTH2[k] for k in variables if k in HTTPYAC_OAUTH2} | {"grant_type"}
    carried -= {"client_secret"} if method == "none" else set()
    carried |= {"pkce"} if "usePkce" in variables else set()
    carried |= {"client_auth"} if method in (BASIC, POST) else set()
    rest = {k: v for k, v in params.items() if k not in carried and v != default(OAUTH2, k)}
    return FLOWS_OUT[grant], variables, rest


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


def _token_request(
    grant: TokenGrant, name: str = TOKEN_REQUEST, *, marked: bool = False
) -> list[str]:
    """The grant as a request named ``name``; each request that needs the token names it with
    ``# @ref`` and sends ``Bearer {{NAME.access_token}}``. ``marked`` (an OAuth2 auth's own
    token request) adds ``# @token-request``, so our import leaves the request out."""
    lines = [f"### {name}", f"# @name {name}"]
    lines += [f"# @{TOKEN_META}"] if marked else []
    lines.append(f"POST {grant.token_url}")
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
