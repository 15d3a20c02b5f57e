"""Masking of secrets before anything is shown, logged, saved to history or exported.

Two rules: headers that carry credentials are masked by name, and any value known to be secret
(from secret variables or the credential store) is masked wherever it appears.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    }
)


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (longest first, so overlaps mask whole)."""
    for secret in sorted((s for s in secrets if len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


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
