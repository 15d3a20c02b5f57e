"""Cookie jars: one per send scope (a provider environment, a provider-less collection's
environment, or no context), kept in memory and, when the user opts in, in ``cookies.json``.

Matching is ``http.cookiejar``'s (domain, path, Secure, expiry) with RFC 6265 host-only cookies:
a cookie set without ``Domain`` goes back to its exact host only. A request's own ``Cookie``
header wins: the jar adds only the cookies it does not name (``merge_cookie_header``).

Persistence never writes a cookie whose name looks like a credential (``looks_secret``:
session, token, auth ...) or whose value is a secret the process knows; the file exists only
while persistence is on, so a ``send`` in another process reads it exactly then.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.request import Request

from explorer.core.errors import ExplorerError, StorageError, UsageError
from explorer.core.redaction import known_secrets

__all__ = [
    "NO_CONTEXT",
    "CookieJars",
    "CookiePolicy",
    "CookieRecord",
    "Jar",
    "JarScope",
    "looks_secret",
    "merge_cookie_header",
    "response_cookies",
]

FILE_NAME = "cookies.json"
FORMAT_VERSION = 1
_SECRET_WORDS = (
    "auth",
    "bearer",
    "credential",
    "csrf",
    "jwt",
    "key",
    "login",
    "oidc",
    "pass",
    "pwd",
    "remember",
    "saml",
    "secret",
    "sess",
    "sid",
    "token",
    "xsrf",
)
"""Parts of a cookie name that say it carries a credential (``JSESSIONID``, ``connect.sid``,
``access_token``, ``XSRF-TOKEN``); matched in any letter case."""


def looks_secret(name: str, value: str = "") -> bool:
    """Whether a cookie is a credential: by its name, or by a value the process knows as a
    secret (``redaction.known_secrets``). Such cookies are masked until revealed and never
    persisted."""
    lowered = name.lower()
    if any(word in lowered for word in _SECRET_WORDS):
        return True
    return bool(value) and any(secret in value for secret in known_secrets())


@dataclass(frozen=True, slots=True, order=True)
class JarScope:
    """Whose cookies: ``kind`` is ``provider`` (``name`` the provider id), ``collection``
    (``name`` the collection's folder) or ``none`` (a request with no environment)."""

    kind: str = "none"
    name: str = ""
    environment: str = ""

    @property
    def label(self) -> str:
        if self.kind == "provider":
            return f"{self.name} / {self.environment}"
        if self.kind == "collection":
            return f"collection {self.name} / {self.environment}"
        return "No environment"


NO_CONTEXT = JarScope()


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    """``persist``: keep the jars in ``<workspace>/cookies.json`` between runs (off by default;
    credential-looking cookies are never written)."""

    persist: bool = False


@dataclass(frozen=True, slots=True)
class CookieRecord:
    """One cookie as the Cookies tab and the jar viewer show it; ``expires`` is a Unix time,
    None for a session cookie."""

    name: str
    value: str
    domain: str
    path: str = "/"
    expires: float | None = None
    http_only: bool = False
    secure: bool = False
    same_site: str = ""
    host_only: bool = True

    @property
    def secret(self) -> bool:
        return looks_secret(self.name, self.value)


class Jar(http.cookiejar.CookieJar):
    """A ``CookieJar`` with RFC 6265 host-only matching, safe to send through from several
    threads while the viewer lists or deletes; ``changes`` counts writes (for saving)."""

    def __init__(self) -> None:
        policy = http.cookiejar.DefaultCookiePolicy(
            strict_ns_domain=http.cookiejar.DefaultCookiePolicy.DomainStrictNonDomain
        )
        super().__init__(policy)
        self._guard = threading.RLock()
        self.changes = 0

    def add_cookie_header(self, request: Request) -> None:
        with self._guard:
            super().add_cookie_header(request)

    def extract_cookies(self, response: http.client.HTTPResponse, request: Request) -> None:
        with self._guard:
            super().extract_cookies(response, request)

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        with self._guard:
            super().set_cookie(cookie)
            self.changes += 1

    def clear(
        self, domain: str | None = None, path: str | None = None, name: str | None = None
    ) -> None:
        with self._guard:
            super().clear(domain, path, name)
            self.changes += 1

    def __iter__(self) -> Iterator[http.cookiejar.Cookie]:
        with self._guard:
            return iter(list(super().__iter__()))

    def records(self) -> list[CookieRecord]:
        """The cookies still valid, sorted by domain, path and name."""
        now = time.time()
        found = [_record(c) for c in self if c.expires is None or c.expires > now]
        return sorted(found, key=lambda r: (r.domain.lstrip("."), r.path, r.name))

    def delete(self, record: CookieRecord) -> None:
        with self._guard:
            try:
                super().clear(record.domain, record.path, record.name)
            except KeyError:
                return  # already gone (expired, or deleted from another view)
            self.changes += 1

    def restore(self, record: CookieRecord) -> None:
        self.set_cookie(_cookie(record))


class CookieJars:
    """The jars of one workspace by ``JarScope``, made on first use. With a ``path`` whose file
    exists, persistence is on and the jars start from it."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._jars: dict[JarScope, Jar] = {}
        self._saved: dict[JarScope, int] = {}
        self._lock = threading.RLock()
        self._persist = path is not None and path.is_file()
        self._problem: str | None = None
        if self._persist and path is not None:
            self._load(path)

    @property
    def policy(self) -> CookiePolicy:
        return CookiePolicy(persist=self._persist)

    def set_policy(self, policy: CookiePolicy) -> None:
        """Turn persistence on (the jars are written now) or off (the file is deleted)."""
        with self._lock:
            if policy.persist and self._path is None:
                raise UsageError("Cookies can be kept only in a workspace, and there is none.")
            self._persist = policy.persist
            if policy.persist:
                self._write()
            elif self._path is not None:
                try:
                    self._path.unlink(missing_ok=True)
                except OSError as exc:
                    raise StorageError(
                        f"cannot be deleted ({exc.strerror or exc})", path=str(self._path)
                    ) from exc

    def jar(self, scope: JarScope) -> Jar:
        with self._lock:
            jar = self._jars.get(scope)
            if jar is None:
                jar = self._jars[scope] = Jar()
                self._saved[scope] = 0
            return jar

    def scopes(self) -> list[JarScope]:
        """The scopes whose jars hold cookies, sorted."""
        with self._lock:
            jars = dict(self._jars)
        return sorted(scope for scope, jar in jars.items() if jar.records())

    def list(self, scope: JarScope) -> list[CookieRecord]:
        with self._lock:
            jar = self._jars.get(scope)
        return jar.records() if jar is not None else []

    def delete(self, scope: JarScope, record: CookieRecord) -> None:
        """Forget one cookie (and save, while persistence is on)."""
        self.jar(scope).delete(record)
        self._saved_or_raise()

    def clear(self, scope: JarScope) -> None:
        """Forget every cookie of ``scope``'s jar (and save, while persistence is on)."""
        self.jar(scope).clear()
        self._saved_or_raise()

    def _saved_or_raise(self) -> None:
        problem = self.flush()
        if problem is not None:
            raise ExplorerError(problem)

    def flush(self) -> str | None:
        """Write the jars if persistence is on and one changed since the last write; a write
        that fails is one sentence (the send it follows still counts)."""
        with self._lock:
            problem, self._problem = self._problem, None
            if not self._persist:
                return problem
            if all(jar.changes == self._saved.get(s) for s, jar in self._jars.items()):
                return None
            try:
                self._write()
            except StorageError as exc:
                return f"Cookies were not saved: {exc}"
            return None

    def _write(self) -> None:
        from explorer.core.workspace.yamlio import write_text_atomic

        assert self._path is not None
        jars = []
        for scope, jar in sorted(self._jars.items()):
            self._saved[scope] = jar.changes
            kept = [_to_json(r) for r in jar.records() if not r.secret]
            if kept:
                jars.append({**_scope_json(scope), "cookies": kept})
        text = json.dumps({"format_version": FORMAT_VERSION, "jars": jars}, indent=2)
        write_text_atomic(self._path, text + "\n")

    def _load(self, path: Path) -> None:
        """Read ``path``; a damaged file turns persistence off and is left as it is, and the
        next ``flush`` says so in one sentence."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for entry in data["jars"]:
                scope = JarScope(str(entry["kind"]), str(entry["name"]), str(entry["environment"]))
                jar = self.jar(scope)
                for cookie in entry["cookies"]:
                    jar.restore(_from_json(cookie))
                self._saved[scope] = jar.changes
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._persist = False  # never overwrite what we could not read
            self._problem = (
                f"{path} is not a cookie file this version can read ({exc}); the cookies "
                "were not loaded and it is left as it is: fix or delete it."
            )


def merge_cookie_header(own: str | None, from_jar: str | None) -> str | None:
    """The ``Cookie`` header to send: the request's own, then each jar cookie it does not
    name (as Postman merges); either alone as it is."""
    if not from_jar:
        return own
    if not own:
        return from_jar
    named = {part.partition("=")[0].strip() for part in own.split(";")}
    extra = [part for part in from_jar.split("; ") if part.partition("=")[0] not in named]
    return "; ".join([own, *extra])


class _SetCookieHeaders:
    """The ``info()`` of a response as ``CookieJar.make_cookies`` reads it."""

    def __init__(self, headers: Iterable[tuple[str, str]]) -> None:
        self._headers = list(headers)

    def get_all(self, name: str, default: list[str]) -> list[str]:
        found = [v for k, v in self._headers if k.lower() == name.lower()]
        return found or default

    def info(self) -> _SetCookieHeaders:
        return self


def response_cookies(headers: Iterable[tuple[str, str]], url: str) -> list[CookieRecord]:
    """The cookies a response's ``Set-Cookie`` headers set, with the defaults the jar applies
    (domain and path from ``url``), in the order sent."""
    response = _SetCookieHeaders(headers)
    request = Request(url)  # noqa: S310 - parsed for its host and path, never opened
    made = Jar().make_cookies(response, request)  # type: ignore[arg-type]
    return [_record(cookie) for cookie in made]


def _rest(cookie: http.cookiejar.Cookie) -> dict[str, str | None]:
    """The cookie's attributes beyond the standard ones, by lowercase name (``HttpOnly`` and
    ``SameSite`` arrive in any case; the stdlib keeps them as sent)."""
    rest: dict[str, str | None] = getattr(cookie, "_rest", {})
    return {key.lower(): value for key, value in rest.items()}


def _record(cookie: http.cookiejar.Cookie) -> CookieRecord:
    rest = _rest(cookie)
    return CookieRecord(
        name=cookie.name,
        value=cookie.value or "",
        domain=cookie.domain,
        path=cookie.path,
        expires=float(cookie.expires) if cookie.expires is not None else None,
        http_only="httponly" in rest,
        secure=cookie.secure,
        same_site=rest.get("samesite") or "",
        host_only=not cookie.domain_specified,
    )


def _cookie(record: CookieRecord) -> http.cookiejar.Cookie:
    rest: dict[str, str | None] = {}
    if record.http_only:
        rest["HttpOnly"] = None
    if record.same_site:
        rest["SameSite"] = record.same_site
    return http.cookiejar.Cookie(
        version=0,
        name=record.name,
        value=record.value,
        port=None,
        port_specified=False,
        domain=record.domain,
        domain_specified=not record.host_only,
        domain_initial_dot=record.domain.startswith("."),
        path=record.path,
        path_specified=True,
        secure=record.secure,
        expires=int(record.expires) if record.expires is not None else None,
        discard=record.expires is None,
        comment=None,
        comment_url=None,
        rest=rest,  # type: ignore[arg-type]
    )


def _scope_json(scope: JarScope) -> dict[str, str]:
    return {"kind": scope.kind, "name": scope.name, "environment": scope.environment}


def _to_json(record: CookieRecord) -> dict[str, object]:
    return {
        "name": record.name,
        "value": record.value,
        "domain": record.domain,
        "path": record.path,
        "expires": record.expires,
        "http_only": record.http_only,
        "secure": record.secure,
        "same_site": record.same_site,
        "host_only": record.host_only,
    }


def _from_json(data: dict[str, object]) -> CookieRecord:
    expires = data.get("expires")
    return CookieRecord(
        name=str(data["name"]),
        value=str(data["value"]),
        domain=str(data["domain"]),
        path=str(data.get("path", "/")),
        expires=float(expires) if isinstance(expires, int | float) else None,
        http_only=bool(data.get("http_only", False)),
        secure=bool(data.get("secure", False)),
        same_site=str(data.get("same_site", "")),
        host_only=bool(data.get("host_only", True)),
    )
