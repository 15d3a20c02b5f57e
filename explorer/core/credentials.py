"""Credentials (passwords, client secrets, API keys, refresh tokens) in the OS keyring only.

Each value is keyed by the workspace's stable id + provider + environment + slot, never by a file
path, so moving a workspace keeps its secrets. Our files, logs, history and exports hold slot
names only. When no keyring is usable (no backend, a locked collection, only a plaintext file
keyring configured) the store says so in one sentence and the caller may offer a
``SessionStore``: kept in memory, forgotten at exit. There is never a silent plaintext fallback.

Keyring calls can block (D-Bus, an unlock prompt): callers on the GUI thread run them in their
executor (``loop.run_in_executor``); the CLI and worker threads call them directly.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from explorer.core.errors import ExplorerError, UsageError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "CredentialKey",
    "CredentialStore",
    "EnvironmentStore",
    "KeyringStore",
    "KeyringUnavailable",
    "SessionStore",
    "env_name_for",
    "open_credential_store",
]

SERVICE_PREFIX = "api-explorer"
T = TypeVar("T")


class KeyringUnavailable(ExplorerError):
    """No usable OS keyring; the message says why and offers the session-only store."""


@dataclass(frozen=True, slots=True)
class CredentialKey:
    workspace_id: str
    provider: str
    environment: str
    slot: str

    @property
    def service(self) -> str:
        """The keyring "service": one entry per workspace, provider and environment."""
        env = self.environment.lower()
        return f"{SERVICE_PREFIX}/{self.workspace_id}/{self.provider}/{env}"


class CredentialStore:
    """Where secret slot values live. ``kind`` is ``keyring`` or ``session``."""

    kind = "abstract"
    description = ""

    def get(self, key: CredentialKey) -> str | None:
        raise NotImplementedError

    def set(self, key: CredentialKey, value: str) -> None:
        raise NotImplementedError

    def delete(self, key: CredentialKey) -> bool:
        """Remove the value; False when there was none."""
        raise NotImplementedError

    def source_of(self, key: CredentialKey) -> str | None:
        """Where the user must put ``key``'s value when this store reads it from outside
        (an environment variable's name), so a missing-value error can say so; else None."""
        return None

    def values(self, base: CredentialKey, slots: Iterable[str]) -> dict[str, str]:
        """Every stored value among ``slots`` of ``base``'s provider environment."""
        found = {}
        for slot in slots:
            value = self.get(_with_slot(base, slot))
            if value:
                found[slot] = value
        return found


class KeyringStore(CredentialStore):
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    kind = "keyring"

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        import keyring
        from keyring.backends import fail

        explicit = backend is not None
        self.backend = backend if backend is not None else _strongest(keyring.get_keyring())
        name = type(self.backend).__name__
        self.description = f"{type(self.backend).__module__}.{name}"
        weak = isinstance(self.backend, fail.Keyring) or "plaintext" in name.lower()
        unreachable = None if explicit or not weak else _secret_service_unreachable()
        if unreachable is not None:
            raise KeyringUnavailable(
                f"The Secret Service keyring is not reachable over D-Bus ({unreachable}); start "
                "your desktop session's keyring and D-Bus, or use a session-only store."
            )
        if isinstance(self.backend, fail.Keyring):
            raise KeyringUnavailable(
                "No OS keyring is available (no Secret Service, Keychain or Credential Locker); "
                "use a session-only store, which forgets secrets when the app exits."
            )
        if not explicit and "plaintext" in name.lower():
            raise KeyringUnavailable(
                f"The only keyring configured ({name}) writes secrets to a plaintext file, which "
                "API Explorer will not do; use a session-only store or set up an OS keyring."
            )

    def probe(self) -> None:
        """Touch the keyring once, so a locked collection is reported before any real use."""
        self._call(lambda: self.backend.get_password(f"{SERVICE_PREFIX}/probe", "probe"))

    def get(self, key: CredentialKey) -> str | None:
        return self._call(lambda: self.backend.get_password(key.service, key.slot))

    def set(self, key: CredentialKey, value: str) -> None:
        self._call(lambda: self.backend.set_password(key.service, key.slot, value))

    def delete(self, key: CredentialKey) -> bool:
        from keyring.errors import PasswordDeleteError

        if self.get(key) is None:
            return False
        try:
            self._call(lambda: self.backend.delete_password(key.service, key.slot))
        except PasswordDeleteError:
            return False
        return True

    def _call(self, operation: Callable[[], T]) -> T:
        from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

        try:
            return operation()
        except PasswordDeleteError:
            raise
        except KeyringLocked as exc:
            raise KeyringUnavailable(
                f"The keyring collection is locked ({exc}); unlock it in your desktop session, or "
                "use a session-only store."
            ) from exc
        except NoKeyringError as exc:
            raise KeyringUnavailable(
                "No OS keyring is available; use a session-only store, which forgets secrets "
                "when the app exits."
            ) from exc
        except _service_gone() as exc:
            raise KeyringUnavailable(
                f"The OS keyring service is not reachable ({exc or type(exc).__name__}); start "
                "or unlock your desktop keyring, or use a session-only store."
            ) from exc
        except _stack_errors() as exc:
            raise KeyringUnavailable(
                f"The keyring ({self.description}) failed: {exc or type(exc).__name__}; unlock or "
                "repair it, or use a session-only store."
            ) from exc


class SessionStore(CredentialStore):
    """Secrets in this process's memory only; nothing survives the app."""

    kind = "session"
    description = "session-only (in memory, forgotten at exit)"

    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        self._lock = threading.Lock()
        self._values: dict[tuple[str, str], str] = {}

    def get(self, key: CredentialKey) -> str | None:
        with self._lock:
            return self._values.get((key.service, key.slot))

    def set(self, key: CredentialKey, value: str) -> None:
        with self._lock:
            self._values[(key.service, key.slot)] = value

    def delete(self, key: CredentialKey) -> bool:
        with self._lock:
            return self._values.pop((key.service, key.slot), None) is not None


def env_name_for(provider: str, environment: str, slot: str) -> str:
    """The environment variable ``--secrets-from-env`` reads a slot or secret variable from:
    ``API_EXPLORER_<PROVIDER>_<ENVIRONMENT>_<SLOT>``, upper-cased, every run of other
    characters than ASCII letters and digits as one ``_``; a collection's own secrets (no
    environment) are ``API_EXPLORER_COLLECTION_<FOLDER>_<NAME>``. Stable: CI scripts spell it."""
    parts = ("API_EXPLORER", provider, environment, slot)
    words = (re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_").upper() for part in parts)
    return "_".join(word for word in words if word)


class EnvironmentStore(CredentialStore):
    """Secrets read from environment variables (``--secrets-from-env``, for CI without a
    keyring); opt-in, read-only: the user's values are never written anywhere. Tokens the
    provider issues during the run (a rotated refresh token) live in memory until exit."""

    kind = "environment"
    description = "environment variables (read-only)"

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._issued = SessionStore()

    def source_of(self, key: CredentialKey) -> str:
        return env_name_for(key.provider, key.environment, key.slot)

    def get(self, key: CredentialKey) -> str | None:
        if key.slot in ISSUED_SLOTS:
            issued = self._issued.get(key)
            if issued is not None:
                return issued
        return self._environ.get(self.source_of(key)) or None

    def set(self, key: CredentialKey, value: str) -> None:
        if key.slot not in ISSUED_SLOTS:
            raise UsageError(
                f"Secrets from the environment are read-only; set {self.source_of(key)} instead."
            )
        self._issued.set(key, value)

    def delete(self, key: CredentialKey) -> bool:
        if key.slot not in ISSUED_SLOTS:
            raise UsageError(
                f"Secrets from the environment are read-only; unset {self.source_of(key)} instead."
            )
        return self._issued.delete(key)


def open_credential_store(
    *, allow_session: bool = False, backend: KeyringBackend | None = None
) -> CredentialStore:
    """The OS keyring, probed; or, only when ``allow_session``, a session store naming why."""
    try:
        store = KeyringStore(backend)
        store.probe()
    except KeyringUnavailable as exc:
        if allow_session:
            return SessionStore(reason=str(exc))
        raise
    return store


def _secret_service_unreachable() -> str | None:
    """Why keyring passed over the Secret Service (D-Bus unreachable, no daemon), when that is
    why it fell back to a plaintext or failing backend; None where the Secret Service stack is
    not installed (macOS, Windows) or the user chose the backend (``PYTHON_KEYRING_BACKEND``,
    ``keyringrc.cfg``), and then the weak backend itself is the problem to report."""
    import keyring.core

    try:
        from keyring.backends import SecretService
    except ImportError:
        return None
    if keyring.core.load_env() is not None or keyring.core.load_config() is not None:
        return None
    unreachable: tuple[type[Exception], ...] = (RuntimeError, OSError, *_service_gone())
    try:
        SecretService.Keyring.priority  # noqa: B018 (the probe keyring itself runs)
    except unreachable as exc:
        reason = str(exc).removeprefix("Unable to initialize SecretService: ").rstrip(".")
        return reason or type(exc).__name__
    return None


def _service_gone() -> tuple[type[Exception], ...]:
    """What the Secret Service stack raises, outside keyring's own errors, when its D-Bus
    session or daemon has gone away under a running session (a refused bus socket is
    secretstorage's ``SecretServiceNotAvailableException``; a daemon dying mid-call, jeepney's
    ``DBusErrorResponse``). Empty where that stack is not installed (macOS, Windows)."""
    errors: list[type[Exception]] = []
    try:
        from secretstorage.exceptions import SecretServiceNotAvailableException

        errors.append(SecretServiceNotAvailableException)
    except ImportError:
        pass
    try:
        from jeepney.wrappers import DBusErrorResponse

        errors.append(DBusErrorResponse)
    except ImportError:
        pass
    return tuple(errors)


def _stack_errors() -> tuple[type[Exception], ...]:
    """keyring's own errors, I/O errors, and any other error of the Secret Service stack (an
    item or collection it cannot open)."""
    from keyring.errors import KeyringError

    try:
        from secretstorage.exceptions import SecretStorageException
    except ImportError:
        return (KeyringError, EOFError, OSError)
    return (KeyringError, EOFError, OSError, SecretStorageException)


def _strongest(backend: KeyringBackend) -> KeyringBackend:
    """Unchain keyring's ``ChainerBackend``: it writes to the first backend that accepts, so a
    locked Secret Service would silently send the secret on to a plaintext file keyring."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend) and backend.backends:
        first: KeyringBackend = backend.backends[0]
        return first
    return backend


ISSUED_SLOTS = ("refresh_token", "access_token")
"""Slots the provider fills (a rotated refresh token, an opt-in kept access token): they belong
to the identity that obtained them."""


def write_slot(store: CredentialStore, key: CredentialKey, value: str | None) -> None:
    """Store (or, with None, delete) one slot, wherever credentials are edited (the window,
    ``credentials set|delete``). Changing the identity (user, password, client id or secret,
    static token, key) also deletes the tokens issued to the old one, so the next send makes a
    new grant with the new values instead of refreshing the old user's session."""
    if value is None:
        store.delete(key)
    else:
        store.set(key, value)
    if key.slot not in ISSUED_SLOTS:
        for issued in ISSUED_SLOTS:
            store.delete(_with_slot(key, issued))


def _with_slot(base: CredentialKey, slot: str) -> CredentialKey:
    return CredentialKey(base.workspace_id, base.provider, base.environment, slot)
