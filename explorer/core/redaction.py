"""Masking of secrets before anything is shown, logged, saved to history or exported.

Two rules: headers that carry credentials are masked by name, and any value known to be secret
(from secret variables or the credential store) is masked wherever it appears, in any letter
case and percent-encoded too.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "••••••"
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "ocp-apim-subscription-key",
        "x-amz-security-token",
    }
)


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret, in any letter case (a URL's host is lowercased on
    the way) and percent-encoded as a URL or a form carries it; longest first, so overlaps mask
    whole."""
    wanted = frozenset(s for s in secrets if len(s) >= 3)
    if not wanted or not text:
        return text
    return _secrets_pattern(wanted).sub(MASK, text)


def _encodings(secret: str) -> set[str]:
    """The forms a secret takes in text we print: as is, and percent-encoded the ways a URL
    path, a query (``quote_plus``) and a strict encoder (nothing safe) write it."""
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote(secret, safe="!$&'()*+,;=:@/?~"),
        quote_plus(secret, safe=""),
    }


@functools.lru_cache(maxsize=64)
def _secrets_pattern(secrets: frozenset[str]) -> re.Pattern[str]:
    forms = {form for secret in secrets for form in _encodings(secret)}
    alternatives = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(form) for form in alternatives), re.IGNORECASE)


def mask_header(name: str, value: str, secrets: Iterable[str] = ()) -> str:
    """A header value fit for display: scheme kept for Authorization (``Bearer ••••••``)."""
    if name.lower() in SENSITIVE_HEADERS:
        scheme, sep, _ = value.partition(" ")
        if name.lower().endswith("authorization") and sep and scheme.isalpha():
            return f"{scheme} {MASK}"
        return MASK
    return mask_text(value, secrets)


def mask_headers(
    headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()
) -> list[tuple[str, str]]:
    known = list(secrets)
    return [(name, mask_header(name, value, known)) for name, value in headers]


# -- the process's known secrets, for text that did not come from one request ------------------
#
# A crash report or a log line is written far from the request whose secrets it might contain,
# so every secret value the core handles (credential slots and secret variables when a request
# is resolved, tokens when a grant or refresh returns them) is also remembered here for the life
# of the process. It holds nothing that is not already in this process's memory.

_KNOWN_LIMIT = 4096
_known: dict[str, None] = {}  # insertion-ordered set: the oldest are forgotten past the limit
_known_lock = threading.Lock()


def remember(secrets: Iterable[str]) -> None:
    """Add secret values to the process-wide set that logs and crash reports are masked with."""
    with _known_lock:
        for secret in secrets:
            if len(secret) >= 3:
                _known.pop(secret, None)
                _known[secret] = None
        while len(_known) > _KNOWN_LIMIT:
            del _known[next(iter(_known))]


def known_secrets() -> frozenset[str]:
    with _known_lock:
        return frozenset(_known)


def forget_all() -> None:
    """Empty the set (tests; a future "lock" command)."""
    with _known_lock:
        _known.clear()


_HEADER_NAMES = "|".join(
    re.escape(name) for name in sorted(SENSITIVE_HEADERS | {"x-auth-token"}, key=len, reverse=True)
)
_FIELD_NAMES = (
    "access_token|refresh_token|id_token|client_secret|password|passwd|api_key|apikey"
    "|subscription_key|static_token|secret|token"
)
_CREDENTIAL_PATTERNS = (
    # "Authorization: Bearer x", "'X-Api-Key': 'x'", "authorization=x" (header lines, dict reprs)
    re.compile(
        rf"""(?P<keep>(?<![\w-])(?:{_HEADER_NAMES})['"]?\s*[:=]\s*['"]?)"""
        r"""(?:(?P<scheme>[A-Za-z]+) (?=\S))?(?P<value>[^'"\r\n,}]+)""",
        re.IGNORECASE,
    ),
    # "access_token": "x", password='x', client_secret=x, password: x (JSON, reprs, form
    # bodies, queries, YAML); not "token = x" with spaces, a line of source in a traceback
    re.compile(
        rf"""(?P<keep>(?<![\w-])(?:{_FIELD_NAMES})(?:['"]\s*:\s*['"]?|=['"]?|: ['"]?))"""
        r"""(?P<scheme>)(?P<value>[^'"\s&,;)}]+)""",
        re.IGNORECASE,
    ),
    # a bare "Bearer x" anywhere (a token is long; "Bearer tokens" in a sentence is not one)
    re.compile(r"(?P<keep>\b)(?P<scheme>Bearer) (?P<value>[A-Za-z0-9._~+/=-]{16,})"),
)


def _mask_match(match: re.Match[str]) -> str:
    if match.group("value") == MASK:
        return match.group(0)
    scheme = match.group("scheme")
    return f"{match.group('keep')}{scheme + ' ' if scheme else ''}{MASK}"


def mask_credentials(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret (``secrets`` and the process-wide set) masked, and the
    values of credential-looking headers and fields masked even when their value is unknown."""
    text = mask_text(text, known_secrets() | frozenset(secrets))
    for pattern in _CREDENTIAL_PATTERNS:
        text = pattern.sub(_mask_match, text)
    return text


def format_exception(
    kind: type[BaseException],
    error: BaseException,
    tb: TracebackType | None,
    secrets: Iterable[str] = (),
) -> str:
    """A traceback (chained causes included) fit for a log file or a crash dialog."""
    return mask_credentials("".join(traceback.format_exception(kind, error, tb)), secrets)


class RedactingFormatter(logging.Formatter):
    """A log formatter whose every line, traceback included, goes through ``mask_credentials``."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_credentials(super().format(record))

    def formatException(self, ei: Any) -> str:
        return mask_credentials(super().formatException(ei))
