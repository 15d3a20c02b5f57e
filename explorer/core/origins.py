"""Origins: which hosts may receive a provider's credentials.

A provider environment's bearer token, API key, subscription key and generated headers belong to
its own servers: the base URL's origin, the token endpoint's and any the preset lists under
``origins``. A request typed (or imported) to another host is sent without them, so a pasted URL
can never carry a vendor token to a stranger. The comparison is the browser's: scheme, host
(IDNA and case folded) and port, with the default port made explicit.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["origin_of"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``https://api.example.com:443`` for any URL on that origin; None when ``url`` has no
    scheme or host (it cannot be sent anyway, and resolution says why)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host.lower()}:{port or _DEFAULT_PORTS[scheme]}"
