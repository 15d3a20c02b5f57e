"""TLS without a provider and from the command line (issue 14 item 7): a provider-less
collection's ``tls:`` for a single send and for ``run``, and ``send --provider --cert/--key``
over an environment with no certificate of its own, against a server requiring one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from explorer.core.auth import TokenRegistry
from explorer.core.context import UNBOUND, placement_of
from explorer.core.credentials import SessionStore
from explorer.core.http.client import HttpClient
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.workbench import Workbench
from explorer.core.workspace.marker import open_workspace
from tests.core.test_tls_env import cli_env, workspace
from tests.support.cli import run_cli
from tests.support.mtls import MtlsRecordingServer, Pki, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki: Pki) -> Iterator[MtlsRecordingServer]:
    recording = MtlsRecordingServer(pki)
    yield recording
    recording.stop()


def _shop(root: Path, pki: Pki, base_url: str) -> Path:
    """``collections/shop`` bound to no provider, with its certificate files beside it."""
    folder = root / "collections" / "shop"
    folder.mkdir(parents=True)
    for source, name in ((pki.ca_bundle, "ca.pem"), (pki.cert, "me.pem"), (pki.key, "me.key")):
        shutil.copy(source, folder / name)
    meta = {
        "name": "Shop",
        "seq": 0,
        "variables": {"host": base_url},
        "tls": {"ca_bundle": "ca.pem", "client_cert": "me.pem", "client_key": "me.key"},
    }
    (folder / "collection.yaml").write_text(yaml.safe_dump(meta))
    request = {"name": "orders", "seq": 1, "method": "GET", "url": "{{host}}/orders"}
    (folder / "orders.request.yaml").write_text(yaml.safe_dump(request))
    return folder


def test_a_provider_less_collections_tls_applies_to_a_send(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = tmp_path / "ws"
    marker = open_workspace(root)
    folder = _shop(root, pki, server.base_url)
    workbench = Workbench(
        profiles={},
        store_factory=SessionStore,
        workspace_id=marker.id,
        workspace_root=root,
        client=HttpClient(),
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )
    spec, placement = placement_of(folder / "orders.request.yaml")
    mark = server.mark()
    result = workbench.send(workbench.assemble(spec, placement, UNBOUND))
    assert result.exchange.response.status == 200
    assert [r.path for r in server.since(mark)] == ["/orders"]


def test_run_of_a_provider_less_collection_presents_its_certificate(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = tmp_path / "ws"
    open_workspace(root)
    folder = _shop(root, pki, server.base_url)
    mark = server.mark()
    done = run_cli("run", str(folder), extra_env=cli_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r.path for r in server.since(mark)] == ["/orders"]


def test_send_cert_and_key_apply_with_a_provider_to_both_calls(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    root = workspace(tmp_path / "ws", server, {"ca_bundle": str(pki.ca_bundle)})
    mark = server.mark()
    done = run_cli(
        "send", "GET", "{{base_url}}/orders", "--provider", "acme", "--env", "Staging",
        "--cert", str(pki.cert), "--key", str(pki.key),
        "--workspace", str(root), "--secrets-from-env",
        extra_env=cli_env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [r.path for r in server.since(mark)] == ["/token", "/orders"]


def test_a_collections_own_oauth2_presents_its_certificate_to_the_token_endpoint(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer
) -> None:
    """OAuth2 set on a provider-less collection behind mTLS: the token call and the API call
    both present the collection's certificate (the server refuses a connection without one)."""
    root = tmp_path / "ws"
    open_workspace(root)
    folder = _shop(root, pki, server.base_url)
    meta = yaml.safe_load((folder / "collection.yaml").read_text())
    meta["auth"] = {
        "type": "oauth2",
        "grant_type": "client_credentials",
        "token_url": server.base_url + "/token",
        "client_id": "parity-client",
        "client_secret": "{{client_secret}}",
    }
    (folder / "collection.yaml").write_text(yaml.safe_dump(meta))
    mark = server.mark()
    done = run_cli(
        "run", str(folder), "--var", "client_secret=parity-secret",
        env=cli_env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    sent = server.since(mark)
    assert [r.path for r in sent] == ["/token", "/orders"]
    assert sent[1].header("Authorization") == "Bearer tok-client-credentials"


@pytest.mark.parametrize("lang", ["curl", "python"])
def test_the_snippet_presents_the_collections_certificate(
    tmp_path: Path, pki: Pki, server: MtlsRecordingServer, lang: str
) -> None:
    """The curl and Python snippets of a request in a collection with ``tls:`` present its
    certificate and trust its CA: executed, they reach the server that requires one."""
    import subprocess
    import sys

    root = tmp_path / "ws"
    open_workspace(root)
    folder = _shop(root, pki, server.base_url)
    snippet = run_cli(
        "snippet", "--lang", lang, str(folder / "orders.request.yaml"),
        env=cli_env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert snippet.returncode == 0, snippet.stderr
    assert str(folder / "me.pem") in snippet.stdout
    mark = server.mark()
    runner = (
        ["bash", "-c", snippet.stdout] if lang == "curl" else [sys.executable, "-c", snippet.stdout]
    )
    subprocess.run(runner, check=True, capture_output=True, timeout=60)
    assert [r.path for r in server.since(mark)] == ["/orders"]
