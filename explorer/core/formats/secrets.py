"""Which imported values are credentials: the one classifier every importer asks.

An imported file is untrusted and often careless: a collection variable holding a live token,
``?api_key=`` in a URL, a ``password`` form field. A value is judged by its use (an auth
setting the schema marks secret, a credential header, a parameter, field or variable named like
a credential, or a ``{{variable}}`` referenced from such a place) and, failing that, by its
look (a long random token). ``SecretVault`` (``formats.common``) moves what this module picks
out to secret variables, which are never written.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from explorer.core.redaction import SENSITIVE_HEADERS

#: The last word of a credential's name, once camelCase and dashes became ``snake_case``.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|secret|token|api_?key|apikey|private_?key|access_?key"
    r"|secret_?key|credentials?)$"
)
#: Headers whose name ends like a credential's but never carries one.
_NOT_CREDENTIAL_HEADERS = frozenset({"idempotency-key", "sec-websocket-key"})
_REFERENCE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9._~+/=-]+")
MIN_RANDOM_LENGTH = 20
MIN_BITS_PER_CHARACTER = 3.5


def snake(name: str) -> str:
    """``clientSecret``, ``X-Api-Key`` and ``db password`` as ``client_secret``,
    ``x_api_key`` and ``db_password``: the form the name rules are written for."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"\W+", "_", spaced).strip("_").lower()


def secret_name(name: str) -> bool:
    """A parameter, form field or variable whose name says it holds a credential
    (``password``, ``db_password``, ``client_secret``, ``apiKey``, ``access_token``)."""
    return bool(_SECRET_NAME.search(snake(name)))


def credential_header(name: str) -> bool:
    """Headers that carry credentials: ``Authorization``, ``Cookie``, API key headers,
    ``X-Auth-Token`` and any other ``*-Key`` / ``*-Token`` header."""
    lower = name.strip().lower()
    if lower in _NOT_CREDENTIAL_HEADERS:
        return False
    return lower in SENSITIVE_HEADERS or lower.endswith(("-key", "-token")) or secret_name(lower)


def random_looking(value: str) -> bool:
    """A long value of token characters mixing upper case, lower case and digits with high
    entropy: an API key or a JWT, not a word, a number, a path or a lower-case hex id."""
    if len(value) < MIN_RANDOM_LENGTH or not _TOKEN_CHARACTERS.fullmatch(value):
        return False
    if not (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value)):
        return False
    if not re.search(r"\d", value) or value.startswith("/"):
        return False
    counts = Counter(value)
    bits = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return bits >= MIN_BITS_PER_CHARACTER


def literal(value: str) -> bool:
    """A value written out in the file, as opposed to empty or built from ``{{variables}}``."""
    return bool(value) and "{{" not in value


def references(value: str) -> set[str]:
    """The ``{{variables}}`` a value refers to."""
    return set(_REFERENCE.findall(value))
