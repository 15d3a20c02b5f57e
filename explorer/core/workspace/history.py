"""``history/YYYY-MM-DD.jsonl``: one JSON line per sent request, secrets masked before writing.

The URL, headers and body excerpt pass through ``explorer.core.redaction`` with the request's
known secret values, and credential headers are masked by name, so a history file can be shared
or committed. Each entry is appended with a single ``write`` on an ``O_APPEND`` descriptor, so
concurrent writers never interleave lines. Files older than the retention setting are removed by
``prune``.

Each line also keeps the request as it was written in the builder (``{{variables}}`` unresolved,
literal secrets masked) with its provider and environment, so reopening it re-resolves and
re-authenticates on the next send instead of replaying masked values.

A send that got no answer (refused, timed out, a TLS or DNS failure) is a line too: no status
(``null``) and its one-sentence ``error``; lines written before failures were kept have neither
and read as before.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from explorer.core.auth.schema import is_secret
from explorer.core.errors import FormatError
from explorer.core.models import AuthSpec, Exchange, KeyValue, RequestSpec
from explorer.core.redaction import (
    MASK,
    SENSITIVE_HEADERS,
    mask_credentials,
    mask_headers,
    mask_text,
)
from explorer.core.templating import VARIABLE
from explorer.core.workspace import codec

DEFAULT_RETENTION_DAYS = 30
BODY_EXCERPT = 4096


def redact_spec(spec: RequestSpec, secrets: frozenset[str] = frozenset()) -> RequestSpec:
    """The request as history keeps it: literal secrets in auth and credential headers masked,
    known secret values masked anywhere; ``{{references}}`` kept, so a reopened request
    resolves them again on send."""

    def keep(value: str) -> str:
        return value if not value or VARIABLE.fullmatch(value.strip()) else MASK

    headers = tuple(
        replace(h, value=keep(h.value) if h.name.lower() in SENSITIVE_HEADERS else h.value)
        for h in spec.headers
    )
    auth = spec.auth
    if auth is not None:
        auth = AuthSpec(
            auth.type,
            tuple((k, keep(v) if is_secret(auth.type, k) else v) for k, v in auth.params),
        )
    redacted = replace(spec, headers=headers, auth=auth)
    if not secrets:
        return redacted
    data = _masked(codec.request_to_data(redacted, 0), secrets)
    return codec.request_from_data(data, "history")[0]


def _masked(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, dict):
        return {k: _masked(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, secrets) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: str
    method: str
    url: str
    status: int | None  # None: the send got no answer (``error`` says why)
    reason: str
    total_ms: float
    size: int
    request_headers: tuple[tuple[str, str], ...]
    response_headers: tuple[tuple[str, str], ...]
    request_body: str
    name: str = ""
    spec: RequestSpec | None = None
    provider: str = ""
    environment: str = ""
    error: str = ""

    def to_spec(self) -> RequestSpec:
        """A request to reopen or "save as" from history: the builder's request when it was
        kept, else one rebuilt from what was sent (masked values stay masked: re-enter them)."""
        if self.spec is not None:
            return replace(self.spec, name=self.spec.name or self.name or self.url)
        headers = tuple(KeyValue(k, v) for k, v in self.request_headers)
        return RequestSpec(
            method=self.method, url=self.url, name=self.name or self.url, headers=headers
        )


@dataclass(frozen=True, slots=True)
class HistoryDay:
    """One day file as read: its entries (newest first) and its unreadable line numbers."""

    entries: list[HistoryEntry]
    damaged: tuple[int, ...]

    def report(self) -> str:
        """One sentence about damaged lines, or "" when there are none."""
        if not self.damaged:
            return ""
        lines = ", ".join(str(n) for n in self.damaged)
        noun = "line" if len(self.damaged) == 1 else "lines"
        return (
            f"History skipped {len(self.damaged)} unreadable {noun} ({noun} {lines}), "
            "e.g. one cut short by a crash; every other entry is shown."
        )


class History:
    """The history of one workspace."""

    def __init__(self, workspace: Path, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.directory = workspace / "history"
        self.retention_days = retention_days

    def record(
        self,
        exchange: Exchange,
        name: str = "",
        *,
        spec: RequestSpec | None = None,
        provider: str = "",
        environment: str = "",
    ) -> HistoryEntry:
        """Append ``exchange``; ``spec`` is the builder's request it was resolved from."""
        request, response = exchange.request, exchange.response
        secrets = frozenset(request.secrets)
        body = ""
        if isinstance(request.body, bytes):
            body = request.body[:BODY_EXCERPT].decode("utf-8", "replace")
        entry = HistoryEntry(
            at=exchange.started_at.astimezone(UTC).isoformat(timespec="milliseconds"),
            method=request.method,
            url=mask_text(request.url, secrets),
            status=response.status,
            reason=response.reason,
            total_ms=round(exchange.timings.total_ms, 1),
            size=response.body.size,
            request_headers=tuple(mask_headers(exchange.sent_headers or request.headers, secrets)),
            response_headers=tuple(mask_headers(response.headers, secrets)),
            request_body=mask_text(body, secrets),
            name=name,
            spec=redact_spec(spec, secrets) if spec is not None else None,
            provider=provider,
            environment=environment,
        )
        self._append(exchange.started_at.astimezone(UTC).date(), entry)
        return entry

    def record_failure(
        self,
        method: str,
        url: str,
        error: str,
        name: str = "",
        *,
        spec: RequestSpec | None = None,
        provider: str = "",
        environment: str = "",
    ) -> HistoryEntry:
        """Append a send that ended without a response: ``url`` as it was to go out (secrets
        left as placeholders by the caller) and ``error``, the failure's sentence, with every
        secret the process knows and credential-looking values masked."""
        now = datetime.now(UTC)
        entry = HistoryEntry(
            at=now.isoformat(timespec="milliseconds"),
            method=method,
            url=mask_credentials(url),
            status=None,
            reason="",
            total_ms=0.0,
            size=0,
            request_headers=(),
            response_headers=(),
            request_body="",
            name=name,
            spec=redact_spec(spec) if spec is not None else None,
            provider=provider,
            environment=environment,
            error=mask_credentials(error),
        )
        self._append(now.date(), entry)
        return entry

    def clear(self) -> list[Path]:
        """Delete every day file; returns what was removed."""
        removed = []
        for day in self.days():
            path = self.directory / f"{day.isoformat()}.jsonl"
            path.unlink(missing_ok=True)
            removed.append(path)
        return removed

    def _append(self, day: date, entry: HistoryEntry) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {
            "at": entry.at,
            "name": entry.name,
            "method": entry.method,
            "url": entry.url,
            "status": entry.status,
            "reason": entry.reason,
            "total_ms": entry.total_ms,
            "size": entry.size,
            "request_headers": [list(h) for h in entry.request_headers],
            "response_headers": [list(h) for h in entry.response_headers],
            "request_body": entry.request_body,
        }
        if entry.spec is not None:
            record["request"] = codec.request_to_data(entry.spec, 0)
        if entry.provider:
            record["provider"] = entry.provider
        if entry.environment:
            record["environment"] = entry.environment
        if entry.error:
            record["error"] = entry.error
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(
            self.directory / f"{day.isoformat()}.jsonl",
            os.O_RDWR | os.O_APPEND | os.O_CREAT,
            0o600,
        )
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A torn last line (a crash mid-write): end it, so it costs only itself and not
                # the entry appended now.
                line = b"\n" + line
            os.write(fd, line)
        finally:
            os.close(fd)

    def days(self) -> list[date]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob("*.jsonl"):
            try:
                found.append(date.fromisoformat(path.stem))
            except ValueError:
                continue
        return sorted(found, reverse=True)

    def entries(self, day: date) -> list[HistoryEntry]:
        """The entries of ``day``, newest first; a damaged line is skipped, not fatal."""
        return self.read(day).entries

    def read(self, day: date) -> HistoryDay:
        """The entries of ``day``, newest first, and the numbers of the lines that could not be
        read (a torn last line after a crash, a hand edit), so the caller can say so."""
        path = self.directory / f"{day.isoformat()}.jsonl"
        if not path.exists():
            return HistoryDay([], ())
        entries = []
        damaged = []
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                entries.append(
                    HistoryEntry(
                        at=str(raw["at"]),
                        method=str(raw["method"]),
                        url=str(raw["url"]),
                        status=None if raw["status"] is None else int(raw["status"]),
                        reason=str(raw["reason"]),
                        total_ms=float(raw["total_ms"]),
                        size=int(raw["size"]),
                        request_headers=tuple((str(k), str(v)) for k, v in raw["request_headers"]),
                        response_headers=tuple(
                            (str(k), str(v)) for k, v in raw["response_headers"]
                        ),
                        request_body=str(raw.get("request_body", "")),
                        name=str(raw.get("name", "")),
                        spec=_spec(raw.get("request"), str(path)),
                        provider=str(raw.get("provider", "")),
                        environment=str(raw.get("environment", "")),
                        error=str(raw.get("error", "")),
                    )
                )
            except (ValueError, KeyError, TypeError):
                damaged.append(number)
        return HistoryDay(entries[::-1], tuple(damaged))

    def recent(self, limit: int = 200) -> list[HistoryEntry]:
        """The newest ``limit`` entries across days, newest first."""
        found: list[HistoryEntry] = []
        for day in self.days():
            found.extend(self.entries(day)[: limit - len(found)])
            if len(found) >= limit:
                break
        return found

    def prune(self, today: date | None = None) -> list[Path]:
        """Delete day files older than the retention setting; returns what was removed."""
        today = today or datetime.now(UTC).date()
        cutoff = today - timedelta(days=self.retention_days)
        removed = []
        for day in self.days():
            if day < cutoff:
                path = self.directory / f"{day.isoformat()}.jsonl"
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed


def _spec(data: Any, path: str) -> RequestSpec | None:
    """The kept builder request of a line; a damaged one loses only itself, not the line."""
    if data is None:
        return None
    try:
        return codec.request_from_data(data, path)[0]
    except FormatError:
        return None
