"""Digest, AWS Signature V4 and a request's own OAuth2 auth in the snippets, run for real.

Digest snippets must get through httpbin's challenge; SigV4 snippets must be accepted by the
independent verifier (``tests/core/auth/sigv4_verify.py``) and send what our client sends
(method, path, query, body, the headers the request decides); OAuth2 snippets send the token
from ``$ACCESS_TOKEN`` or, with full flow, fetch it from the auth's own token endpoint (the
recording server's ``/token``). Targets that cannot express a scheme say so in one sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from explorer.core.auth.registry import build_auth
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, Body, BodyMode, KeyValue, RequestSpec
from explorer.core.snippets import SnippetError, SnippetOptions, generate
from explorer.core.templating import Layer, Scope, resolve
from tests.core.auth.sigv4_verify import verify
from tests.core.snippets import runner
from tests.core.snippets.conftest import program_for
from tests.support.recording import Recorded, RecordingServer

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SECRETS = {
    "digest_pw": "passwd",
    "aws_secret": AWS_SECRET,
    "aws_token": "FwoGZXIvYXdzEBY+session/token=",
    "client_secret": "parity-secret",
    "user_pw": "wonderland",
}
ENV = {name.upper(): value for name, value in SECRETS.items()}
SCOPE = Scope((Layer("env", dict(SECRETS), secret=frozenset(SECRETS)),))
AWS_LANGS = ("curl", "python")


@pytest.fixture(scope="module")
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


def _run(tmp_path: Path, lang: str, snippets: dict[str, str]) -> dict[str, str]:
    for name, text in snippets.items():
        for secret in SECRETS.values():
            assert secret not in text, f"{name} holds a secret"
    return runner.run(lang, tmp_path / lang, snippets, ENV)


def _digest_spec(url: str) -> RequestSpec:
    auth = AuthSpec("digest", (("username", "user"), ("password", "{{digest_pw}}")))
    return RequestSpec(url=url, auth=auth)


@pytest.mark.parametrize("lang", ["curl", "httpie", "python"])
def test_digest_snippets_answer_the_challenge(
    lang: str, httpbin_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    program_for(lang, request.node.nodeid)
    snippets = {
        algorithm or "default": generate(
            _digest_spec(f"{httpbin_url}/digest-auth/auth/user/{{{{digest_pw}}}}{algorithm}"),
            lang,
            SnippetOptions(scope=SCOPE),
        )
        for algorithm in ("", "/SHA-256")
    }
    for name, output in _run(tmp_path, lang, snippets).items():
        assert '"authenticated": true' in output, f"{name}:\n{snippets[name]}\n{output}"


def _aws_spec(base: str, service: str) -> RequestSpec:
    auth = AuthSpec(
        "awsv4",
        (
            ("access_key", "AKIDEXAMPLE"),
            ("secret_key", "{{aws_secret}}"),
            ("session_token", "{{aws_token}}"),
            ("region", "eu-west-1"),
            ("service", service),
        ),
    )
    return RequestSpec(
        method="PUT" if service == "s3" else "POST",
        url=f"{base}/prod/items?b=2&a=x%20y",
        params=(KeyValue("c", "3"), KeyValue("a", "0")),
        headers=(KeyValue("X-Trace", "t-1"),),
        body=Body(BodyMode.JSON, '{"name": "J\u00f6rg"}'),
        auth=auth,
    )


def _decided(record: Recorded) -> dict[str, object]:
    """What the request decides: the query as pairs (signers may reorder it), no signature."""
    path, _, query = record.target.partition("?")
    return {
        "method": record.method,
        "path": path,
        "query": sorted(parse_qsl(query, keep_blank_values=True)),
        "body": record.body,
        "content-type": record.header("Content-Type"),
        "x-trace": record.header("X-Trace"),
        "token": record.header("X-Amz-Security-Token"),
    }


def _ours(recorder: RecordingServer, spec: RequestSpec) -> Recorded:
    mark = recorder.mark()
    client = HttpClient()
    try:
        resolved = resolve(spec, SCOPE)
        assert resolved.auth is not None
        client.send(resolved, auth=build_auth(resolved.auth.type, dict(resolved.auth.params)))
    finally:
        client.close()
    (got,) = recorder.since(mark)
    return got


@pytest.mark.parametrize("lang", AWS_LANGS)
def test_sigv4_snippets_are_signed_right_and_send_what_we_send(
    lang: str, recorder: RecordingServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    program_for(lang, request.node.nodeid)
    specs = {service: _aws_spec(recorder.base_url, service) for service in ("execute-api", "s3")}
    snippets = {
        name: generate(spec, lang, SnippetOptions(scope=SCOPE)) for name, spec in specs.items()
    }
    mark = recorder.mark()
    outputs = _run(tmp_path, lang, snippets)
    records = recorder.since(mark)
    assert len(records) == 2, outputs
    for got, (service, spec) in zip(records, specs.items(), strict=True):
        assert verify(got, AWS_SECRET).service == service
        assert _decided(got) == _decided(_ours(recorder, spec)), snippets[service]
        if service == "s3":
            assert got.header("X-Amz-Content-SHA256") is not None


def _oauth2(base: str, **params: str) -> RequestSpec:
    settings = {"token_url": f"{base}/token", "client_id": "parity-client", **params}
    return RequestSpec(url=f"{base}/api/me", auth=AuthSpec("oauth2", tuple(settings.items())))


@pytest.mark.parametrize("lang", ["curl", "python"])
def test_request_oauth2_snippets_send_the_token(
    lang: str, recorder: RecordingServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    program_for(lang, request.node.nodeid)
    base = recorder.base_url
    flow = SnippetOptions(scope=SCOPE, auth_mode="flow")
    snippets = {
        "as_sent": generate(_oauth2(base, header_prefix="Token"), lang, SnippetOptions()),
        "client_credentials": generate(
            _oauth2(base, grant_type="client_credentials", client_secret="{{client_secret}}"),
            lang,
            flow,
        ),
        "password_post": generate(
            _oauth2(
                base,
                grant_type="password",
                client_secret="{{client_secret}}",
                client_auth="client_secret_post",
                username="alice",
                password="{{user_pw}}",
                add_token_to="query",
            ),
            lang,
            flow,
        ),
    }
    assert "ACCESS_TOKEN" in snippets["as_sent"]
    mark = recorder.mark()
    outputs = runner.run(lang, tmp_path / lang, snippets, {**ENV, "ACCESS_TOKEN": "tok-env"})
    calls = [r for r in recorder.since(mark) if r.path == "/api/me"]
    assert [c.header("Authorization") for c in calls[:2]] == [
        "Token tok-env",
        "Bearer tok-client-credentials",
    ], outputs
    assert calls[2].target == "/api/me?access_token=tok-password"
    tokens = [r for r in recorder.since(mark) if r.path == "/token"]
    assert len(tokens) == 2
    assert tokens[0].header("Authorization") is not None  # client_secret_basic
    assert b"client_secret=parity-secret" in tokens[1].body  # client_secret_post


@pytest.mark.parametrize(
    ("spec", "lang", "says"),
    [
        (_digest_spec("https://h.example/"), "fetch", "JavaScript fetch snippet cannot do Digest"),
        (_digest_spec("https://h.example/"), "go", "use the curl (bash), HTTPie (bash) or Python"),
        (_aws_spec("https://h.example", "s3"), "httpie", "cannot do AWS Signature V4 auth; use"),
        (_aws_spec("https://h.example", "s3"), "powershell", "use the curl (bash) or Python"),
    ],
    ids=["digest-fetch", "digest-go", "aws-httpie", "aws-powershell"],
)
def test_targets_that_cannot_say_so(spec: RequestSpec, lang: str, says: str) -> None:
    with pytest.raises(SnippetError) as caught:
        generate(spec, lang, SnippetOptions(scope=SCOPE))
    assert says in str(caught.value)
    assert str(caught.value).endswith("snippet.")


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"grant_type": "authorization_code"}, "not authorization code; get a token with"),
        (
            {"grant_type": "client_credentials", "token_url": ""},
            "needs the OAuth2 auth's token URL",
        ),
        (
            {"grant_type": "client_credentials", "client_auth": "private_key_jwt"},
            "cannot sign a private_key_jwt",
        ),
    ],
)
def test_flow_a_snippet_cannot_run_is_one_sentence(params: dict[str, str], says: str) -> None:
    spec = _oauth2("https://h.example", **params)
    with pytest.raises(SnippetError, match=says):
        generate(spec, "curl", SnippetOptions(auth_mode="flow"))


def test_the_auth_tab_values_of_digest_and_aws_reach_the_snippet() -> None:
    text = generate(
        _aws_spec("https://h.example", "execute-api"), "python", SnippetOptions(scope=SCOPE)
    )
    assert (
        'AWS4Auth("AKIDEXAMPLE", aws_secret, "eu-west-1", "execute-api", session_token=aws_token)'
        in text
    )
    curl = generate(
        _aws_spec("https://h.example", "execute-api"), "curl", SnippetOptions(scope=SCOPE)
    )
    assert "--aws-sigv4 aws:amz:eu-west-1:execute-api" in curl
    assert "x-amz-content-sha256" not in curl  # S3 only
