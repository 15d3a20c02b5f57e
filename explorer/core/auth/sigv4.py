"""AWS Signature Version 4 (header form): the signer behind ``awsv4`` auth.

Written here rather than taken from ``requests-aws4auth`` because that library normalises S3
object paths (``a//b`` and ``..`` are distinct S3 keys), collapses header whitespace with
``shlex`` (a value holding one apostrophe raises), reads a file body into memory to hash it, and
is untyped. The canonical request follows the AWS documentation and is proved against the
published AWS SigV4 test suite and the S3 documentation's examples
(``tests/core/auth/test_sigv4_vectors.py``); ``requests-aws4auth`` verifies what our client sends
in the tests, and is what the Python snippet uses.

Which headers are signed: ``host`` and every header of the prepared request except those a
proxy or the transport may change (``User-Agent``, ``Accept``, ``Accept-Encoding``,
``Content-Length``, hop-by-hop headers): what botocore signs, less what a CDN rewrites.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, cast
from urllib.parse import quote, unquote, unquote_plus, urlsplit

import requests
from requests.auth import AuthBase

from explorer.core.errors import InvalidRequest

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "AwsCredentials",
    "SigV4Auth",
    "authorization",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "is_s3",
    "signing_key",
    "string_to_sign",
]

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNSIGNED = frozenset(
    {
        "authorization",
        "user-agent",
        "accept",
        "accept-encoding",
        "content-length",
        "connection",
        "keep-alive",
        "expect",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "x-amzn-trace-id",
    }
)
_CHUNK = 1024 * 1024


def is_s3(service: str) -> bool:
    """S3 and its variants (``s3-object-lambda``, ``s3express``) sign the path as sent, once
    encoded, and need ``x-amz-content-sha256``."""
    return service.lower().startswith("s3")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 dot segments removed and empty segments dropped (``//a//`` → ``/a/``), the
    trailing slash kept: the non-S3 canonical path."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    joined = "/" + "/".join(segments)
    if segments and path.endswith(("/", "/.", "/..")):
        joined += "/"
    return joined


def canonical_uri(path: str, *, s3: bool = False) -> str:
    """The canonical path of ``path`` as it is sent.

    Every service but S3 normalises it and URI-encodes it once more (the path on the wire is
    already encoded once, so ``%20`` becomes ``%2520``); S3 takes it as it is, decoded and
    encoded once."""
    if s3:
        return quote(unquote(path or "/"), safe="/~")
    return quote(_remove_dot_segments(path or "/"), safe="/~")


def canonical_query(query: str) -> str:
    """Each name and value decoded (``+`` is a space, as forms write it) and encoded the AWS
    way (only ``A-Z a-z 0-9 - _ . ~`` literal), sorted by name, then value."""
    pairs = []
    for item in query.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        pairs.append(
            (quote(unquote_plus(name), safe="-_.~"), quote(unquote_plus(value), safe="-_.~"))
        )
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _trimmed(value: str) -> str:
    return " ".join(value.split())


def canonical_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The canonical header block and the signed-headers list: names lower-cased and sorted,
    values trimmed with inner runs of whitespace made one space, repeats joined by commas in
    the order they came."""
    merged: dict[str, list[str]] = {}
    for name, value in headers:
        merged.setdefault(name.strip().lower(), []).append(_trimmed(value))
    names = sorted(merged)
    block = "".join(f"{name}:{','.join(merged[name])}\n" for name in names)
    return block, ";".join(names)


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Sequence[tuple[str, str]],
    payload_hash: str,
    *,
    s3: bool = False,
) -> tuple[str, str]:
    """The canonical request and its signed-headers list. ``headers`` are those to sign,
    ``host`` among them."""
    block, signed = canonical_headers(headers)
    text = "\n".join(
        (
            method.upper(),
            canonical_uri(path, s3=s3),
            canonical_query(query),
            block,
            signed,
            payload_hash,
        )
    )
    return text, signed


def scope(amz_date: str, region: str, service: str) -> str:
    return f"{amz_date[:8]}/{region}/{service}/aws4_request"


def string_to_sign(amz_date: str, credential_scope: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "\n".join((ALGORITHM, amz_date, credential_scope, digest))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """``kSigning``: the secret key HMAC-chained through date (``YYYYMMDD``), region, service."""
    key = _hmac(f"AWS4{secret_key}".encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    """What signs: the key pair, the optional session token (temporary credentials), and where
    the request goes."""

    access_key: str
    secret_key: str
    region: str
    service: str
    session_token: str = ""


def authorization(creds: AwsCredentials, amz_date: str, canonical: str, signed_headers: str) -> str:
    """The ``Authorization`` header value for a canonical request signed at ``amz_date``."""
    credential_scope = scope(amz_date, creds.region, creds.service)
    to_sign = string_to_sign(amz_date, credential_scope, canonical)
    key = signing_key(creds.secret_key, amz_date[:8], creds.region, creds.service)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={creds.access_key}/{credential_scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


def _payload_hash(body: object) -> str:
    """SHA-256 of the body as it will be sent; a file is read through and rewound."""
    if body is None:
        return EMPTY_SHA256
    if isinstance(body, bytes):
        return hashlib.sha256(body).hexdigest()
    if isinstance(body, str):
        return hashlib.sha256(body.encode("latin-1")).hexdigest()
    if not hasattr(body, "read"):
        raise InvalidRequest(
            "AWS Signature auth signs the body, so it must be bytes or a file, not a stream."
        )
    stream = cast(IO[bytes], body)
    start = stream.tell()
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    stream.seek(start)
    return digest.hexdigest()


def _host(url: str) -> str:
    """The Host header ``http.client`` will send: no user info, no default port."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    if parts.port is not None and parts.port == default:
        netloc = netloc.rpartition(":")[0]
    return netloc


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class SigV4Auth(AuthBase):
    """Signs each request with AWS Signature Version 4 at the moment it is prepared (each
    redirect hop and replay is signed anew). ``clock`` is for tests."""

    def __init__(
        self, creds: AwsCredentials, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.creds = creds
        self.clock = clock

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        creds = self.creds
        s3 = is_s3(creds.service)
        amz_date = self.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        payload = _payload_hash(r.body)
        r.headers["X-Amz-Date"] = amz_date
        if creds.session_token:
            r.headers["X-Amz-Security-Token"] = creds.session_token
        if s3:
            r.headers["X-Amz-Content-SHA256"] = payload
        url = r.url or ""
        parts = urlsplit(url)
        host = r.headers.get("Host")
        signed = [("host", _text(host) if host else _host(url))]
        signed += [
            (name, _text(value))
            for name, value in r.headers.items()
            if name.lower() not in _UNSIGNED and name.lower() != "host"
        ]
        canonical, names = canonical_request(
            r.method or "GET", parts.path, parts.query, signed, payload, s3=s3
        )
        r.headers["Authorization"] = authorization(creds, amz_date, canonical, names)
        return r
