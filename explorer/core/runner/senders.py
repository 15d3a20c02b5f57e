"""How the runner sends one request: through a provider environment's ``ApiSession`` (auth,
the shared token manager and rate limiter, 401 refresh and replay) or, for a collection of
literal URLs, straight through the ``HttpClient``.

Both are safe to call from several worker threads at once: the client keeps a session per
thread, and the ``ApiSession``'s token manager and limiter are shared by design.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from explorer.core.http.client import CancelToken, HttpClient
from explorer.core.models import Exchange, RequestSpec
from explorer.core.templating import Layer, Scope, resolve
from explorer.core.tls import apply as apply_tls
from explorer.core.tls import resolve_tls, send_presenting
from explorer.core.transport_policy import unverified_note

if TYPE_CHECKING:  # a run without a provider never loads the auth stack (start-up time)
    from explorer.core.auth.oauth_request import RequestTokens
    from explorer.core.confinement import FileAccess
    from explorer.core.context import Binding
    from explorer.core.cookies import CookieJars, Jar
    from explorer.core.pipeline import ApiSession
    from explorer.core.runner.plan import Plan
    from explorer.core.settings import RequestDefaults
    from explorer.core.workbench import Workbench

__all__ = ["ClientSender", "DefaultedSender", "Sender", "Sent", "SessionSender", "sender_for"]


@dataclass(frozen=True, slots=True)
class Sent:
    """The exchange and every secret value the send knew, so results can mask them; ``scope``
    builds the scope the request resolved in (on demand: assertions expand their templates in
    it, and most have none)."""

    exchange: Exchange
    secrets: frozenset[str]
    scope: Callable[[], Scope] = Scope
    notes: tuple[str, ...] = ()  # what the send did that the run should say (TLS off, ...)


class Sender(Protocol):
    def send(
        self,
        spec: RequestSpec,
        variables: Mapping[str, str],
        layers: Sequence[Layer],
        cancel: CancelToken,
    ) -> Sent:
        """``variables`` win over everything; ``layers`` (folders, nearest first) come last."""
        ...


@dataclass
class ClientSender:
    """Literal URLs: the run's variables, then ``defaults`` (saved values), then the folders;
    OAuth2 set on the collection, a folder or a request through ``oauth`` (the workbench's
    ``RequestTokens``, made on first use)."""

    client: HttpClient
    base_dir: Path
    defaults: tuple[Layer, ...] = ()
    files: FileAccess | None = None
    oauth: Callable[[], RequestTokens] | None = None
    cookies: Cookies | None = None

    def send(
        self,
        spec: RequestSpec,
        variables: Mapping[str, str],
        layers: Sequence[Layer],
        cancel: CancelToken,
    ) -> Sent:
        scope = Scope((Layer("run", variables), *self.defaults, *layers))
        resolved = resolve(spec, scope, base_dir=self.base_dir, files=self.files)
        presented = resolve_tls(scope, base_dir=self.base_dir, files=self.files)
        resolved = apply_tls(resolved, presented)
        jar = self.cookies.jar if self.cookies is not None else None
        if resolved.auth is not None:  # the auth stack loads only for a request that sets one
            from explorer.core.workbench import send_resolved

            result = send_resolved(
                self.client,
                resolved,
                oauth=self.oauth,
                cancel=cancel,
                where=str(self.base_dir),
                tls=presented,
                jar=jar,
            )
            notes = (*result.notes, *_kept(self.cookies))
            return Sent(result.exchange, result.secrets, lambda: scope, notes)
        exchange = send_presenting(self.client, resolved, presented, cancel=cancel, jar=jar)
        notes = () if resolved.verify_tls else (unverified_note(resolved.url),)
        return Sent(exchange, resolved.secrets, lambda: scope, (*notes, *_kept(self.cookies)))


@dataclass
class SessionSender:
    """Through ``session``: the run's variables, the provider environment and its credentials,
    then ``defaults`` (the workspace's saved values and secret variables), then the folders."""

    session: ApiSession
    defaults: tuple[Layer, ...] = ()
    files: FileAccess | None = None
    cookies: Cookies | None = None

    def send(
        self,
        spec: RequestSpec,
        variables: Mapping[str, str],
        layers: Sequence[Layer],
        cancel: CancelToken,
    ) -> Sent:
        result = self.session.send(
            spec,
            variables=variables,
            fallback=(*self.defaults, *layers),
            cancel=cancel,
            files=self.files,
            jar=self.cookies.jar if self.cookies is not None else None,
        )
        fallback = (*self.defaults, *layers)
        return Sent(
            result.exchange,
            result.secrets,
            lambda: self.session.scope(variables, None, fallback),
            (*result.notes, *_kept(self.cookies)),
        )


@dataclass(frozen=True, slots=True)
class Cookies:
    """The jar a run sends with (its environment's, shared with the window) and the jars it
    belongs to, saved after each send while persistence is on."""

    jar: Jar
    jars: CookieJars


def _kept(cookies: Cookies | None) -> tuple[str, ...]:
    """Save the jars if they are persisted; the one sentence of a failed save."""
    problem = cookies.jars.flush() if cookies is not None else None
    return () if problem is None else (problem,)


def sender_for(workbench: Workbench, plan: Plan, directory: Path, selected: Binding) -> Sender:
    """How ``api-explorer run`` and the window's Run dialog send a collection: bound as
    ``context.bind`` decides (the collection's provider, the selected environment), with the
    layers a single send of the same request gets after its own; body files stay inside the
    collection's workspace (``confinement``)."""
    from explorer.core.confinement import access_for
    from explorer.core.context import Placement
    from explorer.core.workspace.model import Folder

    collection = Folder(plan.name, provider=plan.provider, path=directory)
    placement = Placement((collection,))
    bound = workbench.bound(placement, selected, plan.secret_names)
    files = access_for(directory)
    jars = workbench.cookies
    cookies = Cookies(jars.jar(workbench.jar_scope(bound.binding, placement)), jars)
    sender: Sender
    if bound.session is None:
        sender = ClientSender(
            workbench.client, directory, bound.layers, files, workbench.request_tokens, cookies
        )
    else:
        sender = SessionSender(bound.session, bound.layers, files, cookies)
    return DefaultedSender(sender, workbench.defaults)


@dataclass
class DefaultedSender:
    """``inner`` sending each request with the settings' defaults for the options it leaves at
    the built-in ones (``context.with_defaults``), as a single send of it would."""

    inner: Sender
    defaults: RequestDefaults

    def send(
        self,
        spec: RequestSpec,
        variables: Mapping[str, str],
        layers: Sequence[Layer],
        cancel: CancelToken,
    ) -> Sent:
        from explorer.core.context import with_defaults

        return self.inner.send(with_defaults(spec, self.defaults), variables, layers, cancel)
