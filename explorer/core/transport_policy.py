"""What a live environment may be reached over: HTTPS only, except on this machine.

A live environment carries production credentials; over plain HTTP the bearer token, the API key
and the password grant would cross the network readable by anyone on the path. Loopback is
exempt (a local proxy, the sandbox, a tunnel end), since nothing leaves the machine. TLS itself
is held to 1.2 or newer for every HTTPS connection by the HTTP client. The same rule holds for
every redirect hop, and a live environment never turns certificate verification off: a request
file's ``verify_tls: false`` would hand its token to whoever sits on the path.

For every request, a 307/308 that would re-send the body to another origin is refused: the
server chose where the body goes, and the body is the user's data (a card number, a file).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from explorer.core.errors import InvalidURL, TransportError

__all__ = [
    "InsecureTransport",
    "RedirectRefused",
    "refuse_body_redirect",
    "require_https",
    "require_verified_tls",
    "unverified_note",
]


class InsecureTransport(InvalidURL):
    """A live environment's request, token or redirect URL uses plain HTTP to another machine,
    or its request turns TLS verification off."""


class RedirectRefused(TransportError):
    """A redirect would re-send the request body to another origin."""


def require_https(url: str, *, live: bool, who: str, what: str = "request") -> None:
    """Refuse ``url`` when ``live`` and it is plain HTTP to a host other than loopback."""
    if not live:
        return
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or _loopback(parts.hostname or ""):
        return
    advice = (
        "so the redirect was not followed" if what == "redirect" else "so change it to https://"
    )
    raise InsecureTransport(
        f"{who} is a live environment and its {what} URL '{url}' is plain HTTP; live "
        f"environments are reached over HTTPS only, {advice}."
    )


def require_verified_tls(verify_tls: bool, *, live: bool, who: str) -> None:
    """Refuse a live environment's request that turns certificate verification off."""
    if live and not verify_tls:
        raise InsecureTransport(
            f"{who} is a live environment and this request turns TLS verification off "
            "(verify_tls: false); live environments are reached with verified TLS only, so "
            "remove it or trust the server's CA instead."
        )


def unverified_note(url: str) -> str:
    """The line every send without certificate verification carries (notes, stderr, reports)."""
    return f"TLS verification is off for {url}: the server's identity was not checked"


def refuse_body_redirect(status: int, url: str, target: str) -> None:
    """Stop a 307/308 that would re-send the body of ``url`` to ``target``, another origin."""
    raise RedirectRefused(
        f"{url} answered {status} to {target}, another origin, which would re-send the request "
        "body there; the redirect was not followed (send to that URL directly if you trust it)."
    )


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
