"""Authentication: the auth schema (one table of types and their parameters), the auth-type
registry, OAuth2 grants and the token lifecycle.

See ``docs/auth.md`` for the lifecycle and its sequence diagram. Names are imported on first use
(PEP 562): the Auth tab reads ``auth.schema`` while the window starts, and must not pay for
``requests`` and the token machinery there.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.core.auth.grants import GrantSettings, TokenEndpoint
    from explorer.core.auth.jwt import JwtInfo, decode_jwt
    from explorer.core.auth.manager import Credentials, TokenManager, TokenRegistry
    from explorer.core.auth.registry import AUTH_TYPES, build_auth, registry_key
    from explorer.core.auth.schema import GRANTS, SCHEMA, AuthType, Param
    from explorer.core.auth.tokens import (
        OtpCallback,
        OtpPrompt,
        OtpRequired,
        Token,
        TokenError,
        TokenEvent,
        TokenRejected,
    )

_WHERE = {
    "grants": ("GrantSettings", "TokenEndpoint"),
    "jwt": ("JwtInfo", "decode_jwt"),
    "manager": ("Credentials", "TokenManager", "TokenRegistry"),
    "registry": ("AUTH_TYPES", "build_auth", "registry_key"),
    "schema": ("GRANTS", "SCHEMA", "AuthType", "Param"),
    "tokens": (
        "OtpCallback",
        "OtpPrompt",
        "OtpRequired",
        "Token",
        "TokenError",
        "TokenEvent",
        "TokenRejected",
    ),
}
_MODULE = {name: module for module, names in _WHERE.items() for name in names}

__all__ = [
    "AUTH_TYPES",
    "GRANTS",
    "SCHEMA",
    "AuthType",
    "Credentials",
    "GrantSettings",
    "JwtInfo",
    "OtpCallback",
    "OtpPrompt",
    "OtpRequired",
    "Param",
    "Token",
    "TokenEndpoint",
    "TokenError",
    "TokenEvent",
    "TokenManager",
    "TokenRegistry",
    "TokenRejected",
    "build_auth",
    "decode_jwt",
    "registry_key",
]


def __getattr__(name: str) -> object:
    module = _MODULE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
