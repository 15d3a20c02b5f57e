"""The token lifecycle (DESIGN.md §2): acquire, refresh early, recover from 401, single flight.

One ``TokenManager`` per (workspace, provider, environment, credential). Every sender asks it for a
token; the first that finds the token missing or inside the skew window becomes the *leader* and
makes the one token request, every other caller waits on a condition for that result. So 200
concurrent sends on an expired token cost exactly one token request, and a failure is reported
to all of them instead of being retried 200 times.

Refresh rules: refresh with the refresh token when there is one (and when the provider allows
refreshing an already expired token; Flexiti does not); when the refresh token is rejected
(expired, revoked, ``invalid_grant``) fall back to a full grant with the stored credentials.
Rotated refresh tokens are handed to ``persist_refresh`` (the credential store) at once. Token
POSTs are spaced by ``token_interval`` (ServiceChannel allows one per user per 5 s).

Processes sharing one keyring (two ``run``s) coordinate through it: before refreshing, the
manager re-reads the stored refresh token, and when another process rotated it (the stored value
is not the one this manager last saw there) uses the stored one, since the server has already
spent its own. With a kept access token (``reload``), a fresh one another process stored is
taken as it is, without any token request.

Interactive grants (authorization code, device code) get their full grant from ``acquire``
(``oauth_request`` opens the browser or shows the device code through the front end's
``Interaction``, or raises ``InteractionRequired`` when nobody can be asked: then the event
``authorization-required`` tells the window to offer a new sign-in). A sign-in made outside a
send (``login``, the window's "Get token") is installed with ``adopt``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from explorer.core.auth.grants import TokenEndpoint
from explorer.core.auth.tokens import (
    InteractionRequired,
    OtpCallback,
    OtpPrompt,
    OtpRequired,
    Token,
    TokenError,
    TokenEvent,
    TokenRejected,
)
from explorer.core.errors import Cancelled, ExplorerError
from explorer.core.http.client import CancelToken
from explorer.core.ratelimit import wait
from explorer.core.redaction import remember

__all__ = ["Credentials", "TokenManager", "TokenRegistry"]

GRANTS = ("password", "client_credentials", "refresh_only", "authorization_code", "device_code")
INTERACTIVE = frozenset({"authorization_code", "device_code"})
"""Grants whose full grant needs the user (``acquire``)."""
TokenListener = Callable[[TokenEvent], None]
Acquire = Callable[[CancelToken | None], Token]


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a full grant needs, read from the credential store when a grant is made."""

    username: str = ""
    password: str = ""
    refresh_token: str | None = None


class TokenManager:
    """Holds one access token and keeps it usable; thread-safe."""

    def __init__(
        self,
        endpoint: TokenEndpoint,
        *,
        grant: str,
        credentials: Callable[[], Credentials],
        persist_refresh: Callable[[str], None] | None = None,
        refresh_after_expiry: bool = True,
        skew_seconds: float = 30.0,
        skew_fraction: float = 0.1,
        token_interval: float = 0.0,
        otp: OtpCallback | None = None,
        clock: Callable[[], float] = time.time,
        initial: Token | None = None,
        persist_token: Callable[[Token], None] | None = None,
        reload: Callable[[], Token | None] | None = None,
        acquire: Acquire | None = None,
        fix_refresh: str = "store one with 'api-explorer credentials set'",
    ) -> None:
        if grant not in GRANTS:
            raise ValueError(f"unknown grant {grant!r}")
        if grant in INTERACTIVE and acquire is None:
            raise ValueError(f"the {grant} grant needs acquire")
        self.endpoint = endpoint
        self.grant = grant
        self.provider = endpoint.settings.provider
        self.environment = endpoint.settings.environment
        self.who = endpoint.settings.who
        self._acquire = acquire
        self.fix_refresh = fix_refresh
        self._credentials = credentials
        self._persist_refresh = persist_refresh
        self.refresh_after_expiry = refresh_after_expiry
        self.skew_seconds = skew_seconds
        self.skew_fraction = skew_fraction
        self.token_interval = token_interval
        self.otp = otp
        self.clock = clock
        self._cond = threading.Condition(threading.RLock())
        self._token: Token | None = initial
        if initial is not None:
            remember(initial.secrets())
        self._persist_token = persist_token
        self._reload = reload
        self._stored_refresh: str | None = None  # the stored refresh token as last seen
        self._adopted: Token | None = None  # taken from the store: not written back
        self._stale = False
        self._leader = False
        self._generation = 0
        self._failure: ExplorerError | None = None
        self._last_post = float("-inf")
        self._listeners: list[TokenListener] = []

    # -- observation -------------------------------------------------------------------------

    def subscribe(self, listener: TokenListener) -> Callable[[], None]:
        """Call ``listener`` with every event from now on; returns the unsubscribe function."""
        with self._cond:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._cond:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    @property
    def current(self) -> Token | None:
        with self._cond:
            return self._token

    def skew(self, token: Token) -> float:
        """Refresh this many seconds before expiry: 30 s, or 10 % of a shorter lifetime."""
        lifetime = token.lifetime
        if lifetime is None or lifetime <= 0:
            return self.skew_seconds
        return min(self.skew_seconds, self.skew_fraction * lifetime)

    def is_fresh(self, token: Token, now: float | None = None) -> bool:
        if token.expires_at is None:
            return True
        now = self.clock() if now is None else now
        return token.expires_at - now > self.skew(token)

    # -- the lifecycle -----------------------------------------------------------------------

    def token(self, cancel: CancelToken | None = None) -> Token:
        """A token fresh enough to send; makes (or waits for) the one token request if not."""
        unregister = cancel.on_cancel(self._wake) if cancel is not None else None
        try:
            with self._cond:
                while True:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    token = self._token
                    if token is not None and not self._stale and self.is_fresh(token):
                        return token
                    if not self._leader:
                        self._leader = True
                        break
                    generation = self._generation
                    while self._leader and self._generation == generation:
                        if cancel is not None and cancel.cancelled:
                            break
                        self._cond.wait()
                    failure = self._failure
                    if self._generation != generation and failure is not None:
                        raise failure
            return self._lead(token, cancel)
        finally:
            if unregister is not None:
                unregister()

    def invalidate(self, stale: Token, reason: str = "the API answered 401") -> None:
        """The API refused ``stale``: the next ``token()`` refreshes, unless another caller
        already replaced it (then nothing happens, so N 401s cause one refresh)."""
        with self._cond:
            if self._token is None or self._token.access_token != stale.access_token:
                return
            if self._stale:
                return
            self._stale = True
        self._emit("invalidated", reason)

    def forget(self) -> None:
        """Drop the access token (sign out, credentials changed)."""
        with self._cond:
            self._token = None
            self._stale = False

    def adopt(self, token: Token) -> None:
        """Install ``token`` from a sign-in made outside a send (``login``, "Get token"); the
        caller has stored it. Every sender from now on uses it."""
        with self._cond:
            self._token, self._stale = token, False
            if token.refresh_token:
                self._stored_refresh = token.refresh_token
            remember(token.secrets())
            self._generation += 1
            self._cond.notify_all()
        self._emit("acquired", "signed in", grant=token.grant, expires_at=token.expires_at)

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _lead(self, stale: Token | None, cancel: CancelToken | None) -> Token:
        """Make the one token request; whatever happens, release the lead and wake waiters
        (a bug or a cancel must never leave every later caller waiting forever)."""
        token: Token | None = None
        failure: ExplorerError | None = None
        try:
            token = self._obtain(stale, cancel)
            if self._persist_token is not None and token is not self._adopted:
                self._persist_token(token)
            return token
        except Cancelled:
            raise
        except ExplorerError as exc:
            failure = exc
            raise
        finally:
            with self._cond:
                self._leader = False
                if token is not None:
                    self._token, self._stale = token, False
                    remember(token.secrets())  # for logs and crash reports
                if token is not None or failure is not None:
                    self._failure = failure
                    self._generation += 1
                self._cond.notify_all()

    def _obtain(self, stale: Token | None, cancel: CancelToken | None) -> Token:
        kept = self._reload() if self._reload is not None and stale is not None else None
        if kept is not None and self.is_fresh(kept) and not _same(kept, stale):
            self._emit(
                "refreshed",
                "another process refreshed it; taken from the credential store",
                expires_at=kept.expires_at,
            )
            self._adopted = kept  # its refresh token is the stored one, read when needed
            return kept
        credentials = self._credentials()
        refresh_token = self._refresh_token(stale, credentials.refresh_token)
        expired = (
            stale is not None and stale.expires_at is not None and stale.expires_at <= self.clock()
        )
        if refresh_token:
            if expired and not self.refresh_after_expiry:
                self._emit("failed", f"{self.who} does not refresh expired tokens; re-granting")
            else:
                try:
                    token = self._post(
                        "refresh_token",
                        cancel,
                        lambda: self.endpoint.refresh(refresh_token, cancel=cancel),
                    )
                except TokenRejected:
                    if self.grant == "refresh_only":
                        raise
                else:
                    if not token.refresh_token:
                        token = replace(token, refresh_token=refresh_token)
                    self._keep_refresh(token, refresh_token)
                    self._emit("refreshed", grant="refresh_token", expires_at=token.expires_at)
                    return token
        if self.grant == "refresh_only":
            raise TokenError(f"{self.who} has no usable refresh token; {self.fix_refresh}.")
        token = self._full_grant(credentials, cancel)
        self._keep_refresh(token, refresh_token)
        kind = "re-granted" if stale is not None or refresh_token else "acquired"
        self._emit(kind, grant=self.grant, expires_at=token.expires_at)
        return token

    def _refresh_token(self, stale: Token | None, stored: str | None) -> str | None:
        """The refresh token to use: the stored one when another process rotated it since this
        manager last saw the store (its own is spent), else its own, else the stored one."""
        rotated_elsewhere = stored is not None and stored != self._stored_refresh
        self._stored_refresh = stored
        if rotated_elsewhere:
            return stored
        return _refresh_of(stale) or stored

    def _full_grant(self, credentials: Credentials, cancel: CancelToken | None) -> Token:
        if self._acquire is not None and self.grant in INTERACTIVE:
            acquire = self._acquire
            try:
                return self._post(self.grant, cancel, lambda: acquire(cancel))
            except InteractionRequired as exc:
                self._emit("authorization-required", str(exc), grant=self.grant)
                raise
        if self.grant == "client_credentials":
            return self._post(
                "client_credentials",
                cancel,
                lambda: self.endpoint.client_credentials(cancel=cancel),
            )
        if not credentials.username or not credentials.password:
            raise TokenError(
                f"{self.who} needs a username and password; store them with "
                "'api-explorer credentials set'."
            )
        try:
            return self._post(
                "password",
                cancel,
                lambda: self.endpoint.password(
                    credentials.username, credentials.password, cancel=cancel
                ),
            )
        except OtpRequired:
            if self.otp is None:
                raise
        message = self.endpoint.send_otp(credentials.username, cancel=cancel)
        self._emit("otp-requested", message)
        code = self.otp(OtpPrompt(self.provider, self.environment, credentials.username, message))
        if not code:
            raise Cancelled("The one-time password was not entered; no token was requested.")
        return self._post(
            "password",
            cancel,
            lambda: self.endpoint.password(
                credentials.username, credentials.password, otp=code.strip(), cancel=cancel
            ),
        )

    def _post(self, grant: str, cancel: CancelToken | None, call: Callable[[], Token]) -> Token:
        """One token POST, spaced from the previous one by ``token_interval``."""
        delay = self._last_post + self.token_interval - self.clock()
        if delay > 0:
            self._emit(
                "throttled",
                f"waiting {delay:.1f} s: the token endpoint allows one "
                f"request per {self.token_interval:g} s",
                grant=grant,
            )
            wait(delay, cancel)
        self._emit("requested", grant=grant)
        try:
            return call()
        except TokenError as exc:
            self._emit("failed", str(exc), grant=grant)
            raise
        finally:
            # Stamped after the answer: the server counted the POST somewhere before it, so
            # spacing from here keeps the next one outside its window.
            self._last_post = self.clock()

    def _keep_refresh(self, token: Token, previous: str | None) -> None:
        if (
            self._persist_refresh is not None
            and token.refresh_token
            and token.refresh_token != previous
        ):
            self._persist_refresh(token.refresh_token)
            self._stored_refresh = token.refresh_token

    def _emit(
        self, kind: str, detail: str = "", *, grant: str = "", expires_at: float | None = None
    ) -> None:
        event = TokenEvent(
            kind, self.provider, self.environment, detail, grant, expires_at, at=self.clock()
        )
        with self._cond:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)


def _refresh_of(token: Token | None) -> str | None:
    return token.refresh_token if token is not None else None


def _same(token: Token, other: Token | None) -> bool:
    return other is not None and token.access_token == other.access_token


class TokenRegistry:
    """One ``TokenManager`` per key, created on first use and shared by every sender."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._managers: dict[Hashable, TokenManager] = {}

    def get(self, key: Hashable, factory: Callable[[], TokenManager]) -> TokenManager:
        with self._lock:
            manager = self._managers.get(key)
            if manager is None:
                manager = self._managers[key] = factory()
            return manager

    def drop(self, key: Hashable) -> None:
        with self._lock:
            self._managers.pop(key, None)

    def drop_matching(self, predicate: Callable[[Hashable], bool]) -> None:
        """Drop every manager whose key matches, forgetting its token (credentials changed:
        a caller still holding one must not keep using the old token)."""
        with self._lock:
            dropped = [key for key in self._managers if predicate(key)]
            managers = [self._managers.pop(key) for key in dropped]
        for manager in managers:
            manager.forget()
