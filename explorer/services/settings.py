"""The settings dialog's service: reads and writes ``core.settings`` on the disk thread (so
writes land in order), keeps the proxy password in the credential store, and hands the saved
settings to the running core's ``Workbench`` so the next send uses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from explorer.core.settings import AppSettings
    from explorer.services.core import Core

__all__ = ["CoreSettings", "SettingsService", "apply_at_start", "history_days"]


class SettingsService(Protocol):
    def load(self) -> Future[AppSettings]:
        """The saved settings (the defaults without a file); ``SettingsError`` when the file
        cannot be used."""
        ...

    def save(
        self,
        settings: AppSettings,
        proxy_password: str | None,
        environment_passwords: Mapping[str, str] | None = None,
    ) -> Future[AppSettings]:
        """Check and write ``settings``, store ``proxy_password`` when one is given (None or
        empty keeps the stored one) and each environment proxy's password given in
        ``environment_passwords`` (by ``provider/environment``), forget the passwords of the
        environment proxies no longer there, and send with them from now on."""
        ...


class CoreSettings:
    """``SettingsService`` over the settings file and the core once it is up."""

    def __init__(self, disk: Executor, ready: Future[Core], path: Path | None = None) -> None:
        self._disk = disk
        self._ready = ready
        self._path = path

    def load(self) -> Future[AppSettings]:
        from explorer.core.settings import load_settings

        return self._disk.submit(load_settings, self._path)

    def save(
        self,
        settings: AppSettings,
        proxy_password: str | None,
        environment_passwords: Mapping[str, str] | None = None,
    ) -> Future[AppSettings]:
        return self._disk.submit(self._save, settings, proxy_password, environment_passwords)

    def _save(
        self,
        settings: AppSettings,
        proxy_password: str | None,
        environment_passwords: Mapping[str, str] | None,
    ) -> AppSettings:
        from explorer.core.settings import (
            SettingsError,
            load_settings,
            proxy_password_key,
            save_settings,
        )

        passwords = {k: v for k, v in (environment_passwords or {}).items() if v}
        if proxy_password and not settings.proxy.username:
            raise SettingsError("A proxy password needs the proxy user it belongs to.")
        for key in passwords:
            if not settings.proxy_of(key).username or settings.proxy_of(key) is settings.proxy:
                raise SettingsError(
                    f"The proxy password of {key} needs the proxy user it belongs to."
                )
        try:
            before = {k for k, _ in load_settings(self._path).environment_proxies}
        except SettingsError:
            before = set()
        save_settings(settings, self._path)
        core = self._ready.result()
        if proxy_password:
            core.store.set(proxy_password_key(), proxy_password)
        for key, password in passwords.items():
            core.store.set(proxy_password_key(key), password)
        kept = {k for k, p in settings.environment_proxies if p.username}
        for key in before - kept:
            core.store.delete(proxy_password_key(key))
        core.bench.apply_settings(settings)
        return settings


def history_days() -> int:
    """How many days of history the settings keep (the default when the file cannot be used:
    the core reports it)."""
    from explorer.core.settings import DEFAULT_HISTORY_DAYS, SettingsError, load_settings

    try:
        return load_settings().history_days
    except SettingsError:
        return DEFAULT_HISTORY_DAYS


def apply_at_start(core: Core) -> None:
    """The saved settings applied to a core as it starts; a file that cannot be used leaves the
    defaults and becomes one of the core's problems (shown in the window)."""
    from explorer.core.settings import SettingsError, load_settings

    try:
        core.bench.apply_settings(load_settings())
    except SettingsError as exc:
        core.problems.append(exc.message)
