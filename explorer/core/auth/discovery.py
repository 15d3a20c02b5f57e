"""OpenID Connect discovery: an issuer URL gives the authorization, token and device endpoints.

``GET <issuer>/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0 §4; RFC 8414
has the same document), through our ``HttpClient`` like every other call. The document must name
the issuer it was asked for (§4.3), so a misconfigured or hostile server cannot hand out another
server's endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from explorer.core import safe_parse
from explorer.core.auth.tokens import TokenError
from explorer.core.errors import TransportError
from explorer.core.http.client import CancelToken, HttpClient
from explorer.core.models import ResolvedRequest

__all__ = ["WELL_KNOWN", "Endpoints", "discover", "document_url"]

WELL_KNOWN: Final = "/.well-known/openid-configuration"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """What discovery found; an endpoint the server does not have is empty."""

    issuer: str
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    device_authorization_endpoint: str = ""


def document_url(issuer: str) -> str:
    """The configuration document's URL (an issuer given as that URL is taken as it is)."""
    stripped = issuer.strip()
    if stripped.endswith(WELL_KNOWN):
        return stripped
    return stripped.rstrip("/") + WELL_KNOWN


def discover(issuer: str, client: HttpClient, *, cancel: CancelToken | None = None) -> Endpoints:
    """The endpoints ``issuer`` publishes; one sentence when they cannot be read."""
    url = document_url(issuer)
    request = ResolvedRequest("GET", url, headers=(("Accept", "application/json"),))
    try:
        exchange = client.send(request, cancel=cancel)
    except TransportError as exc:
        raise TokenError(f"The OpenID configuration at {url} could not be read: {exc}") from exc
    response = exchange.response
    if not response.ok:
        raise TokenError(
            f"The OpenID configuration at {url} answered HTTP {response.status}; check issuer."
        )
    try:
        data = safe_parse.loads(response.body.head(256 * 1024))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise TokenError(f"The OpenID configuration at {url} is not a JSON object; check issuer.")
    named = data.get("issuer")
    expected = url[: -len(WELL_KNOWN)]
    if not isinstance(named, str) or named.rstrip("/") != expected.rstrip("/"):
        raise TokenError(
            f"The OpenID configuration at {url} is for issuer '{named}', not '{expected}'; "
            "check issuer."
        )

    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    return Endpoints(
        named,
        text("authorization_endpoint"),
        text("token_endpoint"),
        text("device_authorization_endpoint"),
    )
