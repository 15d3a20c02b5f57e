"""OpenAPI 3.0/3.1 and Swagger 2.0 (JSON or YAML) → a collection.

Servers become environments (``base_url``, server variables at their defaults), each operation a
request under a folder per first tag, path parameters ``{id}`` become ``{{id}}`` collection
variables, query and header parameters become rows (optional ones disabled), a request body gets
an example (the document's own, else one generated from the schema), and security schemes become
auth (bearer, basic, digest, api-key in a header, the query or a cookie; OAuth2 flows with their
authorization, token and device URLs and the operation's required scopes; OpenID Connect as
its issuer) with their secrets as secret variables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from explorer.core.errors import FormatError
from explorer.core.formats.auth_map import DISCOVERY, IMPLICIT, OAUTH2, PKCE, complete, issuer_of
from explorer.core.formats.common import ImportResult, guarded, parse_json, protect
from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.templating import is_absolute
from explorer.core.workspace import yamlio
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.model import Folder, SavedRequest, Variable

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_DEPTH = 8
MAX_NODES = 2000
FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "email": "user@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
}
GRANTS = {
    "password": "password",
    "clientCredentials": "client_credentials",
    "application": "client_credentials",
    "authorizationCode": "authorization_code",
    "accessCode": "authorization_code",
    "deviceAuthorization": "device_code",
    "implicit": "implicit",
}
"""OpenAPI 3 flow names (and Swagger 2.0's, and OpenAPI 3.2's device flow) → grants."""
FLOW_URLS = {
    "authorizationUrl": "auth_url",
    "tokenUrl": "token_url",
    "deviceAuthorizationUrl": "device_url",
}


@dataclass
class _State:
    doc: dict[str, Any]
    source: str
    swagger: bool
    warnings: list[str] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    budget: int = MAX_NODES


def import_openapi(text: str, source: str = "<openapi>") -> ImportResult:
    """An OpenAPI 3.x or Swagger 2.0 document as a collection plus one environment per server."""
    return guarded(source, lambda: protect(_import(text, source)))


def _load(text: str, source: str) -> dict[str, Any]:
    data = parse_json(text, source) if text.lstrip().startswith("{") else yamlio.loads(text, source)
    if not isinstance(data, dict):
        raise FormatError("is not an OpenAPI document (expected a mapping at the top)", path=source)
    return data


def _import(text: str, source: str) -> ImportResult:
    doc = _load(text, source)
    version = str(doc.get("openapi") or doc.get("swagger") or "")
    if not (version.startswith("3.") or version == "2.0"):
        raise FormatError(
            "has no 'openapi: 3.x' or 'swagger: \"2.0\"' key; only OpenAPI 3.0/3.1 and "
            "Swagger 2.0 can be imported",
            path=source,
        )
    state = _State(doc, source, swagger=version == "2.0")
    info = _obj(doc.get("info"))
    envs = _environments(state)
    if envs:
        state.variables["base_url"] = Variable("base_url", envs[0].values["base_url"])
    root_auth = _security(state, doc.get("security"))
    folders: dict[str, list[Folder | SavedRequest]] = {}
    loose: list[Folder | SavedRequest] = []
    if doc.get("paths") is not None and not isinstance(doc["paths"], dict):
        raise FormatError(
            f"has 'paths' as {_kind(doc['paths'])}, not a mapping of paths to operations; "
            "this is not a usable OpenAPI document",
            path=source,
        )
    paths = _obj(doc.get("paths"))
    for path, raw_item in paths.items():
        item = _resolve(state, raw_item)
        shared = _list(item.get("parameters"))
        for method in METHODS:
            if not isinstance(item.get(method), dict):
                continue
            op = item[method]
            spec = _operation(state, str(path), method, op=op, shared=shared, root_auth=root_auth)
            tags = _list(op.get("tags"))
            target = folders.setdefault(str(tags[0]), []) if tags else loose
            target.append(SavedRequest(spec, len(target) + 1))
    items: list[Folder | SavedRequest] = [
        Folder(name, seq=n, items=tuple(reqs)) for n, (name, reqs) in enumerate(folders.items(), 1)
    ]
    items += [
        SavedRequest(r.spec, len(items) + i)
        for i, r in enumerate(loose, 1)
        if isinstance(r, SavedRequest)
    ]
    if not items:
        state.warnings.append("the document describes no operations")
    tree = Folder(
        name=_text(info.get("title")) or "OpenAPI import",
        description=_text(info.get("description")),
        variables=tuple(state.variables.values()),
        auth=root_auth,
        items=tuple(items),
    )
    return ImportResult(tree, tuple(envs), tuple(state.warnings))


# -- helpers ---------------------------------------------------------------------------------
def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _kind(value: Any) -> str:
    """How a YAML/JSON value reads in a sentence."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, int | float) else "a scalar"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float | bool):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return ""


def _resolve(state: _State, value: Any, depth: int = 0) -> dict[str, Any]:
    """Follow local ``$ref``s (``#/components/...``); other refs are reported and empty."""
    while isinstance(value, dict) and isinstance(value.get("$ref"), str) and depth < 32:
        ref = value["$ref"]
        if not ref.startswith("#/"):
            state.warnings.append(f"the external reference {ref!r} was not followed")
            return {}
        target: Any = state.doc
        for raw_part in ref[2:].split("/"):
            part = raw_part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            raise FormatError(f"refers to {ref!r}, which does not exist", path=state.source)
        value, depth = target, depth + 1
    return _obj(value)


def _environments(state: _State) -> list[EnvironmentValues]:
    doc = state.doc
    urls: list[tuple[str, str]] = []
    if state.swagger:
        host = _text(doc.get("host"))
        if host:
            schemes = [s for s in _list(doc.get("schemes")) if isinstance(s, str)] or ["https"]
            base = _text(doc.get("basePath")).rstrip("/")
            urls = [(s.upper(), f"{s}://{host}{base}") for s in schemes]
    else:
        for n, raw in enumerate(_list(doc.get("servers")), start=1):
            server = _obj(raw)
            url = _text(server.get("url"))
            for name, var in _obj(server.get("variables")).items():
                url = url.replace(f"{{{name}}}", _text(_obj(var).get("default")))
            if url:
                urls.append((_text(server.get("description")) or f"Server {n}", url.rstrip("/")))
    envs = []
    seen: set[str] = set()
    for name, url in urls:
        if not is_absolute(url):
            state.warnings.append(f"the server URL {url!r} is relative; set base_url by hand")
        unique, k = name, 1
        while unique in seen:
            k += 1
            unique = f"{name} {k}"
        seen.add(unique)
        envs.append(EnvironmentValues(unique, {"base_url": url}))
    return envs


def _secret(state: _State, name: str) -> str:
    state.variables.setdefault(name, Variable(name, secret=True))
    return f"{{{{{name}}}}}"


def _plain(state: _State, name: str, value: str = "") -> str:
    state.variables.setdefault(name, Variable(name, value))
    return f"{{{{{name}}}}}"


def _warn(state: _State, text: str) -> None:
    """A warning said once, however many operations share the scheme it is about."""
    if text not in state.warnings:
        state.warnings.append(text)


def _security(state: _State, requirements: Any) -> AuthSpec | None:
    """The auth of the first security requirement that names a scheme; scopes are the ones it
    requires, joined with spaces."""
    if requirements is None:
        return None
    requirement = next((r for r in map(_obj, _list(requirements)) if r), None)
    if requirement is None:
        return AuthSpec("none")
    name = str(next(iter(requirement)))
    if len(requirement) > 1:
        together = ", ".join(repr(str(n)) for n in requirement)
        _warn(state, f"the schemes {together} are required together; only {name!r} was mapped")
    holder = (
        _obj(state.doc.get("securityDefinitions"))
        if state.swagger
        else _obj(_obj(state.doc.get("components")).get("securitySchemes"))
    )
    scheme = _resolve(state, holder.get(name))
    scopes = " ".join(s for s in _list(requirement[name]) if isinstance(s, str))
    kind = _text(scheme.get("type"))
    if kind == "oauth2":
        return _oauth2(state, name, scheme, scopes)
    if kind == "openIdConnect":
        return _openid(state, name, scheme, scopes)
    auth = _simple(state, kind, scheme)
    if auth is None:
        _warn(state, f"the security scheme {name!r} ({kind or 'unknown'}) was not mapped")
    return auth


def _simple(state: _State, kind: str, scheme: dict[str, Any]) -> AuthSpec | None:
    """HTTP Basic, Bearer and Digest, and API keys in a header, the query or a cookie."""
    http = _text(scheme.get("scheme")).lower()
    if kind == "basic" or (kind == "http" and http in ("basic", "digest")):
        user = {"username": _plain(state, "username"), "password": _secret(state, "password")}
        return complete(http or "basic", user)
    if kind == "http" and http == "bearer":
        return complete("bearer", {"token": _secret(state, "token")})
    where = _text(scheme.get("in")) or "header"
    if kind == "apiKey" and where in ("header", "query", "cookie"):
        key = {"key": _text(scheme.get("name")), "value": _secret(state, "api_key")}
        return complete("api-key", key | {"in": where})
    return None


def _oauth2(state: _State, name: str, scheme: dict[str, Any], scopes: str) -> AuthSpec:
    """The scheme's first flow the app runs (an implicit one only when it offers no other):
    its grant, authorization, token and device URLs, the required scopes, and the client (and
    user, for the password flow) as variables."""
    if state.swagger:
        flows = {_text(scheme.get("flow")): scheme}
    else:
        flows = {str(k): _obj(v) for k, v in _obj(scheme.get("flows")).items()}
    runnable = [f for f in flows if GRANTS.get(f) not in (None, "implicit")]
    flow_name = (runnable or list(flows) or [""])[0]
    flow = flows.get(flow_name, {})
    others = [f for f in flows if f != flow_name]
    if others:
        _warn(
            state,
            f"the OAuth2 scheme {name!r} also offers the flows {', '.join(others)}; "
            f"its {flow_name} flow was imported",
        )
    grant = GRANTS.get(flow_name)
    params = {"grant_type": grant or "authorization_code"}
    if grant == "implicit":
        _warn(state, f"the OAuth2 scheme {name!r}: {IMPLICIT}")
        params.update(grant_type="authorization_code", pkce=PKCE)
    elif grant is None:
        _warn(
            state, f"the OAuth2 scheme {name!r} has no flow the app knows ({flow_name or 'none'})"
        )
    for key, param in FLOW_URLS.items():
        url = _text(flow.get(key))
        if url:
            params[param] = _absolute(state, url, name)
    refresh = _text(flow.get("refreshUrl"))
    if refresh and refresh != _text(flow.get("tokenUrl")):
        _warn(
            state,
            f"the OAuth2 scheme {name!r}: its refresh URL {refresh!r} was not imported "
            "(tokens are refreshed at the token URL)",
        )
    params["scope"] = scopes
    params |= _client(state, params["grant_type"])
    return complete(OAUTH2, params)


def _absolute(state: _State, url: str, name: str) -> str:
    """A flow's URL; a relative one resolved against the first server's URL, as OpenAPI 3.1
    says (RFC 3986), or kept and reported when there is no server."""
    if is_absolute(url):
        return url
    server = state.variables.get("base_url")
    if server is None or not is_absolute(server.value):
        _warn(state, f"the OAuth2 scheme {name!r}: the relative URL {url!r} needs a server URL")
        return url
    return urljoin(server.value, url)


def _openid(state: _State, name: str, scheme: dict[str, Any], scopes: str) -> AuthSpec:
    """OpenID Connect: the issuer (its discovery URL without the well-known path, from which
    the app reads the endpoints) and authorization code with PKCE."""
    url = _text(scheme.get("openIdConnectUrl"))
    issuer = issuer_of(url)
    params = {"grant_type": "authorization_code", "issuer": issuer or "", "scope": scopes}
    if issuer is None:
        _warn(
            state,
            f"the OpenID Connect scheme {name!r}: {url!r} does not end in {DISCOVERY}, so the "
            "issuer was not set; set it, or the authorization and token URLs, by hand",
        )
    params |= _client(state, "authorization_code")
    return complete(OAUTH2, params)


def _client(state: _State, grant: str) -> dict[str, str]:
    """The client, and for the password grant the user, as variables (secrets as secret ones)."""
    params = {
        "client_id": _plain(state, "client_id"),
        "client_secret": _secret(state, "client_secret"),
    }
    if grant == "password":
        params |= {"username": _plain(state, "username"), "password": _secret(state, "password")}
    return params


def _operation(
    state: _State,
    path: str,
    method: str,
    *,
    op: dict[str, Any],
    shared: list[Any],
    root_auth: AuthSpec | None,
) -> RequestSpec:
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*shared, *_list(op.get("parameters"))]:
        param = _resolve(state, raw)
        params[(_text(param.get("name")), _text(param.get("in")))] = param
    url = "{{base_url}}" + re.sub(r"\{([^{}/]+)\}", r"{{\1}}", path)
    query: list[KeyValue] = []
    headers: list[KeyValue] = []
    form: list[FormField] = []
    body = Body()
    for (name, where), param in params.items():
        value = _param_example(state, param)
        required = bool(param.get("required"))
        if where == "path":
            _plain(state, name, value)
        elif where == "query":
            query.append(KeyValue(name, value, required))
        elif where == "header":
            headers.append(KeyValue(name, value, required))
        elif where == "formData":
            form.append(FormField(name, value, True, _text(param.get("type")) == "file"))
        elif where == "body":
            body = _json_body(state, param.get("schema"), {})
        else:
            state.warnings.append(
                f"{method.upper()} {path}: the {where} parameter {name!r} was not mapped"
            )
    if form:
        multipart = any(f.is_file for f in form) or "multipart/form-data" in _list(
            op.get("consumes") or state.doc.get("consumes")
        )
        body = Body(BodyMode.MULTIPART if multipart else BodyMode.FORM, fields=tuple(form))
    if not state.swagger and op.get("requestBody") is not None:
        body = _request_body(state, _resolve(state, op.get("requestBody")))
    auth = _security(state, op["security"]) if "security" in op else None
    return RequestSpec(
        method=method.upper(),
        url=url,
        name=_text(op.get("summary")) or _text(op.get("operationId")) or f"{method.upper()} {path}",
        params=tuple(query),
        headers=tuple(headers),
        body=body,
        auth=None if auth == root_auth else auth,
        docs=_text(op.get("description")),
    )


def _param_example(state: _State, param: dict[str, Any]) -> str:
    for key in ("example", "default"):
        if key in param and not isinstance(param[key], dict | list):
            return _text(param[key])
    schema = _resolve(state, param.get("schema")) if "schema" in param else param
    value = _example(state, schema)
    return value if isinstance(value, str) else json.dumps(value) if value is not None else ""


def _request_body(state: _State, body: dict[str, Any]) -> Body:
    content = _obj(body.get("content"))
    if not content:
        return Body()
    kinds = list(content)
    kind = next((k for k in kinds if "json" in str(k)), kinds[0])
    media = _obj(content[kind])
    schema = _resolve(state, media.get("schema"))
    if "json" in str(kind):
        body_json = _json_body(state, media.get("schema"), media)
        if kind != "application/json":
            return Body(BodyMode.JSON, body_json.text, content_type=str(kind))
        return body_json
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields = []
        for name, raw_prop in _obj(schema.get("properties")).items():
            prop = _resolve(state, raw_prop)
            is_file = _text(prop.get("format")) == "binary"
            value = "" if is_file else _example(state, prop)
            text = value if isinstance(value, str) else json.dumps(value)
            fields.append(FormField(str(name), text, True, is_file))
        mode = BodyMode.FORM if kind.startswith("application/") else BodyMode.MULTIPART
        return Body(mode, fields=tuple(fields))
    example = media["example"] if "example" in media else _example(state, schema)
    return Body(BodyMode.RAW, example if isinstance(example, str) else "", content_type=str(kind))


def _json_body(state: _State, schema: Any, media: dict[str, Any]) -> Body:
    if "example" in media:
        value = media["example"]
    elif _obj(media.get("examples")):
        first = _resolve(state, next(iter(_obj(media["examples"]).values())))
        value = first.get("value")
    else:
        value = _example(state, schema)
    return Body(BodyMode.JSON, json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _example(state: _State, schema: Any) -> Any:
    """One example, with a fresh size budget (each body of a large API gets its own)."""
    state.budget = MAX_NODES
    return _sample(state, schema, 0)


def _sample(state: _State, schema: Any, depth: int, seen: frozenset[str] = frozenset()) -> Any:
    """An example value for ``schema``; bounded in depth and size, whatever the document, and a
    schema that contains itself (``parent: {$ref: Item}``) stops at null instead of repeating."""
    state.budget -= 1
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        if schema["$ref"] in seen:
            return None
        seen = seen | {schema["$ref"]}
    schema = _resolve(state, schema)
    if depth > MAX_DEPTH or state.budget <= 0 or not schema:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    for key in ("enum", "examples"):
        if _list(schema.get(key)):
            return schema[key][0]
    for key in ("oneOf", "anyOf"):
        if _list(schema.get(key)):
            return _sample(state, schema[key][0], depth + 1, seen)
    if _list(schema.get("allOf")):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _sample(state, part, depth + 1, seen)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    return _typed_sample(state, schema, depth, seen)


def _typed_sample(state: _State, schema: dict[str, Any], depth: int, seen: frozenset[str]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        return {
            str(k): _sample(state, v, depth + 1, seen)
            for k, v in _obj(schema.get("properties")).items()
        }
    if kind == "array":
        item = _sample(state, schema.get("items"), depth + 1, seen)
        return [] if item is None else [item]
    if kind == "string":
        return FORMATS.get(_text(schema.get("format")), "string")
    return {"integer": 0, "number": 0, "boolean": True}.get(str(kind))
