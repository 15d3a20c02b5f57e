"""How an OAuth2 client proves who it is at the token endpoint (RFC 6749 §2.3, RFC 7523).

``client_secret_basic`` (HTTP Basic), ``client_secret_post`` (id and secret in the form),
``private_key_jwt`` (a short-lived JWT signed with the client's private key, RFC 7523 §2.2) and
``none`` (a public client: its id in the form). Authlib's ``ClientAuth`` and ``PrivateKeyJWT``
apply them; this module picks the method, reads the key (PEM text, or the path of a PEM file)
and chooses the signing algorithm from the key's type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from explorer.core.errors import InvalidRequest

__all__ = ["METHODS", "apply_client_auth", "load_private_key", "method_of"]

METHODS: Final = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
"""Client authentication methods, by their RFC 7591 names."""

_ALIASES: Final = {"basic": "client_secret_basic", "body": "client_secret_post"}
"""A provider preset's older names (``auth.client_auth``)."""

_EC_ALGORITHMS: Final = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}

PrivateKey = RSAKey | ECKey | OKPKey


def method_of(client_auth: str, client_secret: str) -> str:
    """The method to use: a secret method without a secret is a public client (``none``)."""
    method = _ALIASES.get(client_auth, client_auth or "client_secret_basic")
    if method not in METHODS:
        raise InvalidRequest(
            f"OAuth2 client authentication '{client_auth}' is not one of {', '.join(METHODS)}."
        )
    if method.startswith("client_secret_") and not client_secret:
        return "none"
    return method


def load_private_key(text: str) -> tuple[PrivateKey, str]:
    """The private key in ``text`` (PEM, or the path of a PEM file) and its JWS algorithm:
    RS256 for RSA, ES256/384/512 for EC P-256/384/521, EdDSA for Ed25519."""
    pem = text
    if "-----BEGIN" not in text:
        path = Path(text.strip()).expanduser()
        try:
            pem = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not PEM text"
            raise InvalidRequest(
                f"The OAuth2 private_key is neither PEM text nor a readable PEM file "
                f"('{path}': {why.lower()})."
            ) from exc
    key: PrivateKey | None = None
    for kind in (RSAKey, ECKey, OKPKey):
        try:
            key = kind.import_key(pem)
        except (JoseError, ValueError, TypeError):
            continue
        break
    if key is None or not key.is_private:
        raise InvalidRequest(
            "The OAuth2 private_key is not an unencrypted PEM private key (RSA, EC or Ed25519)."
        )
    if isinstance(key, RSAKey):
        return key, "RS256"
    if isinstance(key, ECKey):
        return key, _EC_ALGORITHMS.get(key.curve_name, "ES256")
    return key, "EdDSA"


def apply_client_auth(
    method: str,
    token_url: str,
    headers: dict[str, str],
    body: str,
    *,
    client_id: str,
    client_secret: str = "",
    private_key: str = "",
) -> tuple[dict[str, str], str]:
    """``headers`` and the form ``body`` of a request to ``token_url`` with the client's
    authentication applied (``method`` from ``method_of``)."""
    if method == "private_key_jwt":
        if not private_key:
            raise InvalidRequest("OAuth2 private_key_jwt client authentication needs private_key.")
        key, algorithm = load_private_key(private_key)
        signer = PrivateKeyJWT(token_url, alg=algorithm)
        auth = ClientAuth(client_id, key, signer)
        body = f"{body}&client_id={_quoted(client_id)}" if client_id else body
    else:
        auth = ClientAuth(client_id, client_secret, method)
    _, headers, body = auth.prepare("POST", token_url, headers, body)
    return headers, body


def _quoted(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
