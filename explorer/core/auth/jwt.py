"""Decoding of JWT access tokens for the token inspector (claims, roles, scopes, expiry).

The signature is deliberately not verified: the client holds no key for it and does not need one,
the resource server verifies. This is display only, so the decoder never raises on a token that
is not a JWT (ServiceChannel's and Flexiti's are opaque); it returns None.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from explorer.core import safe_parse

__all__ = ["JwtInfo", "decode_jwt"]


@dataclass(frozen=True, slots=True)
class JwtInfo:
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def expires_at(self) -> float | None:
        exp = self.claims.get("exp")
        return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None

    @property
    def subject(self) -> str | None:
        sub = self.claims.get("sub")
        return sub if isinstance(sub, str) else None

    @property
    def scopes(self) -> tuple[str, ...]:
        value = self.claims.get("scope", self.claims.get("scp"))
        if isinstance(value, str):
            return tuple(value.split())
        if isinstance(value, list):
            return tuple(str(v) for v in value)
        return ()

    @property
    def roles(self) -> tuple[str, ...]:
        found: list[str] = []
        for key in ("roles", "role", "groups"):
            value = self.claims.get(key)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list):
                found.extend(json.dumps(v) if isinstance(v, dict) else str(v) for v in value)
        realm = self.claims.get("realm_access")
        if isinstance(realm, dict) and isinstance(realm.get("roles"), list):
            found.extend(str(r) for r in realm["roles"])
        return tuple(found)


def decode_jwt(token: str) -> JwtInfo | None:
    """The header and claims of a compact JWS, or None when ``token`` is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = safe_parse.loads(_b64url(parts[0]))
        claims = safe_parse.loads(_b64url(parts[1]))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return JwtInfo(header, claims)


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
