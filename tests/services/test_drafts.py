"""The open tabs file: a round trip keeps paths, edits, order and the shown tab; secrets are
written masked, their values kept in the OS keyring (deleted with the draft) or, without one,
nowhere; the file is the user's only; a broken file is one sentence."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from explorer.core.credentials import CredentialStore, KeyringStore, open_credential_store
from explorer.core.errors import FormatError
from explorer.core.models import AuthSpec, KeyValue, RequestSpec
from explorer.core.redaction import MASK
from explorer.services.drafts import (
    FileDrafts,
    KeptTab,
    TabSession,
    session_file,
    workspace_digest,
)
from tests.support.keyring_service import SecretService
from tests.support.keyring_service import own_secret_service as private_secret_service

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


def test_a_session_round_trips_with_secrets_masked(tmp_path: Path) -> None:
    secret = "hunter2-literal"
    draft = RequestSpec(
        "POST",
        "https://api.example/x",
        "Draft",
        headers=(KeyValue("Authorization", f"Bearer {secret}"), KeyValue("X-Ref", "{{ref}}")),
        auth=AuthSpec("basic", (("username", "me"), ("password", secret))),
    )
    session = TabSession(
        (KeptTab(tmp_path / "a.request.yaml"), KeptTab(None, draft, "acme", "Sandbox")), 1
    )
    path = session_file(tmp_path / "state", tmp_path / "workspace", demo=False)
    with ThreadPoolExecutor(1) as disk:
        store = FileDrafts(disk, path)
        store.save(session).result()
        back = store.load().result()
    assert secret not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert back.current == 1
    assert back.tabs[0] == KeptTab(tmp_path / "a.request.yaml")
    kept = back.tabs[1]
    assert (kept.path, kept.provider_id, kept.environment) == (None, "acme", "Sandbox")
    assert kept.spec is not None
    assert kept.spec.auth == AuthSpec("basic", (("username", "me"), ("password", MASK)))
    assert kept.spec.headers == (KeyValue("Authorization", MASK), KeyValue("X-Ref", "{{ref}}"))


def test_no_file_is_an_empty_session_and_a_broken_one_says_so(tmp_path: Path) -> None:
    path = tmp_path / "tabs.json"
    with ThreadPoolExecutor(1) as disk:
        store = FileDrafts(disk, path)
        assert store.load().result() == TabSession()
        path.write_text("{not json")
        with pytest.raises(FormatError, match="the open tabs could not be restored"):
            store.load().result()


def test_each_workspace_has_its_own_file(tmp_path: Path) -> None:
    one = session_file(tmp_path, tmp_path / "one", demo=False)
    assert one != session_file(tmp_path, tmp_path / "two", demo=False)
    assert one != session_file(tmp_path, tmp_path / "one", demo=True)


# -- a draft's secrets in the OS keyring -------------------------------------------------------

TOKEN, PASSWORD = "draft-bearer-7f3a", "draft-password-91c2"


def secret_draft(url: str = "https://api.example/x") -> RequestSpec:
    return RequestSpec(
        "POST",
        url,
        headers=(KeyValue("X-Api-Key", PASSWORD), KeyValue("X-Ref", "{{ref}}")),
        auth=AuthSpec("bearer", (("token", TOKEN),)),
    )


def done(store: CredentialStore) -> Future[CredentialStore | None]:
    known: Future[CredentialStore | None] = Future()
    known.set_result(store)
    return known


def service_of(path: Path, tab: str) -> str:
    """The keyring service a tab's secrets are stored under."""
    return f"api-explorer/{workspace_digest(path)}/draft:{tab}/"


@pytest.fixture(params=["plaintext", "secret_service"])
def keyring_backend(request: pytest.FixtureRequest) -> KeyringBackend:
    """The file keyring and a private Secret Service: the same round trip through both."""
    fixture = "plaintext_keyring" if request.param == "plaintext" else "secret_service_keyring"
    backend: KeyringBackend = request.getfixturevalue(fixture)
    return backend


def test_a_drafts_secrets_come_back_from_the_keyring_and_never_reach_the_file(
    tmp_path: Path, keyring_backend: KeyringBackend
) -> None:
    path = session_file(tmp_path / "state", tmp_path / "workspace", demo=False)
    session = TabSession((KeptTab(None, secret_draft(), "acme", "Sandbox", "a1"),))
    with ThreadPoolExecutor(1) as disk:
        FileDrafts(disk, path, done(KeyringStore(keyring_backend))).save(session).result()
        text = path.read_text()
        back = FileDrafts(disk, path, done(KeyringStore(keyring_backend))).load().result()
    assert TOKEN not in text
    assert PASSWORD not in text
    assert json.loads(text)["tabs"][0]["secrets"] == ["header:0", "auth:token"]
    assert keyring_backend.get_password(service_of(path, "a1"), "auth:token") == TOKEN
    assert back.tabs == session.tabs


def test_a_closed_or_saved_draft_deletes_its_secrets(
    tmp_path: Path, plaintext_keyring: KeyringBackend
) -> None:
    path = session_file(tmp_path / "state", tmp_path / "workspace", demo=False)
    closed = KeptTab(None, secret_draft("https://api.example/closed"), key="closed")
    saved = KeptTab(None, secret_draft("https://api.example/saved"), key="saved")
    with ThreadPoolExecutor(1) as disk:
        drafts = FileDrafts(disk, path, done(KeyringStore(plaintext_keyring)))
        drafts.save(TabSession((closed, saved))).result()
        assert plaintext_keyring.get_password(service_of(path, "closed"), "auth:token") == TOKEN
        drafts.save(TabSession((saved,))).result()
        assert plaintext_keyring.get_password(service_of(path, "closed"), "auth:token") is None
        assert plaintext_keyring.get_password(service_of(path, "saved"), "auth:token") == TOKEN

        # A restart, then the draft is saved to a file: the tab is kept as its path only.
        restarted = FileDrafts(disk, path, done(KeyringStore(plaintext_keyring)))
        restarted.load().result()
        restarted.save(TabSession((KeptTab(tmp_path / "saved.request.yaml", key="saved"),)))
        restarted.save(TabSession()).result()
    for tab in ("closed", "saved"):
        for slot in ("auth:token", "header:0"):
            assert plaintext_keyring.get_password(service_of(path, tab), slot) is None


def test_without_a_working_keyring_the_secrets_stay_masked_and_nowhere_in_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    store = open_credential_store(allow_session=True)  # what the core falls back to
    assert store.kind == "session"
    path = session_file(tmp_path / "state", tmp_path / "workspace", demo=False)
    with ThreadPoolExecutor(1) as disk:
        drafts = FileDrafts(disk, path, done(store))
        drafts.save(TabSession((KeptTab(None, secret_draft(), key="a1"),))).result()
        back = drafts.load().result()
    assert TOKEN not in path.read_text()
    assert PASSWORD not in path.read_text()
    assert "secrets" not in json.loads(path.read_text())["tabs"][0]
    [kept] = back.tabs
    assert kept.spec is not None
    assert kept.spec.auth == AuthSpec("bearer", (("token", MASK),))
    assert kept.spec.headers[0] == KeyValue("X-Api-Key", MASK)
    assert [p for p in tmp_path.rglob("*") if p.is_file() and TOKEN in p.read_text()] == []


@pytest.fixture
def own_secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A Secret Service of this test only (the shared one must survive): it is killed."""
    with private_secret_service(tmp_path / "secret-service", "draft secrets") as started:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", started.env["DBUS_SESSION_BUS_ADDRESS"])
        yield started


# keyring's SecretService backend leaks a socket when its daemon is gone (see
# tests/hardening/test_faults_keyring.py): that warning is keyring's, not ours.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
)
def test_a_keyring_gone_mid_session_leaves_the_secrets_masked(
    tmp_path: Path, own_secret_service: SecretService
) -> None:
    store = KeyringStore(own_secret_service.backend())
    path = session_file(tmp_path / "state", tmp_path / "workspace", demo=False)
    first = KeptTab(None, secret_draft("https://api.example/first"), key="first")
    second = KeptTab(None, secret_draft("https://api.example/second"), key="second")
    with ThreadPoolExecutor(1) as disk:
        drafts = FileDrafts(disk, path, done(store))
        drafts.save(TabSession((first,))).result()
        own_secret_service.kill_daemon()
        drafts.save(TabSession((second,))).result()  # no store: kept masked, no error
        [back] = FileDrafts(disk, path, done(store)).load().result().tabs
    assert TOKEN not in path.read_text()
    assert "secrets" not in json.loads(path.read_text())["tabs"][0]
    assert back.spec is not None
    assert back.spec.auth == AuthSpec("bearer", (("token", MASK),))
