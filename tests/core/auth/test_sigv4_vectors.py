"""The SigV4 signer against the published AWS test suite and the S3 documentation's examples.

Every vector's canonical request, string to sign and ``Authorization`` header must match
(``data/sigv4``, see its README); the vectors a ``requests`` request can express, and the S3
examples, are also signed end to end by ``SigV4Auth`` on a prepared request.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from explorer.core.auth.sigv4 import (
    AwsCredentials,
    SigV4Auth,
    authorization,
    canonical_request,
    canonical_uri,
    scope,
    string_to_sign,
)

DATA = Path(__file__).parent / "data" / "sigv4"
SUITE = AwsCredentials(
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service"
)
SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
#: The S3 documentation's examples ("Signature Calculations for the Authorization Header:
#: Transferring Payload in a Single Chunk"): examplebucket, 24 May 2013.
S3 = AwsCredentials(
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"
)
S3_TIME = datetime(2013, 5, 24, tzinfo=UTC)
S3_HOST = "examplebucket.s3.amazonaws.com"
EMPTY = hashlib.sha256(b"").hexdigest()
#: Cases ``requests`` can send as written: an ASCII path needing no encoding, no repeated or
#: multi-line header.
SENDABLE = (
    "get-vanilla",
    "get-vanilla-with-session-token",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
)


@dataclass(frozen=True)
class Vector:
    name: str
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    creq: str
    sts: str
    authz: str

    @property
    def session_token(self) -> str:
        found = re.search(r"^x-amz-security-token:(.*)$", self.creq, re.MULTILINE)
        return found.group(1) if found else ""


def _headers(lines: list[str]) -> list[tuple[str, str]]:
    """Header lines, a line starting with whitespace continuing the one before."""
    headers: list[tuple[str, str]] = []
    for line in lines:
        if line[:1].isspace() and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value}\n{line}")
        else:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return headers


def load(name: str) -> Vector:
    def part(ext: str) -> str:
        return (DATA / name / f"{name}.{ext}").read_text(encoding="utf-8").replace("\r", "")

    head, _, body = part("req").partition("\n\n")
    request_line, *lines = head.split("\n")
    method, rest = request_line.split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    path, _, query = target.partition("?")
    return Vector(
        name,
        method,
        path,
        query,
        _headers(lines),
        body.encode(),
        part("creq"),
        part("sts"),
        part("authz"),
    )


VECTORS = sorted(p.name for p in DATA.iterdir() if p.is_dir())


def test_the_vectors_are_there() -> None:
    assert len(VECTORS) == 15


@pytest.mark.parametrize("name", VECTORS)
def test_canonical_request_string_to_sign_and_header_match_the_suite(name: str) -> None:
    vector = load(name)
    headers = list(vector.headers)
    if vector.session_token:
        headers.append(("X-Amz-Security-Token", vector.session_token))
    payload = hashlib.sha256(vector.body).hexdigest()
    creq, signed = canonical_request(vector.method, vector.path, vector.query, headers, payload)
    assert creq == vector.creq
    amz_date = dict((k.lower(), v) for k, v in headers)["x-amz-date"]
    assert string_to_sign(amz_date, scope(amz_date, "us-east-1", "service"), creq) == vector.sts
    assert authorization(SUITE, amz_date, creq, signed) == vector.authz


@pytest.mark.parametrize("name", SENDABLE)
def test_sigv4auth_signs_a_prepared_request_as_the_suite_does(name: str) -> None:
    vector = load(name)
    creds = AwsCredentials(
        SUITE.access_key, SUITE.secret_key, SUITE.region, SUITE.service, vector.session_token
    )
    url = f"https://example.amazonaws.com{vector.path}" + (
        f"?{vector.query}" if vector.query else ""
    )
    headers = {k: v for k, v in vector.headers if k.lower() not in ("host", "x-amz-date")}
    prepared = requests.Request(vector.method, url, headers=headers, data=vector.body).prepare()
    SigV4Auth(creds, clock=lambda: SUITE_TIME)(prepared)
    assert prepared.headers["Authorization"] == vector.authz
    assert prepared.headers["X-Amz-Date"] == "20150830T123600Z"
    assert "X-Amz-Content-SHA256" not in prepared.headers  # only S3 wants it


def _s3_signature(method: str, url: str, headers: dict[str, str], body: bytes = b"") -> str:
    prepared = requests.Request(method, url, headers=headers, data=body or None).prepare()
    SigV4Auth(S3, clock=lambda: S3_TIME)(prepared)
    assert prepared.headers["X-Amz-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    return prepared.headers["Authorization"]


@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "signed", "signature"),
    [
        (
            "GET",
            "/test.txt",
            {"Range": "bytes=0-9"},
            b"",
            "host;range;x-amz-content-sha256;x-amz-date",
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
        (
            "PUT",
            "/test$file.text",
            {"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"},
            b"Welcome to Amazon S3.",
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
        (
            "GET",
            "/?lifecycle",
            {},
            b"",
            "host;x-amz-content-sha256;x-amz-date",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (
            "GET",
            "/?max-keys=2&prefix=J",
            {},
            b"",
            "host;x-amz-content-sha256;x-amz-date",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ],
    ids=["get-object", "put-object", "get-bucket-lifecycle", "list-objects"],
)
def test_s3_examples_from_the_documentation(
    method: str, target: str, headers: dict[str, str], body: bytes, signed: str, signature: str
) -> None:
    got = _s3_signature(method, f"https://{S3_HOST}{target}", headers, body)
    assert got == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}"
    )


@pytest.mark.parametrize(
    ("path", "s3", "expected"),
    [
        ("/a%20b/c", False, "/a%2520b/c"),  # every other service encodes the sent path again
        ("/a%20b/c", True, "/a%20b/c"),  # S3 encodes once
        ("/a//b/../c/", False, "/a/c/"),
        ("/a//b/../c/", True, "/a//b/../c/"),  # S3 keys are not paths: nothing is normalised
        ("", False, "/"),
        ("/%E1%88%B4", True, "/%E1%88%B4"),
    ],
)
def test_the_path_as_sent_is_encoded_per_service(path: str, s3: bool, expected: str) -> None:
    assert canonical_uri(path, s3=s3) == expected


def test_a_file_body_is_hashed_and_rewound(tmp_path: Path) -> None:
    body = tmp_path / "object.bin"
    body.write_bytes(b"Welcome to Amazon S3.")
    with body.open("rb") as handle:
        prepared = requests.Request("PUT", f"https://{S3_HOST}/f", data=handle).prepare()
        SigV4Auth(S3, clock=lambda: S3_TIME)(prepared)
        assert handle.tell() == 0
    assert prepared.headers["X-Amz-Content-SHA256"] == (
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    )


def test_headers_a_proxy_may_change_are_not_signed() -> None:
    prepared = requests.Request(
        "POST",
        "http://127.0.0.1:8080/x",
        headers={"User-Agent": "a", "Accept-Encoding": "gzip", "Accept": "*/*", "X-Custom": "1"},
        data=b"{}",
    ).prepare()
    SigV4Auth(SUITE, clock=lambda: SUITE_TIME)(prepared)
    assert "SignedHeaders=host;x-amz-date;x-custom," in prepared.headers["Authorization"]
