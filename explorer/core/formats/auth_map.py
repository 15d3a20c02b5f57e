"""OAuth2, Digest and AWS Signature V4 settings of other tools in the auth schema's terms.

Postman, OpenAPI, httpyac, Insomnia and Bruno each name these settings their own way; the
importers map them onto ``auth.schema``'s parameters so an imported auth is sendable, and the
exporters map them back. What every format shares lives here: the schema's choices (a value
outside them would make the auth unsendable, so it is reported and the default kept), the extra
token parameters as one ``a=b&c=d`` text, an OpenID Connect discovery URL as its issuer, and
the sentences for what has no place here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from explorer.core.auth.schema import auth_type
from explorer.core.models import AuthSpec

OAUTH2 = "oauth2"
BASIC = "client_secret_basic"
POST = "client_secret_post"
PKCE = "S256"
NO_PKCE = "off"
#: Grants a tool can run without a user: their token request can be written into an export.
HEADLESS = ("client_credentials", "password", "refresh_token")
#: Settings that are generated for each authorization (Postman, Insomnia and Bruno keep one).
PER_AUTHORIZATION = ("state", "code_verifier", "nonce")
DISCOVERY = "/.well-known/openid-configuration"
IMPLICIT = (
    "the implicit grant is not supported (OAuth 2.1 drops it): it was imported as authorization "
    "code with PKCE, which also needs the token URL"
)


def default(kind: str, name: str) -> str:
    """The schema's default of ``name`` in a ``kind`` auth ("" when it has none)."""
    known = auth_type(kind)
    param = known.param(name) if known else None
    return param.default if param else ""


def choice(kind: str, name: str, value: str) -> bool:
    """Whether ``value`` is allowed for ``name`` (any value of a parameter without choices)."""
    known = auth_type(kind)
    param = known.param(name) if known else None
    return param is None or not param.choices or value in param.choices


def complete(kind: str, params: Mapping[str, str]) -> AuthSpec:
    """``params`` as a ``kind`` auth the way the app saves it: every parameter of the schema in
    its order, missing ones at their defaults (others after, as given)."""
    known = auth_type(kind)
    if known is None:
        return AuthSpec(kind, tuple(params.items()))
    names = [p.name for p in known.params]
    first = [(p.name, params.get(p.name, p.default)) for p in known.params]
    return AuthSpec(kind, (*first, *((k, v) for k, v in params.items() if k not in names)))


def join_params(pairs: Iterable[tuple[str, str]]) -> str:
    """Extra token parameters as the schema's ``extra_params`` text (``a=b&c=d``)."""
    return "&".join(f"{key}={value}" for key, value in pairs if key)


def split_params(text: str) -> list[tuple[str, str]]:
    """``extra_params`` text as its pairs, the inverse of ``join_params``."""
    pairs = []
    for piece in text.split("&"):
        key, _, value = piece.partition("=")
        if key:
            pairs.append((key, value))
    return pairs


def issuer_of(url: str) -> str | None:
    """The issuer an OpenID Connect discovery URL belongs to, None for another URL."""
    stripped = url.strip()
    if not stripped.endswith(DISCOVERY):
        return None
    return stripped[: -len(DISCOVERY)].rstrip("/") or None


def not_imported(where: str, kind: str, names: Iterable[str], why: str) -> str | None:
    """The warning for ``kind`` auth settings that were left out, None when there are none."""
    listed = sorted(set(names))
    if not listed:
        return None
    noun = "setting" if len(listed) == 1 else "settings"
    verb = "was" if len(listed) == 1 else "were"
    return f"{where}: {kind} auth {noun} {', '.join(listed)} {verb} not imported ({why})"


def oauth2_value(name: str, value: str, where: str, warnings: list[str]) -> str | None:
    """``value`` for the OAuth2 parameter ``name``, or None (reported) when the schema does not
    allow it, so the default stays and the auth remains sendable."""
    if choice(OAUTH2, name, value):
        return value
    warnings.append(
        f"{where}: OAuth2 {name} '{value}' is not supported; "
        f"'{default(OAUTH2, name)}' is used instead"
    )
    return None


def token_name(auth: AuthSpec) -> str:
    """A name for where an export keeps ``auth``'s token (a Postman variable, an httpyac token
    request), the same for the same settings, so identical auths share one token."""
    digest = hashlib.sha256(json.dumps(auth.params).encode()).hexdigest()
    return f"oauth2_token_{digest[:8]}"
