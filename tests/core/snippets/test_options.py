"""What generation decides before any target renders: secrets, kept variables, reveal, the
masking guard, and the one-sentence errors for what a snippet cannot express."""

from __future__ import annotations

import pytest
from pygments.lexers import get_lexer_by_name

from explorer.commands.snippet import LANGS
from explorer.core.errors import InvalidRequest, TemplateError
from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.provider_loader import load_providers
from explorer.core.redaction import MASK
from explorer.core.snippets import LANGUAGES, SnippetError, SnippetOptions, generate
from explorer.core.templating import Layer, Scope

SECRET = "s3cret-Value-42"
SCOPE = Scope(
    (
        Layer(
            "env",
            {"base": "https://api.example.com", "key": SECRET, "id": "7", "copy": SECRET},
            secret=frozenset({"key"}),
        ),
    )
)
EVERYWHERE = RequestSpec(
    method="POST",
    url="{{base}}/items/{{id}}",
    params=(KeyValue("key", "{{key}}"),),
    headers=(KeyValue("X-Key", "k={{key}}"),),
    body=Body(BodyMode.JSON, '{"key": "{{key}}", "id": {{id}}}'),
    auth=AuthSpec("basic", (("username", "me"), ("password", "{{key}}"))),
)
ALL = [lang.id for lang in LANGUAGES]
PROFILES, _ = load_providers()


def test_languages_are_what_the_cli_offers_and_pygments_knows() -> None:
    assert sorted(ALL) == sorted(LANGS)
    for lang in LANGUAGES:
        assert get_lexer_by_name(lang.lexer)
    assert {lang.id for lang in LANGUAGES if lang.flow} == {"curl", "python"}


@pytest.mark.parametrize("lang", ALL)
def test_as_sent_never_writes_a_secret(lang: str) -> None:
    text = generate(EVERYWHERE, lang, SnippetOptions(scope=SCOPE))
    assert SECRET not in text
    assert "KEY" in text  # read from the environment variable instead
    assert "in clear text" not in text


@pytest.mark.parametrize("lang", ALL)
def test_reveal_writes_it_and_says_so(lang: str) -> None:
    text = generate(EVERYWHERE, lang, SnippetOptions(scope=SCOPE, auth_mode="reveal"))
    assert SECRET in text
    assert "in clear text" in text


@pytest.mark.parametrize("lang", ALL)
def test_kept_variables_are_declared_once_and_secrets_stay_in_the_environment(lang: str) -> None:
    text = generate(EVERYWHERE, lang, SnippetOptions(scope=SCOPE, keep_variables=True))
    assert text.count("https://api.example.com") == 1
    code = [line for line in text.splitlines() if not line.lstrip().startswith(("#", "//"))]
    assert not [line for line in code if "{{" in line]
    assert SECRET not in text


def test_a_secret_reaching_the_text_another_way_is_masked() -> None:
    spec = RequestSpec(
        url="{{base}}/x", headers=(KeyValue("X-Copy", "{{copy}}"), KeyValue("X-Key", "{{key}}"))
    )
    text = generate(spec, "curl", SnippetOptions(scope=SCOPE))
    assert SECRET not in text
    assert f"X-Copy: {MASK}" in text
    revealed = generate(spec, "curl", SnippetOptions(scope=SCOPE, auth_mode="reveal"))
    assert f"X-Copy: {SECRET}" in revealed


def test_current_token_only_with_reveal() -> None:
    options = SnippetOptions(
        scope=Scope((Layer("request", {"sandbox_url": "http://127.0.0.1:1"}),)),
        provider=PROFILES["priceedge"],
        environment="Sandbox (local)",
        access_token="eyJ.current.token",
    )
    spec = RequestSpec(url="/api/tables/item")
    as_sent = generate(spec, "python", options)
    assert "eyJ.current.token" not in as_sent
    assert 'os.environ["PRICEEDGE_TOKEN"]' in as_sent
    from dataclasses import replace

    revealed = generate(spec, "python", replace(options, auth_mode="reveal"))
    assert '"Bearer eyJ.current.token"' in revealed


def test_flow_for_a_provider_with_an_otp_step_says_who_it_serves() -> None:
    options = SnippetOptions(
        scope=Scope((Layer("r", {"sandbox_url": "http://h"}),)),
        provider=PROFILES["procode"],
        environment="Sandbox (local)",
        auth_mode="flow",
    )
    text = generate(RequestSpec(url="/x"), "python", options)
    assert "one-time password" in text
    assert "json=fields" in text


def test_process_environment_references_and_generated_headers() -> None:
    spec = RequestSpec(url="https://h.example/{{$env.HOME_TENANT}}")
    assert '"$HOME_TENANT"' in generate(spec, "curl", SnippetOptions(scope=SCOPE))
    flexiti = SnippetOptions(
        scope=Scope((Layer("request", {"sandbox_url": "http://127.0.0.1:1"}),)),
        provider=PROFILES["flexiti"],
        environment="Sandbox (local)",
    )
    text = generate(RequestSpec(url="/ping"), "curl", flexiti)
    assert "x-reference-id: " in text
    assert "generated per request" in text


@pytest.mark.parametrize(
    ("spec", "lang", "options", "error", "says"),
    [
        (EVERYWHERE, "cobol", SnippetOptions(scope=SCOPE), SnippetError, "not a snippet language"),
        (
            EVERYWHERE,
            "fetch",
            SnippetOptions(scope=SCOPE, auth_mode="flow"),
            SnippetError,
            "Full flow is available",
        ),
        (
            EVERYWHERE,
            "curl",
            SnippetOptions(scope=SCOPE, auth_mode="flow"),
            SnippetError,
            "Full flow needs a provider",
        ),
        (
            EVERYWHERE,
            "curl",
            SnippetOptions(scope=SCOPE, auth_mode="psychic"),
            SnippetError,
            "not an auth mode",
        ),
        (
            RequestSpec(url="{{nope}}/{{base}}/{{nada}}"),
            "curl",
            SnippetOptions(scope=SCOPE),
            TemplateError,
            "{{nope}} in URL, {{nada}} in URL",
        ),
        (
            RequestSpec(url="https://x.example", auth=AuthSpec("kerberos")),
            "curl",
            SnippetOptions(),
            SnippetError,
            "API Explorer cannot send kerberos auth yet",
        ),
        (
            RequestSpec(method="POST", url="https://x.example", body=Body(BodyMode.JSON, "{nope")),
            "python",
            SnippetOptions(),
            InvalidRequest,
            "JSON body is invalid",
        ),
        (
            RequestSpec(url="https://x.example", headers=(KeyValue("X", "a\r\nInjected: 1"),)),
            "curl",
            SnippetOptions(),
            InvalidRequest,
            "line break",
        ),
        (RequestSpec(url="ftp://x.example"), "go", SnippetOptions(), InvalidRequest, "'ftp' URLs"),
        (
            RequestSpec(url="/x"),
            "curl",
            SnippetOptions(environment="Sandbox (local)"),
            SnippetError,
            "needs --provider",
        ),
        (
            RequestSpec(url="/x"),
            "curl",
            SnippetOptions(provider=PROFILES["priceedge"]),
            SnippetError,
            "needs an environment",
        ),
        (
            RequestSpec(
                method="POST",
                url="https://x.example",
                body=Body(BodyMode.MULTIPART, fields=(FormField("f", "{{key}}", is_file=True),)),
            ),
            "curl",
            SnippetOptions(scope=SCOPE),
            SnippetError,
            "plain value",
        ),
    ],
    ids=[
        "language",
        "flow-target",
        "flow-provider",
        "auth-mode",
        "undefined",
        "auth-type",
        "json",
        "header-injection",
        "scheme",
        "env-without-provider",
        "provider-without-env",
        "secret-file-path",
    ],
)
def test_errors_are_typed_sentences(
    spec: RequestSpec, lang: str, options: SnippetOptions, error: type[Exception], says: str
) -> None:
    with pytest.raises(error) as caught:
        generate(spec, lang, options)
    message = str(caught.value)
    assert says in message
    assert message.endswith(".")
    assert "\n" not in message
