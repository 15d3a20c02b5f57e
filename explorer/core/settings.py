"""The application's settings: the defaults every send starts from (timeouts, redirects, TLS
verification, a CA bundle and client certificate, a proxy), the theme and how long history is
kept, in one JSON file of the user's configuration folder (docs/workspace.md "Settings").

They are defaults: the one engine applies them (``context.with_defaults`` for a request's
options, ``http.network.Network`` for the proxy and the TLS files) in the window, ``send``,
``run`` and snippets alike. The proxy password never enters the file: it lives in the
credential store under ``proxy_password_key`` and is read when a proxied request is sent.
"""

from __future__ import annotations

import enum
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from explorer.core.errors import ExplorerError
from explorer.core.models import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_READ_TIMEOUT,
)

if TYPE_CHECKING:
    from explorer.core.credentials import CredentialKey

__all__ = [
    "PROXY_SCHEMES",
    "AppSettings",
    "ProxySettings",
    "RequestDefaults",
    "SettingsError",
    "Theme",
    "load_settings",
    "proxy_password_key",
    "save_settings",
    "settings_path",
]

FORMAT_VERSION = 1
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
DEFAULT_HISTORY_DAYS = 30
"""As ``workspace.history.DEFAULT_RETENTION_DAYS`` (not imported: it would load the workspace
package at start-up)."""


class SettingsError(ExplorerError):
    """The settings file cannot be read, or a value cannot be used; one sentence naming it."""

    exit_status = 2


class Theme(enum.StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class RequestDefaults:
    """What a request's ``options:`` start from; a request's own value wins when it differs
    from the built-in default (``context.with_defaults``)."""

    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    follow_redirects: bool = True
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    verify_tls: bool = True


@dataclass(frozen=True, slots=True)
class ProxySettings:
    """A proxy URL (``http``, ``https``, ``socks5`` or ``socks5h``) with an optional user, whose
    password is in the credential store; hosts that go direct (``no_proxy``: names, domain
    suffixes such as ``.example.com``, ``*``); and whether ``HTTP(S)_PROXY`` / ``NO_PROXY`` apply
    when no proxy URL is set (``use_environment``)."""

    url: str = ""
    username: str = ""
    no_proxy: tuple[str, ...] = ()
    use_environment: bool = True

    def problem(self) -> str | None:
        """Why this proxy cannot be used, or None."""
        if not self.url:
            return "a proxy user needs a proxy URL" if self.username else None
        parts = urlsplit(self.url)
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
            return (
                f"the proxy '{self.url}' is not a URL like http://host:3128 "
                f"(schemes: {', '.join(PROXY_SCHEMES)})"
            )
        if parts.username or parts.password:
            return "give the proxy user in its own field, not in the URL"
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            return f"the proxy '{self.url}' has an invalid port"
        return None


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Everything the settings dialog edits. ``environment_proxies`` maps an environment
    (``provider/environment``, as the credential store keys it) to the proxy its requests use
    instead of ``proxy``."""

    requests: RequestDefaults = field(default_factory=RequestDefaults)
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""
    proxy: ProxySettings = field(default_factory=ProxySettings)
    environment_proxies: tuple[tuple[str, ProxySettings], ...] = ()
    theme: Theme = Theme.SYSTEM
    history_days: int = DEFAULT_HISTORY_DAYS

    def problem(self) -> str | None:
        """The first value that cannot be used, as one sentence, or None."""
        req = self.requests
        if not (0 < req.connect_timeout <= 3600 and 0 < req.read_timeout <= 86400):
            return "Timeouts must be more than 0 s (connect up to 1 hour, read up to 1 day)."
        if not 0 <= req.max_redirects <= 100:
            return "The most redirects to follow must be between 0 and 100."
        if not 1 <= self.history_days <= 3650:
            return "History is kept between 1 and 3650 days."
        if self.client_key and not self.client_cert:
            return "A client key needs the client certificate it belongs to."
        for label, value in self._files():
            if value and not Path(value).expanduser().exists():
                return f"The {label} '{value}' does not exist; check the path."
        for where, proxy in (("", self.proxy), *self._named_proxies()):
            problem = proxy.problem()
            if problem is not None:
                return f"The proxy{where} cannot be used: {problem}."
        return self._environment_problem()

    def _environment_problem(self) -> str | None:
        """An environment proxy named wrongly (not ``provider/environment``) or twice."""
        seen: set[str] = set()
        for key, _proxy in self.environment_proxies:
            provider, _, name = key.partition("/")
            if not provider.strip() or not name.strip():
                return f"The environment proxy '{key}' needs a provider and an environment."
            if key.lower() in seen:
                return f"The environment {key} has two proxies; keep one."
            seen.add(key.lower())
        return None

    def _files(self) -> tuple[tuple[str, str], ...]:
        return (
            ("CA bundle", self.ca_bundle),
            ("client certificate", self.client_cert),
            ("client key", self.client_key),
        )

    def _named_proxies(self) -> tuple[tuple[str, ProxySettings], ...]:
        return tuple((f" of {key}", proxy) for key, proxy in self.environment_proxies)

    def proxy_of(self, environment: str | None) -> ProxySettings:
        """The proxy of ``environment`` (``provider/environment``): its own, else the default."""
        wanted = (environment or "").lower()
        return next((p for k, p in self.environment_proxies if k.lower() == wanted), self.proxy)


def proxy_password_key(environment: str | None = None) -> CredentialKey:
    """Where the credential store keeps the password of the default proxy's user, or of
    ``environment``'s own proxy (``provider/environment``)."""
    from explorer.core.credentials import CredentialKey

    return CredentialKey("app", "proxy", environment or "default", "password")


def settings_path() -> Path:
    """``settings.json`` in the user's configuration folder (``API_EXPLORER_HOME/config`` in
    tests)."""
    override = os.environ.get("API_EXPLORER_HOME")
    if override:
        return Path(override) / "config" / "settings.json"
    from platformdirs import user_config_path

    return user_config_path("api-explorer", appauthor=False) / "settings.json"


def load_settings(path: Path | None = None) -> AppSettings:
    """The saved settings, or the defaults when there is no file; a file that cannot be read
    or holds a wrong value is one ``SettingsError`` naming it (the file is left as it is)."""
    where = path or settings_path()
    try:
        text = where.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppSettings()
    except OSError as exc:
        raise SettingsError(
            f"The settings file '{where}' cannot be read ({exc.strerror})."
        ) from exc
    try:
        return _from_json(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SettingsError(
            f"The settings file '{where}' is not valid ({exc}); fix it or delete it to start "
            "from the defaults."
        ) from exc


def save_settings(settings: AppSettings, path: Path | None = None) -> Path:
    """Write ``settings`` atomically (readers see the old file or the new one); a value that
    cannot be used is refused first, with one sentence."""
    from explorer.core.workspace.yamlio import write_text_atomic

    problem = settings.problem()
    if problem is not None:
        raise SettingsError(problem)
    where = path or settings_path()
    write_text_atomic(where, json.dumps(_to_json(settings), indent=2) + "\n")
    return where


def _to_json(settings: AppSettings) -> dict[str, object]:
    data = asdict(settings)
    data["environment_proxies"] = {k: asdict(p) for k, p in settings.environment_proxies}
    data["theme"] = settings.theme.value
    return {"version": FORMAT_VERSION, **data}


def _proxy(raw: object) -> ProxySettings:
    if not isinstance(raw, dict):
        raise ValueError("a proxy must be a mapping")
    no_proxy = raw.get("no_proxy", ())
    if not isinstance(no_proxy, list | tuple) or not all(isinstance(h, str) for h in no_proxy):
        raise ValueError("no_proxy must be a list of host names")
    return ProxySettings(
        url=_text(raw.get("url", "")),
        username=_text(raw.get("username", "")),
        no_proxy=tuple(no_proxy),
        use_environment=_flag(raw.get("use_environment", True)),
    )


def _from_json(data: object) -> AppSettings:
    if not isinstance(data, dict):
        raise ValueError("the top level must be a mapping")
    req = data.get("requests", {})
    if not isinstance(req, dict):
        raise ValueError("requests must be a mapping")
    defaults = RequestDefaults(
        connect_timeout=_number(req.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)),
        read_timeout=_number(req.get("read_timeout", DEFAULT_READ_TIMEOUT)),
        follow_redirects=_flag(req.get("follow_redirects", True)),
        max_redirects=int(_number(req.get("max_redirects", DEFAULT_MAX_REDIRECTS))),
        verify_tls=_flag(req.get("verify_tls", True)),
    )
    named = data.get("environment_proxies", {})
    if not isinstance(named, dict):
        raise ValueError("environment_proxies must map environments to proxies")
    return AppSettings(
        requests=defaults,
        ca_bundle=_text(data.get("ca_bundle", "")),
        client_cert=_text(data.get("client_cert", "")),
        client_key=_text(data.get("client_key", "")),
        proxy=_proxy(data.get("proxy", {})),
        environment_proxies=tuple((str(k), _proxy(v)) for k, v in named.items()),
        theme=Theme(data.get("theme", Theme.SYSTEM.value)),
        history_days=int(_number(data.get("history_days", DEFAULT_HISTORY_DAYS))),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    return float(value)
