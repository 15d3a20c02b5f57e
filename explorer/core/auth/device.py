"""The device authorization grant (RFC 8628): show a code, then poll the token endpoint.

The device authorization endpoint hands out a ``user_code`` and a verification URL; the
``Interaction`` shows them (the window with Copy and Open buttons, ``login`` on the terminal),
and the token endpoint is polled every ``interval`` seconds until the user confirms:
``authorization_pending`` polls again, ``slow_down`` adds ``slow_down_step`` (5 s in RFC 8628
§3.5) to the interval for this and every later poll, ``access_denied`` and ``expired_token`` end
it, and so does the code's ``expires_in`` or a cancel.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from explorer.core.auth.grants import DeviceStart, TokenEndpoint
from explorer.core.auth.tokens import DevicePrompt, Interaction, Token, TokenError, TokenRejected
from explorer.core.http.client import CancelToken
from explorer.core.ratelimit import wait

__all__ = ["poll", "sign_in"]


def sign_in(
    endpoint: TokenEndpoint,
    device_url: str,
    interaction: Interaction,
    *,
    cancel: CancelToken | None = None,
    slow_down_step: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
) -> Token:
    """Start a device-code grant, show its code through ``interaction``, poll until done."""
    start = endpoint.device_authorization(device_url, cancel=cancel)
    interaction.on_device(
        DevicePrompt(
            start.user_code,
            start.verification_uri,
            start.verification_uri_complete,
            start.expires_in,
            start.interval,
        )
    )
    return poll(endpoint, start, cancel=cancel, slow_down_step=slow_down_step, clock=clock)


def poll(
    endpoint: TokenEndpoint,
    start: DeviceStart,
    *,
    cancel: CancelToken | None = None,
    slow_down_step: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
) -> Token:
    """Poll the token endpoint for ``start``'s device code as RFC 8628 §3.4-3.5 says."""
    deadline = clock() + start.expires_in
    interval = start.interval
    while True:
        wait(min(interval, max(0.0, deadline - clock())), cancel)
        if clock() >= deadline:
            raise _expired()
        try:
            return endpoint.device_code(start.device_code, cancel=cancel)
        except TokenError as exc:
            code = (exc.code or "").lower()
            if code == "authorization_pending":
                continue
            if code == "slow_down":
                interval += slow_down_step
                continue
            if code == "expired_token":
                raise _expired() from exc
            if code == "access_denied":
                raise TokenRejected(
                    "The device sign-in was declined; start it again to allow access.",
                    status=exc.status,
                    code=code,
                ) from exc
            raise


def _expired() -> TokenRejected:
    return TokenRejected(
        "The device code expired before the sign-in was confirmed; start it again.",
        code="expired_token",
    )
