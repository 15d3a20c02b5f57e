"""Insomnia v4 exports (JSON, or the YAML Insomnia 2023+ writes): import.

An Insomnia export is not a tree: it is a flat ``resources`` list whose items name their parent
by ``parentId`` (workspace → request groups → requests; the base environment under the
workspace, sub-environments under it), and its values are Nunjucks templates (``{{ _.name }}``,
``{% uuid %}``). This module rebuilds the tree, rewrites the templates into ours and maps
requests, bodies, auth and environments; docs/formats.md has the table.

Decisions: several workspaces in one export become one folder each; a workspace's base
environment becomes its folder's variables (always applied, as in Insomnia) and each
sub-environment an environment of the import, which overrides them when selected; environment
objects are flattened to dotted names (``{{ _.db.host }}`` → ``{{db.host}}``). Template tags
with a dynamic value of ours (``{% uuid %}``, ``{% now %}``, ``{% faker %}``) become it; other
tags and expressions are kept as written and reported, like every setting without an
equivalent. Literal secrets are moved to secret variables (``common.protect``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from explorer.core import safe_parse
from explorer.core.auth.schema import unsupported
from explorer.core.confinement import file_notes
from explorer.core.dynamic import is_known
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
    not_imported,
    oauth2_value,
)
from explorer.core.formats.common import (
    ImportResult,
    JsonShapes,
    SecretVault,
    absorb_content_type,
    guarded,
    parse_json,
    protect,
)
from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.workspace import yamlio
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.model import Folder, SavedRequest, Variable

MAX_DEPTH = 64
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
GRAPHQL = "application/graphql"
JSON_TYPE = "application/json"
OAUTH2_IN = {
    "accessTokenUrl": "token_url",
    "authorizationUrl": "auth_url",
    "redirectUrl": "redirect_uri",
    "clientId": "client_id",
    "clientSecret": "client_secret",
    "scope": "scope",
    "audience": "audience",
    "resource": "resource",
    "username": "username",
    "password": "password",
    "accessToken": "access_token",
    "refreshToken": "refresh_token",
    "tokenPrefix": "header_prefix",
}
"""Insomnia's OAuth2 settings → the auth schema's (``grantType``, ``usePkce``, ``pkceMethod``
and ``credentialsInBody`` are read apart; others are reported)."""
#: Insomnia's AWS IAM settings → the schema's ``awsv4`` parameters.
IAM_IN = {
    "accessKeyId": "access_key",
    "secretAccessKey": "secret_key",
    "sessionToken": "session_token",
    "region": "region",
    "service": "service",
}
#: Auth types the app keeps but cannot send: Insomnia's name → the Postman type and parameter
#: names, so a Postman export of the imported collection carries them in Postman's terms.
KEPT_AUTH: dict[str, tuple[str, dict[str, str]]] = {
    "hawk": (
        "hawk",
        {
            "id": "authId",
            "key": "authKey",
            "ext": "extraData",
            "validatePayload": "includePayloadHash",
        },
    ),
    "oauth1": ("oauth1", {"tokenKey": "token"}),
}
#: Secret settings of kept auth types that ``auth.schema.is_secret`` does not know by name.
KEPT_SECRETS = frozenset({"authKey", "consumerSecret", "tokenSecret", "privateKey"})
#: Request settings with no equivalent here, at Insomnia's defaults.
SETTINGS = (
    ("settingEncodeUrl", True),
    ("settingDisableRenderRequestBody", False),
    ("settingRebuildPath", True),
)
NOW = {
    "iso-8601": "{{$isoTimestamp}}",
    "millis": "{{$datetime x}}",
    "ms": "{{$datetime x}}",
    "unix": "{{$timestamp}}",
    "seconds": "{{$timestamp}}",
    "s": "{{$timestamp}}",
}
IMPORTED = frozenset({"workspace", "request_group", "request", "environment"})
_TEMPLATE = re.compile(r"\{%-?(?P<tag>[^{}%]*?)-?%\}|\{\{-?(?P<output>[^{}]*?)-?\}\}")
_IDENT = r"[A-Za-z_][\w-]*"
_SEGMENTS = rf"(?:\s*\.\s*{_IDENT}|\s*\[\s*(?:'[^']*'|\"[^\"]*\"|\d+)\s*\])*"
_REFERENCE = re.compile(rf"\s*(?P<root>{_IDENT})(?P<rest>{_SEGMENTS})\s*")
_SEGMENT = re.compile(rf"\.\s*({_IDENT})|\[\s*(?:'([^']*)'|\"([^\"]*)\"|(\d+))\s*\]")
_ARGUMENT = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|([^,\s]+)")
_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\{%[^{}%]*%\}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")


def looks_like_insomnia(data: object) -> bool:
    """Whether parsed JSON or YAML is an Insomnia export (any format version), so the import
    dialog can pick this importer from the content."""
    return (
        isinstance(data, dict)
        and data.get("_type") == "export"
        and ("__export_format" in data or "resources" in data)
    )


def import_insomnia(text: str, source: str = "<insomnia>") -> ImportResult:
    """An Insomnia v4 export (JSON or YAML): its workspaces, folders and HTTP requests as a
    collection, its sub-environments as environments; what cannot be mapped is in ``warnings``."""
    return guarded(source, lambda: protect(_import(text, source)))


def _import(text: str, source: str) -> ImportResult:
    importer = _Importer(source, _load(text, source))
    tree, environments = importer.collection()
    moved = [v for v in importer.vault.variables() if v.name not in tree.secret_names()]
    tree = replace(tree, variables=(*tree.variables, *moved))
    warnings = tuple(dict.fromkeys((*importer.warnings, *importer.vault.warnings)))
    return ImportResult(tree, tuple(environments), warnings, dict(importer.vault.values))


def _load(text: str, source: str) -> dict[str, Any]:
    data = _document(text, source)
    if not looks_like_insomnia(data):
        raise FormatError("is not an Insomnia export (it has no '_type: export')", path=source)
    version = data.get("__export_format")
    if version != 4:
        raise FormatError(
            f"uses Insomnia export format {version}; only format 4 can be imported "
            "(export it again from a current Insomnia)",
            path=source,
        )
    return dict(data)


def _document(text: str, source: str) -> Any:
    """The parsed export: JSON, else YAML. Insomnia 2020 wrote YAML exports in flow style
    (``{_type: export, ...}``), which opens like JSON but is not; when neither parses, the
    JSON error is the one reported for text that opens with ``{``."""
    if not text.lstrip().startswith("{"):
        return yamlio.loads(text, source)
    try:
        return parse_json(text, source)
    except FormatError as json_error:
        try:
            return yamlio.loads(text, source)
        except FormatError:
            raise json_error from None


@dataclass(frozen=True, slots=True)
class _Resource:
    """One item of ``resources``: where it is (for messages), its type, id and parent."""

    index: int
    kind: str
    id: str
    parent: str | None
    data: dict[str, Any]

    @property
    def at(self) -> str:
        return f"resources[{self.index}]"

    @property
    def order(self) -> float:
        key = self.data.get("metaSortKey")
        return float(key) if isinstance(key, int | float) and not isinstance(key, bool) else 0.0


def _iso(moment: datetime) -> str:
    """A YAML timestamp back as the text Insomnia wrote (JavaScript's ``toISOString``)."""
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z") if moment.utcoffset() == timedelta(0) else text


class _Importer(JsonShapes):
    empty_mapping = True

    """One export being imported: its resources by parent, what was reached from a workspace,
    the warnings and the literal secrets found so far."""

    def __init__(self, source: str, root: dict[str, Any]) -> None:
        self.source = source
        self.warnings: list[str] = []
        self.vault = SecretVault()
        self.resources = self._resources(root)
        self.children: dict[str | None, list[_Resource]] = {}
        for resource in sorted(self.resources, key=lambda r: r.order):
            self.children.setdefault(resource.parent, []).append(resource)
        self.visited: set[str] = set()
        self.environment_names: set[str] = set()

    # -- values ----------------------------------------------------------------------------
    def note(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def text(self, value: Any, where: str) -> str:
        if isinstance(value, datetime):  # a YAML export's unquoted timestamp
            return _iso(value)
        if isinstance(value, date):
            return value.isoformat()
        return super().text(value, where)

    def value(self, value: Any, at: str, where: str) -> str:
        """A templated value: text with Insomnia's templates rewritten into ours."""
        return self.template(self.text(value, at), where)

    # -- templates -------------------------------------------------------------------------
    def template(self, text: str, where: str) -> str:
        """``{{ _.a.b }}`` → ``{{a.b}}``; tags with a dynamic value of ours become it; any
        other tag or expression is kept as written and reported."""
        if "{" not in text:
            return text
        return _TEMPLATE.sub(lambda match: self._template(match, where), text)

    def _template(self, match: re.Match[str], where: str) -> str:
        written = match.group(0)
        shown = written if len(written) <= 60 else written[:57] + "..."
        if match["tag"] is not None:
            name, args = _tag_words(match["tag"])
            made = self._tag(name, args, where)
            if made is None:
                self.note(
                    f"{where}: the template tag {shown} is kept as written; API Explorer cannot "
                    f"run Insomnia's '{name}' tag (use a variable instead)"
                )
                return written
            return made
        variable = _reference(match["output"])
        if variable is None:
            self.note(
                f"{where}: the template {shown} is kept as written; only plain variables "
                "({{ _.name }}) are imported"
            )
            return written
        return f"{{{{{variable}}}}}"

    def _tag(self, name: str, args: list[str], where: str) -> str | None:
        if name == "uuid":
            if args and args[0] in ("v1", "1"):
                self.note(f"{where}: a version 1 {{% uuid %}} became a random UUID ({{{{$guid}}}})")
            return "{{$guid}}"
        if name == "now":
            return NOW.get((args[0] if args else "iso-8601").lower())
        if name == "faker" and args and is_known(f"${args[0]}"):
            return f"{{{{${args[0]}}}}}"
        return None

    # -- resources -------------------------------------------------------------------------
    def _resources(self, root: dict[str, Any]) -> list[_Resource]:
        found: list[_Resource] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(self.array(root.get("resources"), "resources")):
            at = f"resources[{index}]"
            item = self.mapping(raw, at)
            kind, ident, parent = item.get("_type"), item.get("_id"), item.get("parentId")
            if not isinstance(kind, str) or not kind:
                raise self.fail(f"{at}._type", "text")
            if not isinstance(ident, str) or not ident:
                raise self.fail(f"{at}._id", "text")
            if ident in seen:
                raise FormatError(
                    f"{at}: the id {ident} is also the id of resources[{seen[ident]}]; "
                    "ids must be unique",
                    path=self.source,
                )
            seen[ident] = index
            found.append(
                _Resource(index, kind, ident, parent if isinstance(parent, str) else None, item)
            )
        return found

    def kids(self, parent: _Resource, kind: str) -> list[_Resource]:
        return [r for r in self.children.get(parent.id, ()) if r.kind == kind]

    def name(self, resource: _Resource, default: str) -> str:
        return self.text(resource.data.get("name"), f"{resource.at}.name").strip() or default

    # -- the tree --------------------------------------------------------------------------
    def collection(self) -> tuple[Folder, list[EnvironmentValues]]:
        workspaces = [r for r in self.resources if r.kind == "workspace"]
        several = len(workspaces) > 1
        folders: list[Folder | SavedRequest] = []
        environments: list[EnvironmentValues] = []
        for workspace in workspaces:
            label = self.name(workspace, "Workspace") if several else ""
            folder, found = self.workspace(workspace, label, len(folders) + 1)
            environments += found
            if folder.items or not several:
                folders.append(folder)
        if several:
            self.note(f"the export holds {len(workspaces)} workspaces; each became a folder")
        if len(workspaces) == 1 and isinstance(folders[0], Folder):
            root = folders[0]
        else:
            root = Folder(_collection_name(self.source), items=tuple(folders))
        root = replace(root, items=(*root.items, *self.orphans(bool(workspaces), len(root.items))))
        self.report_the_rest()
        return replace(root, seq=0), environments

    def workspace(
        self, node: _Resource, label: str, seq: int
    ) -> tuple[Folder, list[EnvironmentValues]]:
        self.visited.add(node.id)
        name = self.name(node, "Insomnia")
        trail = f"{label}/" if label else ""
        items = self.items(node, trail, 0)
        base, environments = self.environments(node, label, bool(items))
        folder = Folder(
            name=name,
            seq=seq,
            description=self.text(node.data.get("description"), f"{node.at}.description"),
            variables=tuple(Variable(k, v) for k, v in base.items()) if items else (),
            items=items,
        )
        return folder, environments

    def items(self, node: _Resource, trail: str, depth: int) -> tuple[Folder | SavedRequest, ...]:
        found: list[Folder | SavedRequest] = []
        for child in self.children.get(node.id, ()):
            if child.kind == "request_group":
                found.append(self.folder(child, trail, len(found) + 1, depth + 1))
            elif child.kind == "request":
                found.append(self.request(child, trail, len(found) + 1))
        return tuple(found)

    def folder(self, node: _Resource, trail: str, seq: int, depth: int) -> Folder:
        if depth > MAX_DEPTH:
            raise self.fail(node.at, f"nested at most {MAX_DEPTH} folders deep")
        self.visited.add(node.id)
        data = node.data
        name = self.name(node, "folder")
        where = f"{trail}{name}"
        auth, extra = self.auth(data.get("authentication"), f"{node.at}.authentication", where)
        self.scripts(data, where)
        variables = self.variables(data.get("environment"), f"{node.at}.environment", where)
        return Folder(
            name=name,
            seq=seq,
            description=self.text(data.get("description"), f"{node.at}.description"),
            variables=tuple(Variable(k, v) for k, v in variables.items()),
            headers=(*self.rows(data.get("headers"), f"{node.at}.headers", where), *extra),
            auth=auth,
            items=self.items(node, f"{where}/", depth),
        )

    def orphans(self, reported: bool, count: int) -> list[Folder | SavedRequest]:
        """Requests and folders whose parent is not in the export, at the top; a loop of
        folders that no workspace holds is reported."""
        containers = {r.id for r in self.resources if r.kind in ("workspace", "request_group")}
        found: list[Folder | SavedRequest] = []
        for node in self.resources:
            if node.kind not in ("request", "request_group") or node.id in self.visited:
                continue
            if node.parent in containers:
                continue
            if reported:
                self.note(
                    f"{self.name(node, node.kind)}: its folder or workspace is not in the "
                    "export; it was put at the top of the collection"
                )
            seq = count + len(found) + 1
            if node.kind == "request":
                found.append(self.request(node, "", seq))
            else:
                found.append(self.folder(node, "", seq, 1))
        for node in self.resources:
            if node.kind in ("request", "request_group") and node.id not in self.visited:
                self.note(
                    f"{node.at} ({self.name(node, node.kind)}): its folders form a loop, "
                    "so it was not imported"
                )
        return found

    def report_the_rest(self) -> None:
        """What the export holds beyond requests, folders and environments, by kind."""
        for node in self.resources:
            if node.kind == "environment" and node.id not in self.visited:
                self.note(
                    f"environment {self.name(node, node.id)!r}: it belongs to no workspace "
                    "environment of the export, so it was not imported"
                )
            elif node.kind == "cookie_jar":
                cookies = self.array(node.data.get("cookies"), f"{node.at}.cookies")
                if cookies:
                    self.note(f"the cookie jar's {len(cookies)} cookie(s) were not imported")
            elif node.kind == "api_spec" and node.data.get("contents"):
                spec = self.text(node.data.get("fileName"), f"{node.at}.fileName")
                self.note(
                    f"the API spec {spec!r} was not imported; import the spec itself with "
                    "'api-explorer import openapi'"
                )
        skipped = Counter(
            r.kind for r in self.resources if r.kind not in IMPORTED | {"cookie_jar", "api_spec"}
        )
        for kind, count in skipped.items():
            self.note(
                f"{count} {kind} resource(s) were not imported; only HTTP requests, folders and "
                "environments are"
            )

    # -- environments ----------------------------------------------------------------------
    def environments(
        self, workspace: _Resource, label: str, has_requests: bool
    ) -> tuple[dict[str, str], list[EnvironmentValues]]:
        """The base environment's values and the sub-environments. A workspace without
        requests (Insomnia's global environments) has no folder to hold the base values, so
        they become an environment too and each sub-environment starts from them."""
        bases = self.kids(workspace, "environment")
        if not bases:
            return {}, []
        base, others = bases[0], bases[1:]
        subs = [*others, *self.kids(base, "environment")]
        values = self.environment(base)
        found = [] if has_requests or not values else [self.named(base, label, values)]
        for sub in subs:
            own = self.environment(sub)
            found.append(self.named(sub, label, own if has_requests else {**values, **own}))
        return values, found

    def environment(self, node: _Resource) -> dict[str, str]:
        self.visited.add(node.id)
        where = f"environment {self.name(node, 'Environment')}"
        return self.variables(node.data.get("data"), f"{node.at}.data", where)

    def named(self, node: _Resource, label: str, values: dict[str, str]) -> EnvironmentValues:
        name = self.name(node, "Environment")
        name = f"{label} / {name}" if label else name
        unique, n = name, 1
        while unique in self.environment_names:
            n += 1
            unique = f"{name} {n}"
        self.environment_names.add(unique)
        return EnvironmentValues(unique, values)

    def variables(self, value: Any, at: str, where: str) -> dict[str, str]:
        """An environment object as variables, nested objects and arrays flattened to dotted
        names (``{"db": {"host": h}}`` → ``db.host``), as ``{{ _.db.host }}`` refers to them."""
        found: dict[str, str] = {}
        for key, item in self.mapping(value, at).items():
            self._flatten(item, str(key), at, where, found)
        return found

    def _flatten(self, value: Any, name: str, at: str, where: str, found: dict[str, str]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._flatten(item, f"{name}.{key}", at, where, found)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._flatten(item, f"{name}.{index}", at, where, found)
        elif name:
            found[name] = self.value(value, f"{at}.{name}", where)

    # -- requests --------------------------------------------------------------------------
    def request(self, node: _Resource, trail: str, seq: int) -> SavedRequest:
        self.visited.add(node.id)
        data, at = node.data, node.at
        name = self.name(node, "request")
        where = f"{trail}{name}"
        headers = self.rows(data.get("headers"), f"{at}.headers", where)
        headers, body = self.body(data.get("body"), headers, f"{at}.body", where)
        auth, extra = self.auth(data.get("authentication"), f"{at}.authentication", where)
        self.scripts(data, where)
        self.settings(data, where)
        self.warnings += file_notes(body, where)
        spec = RequestSpec(
            method=self.text(data.get("method"), f"{at}.method").strip().upper() or "GET",
            url=self.url(data, at, where),
            name=name,
            params=self.rows(data.get("parameters"), f"{at}.parameters", where),
            headers=(*headers, *extra),
            body=body,
            auth=auth,
            follow_redirects=data.get("settingFollowRedirects") != "off",
            docs=self.text(data.get("description"), f"{at}.description"),
        )
        return SavedRequest(spec, seq)

    def url(self, data: dict[str, Any], at: str, where: str) -> str:
        """The URL with ``:name`` path parameters filled in and, as Insomnia sends it, ``http://``
        before an address that names no scheme."""
        url = self.value(data.get("url"), f"{at}.url", where).strip()
        for i, raw in enumerate(self.array(data.get("pathParameters"), f"{at}.pathParameters")):
            row = self.mapping(raw, f"{at}.pathParameters[{i}]")
            name = self.text(row.get("name"), f"{at}.pathParameters[{i}].name")
            value = self.value(row.get("value"), f"{at}.pathParameters[{i}].value", where)
            if name:
                url = _fill_path(url, name, value or f"{{{{{name}}}}}")
        if url and not _SCHEME.match(url) and not url.startswith("{"):
            url = f"http://{url}"
        return url

    def rows(self, value: Any, at: str, where: str) -> tuple[KeyValue, ...]:
        rows = []
        for i, raw in enumerate(self.array(value, at)):
            row = self.mapping(raw, f"{at}[{i}]")
            name = self.value(row.get("name"), f"{at}[{i}].name", where).strip()
            text = self.value(row.get("value"), f"{at}[{i}].value", where)
            if name:
                rows.append(KeyValue(name, text, row.get("disabled") is not True))
            elif text:
                self.note(f"{where}: a row with a value but no name was dropped")
        return tuple(rows)

    def scripts(self, data: dict[str, Any], where: str) -> None:
        if any(
            isinstance(data.get(key), str) and data[key].strip()
            for key in ("preRequestScript", "afterResponseScript")
        ):
            self.note(f"{where}: scripts are not imported")

    def settings(self, data: dict[str, Any], where: str) -> None:
        changed = [key for key, default in SETTINGS if key in data and data[key] != default]
        if changed:
            self.note(
                f"{where}: the Insomnia setting(s) {', '.join(changed)} are not imported; "
                "the request is sent with API Explorer's defaults"
            )

    # -- bodies ----------------------------------------------------------------------------
    def body(
        self, value: Any, headers: tuple[KeyValue, ...], at: str, where: str
    ) -> tuple[tuple[KeyValue, ...], Body]:
        """The body by ``mimeType``, with a Content-Type header that only repeats it folded in."""
        data = self.mapping(value, at)
        mime = self.text(data.get("mimeType"), f"{at}.mimeType").strip()
        kind = mime.split(";")[0].strip().lower()
        if kind in (FORM, MULTIPART):
            fields = self.fields(data.get("params"), f"{at}.params", where, kind == MULTIPART)
            if kind == MULTIPART:  # the encoder writes its own, with the boundary
                headers = tuple(h for h in headers if not _bare_multipart(h))
            mode = BodyMode.MULTIPART if kind == MULTIPART else BodyMode.FORM
            return absorb_content_type(headers, Body(mode, fields=fields) if fields else Body())
        text = self.value(data.get("text"), f"{at}.text", where)
        file = self.text(data.get("fileName"), f"{at}.fileName")
        if kind == GRAPHQL and text:
            text, kind, mime = self.graphql(text, f"{at}.text", where), JSON_TYPE, JSON_TYPE
        if text:
            json_mode = kind == JSON_TYPE or kind.endswith("+json")
            body = Body(BodyMode.JSON if json_mode else BodyMode.RAW, text)
        elif file:
            body = Body(BodyMode.BINARY_FILE, file=file)
        else:
            return headers, Body()
        headers, body = absorb_content_type(headers, body)
        return headers, self.typed(headers, body, mime, where)

    def typed(self, headers: tuple[KeyValue, ...], body: Body, mime: str, where: str) -> Body:
        """``body`` with the body type's Content-Type when no header gives one, and a JSON
        body that does not parse (even with its variables filled in) sent as raw text."""
        typed = any(h.name.lower() == "content-type" and h.enabled for h in headers)
        if body.content_type is None and mime.lower() != JSON_TYPE and not typed:
            body = replace(body, content_type=mime or None)
        if body.mode is BodyMode.JSON and not _parses_as_json(body.text):
            self.note(f"{where}: the JSON body is not valid JSON, so it is sent as raw text")
            return replace(body, mode=BodyMode.RAW, content_type=body.content_type or JSON_TYPE)
        return body

    def fields(self, value: Any, at: str, where: str, multipart: bool) -> tuple[FormField, ...]:
        fields = []
        for i, raw in enumerate(self.array(value, at)):
            row = self.mapping(raw, f"{at}[{i}]")
            name = self.value(row.get("name"), f"{at}[{i}].name", where)
            is_file = multipart and row.get("type") == "file"
            if is_file:
                text = self.text(row.get("fileName"), f"{at}[{i}].fileName")
                if not text:
                    self.note(f"{where}: the file part {name!r} names no file; choose one")
            else:
                text = self.value(row.get("value"), f"{at}[{i}].value", where)
            if name or text:
                fields.append(FormField(name, text, row.get("disabled") is not True, is_file))
        return tuple(fields)

    def graphql(self, text: str, at: str, where: str) -> str:
        """Insomnia's GraphQL body (JSON text: ``query``, ``variables`` as an object or as
        text, ``operationName``) as the JSON body it sends; variables written as text (which
        may hold templates) are kept verbatim."""
        self.note(f"{where}: the GraphQL body became a JSON body")
        try:
            data = safe_parse.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {"query": text}
        members = [f'  "query": {json.dumps(self.text(data.get("query"), f"{at}.query"))}']
        variables = data.get("variables")
        if isinstance(variables, str) and variables.strip():
            members.append(f'  "variables": {variables.strip()}')
        elif isinstance(variables, dict | list):
            members.append(f'  "variables": {json.dumps(variables, ensure_ascii=False)}')
        operation = data.get("operationName")
        if isinstance(operation, str) and operation:
            members.append(f'  "operationName": {json.dumps(operation)}')
        return "{\n" + ",\n".join(members) + "\n}"

    # -- auth ------------------------------------------------------------------------------
    def auth(self, value: Any, at: str, where: str) -> tuple[AuthSpec | None, tuple[KeyValue, ...]]:
        """The auth, and the headers it becomes where our auth types cannot say the same (a
        bearer prefix other than Bearer, an API key sent as a cookie). ``{}`` and a disabled
        auth inherit the nearest folder's, as Insomnia's ``getOrInheritAuthentication`` does
        (with none above, that is no auth)."""
        data = self.mapping(value, at)
        kind = self.text(data.get("type"), f"{at}.type").strip()
        if not kind or data.get("disabled") is True:
            return None, ()
        if kind == "none":
            return AuthSpec("none"), ()
        params = self.auth_params(data, at, where)
        makers: dict[str, Callable[[dict[str, str], str], tuple[AuthSpec, tuple[KeyValue, ...]]]]
        makers = {"basic": self.basic, "bearer": self.bearer, "apikey": self.api_key}
        if kind in makers:
            return makers[kind](params, where)
        if kind == OAUTH2:
            return self.oauth2(params, where), ()
        if kind in ("digest", "iam"):
            return self.signed(kind, params, where), ()
        return self.kept(kind, params, where), ()

    def auth_params(self, data: dict[str, Any], at: str, where: str) -> dict[str, str]:
        params: dict[str, str] = {}
        for key, raw in data.items():
            if key in ("type", "disabled"):
                continue
            if isinstance(raw, dict | list):
                self.note(f"{where}: the auth setting {key} was not imported")
                continue
            params[str(key)] = self.value(raw, f"{at}.{key}", where)
        return params

    def basic(self, params: dict[str, str], where: str) -> tuple[AuthSpec, tuple[KeyValue, ...]]:
        if params.get("useISO88591") == "true":
            self.note(f"{where}: basic auth is sent UTF-8 encoded, not ISO-8859-1")
        pairs = (("username", params.get("username", "")), ("password", params.get("password", "")))
        return AuthSpec("basic", pairs), ()

    def bearer(self, params: dict[str, str], where: str) -> tuple[AuthSpec, tuple[KeyValue, ...]]:
        token, prefix = params.get("token", ""), params.get("prefix", "").strip()
        if not prefix or prefix.lower() == "bearer":
            return AuthSpec("bearer", (("token", token),)), ()
        self.note(
            f"{where}: the bearer token with the prefix {prefix!r} became the header "
            f"'Authorization: {prefix} ...' (bearer auth here always says Bearer)"
        )
        return AuthSpec("none"), (KeyValue("Authorization", f"{prefix} {token}"),)

    def api_key(self, params: dict[str, str], where: str) -> tuple[AuthSpec, tuple[KeyValue, ...]]:
        key, value = params.get("key", ""), params.get("value", "")
        place = {"queryParams": "query", "cookie": "cookie"}.get(params.get("addTo", ""), "header")
        return AuthSpec("api-key", (("key", key), ("value", value), ("in", place))), ()

    def signed(self, kind: str, params: dict[str, str], where: str) -> AuthSpec:
        """Digest (``username``, ``password``) and AWS IAM (``IAM_IN``) in the schema's terms;
        other settings are reported."""
        names = IAM_IN if kind == "iam" else {"username": "username", "password": "password"}
        name = "awsv4" if kind == "iam" else kind
        left = [key for key, value in params.items() if key not in names and value]
        note = not_imported(where, name, left, "no equivalent here")
        if note:
            self.note(note)
        return complete(name, {names[k]: v for k, v in params.items() if k in names})

    def oauth2(self, params: dict[str, str], where: str) -> AuthSpec:
        """Insomnia's OAuth2 in the schema's terms: the grant (implicit reported and run as
        authorization code with PKCE), PKCE, where the client's secret goes, the settings of
        ``OAUTH2_IN``; the others (``state``, ``responseType``, ``origin`` ...) are reported."""
        mapped = {OAUTH2_IN[k]: v for k, v in params.items() if k in OAUTH2_IN and v}
        grant = params.get("grantType", "")
        code = grant in ("authorization_code", "implicit")
        if grant == "implicit":
            self.note(f"{where}: {IMPLICIT}")
            mapped |= {"grant_type": "authorization_code", "pkce": PKCE}
        elif grant and oauth2_value("grant_type", grant, where, self.warnings) is not None:
            mapped["grant_type"] = grant
        if code and grant != "implicit":
            mapped["pkce"] = PKCE if params.get("usePkce") == "true" else NO_PKCE
        if code and params.get("pkceMethod", PKCE) not in ("", PKCE):
            self.note(
                f"{where}: the PKCE method {params['pkceMethod']} is not supported; S256 is used"
            )
        if "credentialsInBody" in params:
            mapped["client_auth"] = POST if params["credentialsInBody"] == "true" else BASIC
        read = {*OAUTH2_IN, "grantType", "usePkce", "pkceMethod", "credentialsInBody"}
        left = [k for k, v in params.items() if k not in read and v]
        for why in dict.fromkeys(_unmapped_reason(k) for k in left):
            note = not_imported(where, OAUTH2, [k for k in left if _unmapped_reason(k) == why], why)
            if note:
                self.note(note)
        return complete(OAUTH2, mapped)

    def kept(self, kind: str, params: dict[str, str], where: str) -> AuthSpec:
        """A type the app cannot send, kept under Postman's names (``KEPT_AUTH``) with its
        non-empty settings; secret ones moved to secret variables."""
        name, renames = KEPT_AUTH.get(kind, (kind, {}))
        pairs = []
        for written, value in params.items():
            key = renames.get(written, written)
            if value and key in KEPT_SECRETS:
                pairs.append(
                    (key, self.vault.slot(f"{name}_{key}", value, where, f"the {name} {key}"))
                )
            elif value:
                pairs.append((key, value))
        self.note(f"{where}: {unsupported(name)}")
        return AuthSpec(name, tuple(pairs))


def _unmapped_reason(key: str) -> str:
    if key in PER_AUTHORIZATION or key == "code":
        return "made anew for each authorization"
    return "no equivalent here"


def _tag_words(inner: str) -> tuple[str, list[str]]:
    """A tag's name and arguments: ``now 'custom', 'yyyy'`` → ``now``, ``[custom, yyyy]``."""
    words = inner.strip().split(maxsplit=1)
    rest = words[1] if len(words) > 1 else ""
    args = [next(g for g in m.groups() if g is not None) for m in _ARGUMENT.finditer(rest)]
    return (words[0] if words else ""), args


def _reference(inner: str) -> str | None:
    """The variable a Nunjucks output refers to (``_.a.b``, ``_['a-b']``, ``name``), or None
    for anything else (filters, arithmetic, a name our ``{{}}`` cannot hold)."""
    match = _REFERENCE.fullmatch(inner)
    if match is None:
        return None
    parts = [next(g for g in m.groups() if g is not None) for m in _SEGMENT.finditer(match["rest"])]
    if match["root"] != "_":
        parts.insert(0, match["root"])
    name = ".".join(parts)
    return name if name and not re.search(r"[\s{}]", name) else None


def _fill_path(url: str, name: str, value: str) -> str:
    """``url`` with its ``/:name`` segments replaced by ``value``."""
    return re.sub(rf"/:{re.escape(name)}(?=[/?#]|$)", lambda _match: f"/{value}", url)


def _parses_as_json(text: str) -> bool:
    try:
        safe_parse.loads(_PLACEHOLDER.sub("0", text))
    except ValueError:
        return False
    return True


def _bare_multipart(header: KeyValue) -> bool:
    """A ``Content-Type: multipart/form-data`` header without a boundary (Insomnia writes one
    for its multipart bodies); sent as is, the server could not split the parts."""
    value = header.value.lower()
    return (
        header.name.lower() == "content-type"
        and value.startswith(MULTIPART)
        and "boundary=" not in value
    )


def _collection_name(source: str) -> str:
    stem = PurePath(source).stem
    return "Insomnia" if not stem or stem.startswith("<") else stem
