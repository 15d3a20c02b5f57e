"""Postman Collection v2.0/v2.1 and Postman environments: import, and export as v2.1.

Mapping (details in docs/formats.md): folders ⇄ folders, requests ⇄ request files, the URL's
query table ⇄ params, disabled rows kept, descriptions ⇄ docs, auth types ``noauth basic bearer
apikey oauth2 digest awsv4`` ⇄ ``none basic bearer api-key oauth2 digest awsv4`` with the
parameters of ``auth.schema`` under Postman's names (``SETTINGS_IN``; OAuth2's grant, PKCE,
client authentication, token place and token request parameters in Postman's words; what has
no place here is reported; other types kept by name and parameters, exported unchanged),
body modes ``raw urlencoded formdata file graphql`` ⇄ json/raw, form, multipart, binary-file.
Scripts (``event``) and saved example responses are reported, not imported. Literal secrets
(in auth, credential headers, parameters, fields, variables: ``common.protect``) are moved to
secret variables; exported secret variables are empty. newman never fetches an OAuth2 token,
so an OAuth2 auth it could fetch one for gets a pre-request script that does (``_Exporter``;
our import recognises and leaves out those scripts). A collection bound to a provider exports
with the provider's auth and headers (``export_postman``).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import replace
from typing import Any

from explorer.core import safe_parse
from explorer.core.auth.schema import auth_type, unsupported
from explorer.core.confinement import file_notes
from explorer.core.errors import FormatError
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
    split_params,
    token_name,
)
from explorer.core.formats.common import (
    ImportResult,
    JsonShapes,
    SecretVault,
    absorb_content_type,
    emit_content_type,
    guarded,
    parse_json,
    protect,
)
from explorer.core.formats.provider_export import ProviderExport, TokenGrant, auth_grant, bind
from explorer.core.models import (
    DEFAULT_MAX_REDIRECTS,
    AuthSpec,
    Body,
    BodyMode,
    FormField,
    KeyValue,
    RequestSpec,
)
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.model import Folder, SavedRequest, Variable

SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
AUTH_IN = {"noauth": "none", "apikey": "api-key"}
AUTH_OUT = {v: k for k, v in AUTH_IN.items()}
#: Postman's names of auth settings → the auth schema's, per type; the others are reported.
SETTINGS_IN: dict[str, dict[str, str]] = {
    "oauth2": {
        "accessTokenUrl": "token_url",
        "authUrl": "auth_url",
        "clientId": "client_id",
        "clientSecret": "client_secret",
        "scope": "scope",
        "redirect_uri": "redirect_uri",
        "callbackUrl": "redirect_uri",
        "audience": "audience",
        "resource": "resource",
        "username": "username",
        "password": "password",
        "accessToken": "access_token",
        "refreshToken": "refresh_token",
        "headerPrefix": "header_prefix",
    },
    "digest": {
        "username": "username",
        "password": "password",
        "realm": "realm",
        "nonce": "nonce",
        "algorithm": "algorithm",
        "qop": "qop",
        "nonceCount": "nonce_count",
        "clientNonce": "client_nonce",
        "opaque": "opaque",
    },
    "awsv4": {
        "accessKey": "access_key",
        "secretKey": "secret_key",
        "sessionToken": "session_token",
        "region": "region",
        "service": "service",
    },
}
SETTINGS_OUT = {
    kind: {ours: theirs for theirs, ours in names.items() if theirs != "callbackUrl"}
    for kind, names in SETTINGS_IN.items()
}
#: OAuth2 settings Postman has no name for, written and read back under the schema's names.
OAUTH2_OWN = ("issuer", "device_url", "client_auth", "private_key", "pkce", "extra_params")
#: Postman OAuth2 settings that need nothing here (the app always opens the system browser,
#: names no token, and sends any token type as the header prefix says).
OAUTH2_NOTHING = ("useBrowser", "tokenName", "id")
#: Postman OAuth2 settings that are lists of parameters.
OAUTH2_LISTS = ("tokenRequestParams", "authRequestParams", "refreshRequestParams")
GRANTS_IN = {
    "password_credentials": "password",
    "authorization_code_with_pkce": "authorization_code",
}
GRANTS_OUT = {"password": "password_credentials"}
CLIENT_AUTH_IN = {"header": BASIC, "body": POST}
CLIENT_AUTH_OUT = {v: k for k, v in CLIENT_AUTH_IN.items()}
TOKEN_TO_IN = {"header": "header", "queryParams": "query"}
TOKEN_TO_OUT = {v: k for k, v in TOKEN_TO_IN.items()}
AUTH_SCRIPT = "// API Explorer: this auth's OAuth2 token request"
_TOKEN_CONSTANT = re.compile(r'^const TOKEN = "([^"\\]+)";$', re.MULTILINE)
LANGUAGES = (("json", "json"), ("xml", "xml"), ("html", "html"), ("javascript", "javascript"))
_USERINFO = re.compile(r"^([A-Za-z][\w+.-]*://)([^/?#]*)@")
Behaviour = dict[str, Any]
"""A ``protocolProfileBehavior`` object."""
BEHAVIOUR_KNOWN = ("followRedirects", "maxRedirects", "strictSSL", "disableBodyPruning")
WITHOUT_BODY = ("GET", "HEAD", "COPY", "PURGE", "UNLOCK")
"""The methods newman sends no body with unless ``disableBodyPruning`` is set."""
_NS = uuid.UUID("6f2b1c1e-7d1a-4f55-9a53-3c1b5f0e2a10")


# -- import ----------------------------------------------------------------------------------
class _Importer(JsonShapes):
    def __init__(self, source: str, tokens: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.warnings: list[str] = []
        self.vault = SecretVault()
        self.tokens = tokens  # the variables our export's OAuth2 scripts keep tokens in

    def text(self, value: Any, where: str) -> str:
        if isinstance(value, dict) and isinstance(value.get("content"), str):
            return str(value["content"])  # a description object
        return super().text(value, where)

    def rows(self, value: Any, where: str) -> tuple[KeyValue, ...]:
        if isinstance(value, str):  # v2.0 allowed "Name: value" lines
            pairs = (line.partition(":") for line in value.splitlines() if line.strip())
            return tuple(KeyValue(n.strip(), v.strip()) for n, _, v in pairs)
        rows = []
        for i, raw in enumerate(self.array(value, where)):
            row = self.mapping(raw, f"{where}[{i}]")
            rows.append(
                KeyValue(
                    self.text(row.get("key"), f"{where}[{i}].key"),
                    self.text(row.get("value"), f"{where}[{i}].value"),
                    not row.get("disabled", False),
                )
            )
        return tuple(rows)

    def variables(self, value: Any, where: str) -> tuple[Variable, ...]:
        found = []
        for i, raw in enumerate(self.array(value, where)):
            row = self.mapping(raw, f"{where}[{i}]")
            name = self.text(row.get("key", row.get("id")), f"{where}[{i}].key")
            if not name or name in self.tokens or name.removesuffix("_expires") in self.tokens:
                continue
            if row.get("type") == "secret":
                found.append(Variable(name, secret=True))
                if row.get("value"):
                    self.vault.values[name] = self.text(row.get("value"), f"{where}[{i}].value")
            else:
                found.append(Variable(name, self.text(row.get("value"), f"{where}[{i}].value")))
        return tuple(found)

    def auth(self, value: Any, where: str) -> AuthSpec | None:
        if value is None:
            return None
        data = self.mapping(value, where)
        kind = self.text(data.get("type"), f"{where}.type")
        if not kind or kind == "inherit":
            return None
        values = self.auth_values(data.get(kind), f"{where}.{kind}")
        if kind == OAUTH2:
            mapped = self.oauth2(values, where)
        else:
            params = self.scalars(kind, values, where)
            mapped = self.renamed(AUTH_IN.get(kind, kind), params, where)
        if auth_type(mapped.type) is None:
            self.warnings.append(f"{where}: {unsupported(mapped.type)}")
        return self.vault.auth(mapped, where)

    def auth_values(self, raw: Any, where: str) -> dict[str, Any]:
        """An auth's settings by name: v2.1 writes ``[{key, value, type}]``, v2.0 an object."""
        if isinstance(raw, list):
            values: dict[str, Any] = {}
            for i, item in enumerate(raw):
                entry = self.mapping(item, f"{where}[{i}]")
                values[self.text(entry.get("key"), f"{where}[{i}].key")] = entry.get("value")
            return values
        if isinstance(raw, dict):
            return {str(k): v for k, v in raw.items()}
        if raw is not None:
            raise self.fail(where, "an array or object")
        return {}

    def scalars(
        self, kind: str, values: dict[str, Any], where: str, lists: tuple[str, ...] = ()
    ) -> dict[str, str]:
        """The settings as text; a list or object other than the ``lists`` read elsewhere is
        reported."""
        params, nested = {}, []
        for key, raw in values.items():
            if key in lists:
                continue
            if isinstance(raw, dict | list):
                nested.append(key)
            else:
                params[key] = self.text(raw, f"{where}.{kind}.{key}")
        note = not_imported(where, kind, nested, "they are not text")
        if note:
            self.warnings.append(note)
        return params

    def renamed(self, kind: str, params: dict[str, str], where: str) -> AuthSpec:
        """Digest and AWS settings by the schema's names (the others reported); an API key
        written as a ``Cookie`` header (how a cookie API key is exported) back in a cookie;
        other types as they are."""
        if kind == "api-key" and params.get("in", "header") == "header":
            pair = _cookie_pair(params.get("key", ""), params.get("value", ""))
            if pair is not None:
                return AuthSpec(kind, (("key", pair[0]), ("value", pair[1]), ("in", "cookie")))
        names = SETTINGS_IN.get(kind)
        if names is None:
            return AuthSpec(kind, tuple(params.items()))
        mapped = {names[k]: v for k, v in params.items() if k in names}
        left = [k for k, v in params.items() if k not in names and v and v != "false"]
        why = {
            "digest": "the request is always repeated once after the server's challenge",
            "awsv4": "requests are signed in headers",
        }.get(kind, "no equivalent here")
        note = not_imported(where, kind, left, why)
        if note:
            self.warnings.append(note)
        return complete(kind, mapped)

    def oauth2(self, values: dict[str, Any], where: str) -> AuthSpec:
        """Postman's OAuth2 settings as the schema's: the grant (with PKCE and implicit folded
        in), the client authentication, where the token goes, the token request's body
        parameters; settings with no equivalent are reported."""
        names = SETTINGS_IN[OAUTH2]
        text = self.scalars(OAUTH2, values, where, OAUTH2_LISTS)
        params: dict[str, str] = {}
        self.oauth2_grant(text, params, where)
        left: list[str] = []
        for key, value in text.items():
            if key in names:
                params[names[key]] = value
            elif key in OAUTH2_OWN:
                params[key] = value
            elif value and key not in OAUTH2_NOTHING and not _default_token_type(key, value):
                left.append(key)
        self.oauth2_extras(values, params, where)
        if params.get("access_token") in {f"{{{{{t}}}}}" for t in self.tokens}:
            params["access_token"] = ""  # the token our export's script fetches
        self.oauth2_leftovers(left, params, text, where)
        for name in ("grant_type", "client_auth", "pkce", "add_token_to"):
            if name in params and oauth2_value(name, params[name], where, self.warnings) is None:
                del params[name]
        return complete(OAUTH2, params)

    def oauth2_grant(self, text: dict[str, str], params: dict[str, str], where: str) -> None:
        """``grant_type``, ``challengeAlgorithm``, ``client_authentication`` and ``addTokenTo``
        (taken out of ``text``) as the schema's grant, PKCE, client auth and token place."""
        grant = text.pop("grant_type", "")
        method = text.pop("challengeAlgorithm", "")
        if grant == "implicit":
            self.warnings.append(f"{where}: {IMPLICIT}")
            grant = "authorization_code_with_pkce"
        if grant == "authorization_code":
            params["pkce"] = NO_PKCE
        elif grant == "authorization_code_with_pkce":
            params["pkce"] = PKCE
            if method and method != PKCE:
                self.warnings.append(
                    f"{where}: the PKCE method {method} is not supported; S256 is used"
                )
        if grant:
            params["grant_type"] = GRANTS_IN.get(grant, grant)
        client = text.pop("client_authentication", "")
        if client:
            params["client_auth"] = CLIENT_AUTH_IN.get(client, client)
        place = text.pop("addTokenTo", "")
        if place:
            params["add_token_to"] = TOKEN_TO_IN.get(place, place)

    def oauth2_extras(self, values: dict[str, Any], params: dict[str, str], where: str) -> None:
        """``tokenRequestParams`` sent in the body become ``extra_params``; rows sent as
        headers or in the URL, disabled rows and the authorization request's and refresh
        request's parameters are reported."""
        pairs, left = [], []
        for key in OAUTH2_LISTS:
            for i, raw in enumerate(self.array(values.get(key), f"{where}.oauth2.{key}")):
                row = self.mapping(raw, f"{where}.oauth2.{key}[{i}]")
                name = self.text(row.get("key"), f"{where}.oauth2.{key}[{i}].key")
                value = self.text(row.get("value"), f"{where}.oauth2.{key}[{i}].value")
                body = row.get("send_as", "request_body") == "request_body"
                if key == "tokenRequestParams" and body and row.get("enabled", True) is True:
                    pairs.append((name, value))
                elif name:
                    left.append(f"{key}.{name}")
        if pairs:
            params["extra_params"] = join_params(pairs)
        note = not_imported(where, OAUTH2, left, "only token request body parameters are sent")
        if note:
            self.warnings.append(note)

    def oauth2_leftovers(
        self, left: list[str], params: dict[str, str], text: dict[str, str], where: str
    ) -> None:
        """Reports the settings that were not mapped, grouped by why."""
        if "refreshTokenUrl" in left and text["refreshTokenUrl"] == params.get("token_url"):
            left.remove("refreshTokenUrl")
        for why in dict.fromkeys(map(_unmapped_reason, left)):
            names = [key for key in left if _unmapped_reason(key) == why]
            note = not_imported(where, OAUTH2, names, why)
            if note:
                self.warnings.append(note)

    def url(self, value: Any, where: str) -> tuple[str, tuple[KeyValue, ...]]:
        if value is None:
            return "", ()
        if isinstance(value, str):
            return self.userinfo(value, where), ()
        data = self.mapping(value, where)
        raw = data.get("raw")
        query = data.get("query")
        if isinstance(raw, str) and raw.strip():
            base = raw.split("?", 1)[0] if isinstance(query, list) else raw
        else:  # the SDK builds the URL from its parts; a blank raw says nothing
            base = self._build_url(data, where)
        params = self.rows(query, f"{where}.query") if isinstance(query, list) else ()
        if isinstance(query, list) and _bare_keys(query):
            base, params = _with_bare_keys(base, query, params)
        for i, raw_var in enumerate(self.array(data.get("variable"), f"{where}.variable")):
            var = self.mapping(raw_var, f"{where}.variable[{i}]")
            key = self.text(var.get("key"), f"{where}.variable[{i}].key")
            val = self.text(var.get("value"), f"{where}.variable[{i}].value")
            if key:
                base = re.sub(rf":{re.escape(key)}(?=/|$)", val or f"{{{{{key}}}}}", base)
        return self.userinfo(base, where), params

    def userinfo(self, url: str, where: str) -> str:
        """A password written in the URL (``user:password@host``) moved to a secret variable,
        the URL otherwise as written (the client sends it as basic auth)."""
        found = _USERINFO.match(url)
        user, sep, password = found.group(2).partition(":") if found else ("", "", "")
        if found is None or not sep or not password:
            return url
        moved = self.vault.slot("url_password", password, where, "the password in the URL")
        return f"{found.group(1)}{user}:{moved}@{url[found.end() :]}"

    def _build_url(self, data: dict[str, Any], where: str) -> str:
        def parts(value: Any, key: str) -> list[str]:
            if isinstance(value, str):
                return [value]
            return [
                self.text(p.get("value") if isinstance(p, dict) else p, f"{where}.{key}")
                for p in self.array(value, f"{where}.{key}")
            ]

        protocol = self.text(data.get("protocol"), f"{where}.protocol")
        host = ".".join(parts(data.get("host"), "host"))
        port = self.text(data.get("port"), f"{where}.port")
        path = "/".join(parts(data.get("path"), "path"))
        url = f"{protocol}://" if protocol else ""
        url += host + (f":{port}" if port else "")
        return url + (f"/{path}" if path else "")

    def body(self, value: Any, where: str) -> Body:
        if value is None:
            return Body()
        data = self.mapping(value, where)
        if data.get("disabled"):
            return Body()
        mode = data.get("mode")
        if mode == "raw":
            text = self.text(data.get("raw"), f"{where}.raw")
            options = data.get("options")
            language = ""
            if isinstance(options, dict) and isinstance(options.get("raw"), dict):
                language = self.text(options["raw"].get("language"), f"{where}.options.raw")
            if not text:
                return Body()
            return Body(BodyMode.JSON if language == "json" else BodyMode.RAW, text)
        if mode == "urlencoded":
            rows = self.rows(data.get("urlencoded"), f"{where}.urlencoded")
            return Body(
                BodyMode.FORM, fields=tuple(FormField(r.name, r.value, r.enabled) for r in rows)
            )
        if mode == "formdata":
            return Body(BodyMode.MULTIPART, fields=self._formdata(data.get("formdata"), where))
        if mode == "file":
            file = self.mapping(data.get("file") or {}, f"{where}.file")
            src = file.get("src")
            if not isinstance(src, str) or not src:
                self.warnings.append(f"{where}: the file body names no file; choose one")
            return Body(BodyMode.BINARY_FILE, file=src if isinstance(src, str) else None)
        if mode == "graphql":
            gql = self.mapping(data.get("graphql") or {}, f"{where}.graphql")
            query = self.text(gql.get("query"), f"{where}.graphql.query")
            variables = gql.get("variables") or "{}"
            try:
                parsed = safe_parse.loads(variables) if isinstance(variables, str) else variables
            except ValueError:
                parsed = {}
            self.warnings.append(f"{where}: the GraphQL body became a JSON body")
            return Body(BodyMode.JSON, json.dumps({"query": query, "variables": parsed}, indent=2))
        if mode is not None:
            self.warnings.append(f"{where}: body mode {mode!r} is not supported; it was dropped")
        return Body()

    def _formdata(self, value: Any, where: str) -> tuple[FormField, ...]:
        fields = []
        for i, raw in enumerate(self.array(value, f"{where}.formdata")):
            row = self.mapping(raw, f"{where}.formdata[{i}]")
            at = f"{where}.formdata[{i}]"
            is_file = row.get("type") == "file"
            if is_file:
                src = row.get("src")
                if isinstance(src, list):
                    src = src[0] if src else ""
                value_text = self.text(src, f"{at}.src")
            else:
                value_text = self.text(row.get("value"), f"{at}.value")
            content_type = row.get("contentType")
            fields.append(
                FormField(
                    self.text(row.get("key"), f"{at}.key"),
                    value_text,
                    not row.get("disabled", False),
                    is_file,
                    self.text(content_type, f"{at}.contentType") if content_type else None,
                )
            )
        return tuple(fields)

    def request(
        self, item: dict[str, Any], where: str, seq: int, inherited: Behaviour
    ) -> SavedRequest:
        name = self.text(item.get("name"), f"{where}.name") or "request"
        raw = item.get("request")
        data = {"url": raw} if isinstance(raw, str) else self.mapping(raw or {}, f"{where}.request")
        at = f"{where}.request"
        url, params = self.url(data.get("url"), f"{at}.url")
        method = self.text(data.get("method"), f"{at}.method").upper() or "GET"
        behaviour = self.merged(inherited, item, where)
        body = self.pruned(self.body(data.get("body"), f"{at}.body"), method, behaviour, where)
        headers, body = absorb_content_type(self.rows(data.get("header"), f"{at}.header"), body)
        headers = self.vault.headers(headers, f"{at}.header")
        if _foreign_scripts(item.get("event")):
            self.warnings.append(f"{where}: scripts are not imported")
        docs = self.text(data.get("description"), f"{at}.description") or self.text(
            item.get("description"), f"{where}.description"
        )
        spec = RequestSpec(
            method=method,
            url=url,
            name=name,
            params=params,
            headers=headers,
            body=body,
            auth=self.auth(data.get("auth"), f"{at}.auth"),
            docs=docs,
        )
        spec = self.behaviour(spec, behaviour)
        self.warnings += file_notes(spec.body, where)
        if not spec.verify_tls:
            self.warnings.append(
                f"{where}: strictSSL is false, so the request turns TLS verification off "
                "(verify_tls: false)"
            )
        return SavedRequest(spec, seq)

    def merged(self, inherited: Behaviour, node: dict[str, Any], where: str) -> Behaviour:
        """The ``protocolProfileBehavior`` a request gets: its folders' and its own, the nearer
        winning (as newman merges them); a setting the app has no option for is reported where
        it is written."""
        own = node.get("protocolProfileBehavior")
        if not isinstance(own, dict):
            return inherited
        left = sorted(k for k, v in own.items() if k not in BEHAVIOUR_KNOWN and v)
        if left:
            self.warnings.append(
                f"{where}: protocolProfileBehavior {', '.join(left)} "
                f"{'was' if len(left) == 1 else 'were'} not imported (the app has no such option)"
            )
        return {**inherited, **own}

    def pruned(self, body: Body, method: str, value: Behaviour, where: str) -> Body:
        """The body newman sends: none with GET, HEAD … unless ``disableBodyPruning``."""
        if body.mode is BodyMode.NONE or method not in WITHOUT_BODY:
            return body
        if value.get("disableBodyPruning") is True:
            return body
        self.warnings.append(
            f"{where}: Postman sends no body with {method} (disableBodyPruning is off), so the "
            "body was not imported"
        )
        return Body()

    def behaviour(self, spec: RequestSpec, value: Behaviour) -> RequestSpec:
        """``protocolProfileBehavior``: the redirect and TLS options newman honours."""
        follow = value.get("followRedirects")
        strict = value.get("strictSSL")
        limit = value.get("maxRedirects")
        return replace(
            spec,
            follow_redirects=follow if isinstance(follow, bool) else spec.follow_redirects,
            verify_tls=strict if isinstance(strict, bool) else spec.verify_tls,
            max_redirects=limit
            if isinstance(limit, int) and not isinstance(limit, bool) and 0 <= limit <= 1000
            else spec.max_redirects,
        )

    def folder(
        self,
        data: dict[str, Any],
        where: str,
        seq: int,
        depth: int = 0,
        inherited: Behaviour | None = None,
    ) -> Folder:
        if depth > 64:
            raise self.fail(where, "nested at most 64 folders deep")
        behaviour = self.merged(inherited or {}, data, where)
        items: list[Folder | SavedRequest] = []
        for i, raw in enumerate(self.array(data.get("item"), f"{where}.item")):
            at = f"{where}.item[{i}]"
            entry = self.mapping(raw, at)
            if "item" in entry:
                items.append(self.folder(entry, at, i + 1, depth + 1, behaviour))
            else:
                items.append(self.request(entry, at, i + 1, behaviour))
        if depth and _foreign_scripts(data.get("event")):
            self.warnings.append(f"{where}: folder scripts are not imported")
        return Folder(
            name=self.text(data.get("name"), f"{where}.name") or "folder",
            seq=seq,
            description=self.text(data.get("description"), f"{where}.description"),
            variables=self.variables(data.get("variable"), f"{where}.variable"),
            auth=self.auth(data.get("auth"), f"{where}.auth"),
            items=tuple(items),
        )


def import_postman(text: str, source: str = "<postman>") -> ImportResult:
    """A Postman collection (v2.0 or v2.1) or a Postman environment file."""
    return guarded(source, lambda: protect(_import(text, source)))


def _import(text: str, source: str) -> ImportResult:
    data = parse_json(text, source)
    importer = _Importer(source, frozenset(_script_tokens(data)))
    root = importer.mapping(data, "the file")
    if "values" in root and "item" not in root:
        env = _environment(importer, root)
        return ImportResult(
            Folder(env.name), (env,), tuple(importer.warnings), dict(importer.vault.values)
        )
    if "info" not in root and isinstance(root.get("requests"), list):
        raise FormatError(
            "is a Postman Collection v1 file; only v2.0 and v2.1 can be imported (open it in "
            "Postman and export it as Collection v2.1)",
            path=source,
        )
    info = importer.mapping(_info(root), "info")
    schema = importer.text(info.get("schema"), "info.schema")
    if schema and not re.search(r"/v2\.[01]\.\d/", schema):
        raise FormatError(
            f"uses schema {schema}; only Postman Collection v2.0 and v2.1 can be imported "
            "(re-export it from Postman as v2.1)",
            path=source,
        )
    tree = importer.folder(
        {**root, "name": info.get("name"), "description": info.get("description")}, "collection", 0
    )
    if _foreign_scripts(root.get("event")):
        importer.warnings.append("collection: scripts are not imported")
    secret_vars = [v for v in importer.vault.variables() if v.name not in tree.secret_names()]
    tree = replace(tree, variables=(*tree.variables, *secret_vars))
    warnings = (*importer.warnings, *importer.vault.warnings)
    return ImportResult(tree, (), warnings, dict(importer.vault.values))


def _info(root: dict[str, Any]) -> Any:
    """The collection's ``info``; a collection written for newman or the SDK may have none
    and carry its name at the top (``{"name", "item"}``)."""
    if "info" not in root and isinstance(root.get("item"), list):
        return {"name": root.get("name")}
    return root.get("info")


def _bare_keys(query: list[Any]) -> bool:
    """Whether a query table holds a key without a value (``?flag``: ``"value": null``), which
    a parameter row cannot say (it would send ``flag=``)."""
    return any(isinstance(row, dict) and row.get("value") is None for row in query)


def _with_bare_keys(
    base: str, query: list[Any], rows: tuple[KeyValue, ...]
) -> tuple[str, tuple[KeyValue, ...]]:
    """The enabled query written into the URL as Postman sends it (a bare key without ``=``),
    the disabled rows kept as parameters."""
    written = [
        row.name if raw.get("value") is None else f"{row.name}={row.value}"
        for raw, row in zip(query, rows, strict=True)
        if row.enabled
    ]
    url = f"{base}?{'&'.join(written)}" if written else base
    return url, tuple(row for row in rows if not row.enabled)


def _default_token_type(key: str, value: str) -> bool:
    """Postman's ``tokenType`` when it is bearer, which the header prefix already says."""
    return key == "tokenType" and value.lower() == "bearer"


def _cookie_pair(key: str, value: str) -> tuple[str, str] | None:
    """An API key written as the header ``Cookie: name=value`` (a cookie API key's export), as
    the cookie's name and value."""
    name, sep, rest = value.partition("=")
    if key.strip().lower() != "cookie" or not sep or not name.strip() or ";" in value:
        return None
    return name.strip(), rest


def _unmapped_reason(key: str) -> str:
    if key in PER_AUTHORIZATION:
        return "made anew for each authorization"
    if key == "refreshTokenUrl":
        return "tokens are refreshed at the token URL"
    return "no equivalent here"


def _script_token(event: Any) -> str | None:
    """The token variable of an OAuth2 script our export wrote (``AUTH_SCRIPT``), else None."""
    script = event.get("script") if isinstance(event, dict) else None
    lines = script.get("exec") if isinstance(script, dict) else None
    if isinstance(lines, str):
        lines = lines.split("\n")
    if not isinstance(lines, list) or not lines or lines[0] != AUTH_SCRIPT:
        return None
    found = _TOKEN_CONSTANT.search("\n".join(str(line) for line in lines))
    return found[1] if found else None


def _foreign_scripts(events: Any) -> bool:
    """Whether ``events`` hold scripts other than our export's OAuth2 token scripts."""
    if not isinstance(events, list):
        return bool(events)
    return any(_script_token(event) is None for event in events)


def _script_tokens(node: Any, depth: int = 0) -> set[str]:
    """The token variables of every OAuth2 script our export wrote into the collection."""
    if not isinstance(node, dict) or depth > 80:
        return set()
    events, items = node.get("event"), node.get("item")
    found = {t for t in map(_script_token, events if isinstance(events, list) else []) if t}
    for item in items if isinstance(items, list) else []:
        found |= _script_tokens(item, depth + 1)
    return found


def _environment(importer: _Importer, root: dict[str, Any]) -> EnvironmentValues:
    values: dict[str, str] = {}
    secrets: list[str] = []
    for i, raw in enumerate(importer.array(root.get("values"), "values")):
        row = importer.mapping(raw, f"values[{i}]")
        key = importer.text(row.get("key"), f"values[{i}].key")
        if not key:
            continue
        value = importer.text(row.get("value"), f"values[{i}].value")
        if row.get("type") == "secret":
            secrets.append(key)
            if value:
                importer.vault.values[key] = value
        else:
            values[key] = value
        if row.get("enabled") is False:
            importer.warnings.append(f"values[{i}]: the disabled variable {key!r} was imported")
    name = importer.text(root.get("name"), "name") or "Imported"
    return EnvironmentValues(name, values, tuple(secrets))


# -- export ----------------------------------------------------------------------------------
def _rows_out(rows: tuple[KeyValue, ...]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item: dict[str, Any] = {"key": row.name, "value": row.value, "type": "text"}
        if not row.enabled:
            item["disabled"] = True
        out.append(item)
    return out


def url_object(url: str, params: tuple[KeyValue, ...]) -> dict[str, Any]:
    """Postman's parsed URL (the SDK and newman build the request from the parts)."""
    match = re.match(r"^(?:([A-Za-z][\w+.-]*)://)?([^/?#]*)([^?#]*)(?:\?([^#]*))?", url)
    assert match is not None  # the pattern matches any string
    protocol, host, path, query = match.groups()
    query_rows: list[dict[str, Any]] = []
    for piece in query.split("&") if query is not None else ():
        key, sep, value = piece.partition("=")  # empty pieces too (Postman keeps ?&&)
        query_rows.append({"key": key, "value": value if sep else None})
    for row in params:
        item: dict[str, Any] = {"key": row.name, "value": row.value}
        if not row.enabled:
            item["disabled"] = True
        query_rows.append(item)
    enabled = [q for q in query_rows if not q.get("disabled")]
    raw_query = "&".join(
        str(q["key"]) if q["value"] is None else f"{q['key']}={q['value']}" for q in enabled
    )
    data: dict[str, Any] = {"raw": url.split("?", 1)[0] + (f"?{raw_query}" if raw_query else "")}
    if protocol:
        data["protocol"] = protocol
    userinfo, at, host = host.rpartition("@")
    if at:
        user, _, password = userinfo.partition(":")
        data["auth"] = {"user": user, "password": password}
    port_match = re.match(r"^(.*?):(\d+|\{\{[^{}]+\}\})$", host)
    if port_match:
        host, port = port_match.groups()
        data["host"] = host.split(".")
        data["port"] = port
    else:
        data["host"] = host.split(".")
    if path:
        data["path"] = path.split("/")[1:]
    if query_rows:
        data["query"] = query_rows
    return data


def _auth_out(auth: AuthSpec, token: str | None = None) -> dict[str, Any]:
    """``auth`` as Postman's auth object; ``token`` names the variable an OAuth2 auth's token
    script keeps its token in (newman sends ``accessToken``; it never fetches one itself)."""
    kind = AUTH_OUT.get(auth.type, auth.type)
    if kind == "noauth":
        return {"type": "noauth"}
    if auth.type == OAUTH2:
        return {"type": kind, kind: _oauth2_out(auth, token)}
    params = list(auth.params)
    if auth.type == "api-key" and auth.get("in") == "cookie":  # Postman has no cookie API key
        params = [("key", "Cookie"), ("value", f"{auth.get('key')}={auth.get('value')}")]
        params.append(("in", "header"))
    names = SETTINGS_OUT.get(auth.type, {})
    rows = [{"key": names.get(k, k), "value": v, "type": "string"} for k, v in params]
    return {"type": kind, kind: rows}


def _oauth2_out(auth: AuthSpec, token: str | None) -> list[dict[str, Any]]:
    """The OAuth2 settings under Postman's names: PKCE folded into the grant, the client
    authentication and token place in Postman's words, ``extra_params`` as token request body
    parameters; settings Postman has no name for under the schema's."""
    names = SETTINGS_OUT[OAUTH2]
    grant, pkce = auth.get("grant_type"), auth.get("pkce")
    rows: list[dict[str, Any]] = []
    for key, value in auth.params:
        out_key, out_value = names.get(key, key), value
        if key == "grant_type" and value == "authorization_code":
            out_value = "authorization_code" if pkce == NO_PKCE else "authorization_code_with_pkce"
        elif key == "grant_type":
            out_value = GRANTS_OUT.get(value, value)
        elif key == "pkce" and grant == "authorization_code":
            out_key, out_value = "challengeAlgorithm", value
            if value == NO_PKCE:
                continue
        elif key == "client_auth" and value in CLIENT_AUTH_OUT:
            out_key, out_value = "client_authentication", CLIENT_AUTH_OUT[value]
        elif key == "add_token_to":
            out_key, out_value = "addTokenTo", TOKEN_TO_OUT.get(value, value)
        elif key == "extra_params":
            extra = [
                {"key": k, "value": v, "enabled": True, "send_as": "request_body"}
                for k, v in split_params(value)
            ]
            rows.append({"key": "tokenRequestParams", "value": extra, "type": "any"})
            continue
        rows.append({"key": out_key, "value": out_value, "type": "string"})
    if token and not auth.get("access_token"):  # a file may leave the empty setting out
        rows = [row for row in rows if row["key"] != "accessToken"]
        rows.append({"key": "accessToken", "value": f"{{{{{token}}}}}", "type": "string"})
    return rows


def _body_out(body: Body) -> dict[str, Any] | None:
    if body.mode is BodyMode.NONE:
        return None
    if body.mode in (BodyMode.JSON, BodyMode.RAW):
        language = "json" if body.mode is BodyMode.JSON else "text"
        kind = (body.content_type or "").lower()
        if body.mode is BodyMode.RAW:
            language = next((lang for key, lang in LANGUAGES if key in kind), "text")
            if language == "json":
                language = "text"  # raw stays raw; json mode is what says "validate as JSON"
        return {"mode": "raw", "raw": body.text, "options": {"raw": {"language": language}}}
    if body.mode is BodyMode.FORM:
        return {
            "mode": "urlencoded",
            "urlencoded": [
                {
                    "key": f.name,
                    "value": f.value,
                    "type": "text",
                    **({} if f.enabled else {"disabled": True}),
                }
                for f in body.fields
            ],
        }
    if body.mode is BodyMode.MULTIPART:
        rows = []
        for f in body.fields:
            row: dict[str, Any] = {"key": f.name}
            if f.is_file:
                row.update(type="file", src=f.value)
            else:
                row.update(value=f.value, type="text")
            if f.content_type:
                row["contentType"] = f.content_type
            if not f.enabled:
                row["disabled"] = True
            rows.append(row)
        return {"mode": "formdata", "formdata": rows}
    return {"mode": "file", "file": {"src": body.file or ""}}


def _variables_out(variables: tuple[Variable, ...]) -> list[dict[str, Any]]:
    return [
        {"key": v.name, "value": "", "type": "secret"}
        if v.secret
        else {"key": v.name, "value": v.value, "type": "string"}
        for v in variables
    ]


class _Exporter:
    """Writes the tree; an OAuth2 auth whose token newman can fetch (``auth_grant``) gets a
    pre-request script on the item that holds it, keeping its token in a collection variable
    named after its settings (``tokens``), so identical auths share one token."""

    def __init__(self) -> None:
        self.tokens: dict[str, TokenGrant] = {}

    def auth(self, auth: AuthSpec, out: dict[str, Any]) -> None:
        grant = auth_grant(auth) if auth.type == OAUTH2 else None
        token = None
        if grant is not None:
            token = token_name(auth)
            self.tokens[token] = grant
            lines = token_script(grant, token, f"{token}_expires", AUTH_SCRIPT)
            out["event"] = [_prerequest(lines)]
        out["auth"] = _auth_out(auth, token)

    def request(self, saved: SavedRequest, inherited: tuple[KeyValue, ...]) -> dict[str, Any]:
        spec = saved.spec
        out: dict[str, Any] = {"name": spec.name}
        request: dict[str, Any] = {"method": spec.method}
        if spec.auth is not None:
            self.auth(spec.auth, request)
            if "event" in request:
                out["event"] = request.pop("event")
        request["header"] = _rows_out((*inherited, *emit_content_type(spec)))
        body = _body_out(spec.body)
        if body is not None:
            request["body"] = body
        request["url"] = url_object(spec.url, spec.params)
        if spec.docs:
            request["description"] = spec.docs
        out["request"] = request
        behaviour: dict[str, Any] = {}
        if not spec.follow_redirects:
            behaviour["followRedirects"] = False
        if spec.max_redirects != DEFAULT_MAX_REDIRECTS:
            behaviour["maxRedirects"] = spec.max_redirects
        if not spec.verify_tls:
            behaviour["strictSSL"] = False
        if body is not None and spec.method in WITHOUT_BODY:
            behaviour["disableBodyPruning"] = True
        if behaviour:
            out["protocolProfileBehavior"] = behaviour
        return out

    def folder(self, folder: Folder, inherited: tuple[KeyValue, ...]) -> dict[str, Any]:
        headers = (*inherited, *folder.headers)
        out: dict[str, Any] = {"name": folder.name}
        if folder.description:
            out["description"] = folder.description
        out["item"] = [
            self.request(item, headers)
            if isinstance(item, SavedRequest)
            else self.folder(item, headers)
            for item in folder.items
        ]
        if folder.auth is not None:
            self.auth(folder.auth, out)
        if folder.variables:
            out["variable"] = _variables_out(folder.variables)
        return out

    def variables(self, tree: Folder, provider: bool) -> list[dict[str, Any]]:
        """The variables the token scripts keep tokens and expiry times in."""
        names = [(TOKEN_VARIABLE, EXPIRY_VARIABLE)] if provider else []
        names += [(token, f"{token}_expires") for token in self.tokens]
        known = {v.name for v in tree.variables}
        return [
            {"key": name, "value": "", "type": kind}
            for token, expiry in names
            for name, kind in ((token, "secret"), (expiry, "string"))
            if name not in known
        ]


def _prerequest(lines: list[str]) -> dict[str, Any]:
    return {"listen": "prerequest", "script": {"type": "text/javascript", "exec": lines}}


def export_postman(tree: Folder, provider: ProviderExport | None = None) -> str:
    """The collection as Postman Collection v2.1 JSON. Folder headers, which Postman lacks, are
    copied onto each request below the folder; secret variables are exported empty. With the
    ``provider`` the collection is bound to, its auth and headers are written in (see
    ``provider_export``); an OAuth2 grant becomes ``token_script``'s pre-request script and a
    collection ``bearer {{access_token}}`` auth that requests inherit. An OAuth2 auth of the
    collection's own whose token newman can fetch gets such a script too (``_Exporter``)."""
    if provider is not None:
        token = AuthSpec("bearer", (("token", "{{access_token}}"),)) if provider.grant else None
        tree = bind(tree, provider, token)
    exporter = _Exporter()
    body = exporter.folder(tree, ())
    info: dict[str, Any] = {
        "_postman_id": str(uuid.uuid5(_NS, tree.name)),
        "name": tree.name,
        "schema": SCHEMA_V21,
    }
    if tree.description:
        info["description"] = tree.description
    out: dict[str, Any] = {"info": info, "item": body["item"]}
    for key in ("auth", "event", "variable"):
        if key in body:
            out[key] = body[key]
    grant = provider.grant if provider is not None else None
    if grant is not None:
        out["event"] = [_prerequest(token_script(grant)), *out.get("event", [])]
    extra = exporter.variables(tree, grant is not None)
    if extra:
        out["variable"] = out.get("variable", []) + extra
    return json.dumps(out, indent="\t", ensure_ascii=False) + "\n"


def export_postman_environment(env: EnvironmentValues) -> str:
    """A Postman environment file; secret variables are listed with empty values."""
    values = [
        {"key": k, "value": v, "type": "default", "enabled": True}
        for k, v in env.values.items()
        if k not in env.secret_names
    ]
    values += [{"key": k, "value": "", "type": "secret", "enabled": True} for k in env.secret_names]
    out = {
        "id": str(uuid.uuid5(_NS, f"env:{env.name}")),
        "name": env.name,
        "values": values,
        "_postman_variable_scope": "environment",
    }
    return json.dumps(out, indent="\t", ensure_ascii=False) + "\n"


TOKEN_VARIABLE = "access_token"  # noqa: S105 - a variable's name
EXPIRY_VARIABLE = "access_token_expires"
#: The pre-request script's logic; ``GRANT`` is the ``TokenGrant`` as JSON. The skew is the
#: token manager's: the lesser of ``skew_seconds`` and ``skew_fraction`` of the lifetime.
_SCRIPT = """\
const now = Date.now();
const fill = (text) => pm.variables.replaceIn(String(text));
const expires = Number(pm.collectionVariables.get(EXPIRY) || 0);
if (!pm.collectionVariables.get(TOKEN) || now >= expires) {
  const fields = GRANT.fields.map(([key, value]) => [key, fill(value)]);
  const header = GRANT.headers.map(([key, value]) => ({ key, value: fill(value) }));
  if (GRANT.client) {
    const pair = fill(GRANT.client[0]) + ':' + fill(GRANT.client[1]);
    header.push({ key: 'Authorization', value: 'Basic ' + Buffer.from(pair).toString('base64') });
  }
  const body = GRANT.encoding === 'json'
    ? { mode: 'raw', raw: JSON.stringify(Object.fromEntries(fields)) }
    : { mode: 'urlencoded', urlencoded: fields.map(([key, value]) => ({ key, value })) };
  header.push({
    key: 'Content-Type',
    value: GRANT.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
  });
  const token = { url: fill(GRANT.token_url), method: 'POST', header, body };
  pm.sendRequest(token, (error, response) => {
    if (error || response.code >= 400) {
      throw new Error(`${GRANT.provider} token request failed: ${error || response.status}`);
    }
    const data = response.json();
    const life = Number(data.expires_in || 0) * 1000;
    const skew = Math.min(GRANT.skew_seconds * 1000, life * GRANT.skew_fraction);
    pm.collectionVariables.set(TOKEN, data.access_token);
    pm.collectionVariables.set(EXPIRY, String(life ? now + life - skew : 0));
  });
}"""


def token_script(
    grant: TokenGrant,
    token: str = TOKEN_VARIABLE,
    expiry: str = EXPIRY_VARIABLE,
    title: str | None = None,
) -> list[str]:
    """A pre-request script running ``grant`` with ``pm.sendRequest``, its fields and headers
    filled from the Postman variables, the token kept in the collection variable ``token``
    until shortly before it expires (as the app's token manager). ``title`` is its first line
    (a provider's grant by default; ``AUTH_SCRIPT`` marks the scripts of the collection's own
    OAuth2 auths, which our import recognises and leaves out)."""
    settings = {
        "provider": grant.provider,
        "token_url": grant.token_url,
        "encoding": grant.encoding,
        "fields": [list(f) for f in grant.fields],
        "client": list(grant.client) if grant.client else None,
        "headers": [list(h) for h in grant.headers],
        "skew_seconds": grant.skew_seconds,
        "skew_fraction": grant.skew_fraction,
    }
    first = title or (
        f"// API Explorer: the {grant.provider} {grant.grant_type} grant; credentials come from "
        "variables."
    )
    head = [
        first,
        f"const GRANT = {json.dumps(settings, ensure_ascii=False)};",
        f"const TOKEN = {json.dumps(token)};",
        f"const EXPIRY = {json.dumps(expiry)};",
    ]
    return [*head, *_SCRIPT.split("\n")]
