"""``api-explorer snippet`` on a real workspace: a saved request with what its collection adds
(headers, variables, a secret variable by name, the default provider), as the process a user
runs. The keyring is a private Secret Service for ``--reveal-secrets``; every other run has
keyring's failing backend, which proves the keyring is not touched unless secrets are revealed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from explorer.core.workspace.marker import open_workspace

PASSWORD = "Hunter2-secret"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    open_workspace(root)
    collection = root / "collections" / "pricing"
    (collection / "items").mkdir(parents=True)
    (collection / "collection.yaml").write_text(
        "name: Pricing\nseq: 0\nprovider: priceedge\n"
        "variables: {page_size: '25', base: 'http://127.0.0.1:9'}\n"
        "secret_variables: [api_secret]\n"
        "headers:\n  - {name: X-Team, value: pricing}\n",
        encoding="utf-8",
    )
    (collection / "items" / "folder.yaml").write_text(
        "name: Items\nseq: 1\nvariables: {page_size: '50'}\n", encoding="utf-8"
    )
    (collection / "items" / "list-items.request.yaml").write_text(
        "name: List items\nseq: 1\nmethod: POST\nurl: /api/tables/item\n"
        "headers:\n  - {name: X-Secret, value: '{{api_secret}}'}\n"
        'body:\n  mode: json\n  text: |\n    {"page": 1, "nrOfRecords": {{page_size}}}\n',
        encoding="utf-8",
    )
    (collection / "items" / "login.request.yaml").write_text(
        "name: Login\nseq: 3\nmethod: POST\nurl: /token\nauth: {type: none}\n"
        "body:\n  mode: form\n  fields:\n    - {name: grant_type, value: password}\n"
        "    - {name: username, value: '{{username}}'}\n"
        "    - {name: password, value: '{{password}}'}\n",
        encoding="utf-8",
    )
    (collection / "items" / "literal.request.yaml").write_text(
        "name: Literal\nseq: 2\nmethod: GET\nurl: '{{base}}/anything'\n"
        "params:\n  - {name: q, value: 'a b'}\n",
        encoding="utf-8",
    )
    return collection / "items"


def _cli(
    *args: str, home: Path, stdin: str = "", keyring: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "API_EXPLORER_HOME": str(home / "app-home"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    if keyring is not None:
        env.update(keyring)
        env.pop("PYTHON_KEYRING_BACKEND")
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_provider_request_as_sent_reads_secrets_from_the_environment(
    workspace: Path, tmp_path: Path
) -> None:
    done = _cli(
        "snippet",
        "--lang",
        "python",
        str(workspace / "list-items.request.yaml"),
        "--env",
        "Sandbox (local)",
        "--var",
        "sandbox_url=http://127.0.0.1:8",
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert '"http://127.0.0.1:8/priceedge/sandbox/api/tables/item"' in out
    assert '"X-Team": "pricing"' in out  # inherited from the collection
    assert '"nrOfRecords": 50' in out  # the nearest folder's variable wins
    assert 'os.environ["PRICEEDGE_API_SECRET"]' in out  # a secret variable, by name only
    assert 'os.environ["PRICEEDGE_TOKEN"]' in out
    assert '"client_id": priceedge_client_id' in out  # the provider's extra header


def test_reveal_reads_the_keyring_and_flow_fetches_a_token(
    workspace: Path, tmp_path: Path, secret_service: Any
) -> None:
    keyring = dict(secret_service.env)
    request = str(workspace / "list-items.request.yaml")
    env = ["--provider", "priceedge", "--env", "Sandbox (local)"]
    stored = _cli(
        "credentials",
        "set",
        *env,
        "--workspace",
        str(workspace.parent.parent.parent),
        "--username",
        "pricing@example.com",
        "--password-stdin",
        home=tmp_path,
        stdin=PASSWORD + "\n",
        keyring=keyring,
    )
    assert stored.returncode == 0, stored.stderr
    base = ["snippet", request, *env, "--var", "sandbox_url=http://127.0.0.1:8"]
    login = [
        "snippet",
        str(workspace / "login.request.yaml"),
        *env,
        "--var",
        "sandbox_url=http://h",
    ]
    as_sent = _cli(*login, "--lang", "curl", home=tmp_path)
    revealed = _cli(*login, "--lang", "curl", "--reveal-secrets", home=tmp_path, keyring=keyring)
    flow = _cli(*base, "--lang", "curl", "--flow", home=tmp_path)
    for done in (as_sent, flow, revealed):
        assert done.returncode == 0, done.stderr
    assert PASSWORD not in as_sent.stdout
    assert '--data-urlencode password="$PRICEEDGE_PASSWORD"' in as_sent.stdout
    assert f"--data-urlencode password={PASSWORD}" in revealed.stdout, (
        stored.stdout + revealed.stderr
    )
    assert "--data-urlencode username=pricing@example.com" in revealed.stdout
    assert "in clear text" in revealed.stdout
    assert PASSWORD not in flow.stdout
    assert "grant_type=password" in flow.stdout
    assert 'password="$PRICEEDGE_PASSWORD"' in flow.stdout


def test_literal_request_runs_and_matches(
    workspace: Path, tmp_path: Path, httpbin_url: str
) -> None:
    done = _cli(
        "snippet",
        "--lang",
        "python",
        str(workspace / "literal.request.yaml"),
        "--var",
        f"base={httpbin_url}",
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    script = tmp_path / "snippet.py"
    script.write_text(done.stdout, encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    echo = json.loads(ran.stdout)
    assert echo["args"] == {"q": "a b"}
    assert echo["headers"]["X-Team"] == "pricing"


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (["--lang", "httpie", "--flow"], 2, "Full flow is available for curl, python"),
        (["--lang", "curl", "--provider", "nope", "--env", "x"], 2, "No provider 'nope'"),
        (
            ["--lang", "curl", "--provider", "priceedge", "--env", "Mars"],
            2,
            "no environment 'Mars'",
        ),
        (["--lang", "curl", "--flow"], 2, "Full flow needs a provider"),
    ],
)
def test_user_errors_are_one_sentence(
    workspace: Path, tmp_path: Path, args: list[str], status: int, says: str
) -> None:
    done = _cli("snippet", str(workspace / "literal.request.yaml"), *args, home=tmp_path)
    assert done.returncode == status, done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_broken_or_missing_file(workspace: Path, tmp_path: Path) -> None:
    broken = workspace / "broken.request.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    done = _cli("snippet", "--lang", "curl", str(broken), home=tmp_path)
    assert done.returncode == 1
    assert str(broken) in done.stderr
    assert "Traceback" not in done.stderr
    missing = _cli("snippet", "--lang", "curl", str(workspace / "nope.request.yaml"), home=tmp_path)
    assert missing.returncode == 2
    assert "is not a file" in missing.stderr
