"""Tokens, token events and token errors: the vocabulary of the token lifecycle.

A ``Token`` is what a grant returned, with absolute expiry times so freshness is a comparison.
``TokenEvent``s (requested, acquired, refreshed, re-granted, failed, invalidated) are what the UI's
token status and ``send -v`` show; they never carry a token or password, only what happened,
when, and why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from explorer.core.errors import ExplorerError

__all__ = [
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
    failed, invalidated, otp-requested, throttled. ``detail`` is a sentence without secrets."""

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
