"""TLS per environment and per collection (issue 14 item 7) against a server that requires a
client certificate from its own CA, for the API call and for the OAuth2 token call: a preset
environment's ``tls:``, the workspace's saved files of the environment over it, a PKCS#12 file
with its password in the credential store, a provider-bound collection's ``tls:``, through the
engine and through ``send --provider`` and ``run`` as separate processes. A missing file and a
certificate the server refuses are each one sentence."""

from __future__ import annotations

import re
import shutil
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from explorer.core.auth import TokenRegistry
from explorer.core.auth.tokens import TokenError
from explorer.core.confinement import FileOutsideWorkspace
from explorer.core.context import UNPLACED, Binding, placement_of
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.errors import InvalidRequest, TLSError
from explorer.core.http.client import HttpClient
from explorer.core.models import AuthSpec, RequestSpec
from explorer.core.pipeline import SessionResult
from explorer.core.provider_loader import load_providers
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.workbench import Workbench
from explorer.core.workspace.environments import EnvironmentValues, save_environments
from explorer.core.workspace.marker import open_workspace
from tests.support.cli import run_cli
from tests.support.mtls import MtlsRecordingServer, Pki, make_pki

CLIENT = {"client_id": "parity-client", "client_secret": "parity-secret"}
NEEDS_CERTIFICATE = (
    r"(requires a client certificate;|hung up during the TLS handshake; if it wants a client "
    r"certificate,) set one for this environment or collection"
)
"""The server's answer to a client without a certificate: its alert, or (TLS 1.3 timing) a
hang-up."""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki: Pki) -> Iterator[MtlsRecordingServer]:
    recording = MtlsRecordingServer(pki)
    yield recording
    recording.stop()


def workspace(root: Path, server: MtlsRecordingServer, tls: Mapping[str, str]) -> Path:
    """A workspace whose preset ``acme`` (OAuth2 client credentials at ``/token``) has one
    environment, Staging, on ``server`` with ``tls``."""
    preset = {
        "id": "acme",
        "name": "Acme",
        "auth": {
            "kind": "oauth2-client-credentials",
            "token_url": "{{base_url}}/token",
            "credentials": [{"name": "client_id"}, {"name": "client_secret", "secret": True}],
        },
        "environments": [{"name": "Staging", "base_url": server.base_url, "tls": dict(tls)}],
    }
    open_workspace(root)
    (root / "providers").mkdir(parents=True, exist_ok=True)
    (root / "providers" / "acme.yaml").write_text(yaml.safe_dump(preset))
    return root


def bench(root: Path, **stored: str) -> Workbench:
    """The engine over ``root`` with the client's credentials (and ``stored``) in a session
    store, as the window and the CLI build it."""
    workspace_id = open_workspace(root).id
    store = SessionStore()
    for slot, value in {**CLIENT, **stored}.items():
        store.set(CredentialKey(workspace_id, "acme", "Staging", slot), value)
    profiles, errors = load_providers(root)
    assert not errors
    return Workbench(
        profiles=profiles,
        store_factory=lambda: store,
        workspace_id=workspace_id,
        workspace_root=root,
        client=HttpClient(),
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        default_dir=root,
    )


def send(workbench: Workbench, spec: RequestSpec | None = None) -> SessionResult:
    spec = spec or RequestSpec(url="{{base_url}}/orders")
    return workbench.send(workbench.assemble(spec, UNPLACED, Binding("acme", "Staging")))


def assert_token_and_call(server: MtlsRecordingServer, mark: int, result: SessionResult) -> None:
    """Both calls got through the client-certificate check, the API call with the token."""
    assert result.exchange.response.status == 200
    records = server.since(mark)
    assert [r.path for r in records] == ["/token", "/orders"]
    assert records[1].header("Authorization") == "Bearer tok-client-credentials"


def files(pki: Pki) -> dict[str, str]:
    return {
        "ca_bundle": str(pki.ca_bundle),
        "client_cert": str(pki.cert),
        "client_key": str(pki.key),
    }


def test_a_preset_environments_tls_reaches_the_token_call_and_the_api_call(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, files(pki))
    mark = server.mark()
    assert_token_and_call(server, mark, send(bench(root)))


def test_the_workspaces_saved_files_override_the_preset_relative_to_the_workspace(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {**files(pki), "client_cert": str(pki.stranger)})
    (root / "certs").mkdir()
    shutil.copy(pki.cert, root / "certs" / "me.pem")
    shutil.copy(pki.key, root / "certs" / "me.key")
    saved = {"tls_client_cert": "certs/me.pem", "tls_client_key": "certs/me.key"}
    save_environments(root, "acme", [EnvironmentValues("Staging", saved)])
    mark = server.mark()
    assert_token_and_call(server, mark, send(bench(root)))


def test_a_pkcs12_file_is_presented_with_its_password_from_the_store(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    save_environments(root, "acme", [EnvironmentValues("Staging", {"tls_pkcs12": str(pki.p12)})])
    mark = server.mark()
    result = send(bench(root, tls_password=pki.p12_password))
    assert_token_and_call(server, mark, result)
    converted = Path(result.exchange.request.client_cert or "")
    assert converted != pki.p12
    assert stat.S_IMODE(converted.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("password", "said"),
    [(None, "no password stored (tls_password)"), ("not-it", "wrong password")],
)
def test_a_pkcs12_file_without_its_password_is_one_sentence(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer, password: str | None, said: str
) -> None:
    root = workspace(tmp_path / "ws", server, {"pkcs12": str(pki.p12)})
    stored = {"tls_password": password} if password else {}
    mark = server.mark()
    with pytest.raises(InvalidRequest) as caught:
        send(bench(root, **stored))
    assert str(caught.value) == (
        f"The PKCS#12 file '{pki.p12}' could not be opened ({said}, or not a PKCS#12 file); "
        "store its password as tls_password."
    )
    assert server.since(mark) == []


def test_a_missing_certificate_file_is_one_sentence_and_nothing_is_sent(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    missing = tmp_path / "gone.pem"
    root = workspace(tmp_path / "ws", server, {**files(pki), "client_cert": str(missing)})
    mark = server.mark()
    with pytest.raises(InvalidRequest) as caught:
        send(bench(root))
    assert str(caught.value) == (
        f"The TLS client certificate '{missing}' does not exist; check the path."
    )
    assert server.since(mark) == []


def test_a_file_that_is_no_certificate_is_one_sentence(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {**files(pki), "client_cert": str(pki.key)})
    with pytest.raises(InvalidRequest, match=r"holds no PEM certificate; give a PEM file"):
        send(bench(root))


def test_a_certificate_the_server_refuses_is_its_refusal_in_one_sentence(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(
        tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle), "client_cert": str(pki.stranger)}
    )
    host = server.base_url.removeprefix("https://")
    # TLS 1.3: the server checks the certificate after the client's handshake ends, so the
    # client meets its alert or, depending on timing, only its hang-up.
    refusal = re.compile(
        rf"{host} refused the client certificate '{re.escape(str(pki.stranger))}' "
        r"\((tlsv1 alert unknown ca|it hung up)\); check that it is the certificate this server "
        r"expects, issued by a CA it trusts and not expired\."
    )
    workbench = bench(root)
    with pytest.raises(TLSError) as api_call:  # no token: the API call alone
        send(workbench, RequestSpec(url="{{base_url}}/orders", auth=AuthSpec("none")))
    assert refusal.fullmatch(str(api_call.value))
    with pytest.raises(TokenError) as token_call:
        send(workbench)
    said = str(token_call.value)  # the token endpoint's sentence naming the provider, then why
    assert said.startswith("The token endpoint of Acme")
    assert refusal.fullmatch(said.split(": ", 1)[1])


def test_no_certificate_where_the_server_requires_one_says_so(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    with pytest.raises(TokenError, match=NEEDS_CERTIFICATE):
        send(bench(root))


def _collection(root: Path, tls: Mapping[str, str]) -> Path:
    """``collections/shop`` bound to acme with ``tls`` and one request, ``orders``."""
    folder = root / "collections" / "shop"
    folder.mkdir(parents=True)
    meta: dict[str, Any] = {"name": "Shop", "seq": 0, "provider": "acme", "tls": dict(tls)}
    (folder / "collection.yaml").write_text(yaml.safe_dump(meta))
    request = {"name": "orders", "seq": 1, "method": "GET", "url": "{{base_url}}/orders"}
    (folder / "orders.request.yaml").write_text(yaml.safe_dump(request))
    return folder


def test_a_collections_tls_applies_to_its_requests_relative_to_its_folder(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    folder = _collection(root, {"client_cert": "certs/me.pem", "client_key": "certs/me.key"})
    (folder / "certs").mkdir()
    shutil.copy(pki.cert, folder / "certs" / "me.pem")
    shutil.copy(pki.key, folder / "certs" / "me.key")
    spec, placement = placement_of(folder / "orders.request.yaml")
    workbench = bench(root)
    mark = server.mark()
    result = workbench.send(workbench.assemble(spec, placement, Binding("acme", "Staging")))
    assert_token_and_call(server, mark, result)


def test_a_collection_naming_a_file_outside_its_workspace_is_refused(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    folder = _collection(root, {"client_cert": str(pki.cert), "client_key": str(pki.key)})
    spec, placement = placement_of(folder / "orders.request.yaml")
    workbench = bench(root)
    mark = server.mark()
    with pytest.raises(FileOutsideWorkspace, match=r"outside its workspace"):
        workbench.send(workbench.assemble(spec, placement, Binding("acme", "Staging")))
    assert server.since(mark) == []


def cli_env(tmp_path: Path, **slots: str) -> dict[str, str]:
    """``--secrets-from-env`` names of the acme Staging slots (``credentials env-names``)."""
    values = {**CLIENT, **slots}
    env = {f"API_EXPLORER_ACME_STAGING_{k.upper()}": v for k, v in values.items()}
    return {**env, "API_EXPLORER_HOME": str(tmp_path / "home")}


def test_send_with_a_provider_presents_the_environments_pkcs12(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    save_environments(root, "acme", [EnvironmentValues("Staging", {"tls_pkcs12": str(pki.p12)})])
    mark = server.mark()
    done = run_cli(
        "send", "GET", "{{base_url}}/orders", "--provider", "acme", "--env", "Staging",
        "--workspace", str(root), "--secrets-from-env",
        extra_env=cli_env(tmp_path, tls_password=pki.p12_password), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"path": "/orders"' in done.stdout
    assert [r.path for r in server.since(mark)] == ["/token", "/orders"]


def test_run_of_a_provider_bound_collection_presents_its_certificate(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    folder = _collection(root, {"client_cert": "me.pem", "client_key": "me.key"})
    shutil.copy(pki.cert, folder / "me.pem")
    shutil.copy(pki.key, folder / "me.key")
    mark = server.mark()
    done = run_cli(
        "run", str(folder), "--env", "Staging", "--workspace", str(root), "--secrets-from-env",
        extra_env=cli_env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r.path for r in server.since(mark)] == ["/token", "/orders"]


def test_run_says_the_servers_refusal_in_one_line(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    folder = _collection(root, {"client_cert": "stranger.pem"})
    shutil.copy(pki.stranger, folder / "stranger.pem")
    done = run_cli(
        "run", str(folder), "--env", "Staging", "--workspace", str(root), "--secrets-from-env",
        extra_env=cli_env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode != 0
    assert "refused the client certificate" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
