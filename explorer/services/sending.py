"""Sending from the window: through the provider environment's ``ApiSession``, or as a literal
request; and the token as the status and inspector show it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.services.api import ProblemCard, SendOutcome, TokenView

if TYPE_CHECKING:
    from explorer.core.http.client import CancelToken
    from explorer.core.models import RequestSpec
    from explorer.core.problems import Problem
    from explorer.services.api import ProgressCallback, SendContext
    from explorer.services.core import Core


def problem_card(problem: Problem | None) -> ProblemCard | None:
    """The core's normalised ``Problem`` as the Problem tab's card."""
    if problem is None:
        return None
    return ProblemCard(
        status=problem.status,
        title=problem.title,
        code=problem.code,
        detail=problem.detail,
        fields=tuple((f.name, f.message) for f in problem.fields),
        retry_after=problem.retry_after,
        format=problem.format,
    )


@dataclass
class _Pending:
    future: Future[SendOutcome]
    token: CancelToken

    def cancel(self) -> None:
        self.token.cancel()


@dataclass
class CoreSender:
    """Sends on the network executor: through the provider environment's ``ApiSession`` (auth,
    limits, refresh and replay, the normalised problem), or as a literal request without one."""

    executor: ThreadPoolExecutor
    ready: Future[Core]

    def start(
        self,
        spec: RequestSpec,
        context: SendContext,
        on_progress: ProgressCallback | None = None,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> _Pending:
        from explorer.core.http.client import CancelToken  # imported by start_core already

        token = CancelToken()
        future = self.executor.submit(self._send, spec, context, token, on_progress, on_wait)
        return _Pending(future, token)

    def _send(
        self,
        spec: RequestSpec,
        context: SendContext,
        cancel: CancelToken,
        on_progress: ProgressCallback | None,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> SendOutcome:
        from explorer.core.auth.tokens import InteractionRequired
        from explorer.core.context import Binding, Placement
        from explorer.core.redaction import mask_text
        from explorer.services.oauth import sign_in_required

        core = self.ready.result()
        assembled = core.bench.assemble(
            spec,
            Placement(context.folders, context.request_path),
            Binding(context.provider_id, context.environment),
            context.variables,
        )
        binding = assembled.binding
        if assembled.session is not None and binding.provider_id and binding.environment:
            core.manager(binding.provider_id, binding.environment)  # watched for the status
        try:
            result = core.bench.send(
                assembled, cancel=cancel, on_progress=on_progress, on_wait=on_wait
            )
        except InteractionRequired as exc:  # the window offers "Sign in" (never on its own)
            raise sign_in_required(exc) from None
        token = None
        if binding.provider_id is not None and binding.environment is not None:
            token = token_view(core, binding.provider_id, binding.environment)
        return SendOutcome(
            result.redacted_exchange(),
            problem_card(result.problem),
            events=tuple(mask_text(e.describe(), result.secrets) for e in result.events),
            notes=result.notes,
            token=token,
        )

    def shutdown(self) -> None:
        """The client closes with the core (``Services.on_shutdown``)."""


#: Token events that end an attempt (``requested``, ``throttled`` ... only start one).
TOKEN_OUTCOMES = frozenset({"acquired", "refreshed", "re-granted", "failed", "invalidated"})


def token_view(core: Core, provider_id: str, environment: str) -> TokenView:
    """The environment's token as the status and inspector show it (never the token)."""
    from explorer.core.auth import decode_jwt

    with core.lock:
        events = tuple(core.events.get((provider_id, environment), ()))
        outcome = next(
            (
                event
                for event in reversed(core.token_events.get((provider_id, environment), ()))
                if event.kind in TOKEN_OUTCOMES
            ),
            None,
        )
    # The last thing that happened decides: a token kept from before a failed re-login is not
    # "valid", and one the API refused is not either (the next request gets another).
    if outcome is not None and outcome.kind == "failed":
        return TokenView("failed", outcome.detail or "the token request failed", events=events)
    if outcome is not None and outcome.kind == "invalidated":
        detail = f"{outcome.detail}: the next request gets a new token"
        return TokenView("none", detail, events=events)
    manager = core.manager(provider_id, environment)
    if manager is None:
        session = core.session(provider_id, environment)
        static = session.credential_values().get("static_token", "")
        info = decode_jwt(static) if static else None
        detail = f"{session.kind} auth: no token to fetch"
        if info is None:
            return TokenView("static" if static else "none", detail, events=events)
        return TokenView(
            "static",
            "a stored token issued out of band",
            expires_at=info.expires_at,
            claims=_claims(info.claims),
            roles=info.roles,
            scopes=info.scopes,
            events=events,
        )
    token = manager.current
    if token is None:
        return TokenView("none", "no token yet: the next request gets one", events=events)
    info = decode_jwt(token.access_token)
    return TokenView(
        "valid",
        f"{token.token_type} token from the {token.grant or 'token'} grant",
        issued_at=token.issued_at,
        expires_at=token.expires_at,
        has_refresh_token=bool(token.refresh_token),
        claims=_claims(info.claims) if info else (),
        roles=info.roles if info else (),
        scopes=info.scopes if info else tuple((token.scope or "").split()),
        events=events,
    )


def _claims(claims: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((key, str(value)) for key, value in sorted(claims.items()))
