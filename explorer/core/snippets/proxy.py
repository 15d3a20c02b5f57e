"""The settings' proxy in a snippet: decided by ``Network.route``, the function every send's
hop goes through, so a snippet leaves through the proxy its send would use (the environment's
own, the default, or none for a ``no_proxy`` host). The proxy user's password is a secret like
any other: an environment variable the snippet reads, its value written only on reveal.

Targets with a proxy option render it (curl, HTTPie, Python requests); for the others
``as_note`` says in one note which proxy to set, as they say it of a client certificate they
cannot present.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from explorer.core.snippets.model import Ref, SnippetProxy, SnippetRequest, Text

if TYPE_CHECKING:
    from explorer.core.http.network import Network
    from explorer.core.snippets.build import _Builder

__all__ = ["PASSWORD_ENV", "as_note", "decide"]

#: The environment variable a snippet reads the proxy user's password from.
PASSWORD_ENV = "PROXY_PASSWORD"  # noqa: S105 - a variable name, not a secret


def decide(builder: _Builder, url: Text, network: Network | None) -> SnippetProxy | None:
    """The proxy of a send to ``url``; None when the process environment decides (curl,
    requests and HTTPie read ``HTTP(S)_PROXY`` / ``NO_PROXY`` as our client does)."""
    if network is None:
        return None
    route = network.route(_target(builder, url))
    if route.kind == "process-environment":
        return None
    if route.kind == "direct":
        return SnippetProxy()
    if not route.username:
        return SnippetProxy(route.url)
    stored = network.password_of(route) if builder.reveal else None
    if stored:
        builder.secrets.add(stored)
        return SnippetProxy(route.url, route.username, Text.of(stored))
    hint = "the proxy user's password (kept in the credential store; Settings ▸ Proxy)"
    password = Text.of(builder.env(PASSWORD_ENV, hint, prefixed=False))
    return SnippetProxy(route.url, route.username, password)


def _target(builder: _Builder, url: Text) -> str:
    """The URL as far as it is known now: kept variables by their values, read-at-run-time
    values left out (the origin, all the route looks at, comes before them)."""
    pieces = []
    for part in url.parts:
        if isinstance(part, Ref):
            value = builder.vars[part.ident].value.literal
            if builder.vars[part.ident].env is not None or value is None:
                break
            pieces.append(value)
        else:
            pieces.append(part)
    return "".join(pieces)


def as_note(req: SnippetRequest) -> SnippetRequest:
    """``req`` for a target without a proxy option: the proxy said in one note, its password
    variable not declared (an unused variable does not compile in Go)."""
    proxy = req.proxy
    if proxy is None:
        return req
    if not proxy.url:
        sentence = "The settings send this request direct: unset HTTP(S)_PROXY first."
    else:
        user = f" as {proxy.username}" if proxy.username else ""
        sentence = (
            f"The settings send this request through the proxy {proxy.address}{user}; this "
            "snippet does not set a proxy: configure it (HTTPS_PROXY) where it runs."
        )
    password = proxy.password.parts if proxy.password is not None else ()
    dropped = {p.ident for p in password if isinstance(p, Ref)}
    return replace(
        req,
        proxy=None,
        variables=tuple(v for v in req.variables if v.ident not in dropped),
        notes=(*req.notes, sentence),
    )
