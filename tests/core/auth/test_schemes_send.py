"""Digest, AWS Signature V4 and an API key in a cookie, sent by every front end: our client with
the registry's auth, the window's path (``Workbench``), ``api-explorer send --collection`` and
``api-explorer run``. Digest answers httpbin's real challenge; SigV4 is checked by an
independent verifier the way AWS checks it; the cookie joins the request's own Cookie header.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.core.auth.registry import build_auth
from explorer.core.errors import InvalidRequest
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, Body, BodyMode, KeyValue, RequestSpec, ResolvedRequest
from explorer.core.templating import Scope, resolve
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.model import Folder, SavedRequest
from tests.core.auth.sigv4_verify import verify
from tests.core.runner.helpers import plain_workbench
from tests.support.cli import run_cli
from tests.support.recording import Recorded, RecordingServer

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
VARIABLES = {
    "digest_pw": "passwd",
    "aws_secret": SECRET,
    "aws_token": "t0ken/session+1",
    "k": "k3y",
}
DIGEST = AuthSpec("digest", (("username", "user"), ("password", "{{digest_pw}}"), ("realm", "x")))
COOKIE = AuthSpec("api-key", (("key", "sid"), ("value", "{{k}}"), ("in", "cookie")))


def aws(service: str = "execute-api", token: str = "") -> AuthSpec:
    return AuthSpec(
        "awsv4",
        (
            ("access_key", "AKIDEXAMPLE"),
            ("secret_key", "{{aws_secret}}"),
            ("session_token", token),
            ("region", "eu-west-1"),
            ("service", service),
        ),
    )


@pytest.fixture(scope="module")
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


# -- our client with the registry's auth ---------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["", "/MD5", "/SHA-256"])
def test_digest_answers_the_challenge(client: HttpClient, httpbin_url: str, algorithm: str) -> None:
    url = f"{httpbin_url}/digest-auth/auth/user/passwd{algorithm}"
    auth = build_auth("digest", {"username": "user", "password": "passwd", "nonce": "stale"})
    exchange = client.send(ResolvedRequest("GET", url), auth=auth)
    assert exchange.response.status == 200
    assert json.loads(exchange.response.body.text()) == {"authenticated": True, "user": "user"}


def test_a_wrong_digest_password_is_the_servers_401(client: HttpClient, httpbin_url: str) -> None:
    auth = build_auth("digest", {"username": "user", "password": "nope"})
    url = f"{httpbin_url}/digest-auth/auth/user/passwd"
    assert client.send(ResolvedRequest("GET", url), auth=auth).response.status == 401


def test_sigv4_is_what_aws_would_accept(client: HttpClient, recorder: RecordingServer) -> None:
    mark = recorder.mark()
    auth = build_auth(
        "awsv4",
        {
            "access_key": "AKIDEXAMPLE",
            "secret_key": SECRET,
            "region": "eu-west-1",
            "service": "execute-api",
            "session_token": "t0ken",
        },
    )
    request = ResolvedRequest(
        "POST",
        f"{recorder.base_url}/prod/items/a%20b?z=1&a=x+y&a=%2F&empty=",
        headers=(("Content-Type", "application/json"), ("X-Custom", "it's  spaced")),
        body=b'{"name": "J\xc3\xb6rg"}',
    )
    client.send(request, auth=auth)
    (got,) = recorder.since(mark)
    checked = verify(got, SECRET)
    assert checked.service == "execute-api"
    assert checked.signed == (
        "content-type",
        "host",
        "x-amz-date",
        "x-amz-security-token",
        "x-custom",
    )
    assert got.header("X-Amz-Security-Token") == "t0ken"
    assert got.header("X-Amz-Content-SHA256") is None


def test_sigv4_for_s3_signs_the_body_in_a_header(
    client: HttpClient, recorder: RecordingServer, tmp_path: Path
) -> None:
    upload = tmp_path / "object.bin"
    upload.write_bytes(bytes(range(256)) * 64)
    mark = recorder.mark()
    auth = build_auth(
        "awsv4",
        {"access_key": "AKID", "secret_key": SECRET, "region": "us-east-1", "service": "s3"},
    )
    spec = RequestSpec(
        method="PUT",
        url=f"{recorder.base_url}/bucket/photos/a%20b+%C3%BC.bin",
        body=Body(BodyMode.BINARY_FILE, file=str(upload)),
    )
    client.send(resolve(spec, Scope()), auth=auth)
    (got,) = recorder.since(mark)
    assert got.path == "/bucket/photos/a%20b+%C3%BC.bin"
    assert got.body == upload.read_bytes()
    signed = ("content-type", "host", "x-amz-content-sha256", "x-amz-date")
    assert verify(got, SECRET).signed == signed


def test_the_cookie_joins_the_cookie_header(client: HttpClient, recorder: RecordingServer) -> None:
    mark = recorder.mark()
    request = ResolvedRequest(
        "GET", f"{recorder.base_url}/c", headers=(("Cookie", "a=1"), ("Cookie", "sid=old; b=2"))
    )
    client.send(request, auth=build_auth("api-key", {"key": "sid", "value": "k3y", "in": "cookie"}))
    (got,) = recorder.since(mark)
    assert got.header("Cookie") == "a=1; b=2; sid=k3y"


def test_missing_aws_settings_are_one_sentence() -> None:
    with pytest.raises(InvalidRequest, match=r"^AWS Signature auth has no access key ID; "):
        build_auth("awsv4", {"secret_key": "s", "region": "r", "service": "s3"})


# -- the window's path, send and run -------------------------------------------------------------


def _window(spec: RequestSpec) -> tuple[int, str]:
    http = HttpClient()
    try:
        bench = plain_workbench(http)
        result = bench.send(bench.assemble(spec, variables=VARIABLES))
    finally:
        http.close()
    response = result.exchange.response
    return response.status, response.body.text()


def _collection(tmp_path: Path, auth: AuthSpec, spec: RequestSpec) -> Path:
    directory = tmp_path / "collection"
    save_collection(Folder("Schemes", auth=auth, items=(SavedRequest(spec, 1),)), directory)
    return directory


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env |= {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "API_EXPLORER_HOME": str(tmp_path / "home"),
    }
    variables = [arg for name, value in VARIABLES.items() for arg in ("--var", f"{name}={value}")]
    return run_cli(*args, *variables, cwd=tmp_path, env=env)


def test_digest_from_every_front_end(httpbin_url: str, tmp_path: Path) -> None:
    url = f"{httpbin_url}/digest-auth/auth/user/passwd"
    status, text = _window(RequestSpec(url=url, auth=DIGEST))
    assert (status, json.loads(text)["authenticated"]) == (200, True)
    collection = _collection(tmp_path, DIGEST, RequestSpec(url=url, name="me"))
    sent = _cli(tmp_path, "send", "GET", url, "--collection", str(collection))
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout) == {"authenticated": True, "user": "user"}
    ran = _cli(tmp_path, "run", str(collection))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 passed" in ran.stdout


def _sent_by_every_front_end(
    recorder: RecordingServer, tmp_path: Path, auth: AuthSpec, spec: RequestSpec
) -> list[Recorded]:
    """The request from the window's path, ``send --collection`` and ``run``, as received."""
    mark = recorder.mark()
    status, _ = _window(spec)
    assert status == 200
    collection = _collection(tmp_path, auth, spec)
    inherit = ("--collection", str(collection))
    headers = [arg for h in spec.headers for arg in ("-H", f"{h.name}: {h.value}")]
    body = ["--data", spec.body.text] if spec.body.mode is not BodyMode.NONE else []
    sent = _cli(tmp_path, "send", spec.method, spec.url, *headers, *body, *inherit)
    assert sent.returncode == 0, sent.stderr
    ran = _cli(tmp_path, "run", str(collection))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    records = recorder.since(mark)
    assert len(records) == 3
    return records


def test_sigv4_from_every_front_end(recorder: RecordingServer, tmp_path: Path) -> None:
    auth = aws(token="{{aws_token}}")
    spec = RequestSpec(
        method="POST",
        url=recorder.base_url + "/prod/run?b=2&a=1",
        name="signed",
        headers=(KeyValue("Content-Type", "application/json"),),
        body=Body(BodyMode.RAW, '{"go": true}'),
        auth=auth,
    )
    for got in _sent_by_every_front_end(recorder, tmp_path, auth, spec):
        assert verify(got, SECRET).signed == (
            "content-type",
            "host",
            "x-amz-date",
            "x-amz-security-token",
        )
        assert got.header("X-Amz-Security-Token") == VARIABLES["aws_token"]
        assert got.body == b'{"go": true}'


def test_the_api_key_cookie_from_every_front_end(recorder: RecordingServer, tmp_path: Path) -> None:
    spec = RequestSpec(
        url=recorder.base_url + "/me",
        name="me",
        headers=(KeyValue("Cookie", "theme=dark"),),
        auth=COOKIE,
    )
    for got in _sent_by_every_front_end(recorder, tmp_path, COOKIE, spec):
        assert got.header("Cookie") == "theme=dark; sid=k3y"
