"""The keyring disappearing under a running session: a private Secret Service (dbus-daemon +
gnome-keyring-daemon) holds PriceEdge's demo credentials, an ``ApiSession`` against the embedded
sandbox reads them and gets a token, then the keyring daemon or the whole D-Bus session is
killed. Reads and writes are refused with one ``ExplorerError`` sentence, promptly; the session
keeps sending with what it already read; and no secret lands in a file anywhere."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from explorer.core.auth import TokenRegistry
from explorer.core.credentials import CredentialKey, KeyringUnavailable, open_credential_store
from explorer.core.errors import ExplorerError
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.providers import Environment, ProviderProfile
from explorer.core.ratelimit import LimiterRegistry
from tests.core.test_pipeline_sandbox import AUTH, ENV, RESOURCE, WS, Clock, Sandbox
from tests.support.keyring_service import SecretService, own_secret_service

T = TypeVar("T")
BOUND_S = 10.0  # each keyring call answers in milliseconds; a hung D-Bus call fails here


def bounded(call: Callable[[], T]) -> T:
    """``call()`` on a daemon thread (a hung D-Bus call must not hang the suite), failing when
    it has not returned within ``BOUND_S``; its exception, if any, is re-raised here."""
    box: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # re-raised on the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="keyring-call", daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(BOUND_S)
    assert not thread.is_alive(), f"a keyring call still blocked after {BOUND_S:g} s"
    assert time.monotonic() - started < BOUND_S
    if errors:
        raise errors[0]
    return box[0]


def one_sentence(exc: BaseException) -> str:
    text = str(exc)
    assert isinstance(exc, ExplorerError), repr(exc)
    assert "\n" not in text, text
    assert text.endswith("."), text
    assert text.count(". ") == 0, text
    assert "Traceback" not in text, text
    assert "org.freedesktop" not in text, text
    assert "session-only store" in text, text
    return text


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """Our own Secret Service (the shared one must survive): this test kills it."""
    with own_secret_service(tmp_path / "secret-service", "keyring faults") as started:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", started.env["DBUS_SESSION_BUS_ADDRESS"])
        yield started


# keyring's SecretService backend opens a D-Bus connection per call and, when the collection
# cannot be opened or unlocked, raises before closing it; the garbage collector closes the
# socket later with a ResourceWarning. That leak is keyring's, not ours: keep it out of the
# output, and only it.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.parametrize("gone", ["daemon", "bus"])
def test_keyring_gone_mid_session(service: SecretService, tmp_path: Path, gone: str) -> None:
    sb = Sandbox()
    client = HttpClient()
    try:
        info = sb.env("priceedge")
        env = Environment(ENV["priceedge"], info["base_url"], token_url=info.get("token_url"))
        profile = ProviderProfile(
            id="priceedge", name="PriceEdge", auth=AUTH["priceedge"], environments=(env,)
        )
        store = open_credential_store(backend=service.backend())
        assert store.kind == "keyring"
        creds = {k: v for k, v in info["credentials"].items() if isinstance(v, str) and v}
        for slot, value in creds.items():
            store.set(CredentialKey(WS, "priceedge", env.name, slot), value)
        clock = Clock(sb)
        session = ApiSession(
            profile,
            env.name,
            store=store,
            workspace_id=WS,
            client=client,
            limiters=LimiterRegistry(),
            tokens=TokenRegistry(),
            clock=clock,
        )
        spec = RequestSpec("GET", RESOURCE["priceedge"])
        first = session.send(spec)
        assert first.exchange.response.status == 200
        password = CredentialKey(WS, "priceedge", env.name, "password")
        assert store.get(password) == creds["password"]
        refresh = store.get(CredentialKey(WS, "priceedge", env.name, "refresh_token"))
        assert refresh  # the rotation was persisted to the keyring while it was there
        token = session.token_manager().current  # type: ignore[union-attr]
        assert token is not None

        if gone == "daemon":
            service.kill_daemon()
        else:
            service.kill_bus()

        # Reading and writing are refused in one sentence, promptly.
        with pytest.raises(KeyringUnavailable) as read:
            bounded(lambda: store.get(password))
        with pytest.raises(KeyringUnavailable) as written:
            bounded(lambda: store.set(password, "changed-while-gone"))
        with pytest.raises(KeyringUnavailable) as deleted:
            bounded(lambda: store.delete(password))
        messages = {one_sentence(e.value) for e in (read, written, deleted)}
        assert len(messages) == 1, messages
        if gone == "bus":
            assert messages == {
                "The OS keyring service is not reachable ([Errno 111] Connection refused); "
                "start or unlock your desktop keyring, or use a session-only store."
            }

        # What the session read before is not lost: it keeps sending with its token.
        again = bounded(lambda: session.send(spec))
        assert again.exchange.response.status == 200
        assert session.token_manager(creds).current == token  # type: ignore[union-attr]
        assert sb.stats("priceedge")["token_requests_total"] == 1

        # A refresh needs the keyring (the token manager reads the refresh token and the
        # credentials from it): it is refused in the same sentence, not a D-Bus traceback.
        assert token.expires_at is not None
        clock.advance(token.expires_at - clock() + 60)
        with pytest.raises(KeyringUnavailable) as refreshed:
            bounded(lambda: session.send(spec))
        one_sentence(refreshed.value)
    finally:
        client.close()
        sb.server.stop()

    # Nothing fell back to a file: no secret value in any file we or the keyring wrote.
    secrets = {*creds.values(), refresh, token.access_token, "changed-while-gone"}
    secrets.discard(creds.get("username", ""))
    secrets.discard(creds.get("client_id", ""))
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits = [s for s in secrets if s and s.encode() in data]
            assert not hits, (path, len(hits))
    assert not any(p.name.endswith(".cfg") for p in tmp_path.rglob("*"))
    assert shutil.which("gnome-keyring-daemon")
