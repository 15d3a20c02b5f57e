"""Tokens, token events and token errors: the vocabulary of the token lifecycle.

A ``Token`` is what a grant returned, with absolute expiry times so freshness is a comparison.
``TokenEvent``s (requested, acquired, refreshed, re-granted, failed, invalidated,
authorization-required) are what the UI's token status and ``send -v`` show; they never carry a
token or password, only what happened, when, and why.

Interactive grants (authorization code, device code) need the user: a front end takes part
through an ``Interaction`` (told the URL the browser opens, or the code to show), as it answers
an OTP through an ``OtpCallback``. Without one, such a grant is ``InteractionRequired``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from explorer.core.errors import ExplorerError

__all__ = [
    "AuthorizePrompt",
    "DevicePrompt",
    "Interaction",
    "InteractionRequired",
    "OtpCallback",
    "OtpPrompt",
    "Token",
    "TokenError",
    "TokenEvent",
    "TokenRejected",
]


@dataclass(frozen=True, slots=True)
class Token:
    """An access token and what came with it. Times are Unix seconds on the manager's clock."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    issued_at: float = field(default_factory=time.time)
    expires_at: float | None = None
    refresh_token: str | None = None
    scope: str | None = None
    grant: str = ""

    @property
    def lifetime(self) -> float | None:
        return None if self.expires_at is None else self.expires_at - self.issued_at

    def remaining(self, now: float) -> float | None:
        return None if self.expires_at is None else self.expires_at - now

    def secrets(self) -> frozenset[str]:
        return frozenset(s for s in (self.access_token, self.refresh_token) if s)


@dataclass(frozen=True, slots=True)
class TokenEvent:
    """One step of the lifecycle. ``kind`` is one of: requested, acquired, refreshed, re-granted,
    failed, invalidated, otp-requested, throttled, authorization-required (an interactive grant
    is needed and nobody can be asked: the window offers to sign in again). ``detail`` is a
    sentence without secrets."""

    kind: str
    provider: str
    environment: str
    detail: str = ""
    grant: str = ""
    expires_at: float | None = None
    at: float = field(default_factory=time.time)

    def describe(self) -> str:
        text = f"token {self.kind}"
        if self.grant:
            text += f" ({self.grant})"
        if self.detail:
            text += f": {self.detail}"
        if self.expires_at is not None:
            text += f"; expires in {max(0.0, self.expires_at - self.at):.0f} s"
        return text


@dataclass(frozen=True, slots=True)
class OtpPrompt:
    """What the OTP callback is told: who must confirm, and where the code was sent."""

    provider: str
    environment: str
    username: str
    message: str


OtpCallback = Callable[[OtpPrompt], str | None]
"""Asks the user for the one-time password (dialog, terminal); None means the user gave up."""


class TokenError(ExplorerError):
    """Getting a token failed. ``status``/``code`` come from the token endpoint when it answered."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after


class TokenRejected(TokenError):
    """The token endpoint refused the grant itself (bad credentials, expired or revoked refresh
    token, ``invalid_grant``): retrying the same grant cannot help, another grant might."""


class OtpRequired(TokenError):
    """The grant needs a one-time password first (Procode users flagged for 2FA)."""


class InteractionRequired(TokenError):
    """An authorization-code or device-code grant needs the user, and this send cannot ask
    (``send``/``run`` in CI, or a refresh token the server no longer accepts)."""

    def __init__(self, grant: str, where: str | None = None) -> None:
        self.grant = grant
        self.where = where
        how = _HOW.get(grant, "needs you to sign in")
        target = f"'api-explorer login {where}'" if where else "'api-explorer login PATH'"
        super().__init__(
            f"This OAuth2 {grant.replace('_', ' ')} grant {how}; run {target} (PATH: the "
            "request file, folder or collection), then send again.",
            code="interaction_required",
        )

    def naming(self, where: str) -> InteractionRequired:
        """The same error naming the file, folder or collection to log in with."""
        return InteractionRequired(self.grant, where)


_HOW: Final = {
    "authorization_code": "needs you to sign in in a browser",
    "device_code": "needs you to confirm a code on another device",
}


@dataclass(frozen=True, slots=True)
class AuthorizePrompt:
    """The authorization-code grant is about to open ``url`` in the browser; the answer comes
    back to ``redirect_uri`` (a one-shot listener on 127.0.0.1) within ``timeout`` seconds."""

    url: str
    redirect_uri: str
    timeout: float


@dataclass(frozen=True, slots=True)
class DevicePrompt:
    """What the user must do for a device-code grant: open ``verification_uri`` and enter
    ``user_code`` (or open ``verification_uri_complete``, which carries it) within
    ``expires_in`` seconds; the token endpoint is polled meanwhile."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


def _system_browser(url: str) -> bool:
    """Python's ``webbrowser`` (the ``BROWSER`` environment variable is honoured)."""
    import webbrowser

    return webbrowser.open(url)


def _nothing(_: object) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Interaction:
    """How a front end takes part in an interactive grant. The callbacks run on the thread
    that makes the grant (a worker, never the GUI thread: a window marshals them itself) and
    must return at once; cancelling the grant's ``CancelToken`` stops the wait."""

    on_authorize: Callable[[AuthorizePrompt], None] = _nothing
    on_device: Callable[[DevicePrompt], None] = _nothing
    open_browser: Callable[[str], bool] = _system_browser
    timeout: float = 300.0


def token_to_json(token: Token) -> str:
    """An access token as the credential store keeps it (never the refresh token: that has its
    own slot), so the next process can use it until it expires."""
    return json.dumps(
        {
            "access_token": token.access_token,
            "token_type": token.token_type,
            "issued_at": token.issued_at,
            "expires_at": token.expires_at,
            "scope": token.scope,
            "grant": token.grant,
        }
    )


def token_from_json(raw: str | None) -> Token | None:
    """``token_to_json``'s text back as a token; None for nothing or anything unreadable (a
    damaged entry means one more token request, never a crash)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return Token(
            access_token=str(data["access_token"]),
            token_type=str(data.get("token_type") or "Bearer"),
            issued_at=float(data["issued_at"]),
            expires_at=None if data.get("expires_at") is None else float(data["expires_at"]),
            scope=data.get("scope"),
            grant=str(data.get("grant") or ""),
        )
    except (ValueError, KeyError, TypeError):
        return None
