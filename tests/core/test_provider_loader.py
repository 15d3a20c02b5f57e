"""Provider presets: every built-in loads and validates; user presets in a workspace override
built-ins by id; a broken file is one located error and the others still load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.models import BodyMode
from explorer.core.provider_loader import builtin_providers_dir, load_profile, load_providers

BUILTINS = {"pce", "procode", "priceedge", "servicechannel", "flexiti"}

MINIMAL = """\
id: {id}
name: {name}
auth:
  kind: api-key
  api_key_header: X-Api-Key
  api_key_format: "{{api_key}}"
environments:
  - name: Production
    base_url: https://api.example.com
    live: true
"""


def write(workspace: Path, name: str, text: str) -> Path:
    folder = workspace / "providers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_every_builtin_loads_without_errors() -> None:
    profiles, errors = load_providers()
    assert errors == []
    assert set(profiles) == BUILTINS
    assert all(p.builtin for p in profiles.values())


def test_builtin_dir_is_found_relative_to_the_package() -> None:
    folder = builtin_providers_dir()
    assert {p.stem for p in folder.glob("*.yaml")} >= BUILTINS


@pytest.mark.parametrize("provider_id", sorted(BUILTINS))
def test_builtin_has_real_and_local_sandbox_environments(provider_id: str) -> None:
    profile = load_providers()[0][provider_id]
    sandboxes = [e for e in profile.environments if e.sandbox]
    assert [e.name for e in sandboxes] == ["Sandbox (local)"]
    assert sandboxes[0].base_url.startswith(f"{{{{sandbox_url}}}}/{provider_id}/")
    real = [e for e in profile.environments if not e.sandbox]
    assert real
    assert all(e.base_url.startswith("https://") for e in real)
    live = sum(e.live for e in profile.environments)
    assert live == (0 if provider_id == "procode" else 1)  # Procode has two dev environments
    assert not any(e.live and e.sandbox for e in profile.environments)
    assert profile.guesses, "every preset says which behaviours are guessed"
    assert "GUESS" in profile.notes
    assert profile.samples
    assert all(s.name and s.url.startswith("{{base_url}}") for s in profile.samples)


def test_builtin_auth_details_follow_the_vendors() -> None:
    profiles = load_providers()[0]
    assert profiles["pce"].auth.kind == "bearer"
    assert profiles["pce"].rate_limits[0].requests == 1000
    assert profiles["pce"].rate_limits[0].per_seconds == 10
    assert profiles["procode"].auth.token_request == "json"
    assert profiles["procode"].auth.otp is not None
    assert dict(profiles["priceedge"].auth.extra_headers) == {"client_id": "{{client_id}}"}
    assert profiles["priceedge"].auth.api_key_format == "ApiKey {username}:{password}"
    sc = profiles["servicechannel"]
    assert sc.auth.client_auth == "basic"
    assert sc.auth.token_rate_limit is not None
    assert sc.auth.token_rate_limit.per_seconds == 5
    assert sc.plain_http.startswith("400")
    assert sc.min_tls == "1.2"
    assert profiles["flexiti"].auth.refresh_after_expiry is False
    assert dict(profiles["flexiti"].auth.extra_headers) == {"x-reference-id": "{{$guid32}}"}


def test_samples_are_parsed_into_request_specs() -> None:
    samples = {s.name: s for s in load_providers()[0]["pce"].samples}
    create = samples["Create customer"]
    assert create.method == "POST"
    assert create.body.mode is BodyMode.JSON
    assert '"externalId": "CUST-DEMO-1"' in create.body.text
    paged = samples["List payments (limit/offset)"]
    assert [(p.name, p.value) for p in paged.params] == [("limit", "10"), ("offset", "0")]


def test_user_preset_loads_next_to_builtins(tmp_path: Path) -> None:
    write(tmp_path, "acme", MINIMAL.format(id="acme", name="Acme"))
    profiles, errors = load_providers(tmp_path)
    assert errors == []
    assert set(profiles) == BUILTINS | {"acme"}
    acme = profiles["acme"]
    assert acme.builtin is False
    assert acme.auth.api_key_header == "X-Api-Key"
    assert acme.environments[0].live is True


def test_user_preset_overrides_a_builtin_by_id(tmp_path: Path) -> None:
    write(tmp_path, "pce", MINIMAL.format(id="pce", name="My PCE"))
    profiles, errors = load_providers(tmp_path)
    assert errors == []
    assert profiles["pce"].name == "My PCE"
    assert profiles["pce"].builtin is False


def test_broken_user_preset_is_one_error_and_the_rest_load(tmp_path: Path) -> None:
    write(tmp_path, "good", MINIMAL.format(id="good", name="Good"))
    path = write(
        tmp_path,
        "bad",
        """\
        id: bad
        name: Bad
        auth:
          kind: oauth3
        environments:
          - name: Production
            base_url: https://bad.example.com
        """,
    )
    profiles, errors = load_providers(tmp_path)
    assert set(profiles) == BUILTINS | {"good"}
    [error] = errors
    assert error.path == str(path)
    assert error.line == 4
    message = str(error)
    assert message.startswith(f"{path}:4: key 'auth.kind'")
    assert "oauth2-password" in message
    assert "'oauth3'" in message


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("id: x\nname: X\nenvironments: []\n", 3, "missing key 'environments'"),
        (
            "id: x\nname: X\ncolour: red\nenvironments:\n  - {name: A, base_url: u}\n",
            3,
            "key 'colour': expected one of",
        ),
        (
            "id: x\nname: X\nenvironments:\n  - name: A\n    base_url: u\n    live: maybe\n",
            6,
            "key 'environments[0].live': expected true or false",
        ),
        (
            "id: x\nname: X\nenvironments:\n  - name: A\n",
            4,
            "missing key 'environments[0].base_url'",
        ),
        (
            "id: x\nname: X\nrate_limit: {requests: 0, per_seconds: 1}\n"
            "environments:\n  - {name: A, base_url: u}\n",
            3,
            "key 'rate_limit.requests'",
        ),
        (
            "id: x\nname: X\nenvironments:\n"
            "  - {name: A, base_url: u}\n  - {name: a, base_url: v}\n",
            5,
            "a name no other environment uses",
        ),
        (
            "id: x\nname: X\nenvironments:\n  - {name: A, base_url: u}\nsamples:\n"
            "  - {name: S, method: FETCH, url: u}\n",
            6,
            "key 'samples[0].method'",
        ),
        ("id: x\nname: X: Y\n", 2, "not valid YAML"),
        (
            "id: y\nname: X\nenvironments:\n  - {name: A, base_url: u}\n",
            1,
            "key 'id': expected 'x'",
        ),
    ],
)
def test_validation_errors_name_file_line_key_and_expectation(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, "x", text)
    with pytest.raises(FormatError) as caught:
        load_profile(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert fragment in str(caught.value)


def test_unreadable_file_is_a_format_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x", "")
    path.write_bytes(b"\xff\xfe not utf-8")
    profiles, errors = load_providers(tmp_path)
    assert set(profiles) == BUILTINS
    assert errors[0].path == str(path)


def test_the_worked_example_in_the_docs_loads(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "providers.md"
    text = docs.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    write(tmp_path, "acme-billing", example)
    profiles, errors = load_providers(tmp_path)
    assert errors == []
    acme = profiles["acme-billing"]
    assert acme.auth.client_auth == "basic"
    assert [e.live for e in acme.environments] == [False, True]
    assert [s.name for s in acme.samples] == ["List invoices", "Create invoice"]
