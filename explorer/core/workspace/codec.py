"""Model ⇄ plain data for the YAML files, with fixed key order and defaults omitted.

``*_to_data`` builds the dict that is dumped; ``*_from_data`` validates a loaded dict and names
the offending key in a ``FormatError`` when a hand edit went wrong. Scalars typed by hand
(``value: 5``, ``enabled: no``) are accepted where text is expected.
"""

from __future__ import annotations

import json
from typing import Any

from explorer.core.errors import FormatError
from explorer.core.models import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_READ_TIMEOUT,
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
from explorer.core.tls import FIELDS as TLS_FIELDS
from explorer.core.tls import TlsFiles
from explorer.core.workspace.model import Folder, Variable

Data = dict[str, Any]


class Reader:
    """Typed access to a loaded mapping; errors name the file and the key path."""

    def __init__(self, data: Any, path: str, where: str = "") -> None:
        if not isinstance(data, dict):
            raise FormatError(f"{where or 'the file'} must be a mapping of keys", path=path)
        self.data: dict[Any, Any] = data
        self.path = path
        self.where = where

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, expected: str) -> FormatError:
        return FormatError(f"'{self._key(key)}' must be {expected}", path=self.path)

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise self.fail(key, "text")

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if self.data.get(key) is not None else None

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "a whole number")
        return value

    def number(self, key: str, default: float) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(key, "a positive number")
        return float(value)

    def rows(self, key: str) -> list[Reader]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise self.fail(key, "a list")
        return [Reader(row, self.path, f"{self._key(key)}[{i}]") for i, row in enumerate(value)]

    def mapping(self, key: str) -> dict[str, str]:
        value = self.data.get(key) or {}
        if not isinstance(value, dict):
            raise self.fail(key, "a mapping of names to values")
        inner = Reader(value, self.path, self._key(key))
        return {str(name): inner.text(name) for name in value}

    def names(self, key: str) -> list[str]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
            raise self.fail(key, "a list of names")
        return list(value)

    def child(self, key: str) -> Reader | None:
        value = self.data.get(key)
        return None if value is None else Reader(value, self.path, self._key(key))


def _rows_to_data(rows: tuple[KeyValue, ...]) -> list[Data]:
    out = []
    for row in rows:
        item: Data = {"name": row.name, "value": row.value}
        if not row.enabled:
            item["enabled"] = False
        out.append(item)
    return out


def _rows_from_data(reader: Reader, key: str) -> tuple[KeyValue, ...]:
    return tuple(
        KeyValue(r.text("name"), r.text("value"), r.flag("enabled", True)) for r in reader.rows(key)
    )


def body_to_data(body: Body) -> Data:
    data: Data = {"mode": body.mode.value}
    if body.content_type is not None:
        data["content_type"] = body.content_type
    if body.text:
        data["text"] = body.text
    if body.fields:
        fields = []
        for f in body.fields:
            item: Data = {"name": f.name, "value": f.value}
            if f.is_file:
                item["file"] = True
            if f.content_type is not None:
                item["content_type"] = f.content_type
            if not f.enabled:
                item["enabled"] = False
            fields.append(item)
        data["fields"] = fields
    if body.file is not None:
        data["file"] = body.file
    return data


def body_from_data(reader: Reader) -> Body:
    raw_mode = reader.text("mode", "none")
    try:
        mode = BodyMode(raw_mode)
    except ValueError:
        known = ", ".join(m.value for m in BodyMode)
        raise reader.fail("mode", f"one of {known}") from None
    fields = tuple(
        FormField(
            r.text("name"),
            r.text("value"),
            r.flag("enabled", True),
            r.flag("file", False),
            r.optional_text("content_type"),
        )
        for r in reader.rows("fields")
    )
    return Body(
        mode,
        reader.text("text"),
        reader.optional_text("content_type"),
        fields,
        reader.optional_text("file"),
    )


def auth_to_data(auth: AuthSpec) -> Data:
    data: Data = {"type": auth.type}
    data.update((name, value) for name, value in auth.params if name != "type")
    return data


def auth_from_data(reader: Reader) -> AuthSpec:
    kind = reader.text("type")
    if not kind:
        raise reader.fail("type", "an auth type such as none, basic, bearer, api-key or oauth2")
    params = tuple((str(k), reader.text(str(k))) for k in reader.data if k != "type")
    return AuthSpec(kind, params)


def _number_data(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def assertion_to_data(check: Assertion) -> Data:
    """``{status: 201}``, ``{max_ms: 500}``, ``{jsonpath: $.id[, equals: V]}``,
    ``{header: Location[, equals: TEXT]}``."""
    expected = check.expected
    if check.kind in (CheckKind.STATUS, CheckKind.MAX_MS):
        return {check.kind.value: _number_data(expected or "0")}
    data: Data = {check.kind.value: check.target}
    if expected is not None:
        data["equals"] = json.loads(expected) if check.kind == CheckKind.JSONPATH else expected
    return data


def assertion_from_data(reader: Reader) -> Assertion:
    kinds = [kind for kind in CheckKind if kind.value in reader.data]
    if len(kinds) != 1:
        raise FormatError(
            f"'{reader.where}' must name one check: status, jsonpath, header or max_ms",
            path=reader.path,
        )
    kind = kinds[0]
    if kind == CheckKind.STATUS:
        code = reader.integer("status", 0)
        if not 100 <= code <= 599:
            raise reader.fail("status", "an HTTP status code (100-599)")
        return Assertion(kind, expected=str(code))
    if kind == CheckKind.MAX_MS:
        reader.number("max_ms", 0.0)  # a positive number, or a located FormatError
        return Assertion(kind, expected=str(reader.data["max_ms"]))
    target = reader.text(kind.value)
    if not target:
        raise reader.fail(kind.value, "a JSONPath" if kind == CheckKind.JSONPATH else "a name")
    if "equals" not in reader.data:
        return Assertion(kind, target)
    if kind == CheckKind.HEADER:
        return Assertion(kind, target, reader.text("equals"))
    try:
        expected = json.dumps(reader.data["equals"], ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise reader.fail("equals", "a JSON value (quote dates and times)") from None
    return Assertion(kind, target, expected)


def capture_to_data(capture: Capture) -> Data:
    return {"name": capture.name, capture.source: capture.path}


def capture_from_data(reader: Reader) -> Capture:
    name = reader.text("name")
    if not name:
        raise reader.fail("name", "the variable to capture into")
    sources = [s for s in ("jsonpath", "header") if s in reader.data]
    if len(sources) != 1:
        raise FormatError(
            f"'{reader.where}' must take its value from one jsonpath or one header",
            path=reader.path,
        )
    path = reader.text(sources[0])
    if not path:
        raise reader.fail(sources[0], "a JSONPath" if sources[0] == "jsonpath" else "a name")
    return Capture(name, sources[0], path)


def request_to_data(spec: RequestSpec, seq: int) -> Data:
    """The request file's content: identity first, then what is set, then non-default options."""
    data: Data = {"name": spec.name, "seq": seq, "method": spec.method, "url": spec.url}
    if spec.params:
        data["params"] = _rows_to_data(spec.params)
    if spec.headers:
        data["headers"] = _rows_to_data(spec.headers)
    if spec.body != Body():
        data["body"] = body_to_data(spec.body)
    if spec.auth is not None:
        data["auth"] = auth_to_data(spec.auth)
    if spec.docs:
        data["docs"] = spec.docs
    if spec.assertions:
        data["assert"] = [assertion_to_data(a) for a in spec.assertions]
    if spec.captures:
        data["capture"] = [capture_to_data(c) for c in spec.captures]
    options = _options_to_data(spec)
    if options:
        data["options"] = options
    return data


def _options_to_data(spec: RequestSpec) -> Data:
    options: Data = {}
    if spec.connect_timeout != DEFAULT_CONNECT_TIMEOUT:
        options["connect_timeout"] = spec.connect_timeout
    if spec.read_timeout != DEFAULT_READ_TIMEOUT:
        options["read_timeout"] = spec.read_timeout
    if not spec.follow_redirects:
        options["follow_redirects"] = False
    if spec.max_redirects != DEFAULT_MAX_REDIRECTS:
        options["max_redirects"] = spec.max_redirects
    if not spec.verify_tls:
        options["verify_tls"] = False
    return options


def request_from_data(data: Any, path: str) -> tuple[RequestSpec, int]:
    reader = Reader(data, path)
    body_reader = reader.child("body")
    auth_reader = reader.child("auth")
    opts = reader.child("options") or Reader({}, path, "options")
    spec = RequestSpec(
        method=reader.text("method", "GET"),
        url=reader.text("url"),
        name=reader.text("name"),
        params=_rows_from_data(reader, "params"),
        headers=_rows_from_data(reader, "headers"),
        body=body_from_data(body_reader) if body_reader else Body(),
        auth=auth_from_data(auth_reader) if auth_reader else None,
        connect_timeout=opts.number("connect_timeout", DEFAULT_CONNECT_TIMEOUT),
        read_timeout=opts.number("read_timeout", DEFAULT_READ_TIMEOUT),
        follow_redirects=opts.flag("follow_redirects", True),
        max_redirects=opts.integer("max_redirects", DEFAULT_MAX_REDIRECTS),
        verify_tls=opts.flag("verify_tls", True),
        docs=reader.text("docs"),
        assertions=tuple(assertion_from_data(r) for r in reader.rows("assert")),
        captures=tuple(capture_from_data(r) for r in reader.rows("capture")),
    )
    return spec, reader.integer("seq", 0)


def folder_to_data(folder: Folder, *, root: bool) -> Data:
    """``collection.yaml`` (root) or ``folder.yaml``: items are files beside it, not listed."""
    data: Data = {"name": folder.name, "seq": folder.seq}
    if folder.description:
        data["description"] = folder.description
    if root and folder.provider:
        data["provider"] = folder.provider
    plain = {v.name: v.value for v in folder.variables if not v.secret}
    if plain:
        data["variables"] = plain
    secrets = folder.declared_secrets()
    if secrets:
        data["secret_variables"] = secrets
    if folder.headers:
        data["headers"] = _rows_to_data(folder.headers)
    if folder.auth is not None:
        data["auth"] = auth_to_data(folder.auth)
    if root and folder.tls.items():
        data["tls"] = folder.tls.items()
    return data


def tls_from_data(reader: Reader) -> TlsFiles:
    """A collection's ``tls:`` (``ca_bundle``, ``client_cert``, ``client_key``, ``pkcs12``)."""
    unknown = sorted(str(key) for key in reader.data if key not in TLS_FIELDS)
    if unknown:
        raise reader.fail(unknown[0], f"one of {', '.join(TLS_FIELDS)} (not a known TLS key)")
    tls = TlsFiles(*(reader.optional_text(key) or None for key in TLS_FIELDS))
    problem = tls.problem()
    if problem is not None:
        raise FormatError(f"'{reader.where}': {problem}", path=reader.path)
    return tls


def folder_from_data(data: Any, path: str) -> Folder:
    reader = Reader(data, path)
    secrets = reader.names("secret_variables")
    plain = reader.mapping("variables")
    variables = [Variable(n, v) for n, v in plain.items() if n not in secrets]
    variables += [Variable(n, secret=True) for n in secrets]
    auth_reader = reader.child("auth")
    tls_reader = reader.child("tls")
    return Folder(
        name=reader.text("name"),
        seq=reader.integer("seq", 0),
        description=reader.text("description"),
        provider=reader.text("provider"),
        variables=tuple(variables),
        headers=_rows_from_data(reader, "headers"),
        auth=auth_from_data(auth_reader) if auth_reader else None,
        tls=tls_from_data(tls_reader) if tls_reader else TlsFiles(),
    )
