"""What a live environment may be reached over: HTTPS only, except on this machine.

A live environment carries production credentials; over plain HTTP the bearer token, the API key
and the password grant would cross the network readable by anyone on the path. Loopback is
exempt (a local proxy, the sandbox, a tunnel end), since nothing leaves the machine. TLS itself
is held to 1.2 or newer for every HTTPS connection by the HTTP client.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from explorer.core.errors import InvalidURL

__all__ = ["InsecureTransport", "require_https"]


class InsecureTransport(InvalidURL):
    """A live environment's request or token URL uses plain HTTP to another machine."""


def require_https(url: str, *, live: bool, who: str, what: str = "request") -> None:
    """Refuse ``url`` when ``live`` and it is plain HTTP to a host other than loopback."""
    if not live:
        return
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or _loopback(parts.hostname or ""):
        return
    raise InsecureTransport(
        f"{who} is a live environment and its {what} URL '{url}' is plain HTTP; live "
        "environments are reached over HTTPS only, so change it to https://."
    )


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
