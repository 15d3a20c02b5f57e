"""Immutable request and exchange models.

The flow is one way: ``RequestSpec`` (what the user saved or typed, with ``{{variables}}``) is
resolved against a scope into a ``ResolvedRequest`` (concrete URL, header list and body bytes),
which the HTTP client sends and records as an ``Exchange``. Nothing ever mutates a spec; editors
build a new one with ``dataclasses.replace``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.core.http.body import ResponseBody

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_MAX_REDIRECTS = 10


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One row of a params or headers table; disabled rows are kept, not sent."""

    name: str
    value: str = ""
    enabled: bool = True


class BodyMode(enum.StrEnum):
    NONE = "none"
    JSON = "json"
    FORM = "form"
    MULTIPART = "multipart"
    RAW = "raw"
    BINARY_FILE = "binary-file"


@dataclass(frozen=True, slots=True)
class FormField:
    """A form or multipart field. For a multipart file part, ``value`` is the file's path."""

    name: str
    value: str = ""
    enabled: bool = True
    is_file: bool = False
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Body:
    """A request body as edited. ``text`` serves json and raw; ``fields`` serve form and multipart;
    ``file`` is the path of a binary-file body."""

    mode: BodyMode = BodyMode.NONE
    text: str = ""
    content_type: str | None = None
    fields: tuple[FormField, ...] = ()
    file: str | None = None


@dataclass(frozen=True, slots=True)
class AuthSpec:
    """An auth choice by its registry key (``none``, ``basic``, ``bearer``, ``api-key``,
    ``oauth2`` ...). ``params`` may hold ``{{variables}}``; secrets are referenced, never stored."""

    type: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        for name, value in self.params:
            if name == key:
                return value
        return default


class CheckKind(enum.StrEnum):
    """What an assertion looks at (``assert:`` in a request file; the collection runner checks)."""

    STATUS = "status"
    JSONPATH = "jsonpath"
    HEADER = "header"
    MAX_MS = "max_ms"


@dataclass(frozen=True, slots=True)
class Assertion:
    """One check of a response. ``target`` is the JSONPath or header name (empty for status and
    max_ms); ``expected`` is the status code, the millisecond limit, the header's text, or the
    JSON text of a JSONPath value; None means "exists" (JSONPath) or "present" (header)."""

    kind: CheckKind
    target: str = ""
    expected: str | None = None


@dataclass(frozen=True, slots=True)
class Capture:
    """Stores a value of the response as variable ``name`` for later requests of a run:
    ``source`` is ``jsonpath`` (a JSONPath into the body) or ``header`` (a header name)."""

    name: str
    source: str
    path: str


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """A request as saved: may contain ``{{variables}}``. ``auth`` None means inherit."""

    method: str = "GET"
    url: str = ""
    name: str = ""
    params: tuple[KeyValue, ...] = ()
    headers: tuple[KeyValue, ...] = ()
    body: Body = field(default_factory=Body)
    auth: AuthSpec | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    follow_redirects: bool = True
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    verify_tls: bool = True
    docs: str = ""
    assertions: tuple[Assertion, ...] = ()
    captures: tuple[Capture, ...] = ()


@dataclass(frozen=True, slots=True)
class FileBody:
    """A body streamed from a file at send time (binary-file mode); re-opened for a replay."""

    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class ResolvedRequest:
    """A concrete request: every variable substituted, the query encoded into ``url``, the body
    encoded to bytes (or a file to stream). Header order and repeats are preserved.

    ``secrets`` holds the values that came from secret variables, so logs, history and snippets
    can mask them wherever they ended up (URL, header, body).
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | FileBody | None = None
    auth: AuthSpec | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    follow_redirects: bool = True
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    verify_tls: bool = True
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    secrets: frozenset[str] = frozenset()

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Timings:
    """Where the time of one send went, in milliseconds, measured by the client
    (``explorer.core.http.timing``) on the final hop: the phases follow one another, so
    ``phases()`` adds up to ``total_ms`` (up to a few microseconds the client cannot observe).

    ``ttfb_ms`` runs from the request written to the status line, ``download_ms`` from there to
    the last body byte. ``reused``: a pooled connection carried the request, so DNS, connect and
    TLS are 0. ``measured`` is False when the connection was not ours to time (a proxy), which
    ``note`` explains. Sizes are bytes written for the final hop's request."""

    total_ms: float
    ttfb_ms: float
    download_ms: float
    prepare_ms: float = 0.0
    redirects_ms: float = 0.0
    dns_ms: float = 0.0
    connect_ms: float = 0.0
    tls_ms: float = 0.0
    send_ms: float = 0.0
    reused: bool = False
    measured: bool = False
    note: str = ""
    sent_header_bytes: int = 0
    sent_body_bytes: int = 0
    received_header_bytes: int = 0

    def phases(self) -> tuple[tuple[str, float], ...]:
        """The phases in the order they happened, labelled as the window and ``send -v`` show
        them; redirects only when there were some."""
        rows = [("Prepare", self.prepare_ms)]
        if self.redirects_ms:
            rows.append(("Redirects", self.redirects_ms))
        rows += [
            ("DNS", self.dns_ms),
            ("Connect", self.connect_ms),
            ("TLS", self.tls_ms),
            ("Send", self.send_ms),
            ("First byte", self.ttfb_ms),
            ("Download", self.download_ms),
        ]
        return tuple(rows)

    def summary(self) -> str:
        """One line of the phases, the total and how the connection was had, as ``send -v``
        prints it and the Timing tab shows it under its bars."""
        parts = [f"{label} {ms:.1f} ms" for label, ms in self.phases()]
        line = "  ·  ".join([*parts, f"total {self.total_ms:.1f} ms"])
        if self.reused:
            line += "  (reused connection)"
        elif self.note:
            line += f"  ({self.note})"
        return line


@dataclass(frozen=True, slots=True)
class RedirectHop:
    """One redirect response we followed (the final response is not a hop)."""

    method: str
    url: str
    status: int
    location: str


class Headers(tuple[tuple[str, str], ...]):
    """Response headers in wire order, repeats kept, with case-insensitive lookups."""

    def get(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        for key, value in self:
            if key.lower() == lowered:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self if key.lower() == lowered]

    def names(self) -> Iterator[str]:
        return (key for key, _ in self)


@dataclass(frozen=True, slots=True)
class Response:
    """The final response. ``body`` may live in memory or in a spilled temp file."""

    status: int
    reason: str
    http_version: str
    url: str
    headers: Headers
    body: ResponseBody
    header_bytes: int
    wire_bytes: int
    tls_version: str | None = None

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when absent)."""
        raw = self.headers.get("Content-Type") or ""
        return raw.split(";", 1)[0].strip().lower()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request as resolved, the response, the redirect hops on the way, and timings.

    ``sent_headers`` are the headers of the final hop as requests prepared them (auth and
    defaults included; the runner and history use them). ``wire_request_line`` and
    ``wire_headers`` are that hop's head exactly as the connection wrote it, with ``Host``,
    ``Content-Length`` or ``Transfer-Encoding`` added below requests, in order (empty when no
    connection of ours wrote it). Show either through ``explorer.core.redaction`` only.
    ``sent_method`` is the final hop's method (a 303 turns a POST into a GET); empty when
    unknown: the request's."""

    request: ResolvedRequest
    response: Response
    hops: tuple[RedirectHop, ...]
    timings: Timings
    started_at: datetime
    sent_headers: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    sent_method: str = ""
    wire_request_line: str = ""
    wire_headers: tuple[tuple[str, str], ...] = ()

    @property
    def headers_on_wire(self) -> tuple[tuple[str, str], ...]:
        """The final hop's headers as written when known, else as prepared: what the Sent tab
        and ``send -v`` show."""
        return self.wire_headers or self.sent_headers
