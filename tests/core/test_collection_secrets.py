"""Secret variables without a provider (issue 16): an import keeps the secret values it finds in
the keyring at once (under the workspace and the collection), ``credentials set --collection``
stores them, and ``run``, ``send`` of a saved request's snippet and ``snippet --reveal-secrets``
all send them; without a keyring the import says exactly how to provide them, and
``--secrets-from-env`` reads them under the names ``credentials env-names --collection`` prints.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.recording import RecordingServer

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


@pytest.fixture
def keyring_cli(secret_service: Any, tmp_path: Path) -> Cli:
    """The CLI with the private Secret Service as its keyring."""
    env = {**os.environ, **secret_service.env, "API_EXPLORER_HOME": str(tmp_path / "home")}
    env.pop("PYTHON_KEYRING_BACKEND", None)

    def run(*args: str, text: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, cwd=tmp_path, env=env, text=text)

    return run


@pytest.fixture
def no_keyring_cli(tmp_path: Path) -> Cli:
    """The CLI as a CI job without any keyring runs it (``extra`` adds environment)."""
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env |= {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "API_EXPLORER_HOME": str(tmp_path / "home"),
    }

    def run(
        *args: str, extra: dict[str, str] | None = None, text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, cwd=tmp_path, env={**env, **(extra or {})}, text=text)

    return run


def _curl(url: str) -> str:
    return (
        f"curl -u alice:s3cr3t-pass {url}/users?page=2\n"
        f"curl {url}/orders -H 'X-Api-Key: sk_live_51HxQ2eLkdIwHu7ixZ9a8bC'\n"
    )


def _import(cli: Cli, tmp_path: Path, text: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    source = tmp_path / "commands.sh"
    source.write_text(text)
    ws = tmp_path / "ws"
    done = cli("import", "curl", str(source), "--into", "shop", "--workspace", str(ws))
    assert done.returncode == 0, done.stderr
    return ws / "collections" / "shop", done


def _sent(recorder: RecordingServer, mark: int) -> dict[str, dict[str, str | None]]:
    return {
        r.path: {"authorization": r.header("Authorization"), "key": r.header("X-Api-Key")}
        for r in recorder.since(mark)
    }


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_an_import_keeps_its_secrets_in_the_keyring_and_every_front_end_sends_them(
    keyring_cli: Cli, recorder: RecordingServer, tmp_path: Path
) -> None:
    collection, imported = _import(keyring_cli, tmp_path, _curl(recorder.base_url))
    assert "stored in" in imported.stdout
    files = "".join(p.read_text() for p in collection.rglob("*.yaml"))
    assert "s3cr3t-pass" not in files
    assert "sk_live_51HxQ2" not in files

    mark = recorder.mark()
    ran = keyring_cli("run", str(collection))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    expected = {
        "/users": {"authorization": _basic("alice", "s3cr3t-pass"), "key": None},
        "/orders": {"authorization": None, "key": "sk_live_51HxQ2eLkdIwHu7ixZ9a8bC"},
    }
    assert _sent(recorder, mark) == expected
    assert "s3cr3t-pass" not in ran.stdout + ran.stderr

    request = next(collection.glob("*users*.request.yaml"))
    snippet = keyring_cli("snippet", "--lang", "curl", "--reveal-secrets", str(request))
    assert snippet.returncode == 0, snippet.stderr
    mark = recorder.mark()
    subprocess.run(["bash", "-c", snippet.stdout], check=True, capture_output=True, timeout=30)
    assert _sent(recorder, mark) == {"/users": expected["/users"]}


def test_credentials_set_collection_replaces_a_value_and_refuses_undeclared_names(
    keyring_cli: Cli, recorder: RecordingServer, tmp_path: Path
) -> None:
    collection, _ = _import(keyring_cli, tmp_path, _curl(recorder.base_url))
    names = keyring_cli("credentials", "env-names", "--collection", str(collection))
    assert names.stdout.splitlines() == [
        "API_EXPLORER_COLLECTION_SHOP_BASIC_PASSWORD",
        "API_EXPLORER_COLLECTION_SHOP_X_API_KEY",
    ]
    changed = keyring_cli(
        "credentials",
        "set",
        "--collection",
        str(collection),
        "--secret",
        "basic_password",
        text="new\n",
    )
    assert changed.returncode == 0, changed.stderr
    assert "Stored basic_password for collection curl import" in changed.stderr

    mark = recorder.mark()
    assert keyring_cli("run", str(collection)).returncode == 0
    assert _sent(recorder, mark)["/users"]["authorization"] == _basic("alice", "new")

    typo = keyring_cli(
        "credentials", "set", "--collection", str(collection), "--secret", "password", text="x\n"
    )
    assert typo.returncode == 2
    assert "password is not a secret variable" in typo.stderr
    assert "basic_password" in typo.stderr

    deleted = keyring_cli("credentials", "delete", "--collection", str(collection))
    assert "Deleted basic_password, x_api_key" in deleted.stderr
    failed = keyring_cli("run", str(collection))
    assert failed.returncode == 1
    assert "{{basic_password}}" in failed.stdout + failed.stderr


def test_without_a_keyring_the_import_says_how_and_secrets_come_from_the_environment(
    no_keyring_cli: Cli, recorder: RecordingServer, tmp_path: Path
) -> None:
    collection, imported = _import(no_keyring_cli, tmp_path, _curl(recorder.base_url))
    advice = imported.stdout
    assert "No keyring is available" in advice
    assert f"credentials set --collection {collection}" in advice
    assert "--secret basic_password --secret x_api_key" in advice

    names = no_keyring_cli("credentials", "env-names", "--collection", str(collection))
    assert names.returncode == 0, names.stderr
    values = dict(zip(names.stdout.split(), ("ci-pass", "ci-key"), strict=True))
    mark = recorder.mark()
    ran = no_keyring_cli("run", str(collection), "--secrets-from-env", extra=values)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert _sent(recorder, mark) == {
        "/users": {"authorization": _basic("alice", "ci-pass"), "key": None},
        "/orders": {"authorization": None, "key": "ci-key"},
    }

    missing = no_keyring_cli("run", str(collection), "--secrets-from-env")
    assert missing.returncode == 1
    assert "API_EXPLORER_COLLECTION_SHOP_BASIC_PASSWORD (read with --secrets-from-env)" in (
        missing.stdout
    )


def test_an_imported_environment_keeps_its_secret_under_that_environment(
    keyring_cli: Cli, recorder: RecordingServer, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    assert keyring_cli("init", str(ws)).returncode == 0
    environment = tmp_path / "dev.postman_environment.json"
    environment.write_text(
        '{"name": "Dev", "values": [{"key": "base", "value": "' + recorder.base_url + '"},'
        '{"key": "token", "value": "dev-token-1", "type": "secret"}]}'
    )
    collection = ws / "collections" / "api"
    collection.mkdir(parents=True)
    (collection / "collection.yaml").write_text("name: api\nsecret_variables: [token]\n")
    (collection / "me.request.yaml").write_text(
        "name: me\nmethod: GET\nurl: '{{base}}/me'\nauth: {type: bearer, token: '{{token}}'}\n"
    )
    imported = keyring_cli(
        "import", "postman", str(environment), "--into", str(collection), "--workspace", str(ws)
    )
    assert imported.returncode == 0, imported.stderr
    assert "stored in" in imported.stdout

    mark = recorder.mark()
    ran = keyring_cli("run", str(collection), "--env", "Dev")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert _sent(recorder, mark)["/me"]["authorization"] == "Bearer dev-token-1"
    names = keyring_cli("credentials", "env-names", "--collection", str(collection), "--env", "dev")
    assert names.stdout.split() == ["API_EXPLORER_API_DEV_TOKEN"]


def test_send_in_a_collections_context_uses_its_stored_secret(
    keyring_cli: Cli, recorder: RecordingServer, tmp_path: Path
) -> None:
    """``send --collection DIR``: a request typed on the command line gets the collection's
    secret variables from the keyring, as a request saved there would."""
    collection, _ = _import(keyring_cli, tmp_path, _curl(recorder.base_url))
    mark = recorder.mark()
    sent = keyring_cli(
        "send", "--collection", str(collection), "GET", f"{recorder.base_url}/typed",
        "-H", "X-Api-Key: {{x_api_key}}",
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert _sent(recorder, mark) == {
        "/typed": {"authorization": None, "key": "sk_live_51HxQ2eLkdIwHu7ixZ9a8bC"}
    }
    assert "sk_live_51HxQ2" not in sent.stdout + sent.stderr

    outside = keyring_cli("send", "GET", f"{recorder.base_url}/x", "-H", "X-Api-Key: {{x_api_key}}")
    assert outside.returncode == 1
    assert "{{x_api_key}}" in outside.stderr
