"""Real keyring backends for the tests.

``SecretService`` starts a private D-Bus session bus and ``gnome-keyring-daemon`` with its secrets
component unlocked by a throwaway password, in a throwaway HOME and XDG_RUNTIME_DIR, and waits
until ``org.freedesktop.secrets`` is owned on that bus (PLATFORM.md "Keyring"). Its ``env`` is
what a process (or ``keyring``'s SecretService backend) needs to use it. ``plaintext_keyring``
is the second real backend: ``keyrings.alt``'s file keyring confined to a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from keyring.backend import KeyringBackend

BUS_NAME = "org.freedesktop.secrets"


class SecretService:
    def __init__(self, base: Path, dbus_daemon: str, keyring_daemon: str) -> None:
        home, runtime = base / "home", base / "run"
        home.mkdir(parents=True)
        runtime.mkdir(mode=0o700)
        self.home = home
        address = f"unix:path={runtime / 'bus'}"
        self.env = {
            **os.environ,
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "DBUS_SESSION_BUS_ADDRESS": address,
        }
        self._bus = subprocess.Popen(
            [dbus_daemon, "--session", "--nofork", f"--address={address}"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait((runtime / "bus").exists, "the D-Bus session bus")
        self._daemon = subprocess.Popen(
            [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert self._daemon.stdin is not None
        self._daemon.stdin.write(b"throwaway-unlock-password")
        self._daemon.stdin.close()
        self._wait(self._owned, BUS_NAME)

    def _owned(self) -> bool:
        result = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                f"string:{BUS_NAME}",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        return "boolean true" in result.stdout

    def _wait(self, condition: object, what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{what} did not come up within {timeout:g} s")
            time.sleep(0.02)  # polling a daemon's start-up: no event to wait on

    def backend(self) -> KeyringBackend:
        """keyring's SecretService backend; the caller must export ``env``'s bus address."""
        from keyring.backends.SecretService import Keyring

        return Keyring()

    def kill_daemon(self) -> None:
        """SIGKILL gnome-keyring-daemon, leaving the bus up (a crashed keyring)."""
        self._daemon.kill()
        self._daemon.wait(5)

    def kill_bus(self) -> None:
        """SIGKILL the D-Bus session bus (a logged-out or crashed desktop session); the
        keyring daemon loses its bus and exits too."""
        self._bus.kill()
        self._bus.wait(5)

    def stop(self) -> None:
        for process in (getattr(self, "_daemon", None), self._bus):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(5)


@contextmanager
def own_secret_service(folder: Path, why: str) -> Iterator[SecretService]:
    """A Secret Service for one test only, which may kill it (the session's shared one must
    survive); the caller points ``DBUS_SESSION_BUS_ADDRESS`` at it."""
    from tests.support.programs import require

    dbus = require("dbus-daemon", why)
    daemon = require("gnome-keyring-daemon", why)
    require("dbus-send", why)
    started = SecretService(folder, dbus, daemon)
    try:
        yield started
    finally:
        started.stop()


def plaintext_keyring(folder: Path) -> KeyringBackend:
    """keyrings.alt's PlaintextKeyring writing to ``folder`` only (never the user's data dir)."""
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(folder / "keyring_pass.cfg")  # type: ignore[misc]
    return backend
