"""An AWS SigV4 check of a request as it reached the recording server, done the way an AWS
service does it and with an independent implementation (``requests-aws4auth``'s canonical
request and signing key), so our signer, curl's ``--aws-sigv4`` and the Python snippet are all
held to the same outside rule.

The service recomputes everything from what arrived: the path as received (encoded once more,
except for S3), the query decoded and sorted, the headers named in ``SignedHeaders``, and the
payload hash of the body it received (S3: the ``x-amz-content-sha256`` it was sent, which must
be that hash or ``UNSIGNED-PAYLOAD``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from requests_aws4auth import AWS4Auth

from tests.support.recording import Recorded

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)
MAX_SKEW = 300


@dataclass(frozen=True)
class Checked:
    access_key: str
    region: str
    service: str
    signed: tuple[str, ...]


def verify(record: Recorded, secret_key: str) -> Checked:
    """The request's credential scope and signed headers; AssertionError when the signature is
    not what the service would compute, or its time is more than five minutes off."""
    header = record.header("Authorization") or ""
    found = _AUTHORIZATION.fullmatch(header)
    assert found, f"not a SigV4 Authorization header: {header!r}"
    names = found["signed"].split(";")
    assert "host" in names
    assert "x-amz-date" in names
    amz_date = record.header("X-Amz-Date") or ""
    sent_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - sent_at).total_seconds()) < MAX_SKEW
    assert amz_date.startswith(found["date"])
    body_hash = hashlib.sha256(record.body).hexdigest()
    payload = body_hash
    if found["service"] == "s3":
        payload = record.header("x-amz-content-sha256") or ""
        assert payload in (body_hash, "UNSIGNED-PAYLOAD"), "x-amz-content-sha256 is not the body's"
    url = f"http://{record.header('Host')}{record.target}"
    prepared = requests.Request(record.method, url).prepare()
    prepared.headers.clear()
    for name in names:
        value = record.header(name)
        assert value is not None, f"the signed header {name} was not sent"
        prepared.headers[name] = value
    block, signed = AWS4Auth.get_canonical_headers(prepared, names)
    prepared.headers["x-amz-content-sha256"] = payload  # what get_canonical_request hashes
    auth = AWS4Auth(found["key"], secret_key, found["region"], found["service"], found["date"])
    canonical = auth.get_canonical_request(prepared, block, signed)
    to_sign = auth.get_sig_string(prepared, canonical, auth.signing_key.scope)
    expected = hmac.new(auth.signing_key.key, to_sign.encode(), hashlib.sha256).hexdigest()
    assert found["signature"] == expected, (
        f"bad signature; the service's canonical request:\n{canonical}"
    )
    return Checked(found["key"], found["region"], found["service"], tuple(names))
