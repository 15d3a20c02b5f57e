"""The jar viewer's service: the core workbench's cookie jars (``explorer.core.cookies``),
listed, deleted and cleared on the disk thread (a delete rewrites ``cookies.json`` while
persistence is on), and the persistence switch the settings dialog calls.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from explorer.core.cookies import CookieJars, CookiePolicy, CookieRecord, JarScope
    from explorer.services.core import Core

__all__ = ["CookieService", "CoreCookies"]


class CookieService(Protocol):
    def scopes(self) -> Future[list[JarScope]]:
        """The environments whose jars hold cookies."""
        ...

    def list(self, scope: JarScope) -> Future[list[CookieRecord]]: ...

    def delete(self, scope: JarScope, cookie: CookieRecord) -> Future[None]: ...

    def clear(self, scope: JarScope) -> Future[None]: ...

    def policy(self) -> Future[CookiePolicy]: ...

    def set_policy(self, policy: CookiePolicy) -> Future[CookiePolicy]:
        """Keep the jars in the workspace's ``cookies.json`` (credential-looking cookies never)
        or stop and delete the file."""
        ...


class CoreCookies:
    """``CookieService`` over the core's ``Workbench.cookies`` once the core is up."""

    def __init__(self, disk: Executor, ready: Future[Core]) -> None:
        self._disk = disk
        self._ready = ready

    def _jars(self) -> CookieJars:
        return self._ready.result().bench.cookies

    def scopes(self) -> Future[list[JarScope]]:
        return self._disk.submit(lambda: self._jars().scopes())

    def list(self, scope: JarScope) -> Future[list[CookieRecord]]:
        return self._disk.submit(lambda: self._jars().list(scope))

    def delete(self, scope: JarScope, cookie: CookieRecord) -> Future[None]:
        return self._disk.submit(lambda: self._jars().delete(scope, cookie))

    def clear(self, scope: JarScope) -> Future[None]:
        return self._disk.submit(lambda: self._jars().clear(scope))

    def policy(self) -> Future[CookiePolicy]:
        return self._disk.submit(lambda: self._jars().policy)

    def set_policy(self, policy: CookiePolicy) -> Future[CookiePolicy]:
        def apply() -> CookiePolicy:
            jars = self._jars()
            jars.set_policy(policy)
            return jars.policy

        return self._disk.submit(apply)
