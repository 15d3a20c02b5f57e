"""The window's TLS settings without Qt (issue 14 item 7): what the TLS dialog reads and saves
through the ``CredentialService`` (``tls``, ``set_tls``), and the very next send through
``CoreSender`` presenting it, to a server requiring a client certificate, for the token call and
the API call; the token status then shows the token of those sends. A provider environment's
files are saved with the workspace's values of the environment (the preset stays as shipped), a
PKCS#12 password in the credential store; a collection's go in its ``collection.yaml``, relative
to it, and never outside the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from explorer.core.errors import ExplorerError
from explorer.core.models import RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import CredentialService, SendContext, SendOutcome, Services, TlsView
from tests.core.test_tls_env import CLIENT, NEEDS_CERTIFICATE, workspace
from tests.support.mtls import MtlsRecordingServer, Pki, make_pki

TIMEOUT = 30
STAGING = ("acme", "Staging")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki: Pki) -> Iterator[MtlsRecordingServer]:
    recording = MtlsRecordingServer(pki)
    yield recording
    recording.stop()


@pytest.fixture
def acme(tmp_path: Path, pki: Pki, server: MtlsRecordingServer) -> Path:
    """The workspace the services open (ask for it before ``services``): the acme preset
    trusting the server's CA, without a client certificate."""
    return workspace(tmp_path / "workspace", server, {"ca_bundle": str(pki.ca_bundle)})


def _credentials(services: Services) -> CredentialService:
    credentials = services.credentials
    assert credentials is not None
    for slot, value in CLIENT.items():
        credentials.set(*STAGING, slot, value).result(TIMEOUT)
    return credentials


def _send(services: Services) -> SendOutcome:
    spec = RequestSpec(url="{{base_url}}/orders")
    return services.sender.start(spec, SendContext(*STAGING)).future.result(TIMEOUT)


def test_files_saved_for_an_environment_reach_the_next_send_and_its_token_call(
    acme: Path, services: Services, pki: Pki, server: MtlsRecordingServer
) -> None:
    credentials = _credentials(services)
    preset = (acme / "providers" / "acme.yaml").read_text()
    shown = credentials.tls(STAGING).result(TIMEOUT)
    assert shown.client_cert == ""
    assert dict(shown.defaults) == {"ca_bundle": str(pki.ca_bundle)}
    assert shown.where == (
        "Saved for Acme (Staging) in environments/acme.yaml; relative paths are relative to "
        "the workspace folder."
    )
    with pytest.raises(ExplorerError, match=NEEDS_CERTIFICATE):
        _send(services)

    wanted = TlsView(client_cert=str(pki.cert), client_key=str(pki.key))
    saved = credentials.set_tls(STAGING, wanted).result(TIMEOUT)
    assert (saved.client_cert, saved.client_key) == (str(pki.cert), str(pki.key))
    assert "tls_client_cert" in (acme / "environments" / "acme.yaml").read_text()
    assert (acme / "providers" / "acme.yaml").read_text() == preset  # presets stay as shipped

    mark = server.mark()
    outcome = _send(services)
    assert outcome.exchange.response.status == 200
    assert [r.path for r in server.since(mark)] == ["/token", "/orders"]
    assert outcome.token is not None
    assert outcome.token.state == "valid"


def test_a_pkcs12_file_and_its_password_saved_in_the_dialog_are_used(
    acme: Path, services: Services, pki: Pki, server: MtlsRecordingServer
) -> None:
    credentials = _credentials(services)
    view = TlsView(pkcs12=str(pki.p12))
    saved = credentials.set_tls(STAGING, view, pki.p12_password).result(TIMEOUT)
    assert saved.password_stored
    assert pki.p12_password not in repr(saved)
    assert pki.p12_password not in (acme / "environments" / "acme.yaml").read_text()
    mark = server.mark()
    assert _send(services).exchange.response.status == 200
    assert [r.path for r in server.since(mark)] == ["/token", "/orders"]

    forgotten = credentials.set_tls(STAGING, view, "").result(TIMEOUT)
    assert not forgotten.password_stored
    with pytest.raises(ExplorerError, match=r"no password stored \(tls_password\)"):
        _send(services)


def test_an_impossible_combination_is_not_saved(acme: Path, services: Services, pki: Pki) -> None:
    credentials = _credentials(services)
    both = TlsView(client_cert=str(pki.cert), pkcs12=str(pki.p12))
    with pytest.raises(ExplorerError) as caught:
        credentials.set_tls(STAGING, both).result(TIMEOUT)
    assert str(caught.value) == (
        "The TLS settings were not saved: pkcs12 replaces client_cert and client_key; give one "
        "or the other."
    )
    assert not (acme / "environments" / "acme.yaml").exists()


def test_a_collections_files_are_saved_relative_to_it_and_only_inside_the_workspace(
    tmp_path: Path, services: Services, pki: Pki
) -> None:
    store = WorkspaceStore(tmp_path / "workspace")
    collection = store.create_collection("Shop")
    (collection / "certs").mkdir()
    inside = collection / "certs" / "me.pem"
    inside.write_bytes(pki.cert.read_bytes())
    credentials = services.credentials
    assert credentials is not None

    saved = credentials.set_tls(collection, TlsView(client_cert=str(inside))).result(TIMEOUT)
    assert saved.client_cert == "certs/me.pem"
    assert "every file must be inside the workspace" in saved.where
    meta = yaml.safe_load((collection / "collection.yaml").read_text())
    assert meta["tls"] == {"client_cert": "certs/me.pem"}

    with pytest.raises(ExplorerError, match="outside its workspace"):
        credentials.set_tls(collection, TlsView(client_cert=str(pki.cert))).result(TIMEOUT)
    meta = yaml.safe_load((collection / "collection.yaml").read_text())
    assert meta["tls"] == {"client_cert": "certs/me.pem"}

    credentials.set_tls(collection, TlsView(pkcs12="me.p12"), "p12-pass").result(TIMEOUT)
    secrets = credentials.collection_secrets(collection).result(TIMEOUT)
    assert [(s.name, s.stored) for s in secrets] == [("tls_password", True)]
