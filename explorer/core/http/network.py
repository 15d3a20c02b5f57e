"""The settings' network defaults as ``HttpClient`` applies them to every hop it sends (API
calls, token calls, runs alike): which proxy a URL goes through, and the CA bundle and client
certificate a request that names none of its own uses.

Which proxy: the environment's own proxy when the URL's origin is one of that environment's
(its base URL or token URL), else the default one. A host on the proxy's ``no_proxy`` list goes
direct. Without a proxy URL, ``HTTP(S)_PROXY`` / ``NO_PROXY`` apply when ``use_environment`` is
on (requests' ``trust_env``), and nothing does when it is off. A proxy user's password is read
from the credential store on first use (``password``), put into the proxy URL only as the
request goes out and remembered by ``redaction`` so no log or error shows it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlsplit

from explorer.core.errors import ConnectError

if TYPE_CHECKING:
    from explorer.core.models import ResolvedRequest
    from explorer.core.settings import AppSettings
    from explorer.core.tls import TlsFiles

__all__ = [
    "DIRECT",
    "Network",
    "PasswordReader",
    "ProxyRoute",
    "bypassed",
    "origin_of",
    "proxy_failure",
]

PasswordReader = Callable[[str | None], "str | None"]
"""The stored password of the default proxy's user (None) or of an environment's proxy."""
DIRECT: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class ProxyRoute:
    """How a hop to a URL leaves (``kind``): through the proxy ``url`` (its user
    ``username``, whose password the credential store keeps under ``environment``'s key, None
    for the default proxy), ``direct``, or as the process environment's ``HTTP(S)_PROXY`` /
    ``NO_PROXY`` say. Sends and snippets both follow it."""

    kind: Literal["proxy", "direct", "process-environment"]
    url: str = ""
    username: str = ""
    environment: str | None = None


GO_DIRECT = ProxyRoute("direct")
AS_PROCESS_ENVIRONMENT = ProxyRoute("process-environment")


def origin_of(url: str) -> str:
    """``scheme://host:port`` of ``url``, lower-cased, the port made explicit."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    port = port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def bypassed(host: str, no_proxy: tuple[str, ...]) -> bool:
    """Whether ``host`` is on a ``no_proxy`` list: ``*``, the name itself, or a domain suffix
    (``example.com`` and ``.example.com`` both cover ``api.example.com``)."""
    host = host.lower().rstrip(".")
    for entry in (e.strip().lower().rstrip(".") for e in no_proxy):
        if entry == "*" or host == entry.lstrip("."):
            return True
        if entry and host.endswith("." + entry.lstrip(".")):
            return True
    return False


@dataclass
class Network:
    """What the client adds to every send; the empty one changes nothing."""

    settings: AppSettings | None = None
    origins: Mapping[str, str] = field(default_factory=dict)
    """Origin → environment (``provider/environment``) whose own proxy it uses."""
    password: PasswordReader | None = None
    _passwords: dict[str | None, str | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def presenting(self, request: ResolvedRequest) -> ResolvedRequest:
        """``request`` with the settings' CA bundle and client certificate where it has none of
        its own (a command-line, environment, collection or preset file wins)."""
        if self.settings is None:
            return request
        ca, cert, key = self._files(
            request.ca_bundle, request.client_cert, request.client_key, request.client_cert
        )
        return replace(request, ca_bundle=ca, client_cert=cert, client_key=key)

    def filling(self, files: TlsFiles) -> TlsFiles:
        """``files`` (what a snippet names) completed as ``presenting`` completes a send."""
        identity = files.client_cert or files.pkcs12
        ca, cert, key = self._files(files.ca_bundle, files.client_cert, files.client_key, identity)
        return replace(files, ca_bundle=ca, client_cert=cert, client_key=key)

    def _files(
        self, ca: str | None, cert: str | None, key: str | None, identity: str | None
    ) -> tuple[str | None, str | None, str | None]:
        settings = self.settings
        if settings is None:
            return ca, cert, key
        if settings.ca_bundle and ca is None:
            ca = settings.ca_bundle
        if settings.client_cert and identity is None:
            cert, key = settings.client_cert, settings.client_key or None
        return ca, cert, key

    def route(self, url: str) -> ProxyRoute:
        """How a hop to ``url`` leaves: the proxy of the environment whose origin ``url`` is on,
        else the default one; direct for a ``no_proxy`` host or when the process environment
        is switched off; the process environment's proxy variables without a proxy URL."""
        settings = self.settings
        if settings is None:
            return AS_PROCESS_ENVIRONMENT
        environment = self.origins.get(origin_of(url))
        proxy = settings.proxy_of(environment)
        if not proxy.url:
            return AS_PROCESS_ENVIRONMENT if proxy.use_environment else GO_DIRECT
        if bypassed(urlsplit(url).hostname or "", proxy.no_proxy):
            return GO_DIRECT
        own = environment if proxy is not settings.proxy else None
        return ProxyRoute("proxy", proxy.url, proxy.username, own)

    def proxies_for(self, url: str) -> dict[str, str] | None:
        """The proxies mapping for a hop to ``url``: None leaves it to requests (the process
        environment's proxy variables), an empty mapping goes direct."""
        route = self.route(url)
        if route.kind != "proxy":
            return DIRECT if route.kind == "direct" else None
        address = self._with_user(route)
        return {"http": address, "https": address}

    def password_of(self, route: ProxyRoute) -> str | None:
        """The stored password of ``route``'s proxy user (read once, remembered by redaction)."""
        return self._password(route.environment) if route.username else None

    def _with_user(self, route: ProxyRoute) -> str:
        if not route.username:
            return route.url
        secret = self._password(route.environment)
        parts = urlsplit(route.url)
        user = quote(route.username, safe="")
        login = user if secret is None else f"{user}:{quote(secret, safe='')}"
        return parts._replace(netloc=f"{login}@{parts.netloc}").geturl()

    def _password(self, environment: str | None) -> str | None:
        with self._lock:
            if environment not in self._passwords:
                found = self.password(environment) if self.password is not None else None
                if found:
                    from explorer.core.redaction import remember

                    remember([found])
                self._passwords[environment] = found
            return self._passwords[environment]


def proxy_failure(proxies: Mapping[str, str], url: str, detail: str) -> ConnectError:
    """One sentence naming the proxy (host and port, never its user or password) that failed
    the connection to ``url``."""
    address = urlsplit(proxies.get(urlsplit(url).scheme) or next(iter(proxies.values()), ""))
    where = f"{address.hostname}:{address.port}" if address.port else str(address.hostname)
    target = urlsplit(url).netloc.rpartition("@")[2]
    return ConnectError(
        f"The proxy {where} refused or failed the connection to {target}: {detail}; check the "
        "proxy in Settings (or HTTP(S)_PROXY)."
    )
