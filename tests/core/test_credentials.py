"""The credential store against real keyring backends: a private Secret Service (gnome-keyring
over D-Bus) and keyrings.alt's file keyring in a temporary folder."""

from __future__ import annotations

import pytest

from explorer.core.credentials import (
    CredentialKey,
    KeyringStore,
    KeyringUnavailable,
    SessionStore,
    open_credential_store,
)

KEY = CredentialKey("ws-1234", "priceedge", "Sandbox", "password")


@pytest.fixture(params=["secret-service", "plaintext-file"])
def backend(request):  # type: ignore[no-untyped-def]
    name = "secret_service_keyring" if request.param == "secret-service" else "plaintext_keyring"
    return request.getfixturevalue(name)


def test_round_trip_keyed_by_workspace_provider_environment_slot(backend) -> None:
    store = open_credential_store(backend=backend)
    assert store.kind == "keyring"
    store.set(KEY, "pa55 wörd")
    assert store.get(KEY) == "pa55 wörd"
    other_ws = CredentialKey("ws-9999", KEY.provider, KEY.environment, KEY.slot)
    other_env = CredentialKey(KEY.workspace_id, KEY.provider, "Production", KEY.slot)
    assert store.get(other_ws) is None
    assert store.get(other_env) is None
    # The environment name's case does not split the entry.
    assert store.get(CredentialKey("ws-1234", "priceedge", "sandbox", "password")) == "pa55 wörd"
    assert store.delete(KEY) is True
    assert store.get(KEY) is None
    assert store.delete(KEY) is False


def test_values_reads_only_stored_slots(backend) -> None:
    store = KeyringStore(backend)
    base = CredentialKey("ws-v", "flexiti", "training", "")
    store.set(CredentialKey("ws-v", "flexiti", "training", "client_id"), "cid")
    store.set(CredentialKey("ws-v", "flexiti", "training", "client_secret"), "csecret")
    assert store.values(base, ["client_id", "client_secret", "refresh_token"]) == {
        "client_id": "cid",
        "client_secret": "csecret",
    }


def test_secret_service_entry_is_visible_to_the_desktop_keyring(
    secret_service, secret_service_keyring
) -> None:
    """The value really lives in gnome-keyring: a second, independent client reads it."""
    import subprocess
    import sys

    KeyringStore(secret_service_keyring).set(KEY, "from-the-store")
    code = (
        "from keyring.backends.SecretService import Keyring;"
        f"print(Keyring().get_password({KEY.service!r}, {KEY.slot!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=secret_service.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "from-the-store"


def test_no_keyring_is_one_sentence_and_never_plaintext() -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    with pytest.raises(KeyringUnavailable, match="session-only store"):
        open_credential_store(backend=FailKeyring())
    store = open_credential_store(backend=FailKeyring(), allow_session=True)
    assert isinstance(store, SessionStore)
    assert "No OS keyring" in store.reason
    store.set(KEY, "kept in memory")
    assert store.get(KEY) == "kept in memory"


def test_plaintext_keyring_is_refused_when_only_configured(monkeypatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(KeyringUnavailable, match="plaintext file"):
        open_credential_store()
    keyring.core._keyring_backend = None


def test_unreachable_secret_service_is_reported(secret_service, monkeypatch) -> None:
    """A Secret Service whose bus is gone is one sentence, not a traceback."""
    from keyring.backends.SecretService import Keyring

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    with pytest.raises(KeyringUnavailable, match="session-only store"):
        open_credential_store(backend=Keyring())


def test_locked_collection_is_reported(tmp_path, monkeypatch) -> None:
    """Lock the default collection of a private gnome-keyring; use is refused in one sentence
    (no prompter can unlock it here) and a session store can be offered instead."""
    import shutil

    from tests.support.keyring_service import SecretService
    from tests.support.programs import require

    require("gnome-keyring-daemon", "test_locked_collection_is_reported")
    service = SecretService(
        tmp_path, require("dbus-daemon", "locked"), shutil.which("gnome-keyring-daemon") or ""
    )
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.env["DBUS_SESSION_BUS_ADDRESS"])
        backend = service.backend()
        store = KeyringStore(backend)
        store.set(KEY, "before the lock")
        import secretstorage

        connection = secretstorage.dbus_init()
        secretstorage.get_default_collection(connection).lock()
        with pytest.raises(KeyringUnavailable) as caught:
            store.get(KEY)
        assert "\n" not in str(caught.value)
        assert "session-only store" in str(caught.value)
        fallback = open_credential_store(backend=backend, allow_session=True)
        assert fallback.kind == "session"
    finally:
        service.stop()
