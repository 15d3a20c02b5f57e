"""Credentials, round two (issue 18, "Smaller, each reproduced"; docs/security.md "Credentials
and the keyring"): a preset's secret variables reach ``send --provider`` from the keyring, a
dead D-Bus is named as such, ``--password-stdin`` reads nothing it cannot store, and two
processes sharing a rotating refresh token do not spend each other's.

Real processes with a private Secret Service, a dead D-Bus socket, and the embedded sandbox
(PriceEdge rotates its refresh tokens: a spent one is refused).
"""

from __future__ import annotations

import os
import socket
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.core.auth import TokenRegistry
from explorer.core.credentials import CredentialKey, KeyringStore
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.providers import Environment, ProviderProfile
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.workspace.marker import open_workspace
from tests.core.test_pipeline_sandbox import AUTH, ENV, RESOURCE, WS, Clock, Sandbox
from tests.support.cli import run_cli

TENANT_KEY = "tenant-key-7Qx"


def cli(
    *args: str, env: dict[str, str], cwd: Path, stdin: int | None = None, text: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, env=env, stdin=stdin, text=text, timeout=60)


@pytest.fixture
def workspace(tmp_path: Path, httpbin_url: str) -> Path:
    """A provider without auth whose preset environment names ``tenant_key`` secret and gives
    it no value: the value lives in the keyring only."""
    folder = tmp_path / "ws" / "providers"
    folder.mkdir(parents=True)
    (folder / "tenant.yaml").write_text(
        textwrap.dedent(f"""\
            id: tenant
            name: Tenant
            auth:
              kind: none
            environments:
              - name: Test
                base_url: {httpbin_url}
                secret_variables: [tenant_key]
            """),
        encoding="utf-8",
    )
    return tmp_path / "ws"


WHERE = ("--provider", "tenant", "--env", "Test")


# -- p: send --provider resolves a preset's secret variables from the keyring ---------------------


def test_send_resolves_a_preset_secret_variable_stored_with_credentials_set(
    workspace: Path, home: dict[str, str]
) -> None:
    ws = ("--workspace", str(workspace))
    stored = cli(
        "credentials", "set", *ws, *WHERE, "--secret", "tenant_key",
        env=home, cwd=workspace.parent, text=TENANT_KEY + "\n",
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    sent = cli(
        "send", *ws, *WHERE, "-v", "GET", "/anything?k={{tenant_key}}",
        env=home, cwd=workspace.parent,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert f'"k": "{TENANT_KEY}"' in sent.stdout  # httpbin echoes the query it received
    assert TENANT_KEY not in sent.stderr  # and it is a secret: masked in the -v lines
    deleted = cli("credentials", "delete", *ws, *WHERE, env=home, cwd=workspace.parent)
    assert "tenant_key" in deleted.stderr, deleted.stderr


# -- q: D-Bus unreachable is reported as such, not as a plaintext keyring -------------------------


@pytest.mark.parametrize("bus", ["refused", "unset"])
def test_an_unreachable_dbus_is_named_not_the_plaintext_fallback(
    workspace: Path, tmp_path: Path, bus: str
) -> None:
    """keyring passes over the Secret Service when D-Bus is down and picks keyrings.alt's
    plaintext file; the sentence must say what is actually wrong."""
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # no keyringrc.cfg choosing a backend
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "API_EXPLORER_HOME": str(tmp_path / "app-home"),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    if bus == "refused":  # a bus daemon that died: its socket file is left, nobody listens
        path = tmp_path / "bus"
        dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        dead.bind(str(path))
        dead.close()
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={path}"
    done = cli(
        "credentials", "set", "--workspace", str(workspace), *WHERE, "--secret", "tenant_key",
        env=env, cwd=tmp_path, text="unused\n",
    )  # fmt: skip
    assert done.returncode != 0
    message = done.stderr.strip()
    assert "Secret Service" in message, message
    assert "D-Bus" in message, message
    assert "laintext" not in message, message
    assert "Traceback" not in message, message
    assert "\n" not in message, message
    assert not list(tmp_path.rglob("*.cfg"))  # nothing fell back to a file


# -- r: --password-stdin without a password slot reads nothing -------------------------------------


def test_password_stdin_without_a_password_slot_is_refused_before_reading(
    workspace: Path, home: dict[str, str], tmp_path: Path, secret_service_keyring
) -> None:  # type: ignore[no-untyped-def]
    lines = tmp_path / "stdin.txt"
    lines.write_text("meant-for-the-next-command\nand-more\n", encoding="utf-8")
    fd = os.open(lines, os.O_RDONLY)
    try:
        done = cli(
            "credentials", "set", "--workspace", str(workspace), *WHERE, "--password-stdin",
            env=home, cwd=tmp_path, stdin=fd,
        )  # fmt: skip
        consumed = os.lseek(fd, 0, os.SEEK_CUR)  # the offset is shared with the child's stdin
    finally:
        os.close(fd)
    assert done.returncode != 0
    message = done.stderr.strip()
    assert "no password slot" in message, message
    assert "\n" not in message, message
    assert consumed == 0
    marker = open_workspace(workspace)
    key = CredentialKey(marker.id, "tenant", "Test", "password")
    assert secret_service_keyring.get_password(key.service, key.slot) is None


# -- s: two processes sharing a rotating refresh token ---------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    yield sb
    sb.server.stop()


def two_processes(
    sb: Sandbox, store: KeyringStore, client: HttpClient, *, keep: bool
) -> tuple[ApiSession, ApiSession, Clock]:
    """Two ``ApiSession``s as two ``run`` processes would have them: their own token
    registries (no shared memory), one keyring."""
    info = sb.env("priceedge")
    env = Environment(ENV["priceedge"], info["base_url"], token_url=info.get("token_url"))
    profile = ProviderProfile(
        id="priceedge", name="PriceEdge", auth=AUTH["priceedge"], environments=(env,)
    )
    for slot, value in info["credentials"].items():
        if isinstance(value, str) and value:
            store.set(CredentialKey(WS, "priceedge", env.name, slot), value)
    clock = Clock(sb)

    def process() -> ApiSession:
        return ApiSession(
            profile,
            env.name,
            store=store,
            workspace_id=WS,
            client=client,
            limiters=LimiterRegistry(),
            tokens=TokenRegistry(),
            clock=clock,
            keep_access_token=keep,
        )

    return process(), process(), clock


def expire(session: ApiSession, clock: Clock) -> None:
    token = session.token_manager().current  # type: ignore[union-attr]
    assert token is not None
    assert token.expires_at is not None
    clock.advance(token.expires_at - clock() + 60)


def test_a_refresh_token_rotated_by_another_process_is_reread_not_spent(
    sandbox: Sandbox, plaintext_keyring
) -> None:  # type: ignore[no-untyped-def]
    client = HttpClient()
    try:
        store = KeyringStore(plaintext_keyring)
        first, second, clock = two_processes(sandbox, store, client, keep=False)
        spec = RequestSpec("GET", RESOURCE["priceedge"])
        assert first.send(spec).exchange.response.status == 200  # password grant: R1 stored
        expire(first, clock)
        # The second process refreshes with the stored R1: R1 is spent, R2 stored.
        assert second.send(spec).exchange.response.status == 200
        expire(second, clock)
        before = sandbox.stats("priceedge")["token_requests"]
        # The first process's own refresh token is R1; it must take R2 from the keyring.
        result = first.send(spec)
        assert result.exchange.response.status == 200
        kinds = [e.kind for e in result.events]
        assert "re-granted" not in kinds, kinds
        assert "failed" not in kinds, kinds
        assert "refreshed" in kinds, kinds
        after = sandbox.stats("priceedge")["token_requests"]
        assert after.get("password", 0) == before.get("password", 0)  # no new login
        assert after.get("refresh_token", 0) == before.get("refresh_token", 0) + 1
    finally:
        client.close()


def test_an_access_token_kept_by_another_process_is_taken_without_a_token_request(
    sandbox: Sandbox, plaintext_keyring
) -> None:  # type: ignore[no-untyped-def]
    client = HttpClient()
    try:
        store = KeyringStore(plaintext_keyring)
        first, second, clock = two_processes(sandbox, store, client, keep=True)
        spec = RequestSpec("GET", RESOURCE["priceedge"])
        assert first.send(spec).exchange.response.status == 200
        expire(first, clock)
        assert second.send(spec).exchange.response.status == 200  # refreshed and kept
        kept = second.token_manager().current  # type: ignore[union-attr]
        assert kept is not None
        total = sandbox.stats("priceedge")["token_requests_total"]
        result = first.send(spec)
        assert result.exchange.response.status == 200
        assert sandbox.stats("priceedge")["token_requests_total"] == total
        taken = first.token_manager().current  # type: ignore[union-attr]
        assert taken is not None
        assert taken.access_token == kept.access_token
        assert [e.kind for e in result.events] == ["refreshed"]
        # Later, its refresh uses the refresh token the other process stored.
        expire(first, clock)
        again = first.send(spec)
        assert again.exchange.response.status == 200
        assert "re-granted" not in [e.kind for e in again.events]
    finally:
        client.close()
