"""The shape every simulated vendor has, and the runtime services the server hands it.

A vendor owns its environments (each with separate credentials, token store and rate buckets),
its switchable settings, and one ``handle`` entry point. The server does the rest: routing by
prefix, the lock, fault injection, stats and the request log.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from explorer.sandbox.kit import Setting, SimClock, SimRequest, SimResponse

log = logging.getLogger("explorer.sandbox")
DEMO_SLOTS = ("username", "password", "client_id", "client_secret", "subscription_key")


@dataclass(slots=True)
class Runtime:
    """Services shared by all vendors: the simulated clock, the ``--token-ttl`` override and a
    channel for console notes (the OTPs Procode "sends")."""

    clock: SimClock
    token_ttl: float | None = None
    notes: list[str] = field(default_factory=list)
    on_note: Callable[[str], None] | None = None

    def ttl(self, vendor_default: float) -> float:
        return self.token_ttl if self.token_ttl is not None else vendor_default

    def note(self, text: str) -> None:
        self.notes.append(text)
        del self.notes[:-100]
        log.info("%s", text)
        if self.on_note is not None:
            self.on_note(text)


class Vendor:
    """Base of the five simulators. Subclasses set the class attributes and implement
    ``seed``, ``handle`` and ``describe``."""

    id: str = ""
    name: str = ""
    #: URL prefix after ``/{id}/`` → environment key (ServiceChannel maps two prefixes to one env).
    prefixes: dict[str, str] = {}
    settings_spec: dict[str, Setting] = {}
    plain_http: dict[str, Any] = {}
    #: The environment the built-in preset's ``Sandbox (local)`` points at.
    demo_env: str = ""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.settings: dict[str, Any] = {}
        self.reset()

    @property
    def environments(self) -> list[str]:
        return list(dict.fromkeys(self.prefixes.values()))

    def reset(self) -> None:
        self.settings = {
            name: copy.deepcopy(spec.default) for name, spec in self.settings_spec.items()
        }
        self.seed()

    def now(self) -> float:
        return self.rt.clock.now()

    def seed(self) -> None:
        raise NotImplementedError

    def apply_settings(self) -> None:
        """Push changed settings into live state (limiter sizes ...); most vendors read them
        per request and need nothing here."""

    def handle(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        raise NotImplementedError

    def describe(self, env: str, base: str) -> dict[str, Any]:
        """The info entry of one environment; ``base`` is ``{sandbox}/{vendor id}``."""
        raise NotImplementedError

    def revoke(self, env: str, *, refresh: bool) -> int:
        raise NotImplementedError

    def demo_slots(self, env: str, base: str) -> dict[str, str]:
        """Credential-slot values for the preset's ``Sandbox (local)`` environment, keyed by the
        preset's slot names, so ``--demo`` can store them as they are."""
        credentials = self.describe(env, base)["credentials"]
        return {
            name: str(value)
            for name, value in credentials.items()
            if name in DEMO_SLOTS and isinstance(value, str) and value
        }
