"""OAuth2 set on the open request (its own auth, or its nearest folder's), as the window's Auth
tab drives it: "Get token", "Forget token", the token's state, and the events of its token
manager.

The request is assembled exactly as a send from the window assembles it (``SendContext``:
folders, file, provider environment, variables), so the tokens got here are the ones the next
send uses. A sign-in runs ``Workbench.login`` on the network executor with its own
``CancelToken`` (the sign-in dialog's Cancel); the ``Interaction`` it gets calls the window's
callbacks on that worker thread, and the window marshals them to the UI thread itself.

Sends never sign in by themselves: the window's ``Workbench`` has no ``Interaction``, so a send
that needs the browser or a device code fails with ``SignInRequired`` (and the token manager
emits ``authorization-required``), and the window offers "Sign in" instead of a browser
opening on its own in the middle of a send or a refresh.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from explorer.core.auth.tokens import TokenError
from explorer.services.api import OAuthEvent, OAuthTokenView, TokenView

if TYPE_CHECKING:
    from explorer.core.auth.manager import TokenManager
    from explorer.core.auth.oauth_request import TokenStatus
    from explorer.core.auth.tokens import (
        AuthorizePrompt,
        DevicePrompt,
        InteractionRequired,
        Token,
        TokenEvent,
    )
    from explorer.core.context import Assembled
    from explorer.core.http.client import CancelToken
    from explorer.core.models import RequestSpec
    from explorer.core.workbench import Workbench
    from explorer.services.api import OAuthListener, SendContext
    from explorer.services.core import Core

__all__ = ["CoreOAuth", "SignInRequired", "sign_in_required"]

SIGN_IN_TIMEOUT: Final = 300.0
"""Seconds a browser sign-in waits for its answer, as ``api-explorer login`` does by default."""

_KEPT_EVENTS: Final = 20
_HOW: Final = {
    "authorization_code": "needs you to sign in in a browser",
    "device_code": "needs you to confirm a code on another device",
}


class SignInRequired(TokenError):
    """A send needs an interactive OAuth2 grant (authorization code, device code) first: no
    token is stored, or the server refused the refresh token. The window offers "Sign in"."""

    def __init__(self, grant: str) -> None:
        self.grant = grant
        how = _HOW.get(grant, "needs you to sign in")
        super().__init__(
            f"This request's OAuth2 {grant.replace('_', ' ')} grant {how}: press 'Sign in' "
            "(or 'Get token' in the Auth tab), then send again.",
            code="interaction_required",
        )


def sign_in_required(error: InteractionRequired) -> SignInRequired:
    """The core's headless sentence (which names ``api-explorer login``) as the window says it."""
    return SignInRequired(error.grant)


@dataclass(eq=False)
class _PendingSignIn:
    future: Future[OAuthTokenView]
    token: CancelToken

    def cancel(self) -> None:
        self.token.cancel()


@dataclass
class CoreOAuth:
    """The Auth tab's OAuth2 calls over the core's workbench, each on ``executor``; a sign-in
    waits there up to ``timeout`` seconds for the browser's answer."""

    executor: ThreadPoolExecutor
    ready: Future[Core]
    timeout: float = SIGN_IN_TIMEOUT
    _listeners: list[OAuthListener] = field(default_factory=list)
    _watched: weakref.WeakSet[TokenManager] = field(default_factory=weakref.WeakSet)
    _events: dict[str, list[str]] = field(default_factory=dict)  # identity -> recent, described
    _pending: set[_PendingSignIn] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, spec: RequestSpec, context: SendContext) -> Future[OAuthTokenView]:
        """The token of ``spec``'s OAuth2 auth in ``context`` (reads the credential store)."""
        return self.executor.submit(self._status, spec, context)

    def sign_in(
        self,
        spec: RequestSpec,
        context: SendContext,
        on_authorize: Callable[[AuthorizePrompt], None],
        on_device: Callable[[DevicePrompt], None],
    ) -> _PendingSignIn:
        """Get a token now and keep it: the browser (``on_authorize`` is told the URL it
        opens) or a device code (``on_device``), or the grant itself for the other grants.
        The callbacks run on the worker; ``cancel`` stops the wait."""
        from explorer.core.http.client import CancelToken  # loaded with the core

        token = CancelToken()
        future = self.executor.submit(self._sign_in, spec, context, on_authorize, on_device, token)
        pending = _PendingSignIn(future, token)
        with self._lock:
            self._pending.add(pending)
        future.add_done_callback(lambda _: self._done(pending))
        return pending

    def forget(self, spec: RequestSpec, context: SendContext) -> Future[OAuthTokenView]:
        """Drop the tokens of ``spec``'s OAuth2 auth (memory and credential store)."""

        def run() -> OAuthTokenView:
            bench, assembled = self._assembled(spec, context)
            bench.forget_token(assembled)
            return self._view(bench, bench.oauth_params(assembled))

        return self.executor.submit(run)

    def open_browser(self, url: str) -> Future[bool]:
        """Open ``url`` in the system browser (Python's ``webbrowser``: ``BROWSER`` is
        honoured); False when no browser could be started."""

        def run() -> bool:
            import webbrowser

            try:
                return webbrowser.open(url)
            except (OSError, webbrowser.Error):
                return False

        return self.executor.submit(run)

    def subscribe(self, listener: OAuthListener) -> None:
        """``listener`` gets every event of the token managers the window has asked about, on
        the thread where it happened."""
        with self._lock:
            self._listeners.append(listener)

    def shutdown(self) -> None:
        """Cancel every sign-in still waiting, so the executor can stop."""
        with self._lock:
            pending = list(self._pending)
        for each in pending:
            each.cancel()

    # -- on the executor ---------------------------------------------------------------------

    def _assembled(self, spec: RequestSpec, context: SendContext) -> tuple[Workbench, Assembled]:
        from explorer.core.context import Binding, Placement

        bench = self.ready.result().bench
        assembled = bench.assemble(
            spec,
            Placement(context.folders, context.request_path),
            Binding(context.provider_id, context.environment),
            context.variables,
        )
        return bench, assembled

    def _status(self, spec: RequestSpec, context: SendContext) -> OAuthTokenView:
        bench, assembled = self._assembled(spec, context)
        params = bench.oauth_params(assembled)
        self._watch(bench, params, discover=False)
        return self._view(bench, params)

    def _sign_in(
        self,
        spec: RequestSpec,
        context: SendContext,
        on_authorize: Callable[[AuthorizePrompt], None],
        on_device: Callable[[DevicePrompt], None],
        cancel: CancelToken,
    ) -> OAuthTokenView:
        from explorer.core.auth.tokens import Interaction

        bench, assembled = self._assembled(spec, context)
        interaction = Interaction(on_authorize, on_device, timeout=self.timeout)
        bench.login(assembled, interaction, cancel)
        params = bench.oauth_params(assembled)
        self._watch(bench, params, discover=True)
        return self._view(bench, params)

    def _view(self, bench: Workbench, params: Mapping[str, str]) -> OAuthTokenView:
        from explorer.core.auth.oauth_request import OAuthConfig

        config = OAuthConfig.from_params(params)
        identity = config.identity()
        status: TokenStatus = bench.request_tokens().status(params)
        return OAuthTokenView(
            state=status.state,
            expires_at=status.expires_at,
            has_refresh_token=status.has_refresh_token,
            grant=config.grant,
            identity=identity,
            inspected=self._inspected(status, identity),
        )

    def _inspected(self, status: TokenStatus, identity: str) -> TokenView:
        """The token as the inspector shows it (decoded claims, never the token)."""
        from explorer.core.auth.jwt import decode_jwt

        with self._lock:
            events = tuple(self._events.get(identity, ()))
        token: Token | None = status.token
        if token is None:
            return TokenView("none", "no token yet: Get token gets one", events=events)
        info = decode_jwt(token.access_token)
        return TokenView(
            "valid" if status.state == "valid" else "none",
            f"{token.token_type} token from the {token.grant or 'token'} grant",
            issued_at=token.issued_at,
            expires_at=token.expires_at,
            has_refresh_token=status.has_refresh_token,
            claims=tuple((k, str(v)) for k, v in sorted(info.claims.items())) if info else (),
            roles=info.roles if info else (),
            scopes=info.scopes if info else tuple((token.scope or "").split()),
            events=events,
        )

    def _watch(self, bench: Workbench, params: Mapping[str, str], *, discover: bool) -> None:
        """Subscribe to the identity's token manager once. Without ``discover`` an auth whose
        endpoints come from its issuer is left alone (reading the OpenID configuration is a
        network call, and the Auth tab asks for the state as the user types); after a sign-in
        the configuration is known."""
        from explorer.core.auth.oauth_request import OAuthConfig
        from explorer.core.errors import ExplorerError

        config = OAuthConfig.from_params(params)
        endpoints = (config.token_url, config.auth_url, config.device_url)
        if config.static or (config.issuer and not all(endpoints) and not discover):
            return
        try:
            manager = bench.request_tokens().manager(params)
        except ExplorerError:  # incomplete settings: the send says what is missing
            return
        identity = config.identity()
        with self._lock:
            if manager in self._watched:
                return
            self._watched.add(manager)
        manager.subscribe(lambda event: self._on_event(identity, event))

    def _on_event(self, identity: str, event: TokenEvent) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(event.at))
        with self._lock:
            recent = self._events.setdefault(identity, [])
            recent.append(f"{stamp} {event.describe()}")
            del recent[:-_KEPT_EVENTS]
            listeners = list(self._listeners)
        news = OAuthEvent(identity, event.kind, event.grant)
        for listener in listeners:
            listener(news)

    def _done(self, pending: _PendingSignIn) -> None:
        with self._lock:
            self._pending.discard(pending)
