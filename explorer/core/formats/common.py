"""What every importer and exporter shares: the result type, located parse errors, the
Content-Type convention, and moving literal secrets out of imported requests."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from explorer.core import safe_parse
from explorer.core.auth.schema import auth_type, is_secret
from explorer.core.errors import FormatError
from explorer.core.models import AuthSpec, Body, BodyMode, KeyValue, RequestSpec
from explorer.core.redaction import SENSITIVE_HEADERS
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.model import Folder, Variable

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
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError("is not UTF-8 text", path=str(path)) from exc
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


class SecretVault:
    """Collects literal secrets found while importing and replaces them by ``{{variables}}``."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.warnings: list[str] = []

    def auth(self, auth: AuthSpec | None, where: str) -> AuthSpec | None:
        """``auth`` in the schema's terms (``canonical``) with literal secrets moved to secret
        variables (the schema says which parameters are secret)."""
        if auth is None:
            return None
        auth = canonical(auth, where, self.warnings)
        params = []
        for key, value in auth.params:
            kept = value
            if is_secret(auth.type, key) and value and "{{" not in value:
                name = self.keep(f"{auth.type}_{key}".replace("-", "_"), value)
                self.warnings.append(
                    f"{where}: the {auth.type} {key} was moved to the secret variable "
                    f"{{{{{name}}}}}; it is not written to files"
                )
                kept = f"{{{{{name}}}}}"
            params.append((key, kept))
        return AuthSpec(auth.type, tuple(params))

    def headers(self, headers: tuple[KeyValue, ...], where: str) -> tuple[KeyValue, ...]:
        """Literal credentials in headers (Authorization, API keys, cookies) become secret
        variables; an Authorization scheme (``Bearer``) stays visible."""
        kept = []
        for header in headers:
            value = header.value
            if header.name.lower() in SENSITIVE_HEADERS and value and "{{" not in value:
                scheme, sep, credential = value.partition(" ")
                if not (header.name.lower().endswith("authorization") and sep and scheme.isalpha()):
                    scheme, credential = "", value
                name = self.keep(re.sub(r"\W+", "_", header.name.lower()), credential)
                self.warnings.append(
                    f"{where}: the value of header {header.name} was moved to the secret variable "
                    f"{{{{{name}}}}}; it is not written to files"
                )
                value = f"{scheme} {{{{{name}}}}}" if scheme else f"{{{{{name}}}}}"
            kept.append(replace(header, value=value))
        return tuple(kept)

    def keep(self, base: str, value: str) -> str:
        for name, known in self.values.items():
            if known == value:
                return name
        name, n = base, 1
        while name in self.values:
            n += 1
            name = f"{base}_{n}"
        self.values[name] = value
        return name

    def variables(self) -> tuple[Variable, ...]:
        return tuple(Variable(name, secret=True) for name in self.values)


def describe(tree: Folder, indent: str = "") -> list[str]:
    """A preview of what an import will create, one line per folder and request."""
    from explorer.core.workspace.model import SavedRequest

    lines = []
    for item in tree.items:
        if isinstance(item, SavedRequest):
            lines.append(f"{indent}{item.spec.method:<7} {item.name}")
        else:
            lines.append(f"{indent}{item.name}/")
            lines += describe(item, indent + "  ")
    return lines
