"""``history/YYYY-MM-DD.jsonl``: one JSON line per sent request, secrets masked before writing.

The URL, headers and body excerpt pass through ``explorer.core.redaction`` with the request's
known secret values, and credential headers are masked by name, so a history file can be shared
or committed. Each entry is appended with a single ``write`` on an ``O_APPEND`` descriptor, so
concurrent writers never interleave lines. Files older than the retention setting are removed by
``prune``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from explorer.core.models import Exchange, KeyValue, RequestSpec
from explorer.core.redaction import mask_headers, mask_text

DEFAULT_RETENTION_DAYS = 30
BODY_EXCERPT = 4096


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: str
    method: str
    url: str
    status: int
    reason: str
    total_ms: float
    size: int
    request_headers: tuple[tuple[str, str], ...]
    response_headers: tuple[tuple[str, str], ...]
    request_body: str
    name: str = ""

    def to_spec(self) -> RequestSpec:
        """A request to "save as" from history (masked values stay masked: re-enter them)."""
        headers = tuple(KeyValue(k, v) for k, v in self.request_headers)
        return RequestSpec(
            method=self.method, url=self.url, name=self.name or self.url, headers=headers
        )


class History:
    """The history of one workspace."""

    def __init__(self, workspace: Path, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.directory = workspace / "history"
        self.retention_days = retention_days

    def record(self, exchange: Exchange, name: str = "") -> HistoryEntry:
        request, response = exchange.request, exchange.response
        secrets = request.secrets
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
        )
        self._append(exchange.started_at.astimezone(UTC).date(), entry)
        return entry

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
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(
            self.directory / f"{day.isoformat()}.jsonl",
            os.O_WRONLY | os.O_APPEND | os.O_CREAT,
            0o600,
        )
        try:
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
        path = self.directory / f"{day.isoformat()}.jsonl"
        if not path.exists():
            return []
        entries = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                raw = json.loads(line)
                entries.append(
                    HistoryEntry(
                        at=str(raw["at"]),
                        method=str(raw["method"]),
                        url=str(raw["url"]),
                        status=int(raw["status"]),
                        reason=str(raw["reason"]),
                        total_ms=float(raw["total_ms"]),
                        size=int(raw["size"]),
                        request_headers=tuple((str(k), str(v)) for k, v in raw["request_headers"]),
                        response_headers=tuple(
                            (str(k), str(v)) for k, v in raw["response_headers"]
                        ),
                        request_body=str(raw.get("request_body", "")),
                        name=str(raw.get("name", "")),
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue
        return entries[::-1]

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
