"""Authentication: the auth-type registry, OAuth2 grants and the token lifecycle.

See ``docs/auth.md`` for the lifecycle and its sequence diagram.
"""

from explorer.core.auth.grants import GrantSettings, TokenEndpoint
from explorer.core.auth.jwt import JwtInfo, decode_jwt
from explorer.core.auth.manager import Credentials, TokenManager, TokenRegistry
from explorer.core.auth.registry import AUTH_TYPES, build_auth, registry_key
from explorer.core.auth.tokens import (
    OtpCallback,
    OtpPrompt,
    OtpRequired,
    Token,
    TokenError,
    TokenEvent,
    TokenRejected,
)

__all__ = [
    "AUTH_TYPES",
    "Credentials",
    "GrantSettings",
    "JwtInfo",
    "OtpCallback",
    "OtpPrompt",
    "OtpRequired",
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
