"""The building blocks every simulated vendor shares: request and response values, a simulated
clock, fixed-window rate limiters, an OAuth-style token store and deterministic secrets.

Everything here is plain data guarded by the server's single lock, so vendors stay small and the
counters the tests assert on are exact.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

JSON = "application/json; charset=utf-8"
PROBLEM = "application/problem+json"
FORM = "application/x-www-form-urlencoded"


def secret(label: str, length: int = 32) -> str:
    """A deterministic secret: the same label gives the same value on every start."""
    return hashlib.sha256(f"api-explorer-sandbox:{label}".encode()).hexdigest()[:length]


@dataclass(frozen=True, slots=True)
class SimRequest:
    """One request as a vendor sees it: ``path`` is what follows the environment prefix."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    client_ip: str
    full_path: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, str] | None:
        """The form-urlencoded body, or None when the request is not a form post."""
        if self.content_type != FORM:
            return None
        fields = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {name: values[-1] for name, values in fields.items()}

    def json(self) -> Any:
        """The parsed JSON body; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def bearer(self) -> str | None:
        value = self.header("authorization") or ""
        scheme, _, token = value.partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None


@dataclass(slots=True)
class SimResponse:
    """A vendor's answer. ``rule`` names the behaviour that produced it (shown in the log);
    ``grant`` is set on token-endpoint answers so the stats count token requests by grant type."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    rule: str = ""
    grant: str | None = None


def json_response(
    status: int,
    payload: Any,
    rule: str,
    *,
    content_type: str = JSON,
    headers: list[tuple[str, str]] | None = None,
) -> SimResponse:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return SimResponse(status, body, [("Content-Type", content_type), *(headers or [])], rule)


def empty(status: int, rule: str, headers: list[tuple[str, str]] | None = None) -> SimResponse:
    return SimResponse(status, b"", list(headers or []), rule)


class SimClock:
    """Wall time plus an offset that ``POST /_sandbox/clock`` advances; every expiry and every
    rate window reads this clock, so tests can jump ahead instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def iso(self, at: float | None = None) -> str:
        moment = datetime.fromtimestamp(self.now() if at is None else at, UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def http_date(self, at: float) -> str:
        return datetime.fromtimestamp(at, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


class FixedWindow:
    """At most ``limit`` hits per key per ``window`` seconds; the window opens at the first hit.

    Rejected hits do not count, and once the limit is reached every hit is rejected until the
    window ends (PCE: "further calls will be dropped until the window resets").
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._buckets: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, now: float, *, count: bool = True) -> float | None:
        """Count one hit; None when allowed, else the seconds until the window resets.
        ``count=False`` only asks, so several windows can be checked before any is charged."""
        start, used = self._buckets.get(key, (now, 0))
        if now - start >= self.window:
            start, used = now, 0
        if used >= self.limit:
            return max(start + self.window - now, 0.0)
        if count:
            self._buckets[key] = (start, used + 1)
        return None


@dataclass(slots=True)
class Grant:
    """One issued access token and the refresh token that came with it."""

    access: str
    refresh: str | None
    subject: str
    client: str
    scope: str
    issued: float
    expires: float
    refresh_expires: float | None
    revoked: bool = False
    refresh_revoked: bool = False


class TokenStore:
    """Access and refresh tokens of one vendor environment, with deterministic values."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._count = 0
        self._by_access: dict[str, Grant] = {}
        self._by_refresh: dict[str, Grant] = {}

    def issue(
        self,
        subject: str,
        client: str,
        scope: str,
        *,
        now: float,
        ttl: float,
        refresh_ttl: float | None,
        keep_refresh: Grant | None = None,
        prefix: str = "",
    ) -> Grant:
        """A new access token; with ``keep_refresh`` the old refresh token is reused (no
        rotation), otherwise a fresh one is minted and the old one stops working."""
        self._count += 1
        access = prefix + secret(f"{self.label}:access:{self._count}", 40)
        if keep_refresh is not None and keep_refresh.refresh is not None:
            refresh: str | None = keep_refresh.refresh
            refresh_expires = keep_refresh.refresh_expires
        elif refresh_ttl is not None:
            refresh = secret(f"{self.label}:refresh:{self._count}", 32)
            refresh_expires = now + refresh_ttl
        else:
            refresh, refresh_expires = None, None
        grant = Grant(access, refresh, subject, client, scope, now, now + ttl, refresh_expires)
        self._by_access[access] = grant
        if refresh is not None:
            self._by_refresh[refresh] = grant
        return grant

    def renew(
        self,
        old: Grant,
        *,
        rotate: bool,
        now: float,
        ttl: float,
        refresh_ttl: float | None,
        prefix: str = "",
    ) -> Grant:
        """A refresh grant: a new access token for ``old``'s subject; with ``rotate`` the old
        refresh token stops working and a new one is minted, otherwise it is handed back."""
        if rotate and old.refresh is not None:
            self.retire_refresh(old.refresh)
        return self.issue(
            old.subject,
            old.client,
            "",
            now=now,
            ttl=ttl,
            refresh_ttl=refresh_ttl,
            keep_refresh=None if rotate else old,
            prefix=prefix,
        )

    def check(self, token: str | None, now: float) -> tuple[Grant | None, str]:
        """``(grant, "ok")``, or ``(None, reason)``: missing, invalid, revoked or expired."""
        if not token:
            return None, "missing"
        grant = self._by_access.get(token)
        if grant is None:
            return None, "invalid"
        if grant.revoked:
            return None, "revoked"
        if now >= grant.expires:
            return None, "expired"
        return grant, "ok"

    def by_refresh(self, token: str, now: float) -> Grant | None:
        grant = self._by_refresh.get(token)
        if grant is None or grant.refresh_revoked:
            return None
        if grant.refresh_expires is not None and now >= grant.refresh_expires:
            return None
        return grant

    def retire_refresh(self, token: str) -> None:
        self._by_refresh.pop(token, None)

    def revoke(self, *, refresh: bool) -> int:
        """Revoke every access token (and refresh tokens too when asked); returns the count."""
        for grant in self._by_access.values():
            grant.revoked = True
            if refresh:
                grant.refresh_revoked = True
        return len(self._by_access)


@dataclass(frozen=True, slots=True)
class Setting:
    """A switchable behaviour, mostly for facts PROVIDERS.md marks as GUESS."""

    default: Any
    help: str


def check_setting(name: str, spec: Setting, value: Any) -> str | None:
    """An error sentence when ``value`` has the wrong type for the setting, else None."""
    expected = type(spec.default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, bool) != (expected is bool) or not isinstance(value, expected):
        return f"Setting '{name}' expects a {expected.__name__}, got {value!r}."
    if isinstance(value, list) and not all(isinstance(item, str) for item in value):
        return f"Setting '{name}' expects a list of text values, got {value!r}."
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        return f"Setting '{name}' must not be negative, got {value!r}."
    return None
