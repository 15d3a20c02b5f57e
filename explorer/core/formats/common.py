"""What every importer and exporter shares: the result type, located parse errors, the
Content-Type convention, and moving literal secrets out of imported requests."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from explorer.core import safe_parse
from explorer.core.auth.schema import auth_type, is_secret
from explorer.core.errors import FormatError
from explorer.core.formats import secrets
from explorer.core.formats.decoding import decode_input
from explorer.core.models import AuthSpec, Body, BodyMode, KeyValue, RequestSpec
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.model import Folder, SavedRequest, Variable

T = TypeVar("T")

MAX_INPUT = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportResult:
    """An imported collection. ``warnings`` says what could not be mapped; ``secrets`` holds
    literal secret values found in the input, by the variable name that now refers to them."""

    collection: Folder
    environments: tuple[EnvironmentValues, ...] = ()
    warnings: tuple[str, ...] = ()
    secrets: dict[str, str] = field(default_factory=dict)


def read_input(path: Path) -> str:
    """The text of an import file, with a clear error for a missing, huge or binary file."""
    try:
        if path.stat().st_size > MAX_INPUT:
            raise FormatError("is larger than 64 MB; this is not a collection", path=str(path))
        return decode_input(path.read_bytes(), str(path))
    except OSError as exc:
        raise FormatError(f"cannot be read ({exc.strerror})", path=str(path)) from exc


def parse_json(text: str, source: str) -> Any:
    try:
        return safe_parse.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"is not valid JSON at column {exc.colno}: {exc.msg}", path=source, line=exc.lineno
        ) from exc
    except safe_parse.NestingError as exc:
        raise FormatError(f"is {exc}; this is not a collection", path=source) from exc


class JsonShapes:
    """Located checks of a parsed JSON or YAML document's shapes, shared by the importers: a
    value of the wrong shape is one ``FormatError`` naming its path (``where``) in ``source``.
    ``empty_mapping``: a missing (null) object reads as ``{}`` (formats whose writers omit
    empty objects), else it is an error."""

    source: str
    empty_mapping: ClassVar[bool] = False

    def fail(self, where: str, expected: str) -> FormatError:
        return FormatError(f"{where} must be {expected}", path=self.source)

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if value is None and self.empty_mapping:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, "an object")
        return value

    def array(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, "an array")
        return value

    def text(self, value: Any, where: str) -> str:
        """A scalar as text (``true``/``false`` for booleans, as the formats write them)."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise self.fail(where, "text")


class UnexpectedStructure(FormatError):
    """Input that slipped past an importer's checks; still one located sentence for the user,
    and the fuzz tests fail on it so the missing check gets written."""


def guarded(source: str, parse: Callable[[], T]) -> T:
    """Run an importer; input shaped so oddly that a check was missed still ends as a
    ``FormatError`` naming the file, never as a crash."""
    try:
        return parse()
    except FormatError:
        raise
    except RecursionError as exc:
        raise FormatError("is nested too deeply to import", path=source) from exc
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise UnexpectedStructure(f"has an unexpected structure ({exc})", path=source) from exc


def implied_type(body: Body) -> str | None:
    """The Content-Type a body mode implies (what ``templating.resolve`` adds when absent)."""
    if body.mode is BodyMode.JSON:
        return body.content_type or "application/json"
    if body.mode is BodyMode.FORM:
        return "application/x-www-form-urlencoded"
    if body.mode in (BodyMode.RAW, BodyMode.BINARY_FILE):
        return body.content_type
    return None


def emit_content_type(spec: RequestSpec) -> tuple[KeyValue, ...]:
    """Headers for a format that has no body modes: add the Content-Type the mode implies."""
    kind = implied_type(spec.body)
    if kind is None or any(h.name.lower() == "content-type" for h in spec.headers if h.enabled):
        return spec.headers
    return (*spec.headers, KeyValue("Content-Type", kind))


def absorb_content_type(
    headers: tuple[KeyValue, ...], body: Body
) -> tuple[tuple[KeyValue, ...], Body]:
    """The inverse of ``emit_content_type``: a Content-Type header the body mode implies is
    folded into the body, so export → import gives back the request we started from."""
    for index, header in enumerate(headers):
        if header.name.lower() != "content-type" or not header.enabled:
            continue
        value = header.value.strip()
        rest = headers[:index] + headers[index + 1 :]
        if body.mode is BodyMode.JSON and value.lower() == "application/json":
            return rest, body
        if body.mode is BodyMode.JSON and body.content_type is None:
            return rest, replace(body, content_type=value)
        if body.mode is BodyMode.FORM and value.lower() == "application/x-www-form-urlencoded":
            return rest, body
        if body.mode in (BodyMode.RAW, BodyMode.BINARY_FILE) and body.content_type is None:
            return rest, replace(body, content_type=value)
        return headers, body
    return headers, body


def canonical(auth: AuthSpec, where: str, warnings: list[str]) -> AuthSpec:
    """An imported auth as the schema has it: for a type the Auth tab edits, its parameters in
    the file's order, missing ones at their defaults, others dropped with a warning. Other
    types (OAuth2, and those the app cannot send) are kept exactly as imported."""
    known = auth_type(auth.type)
    if known is None or not known.editable:
        return auth
    names = {p.name for p in known.params}
    dropped = [key for key, _ in auth.params if key not in names]
    if dropped:
        warnings.append(f"{where}: {auth.type} auth setting {', '.join(dropped)} was not imported")
    params = [(key, value) for key, value in auth.params if key in names]
    present = {key for key, _ in params}
    params += [(p.name, p.default) for p in known.params if p.name not in present]
    return AuthSpec(auth.type, tuple(params))


#: A JSON member whose value is a string without escapes: ``"password": "x"``.
_JSON_MEMBER = re.compile(r'(?P<head>"(?P<key>[^"\\\n]{1,200})"\s*:\s*")(?P<value>[^"\\\n]*)"')


class SecretVault:
    """Collects literal secrets found while importing and replaces them by ``{{variables}}``;
    ``secrets`` decides what is a secret. ``used`` gathers the variables referenced from
    secret places, so a variable holding a token is found by its use, whatever its name."""

    def __init__(self, values: dict[str, str] | None = None, taken: set[str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})
        self.warnings: list[str] = []
        self.used: set[str] = set()
        self.taken: set[str] = set(taken or ())

    def auth(self, auth: AuthSpec | None, where: str) -> AuthSpec | None:
        """``auth`` in the schema's terms (``canonical``) with literal secrets moved to secret
        variables (the schema says which parameters are secret)."""
        if auth is None:
            return None
        return self.auth_secrets(canonical(auth, where, self.warnings), where)

    def auth_secrets(self, auth: AuthSpec, where: str) -> AuthSpec:
        """``auth`` with the literal values of the parameters the schema marks secret moved."""
        params = []
        for key, value in auth.params:
            kept = value
            if is_secret(auth.type, key):
                kept = self.slot(f"{auth.type}_{key}", value, where, f"the {auth.type} {key}")
            params.append((key, kept))
        return AuthSpec(auth.type, tuple(params))

    def headers(self, headers: tuple[KeyValue, ...], where: str) -> tuple[KeyValue, ...]:
        """Literal credentials in headers (Authorization, API keys, tokens, cookies, random
        values) become secret variables; an Authorization scheme (``Bearer``) stays visible."""
        kept = []
        for header in headers:
            value = header.value
            if secrets.credential_header(header.name) or secrets.random_looking(value):
                scheme, sep, credential = value.partition(" ")
                if not (header.name.lower().endswith("authorization") and sep and scheme.isalpha()):
                    scheme, credential = "", value
                what = f"the value of header {header.name}"
                moved = self.slot(header.name.lower(), credential, where, what)
                value = f"{scheme} {moved}" if scheme else moved
            kept.append(replace(header, value=value))
        return tuple(kept)

    def params(self, rows: tuple[KeyValue, ...], where: str) -> tuple[KeyValue, ...]:
        """Query parameters named like credentials (``api_key``, ``token``) or holding a
        random-looking value, moved."""
        return tuple(
            replace(row, value=self.named(row.name, row.value, where, "query parameter"))
            for row in rows
        )

    def url(self, url: str, where: str) -> str:
        """The query string written in a URL, its credentials moved as ``params`` does."""
        head, sep, query = url.partition("?")
        if not sep:
            return url
        query, hash_sign, fragment = query.partition("#")
        pieces = []
        for piece in query.split("&"):
            key, equals, value = piece.partition("=")
            if equals:
                value = self.named(key, value, where, "query parameter")
            pieces.append(f"{key}{equals}{value}")
        return f"{head}?{'&'.join(pieces)}{hash_sign}{fragment}"

    def body(self, body: Body, where: str) -> Body:
        """Form and multipart text fields, and JSON string members, named like credentials
        (``password``, ``client_secret``) or holding a random-looking value, moved. JSON is
        edited as text so the body keeps the file's layout."""
        if body.mode is BodyMode.JSON:
            text = _JSON_MEMBER.sub(
                lambda m: m["head"] + self.named(m["key"], m["value"], where, "JSON member") + '"',
                body.text,
            )
            return replace(body, text=text)
        if body.mode not in (BodyMode.FORM, BodyMode.MULTIPART):
            return body
        fields = tuple(
            field
            if field.is_file
            else replace(field, value=self.named(field.name, field.value, where, "form field"))
            for field in body.fields
        )
        return replace(body, fields=fields)

    def named(self, name: str, value: str, where: str, kind: str) -> str:
        if secrets.secret_name(name) or secrets.random_looking(value):
            return self.slot(name, value, where, f"the {kind} {name}")
        return value

    def slot(self, base: str, value: str, where: str, what: str) -> str:
        """``value`` found in a secret place: a literal is moved (its ``{{name}}`` returned);
        the variables a template refers to are remembered as used for a secret."""
        if not secrets.literal(value):
            self.used |= secrets.references(value)
            return value
        name = self.keep(secrets.snake(base) or "secret", value)
        self.warnings.append(
            f"{where}: {what} was moved to the secret variable {{{{{name}}}}}; "
            "it is not written to files"
        )
        return f"{{{{{name}}}}}"

    def keep(self, base: str, value: str) -> str:
        for name, known in self.values.items():
            if known == value:
                return name
        name, n = base, 1
        while name in self.values or name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.values[name] = value
        return name

    def variable(self, variable: Variable, where: str) -> Variable:
        """A collection variable holding a secret (used in a secret place, named like a
        credential, or random-looking) as a secret variable, its value kept here."""
        name, value = variable.name, variable.value
        if variable.secret or not secrets.literal(value):
            return variable
        if not self.secret_variable(name, value):
            return variable
        if self.values.get(name, value) != value:
            self.warnings.append(
                f"{where}: the variable {name} looks secret but another value of that name "
                "was already moved; its value was not imported"
            )
        else:
            self.values[name] = value
            self.warnings.append(
                f"{where}: the variable {name} was made a secret variable; "
                "its value is not written to files"
            )
        return Variable(name, secret=True)

    def secret_variable(self, name: str, value: str) -> bool:
        return name in self.used or secrets.secret_name(name) or secrets.random_looking(value)

    def variables(self) -> tuple[Variable, ...]:
        return tuple(Variable(name, secret=True) for name in self.values)


def protect(result: ImportResult) -> ImportResult:
    """``result`` with every literal secret the classifier finds moved out (``SecretVault``):
    the last step of each importer, so what any format brings in is judged the same way."""
    tree = result.collection
    vault = SecretVault(result.secrets, set(variable_names(tree)))
    tree = _protect_requests(vault, tree, "")
    tree = _protect_variables(vault, tree, "collection")
    missing = set(vault.values) - set(result.secrets) - set(tree.secret_names())
    moved = tuple(Variable(name, secret=True) for name in vault.values if name in missing)
    tree = replace(tree, variables=(*tree.variables, *moved))
    envs = tuple(_protect_environment(vault, env) for env in result.environments)
    warnings = (*result.warnings, *vault.warnings)
    return replace(
        result, collection=tree, environments=envs, warnings=warnings, secrets=vault.values
    )


def variable_names(folder: Folder) -> list[str]:
    """Every variable name the folder and its sub-folders declare."""
    names = [v.name for v in folder.variables]
    for item in folder.items:
        if isinstance(item, Folder):
            names += variable_names(item)
    return names


def _protect_requests(vault: SecretVault, folder: Folder, trail: str) -> Folder:
    where = trail or "collection"
    items: list[Folder | SavedRequest] = []
    for item in folder.items:
        if isinstance(item, SavedRequest):
            spec, at = item.spec, f"{trail}{item.spec.name or 'request'}"
            spec = replace(
                spec,
                url=vault.url(spec.url, at),
                params=vault.params(spec.params, at),
                headers=vault.headers(spec.headers, at),
                body=vault.body(spec.body, at),
                auth=vault.auth_secrets(spec.auth, at) if spec.auth else None,
            )
            items.append(replace(item, spec=spec))
        else:
            items.append(_protect_requests(vault, item, f"{trail}{item.name}/"))
    auth = vault.auth_secrets(folder.auth, where) if folder.auth else None
    headers = vault.headers(folder.headers, where)
    return replace(folder, items=tuple(items), auth=auth, headers=headers)


def _protect_variables(vault: SecretVault, folder: Folder, where: str) -> Folder:
    items = tuple(
        _protect_variables(vault, item, f"{where}/{item.name}")
        if isinstance(item, Folder)
        else item
        for item in folder.items
    )
    variables = tuple(vault.variable(v, where) for v in folder.variables)
    return replace(folder, items=items, variables=variables)


def _protect_environment(vault: SecretVault, env: EnvironmentValues) -> EnvironmentValues:
    """An environment whose values named like credentials, used in a secret place or random
    looking become its secrets (their values kept in the vault, never written)."""
    values = dict(env.values)
    secret_names = list(env.secret_names)
    for key, value in env.values.items():
        if key in secret_names or not secrets.literal(value):
            continue
        if vault.secret_variable(key, value):
            del values[key]
            secret_names.append(key)
            if vault.values.setdefault(key, value) == value:
                vault.warnings.append(
                    f"environment {env.name}: the value of {key} was made a secret; "
                    "it is not written to files"
                )
            else:
                vault.warnings.append(
                    f"environment {env.name}: {key} looks secret but another value of that "
                    "name was already moved; its value was not imported"
                )
    return replace(env, values=values, secret_names=tuple(secret_names))


def describe(tree: Folder, indent: str = "") -> list[str]:
    """A preview of what an import will create, one line per folder and request."""
    lines = []
    for item in tree.items:
        if isinstance(item, SavedRequest):
            lines.append(f"{indent}{item.spec.method:<7} {item.name}")
        else:
            lines.append(f"{indent}{item.name}/")
            lines += describe(item, indent + "  ")
    return lines
