"""The simulator's shared state: the five vendors, per-environment counters, the request log and
the injected faults, all behind one lock so counts stay exact under concurrent load."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from explorer.sandbox.flexiti import Flexiti
from explorer.sandbox.kit import SimClock
from explorer.sandbox.pce import Pce
from explorer.sandbox.priceedge import PriceEdge
from explorer.sandbox.procode import Procode
from explorer.sandbox.servicechannel import ServiceChannel
from explorer.sandbox.vendor import Runtime, Vendor

VENDORS: tuple[type[Vendor], ...] = (Pce, Procode, PriceEdge, ServiceChannel, Flexiti)
LOG_SIZE = 1000


@dataclass(slots=True)
class Faults:
    """Faults injected into one provider's traffic (token endpoints included)."""

    latency_ms: int = 0
    error_rate: float = 0.0
    error_next: int = 0
    error_status: int = 503
    malformed_json: bool = False
    drop_connection: bool = False
    malformed_rate: float = 0.0
    drop_rate: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Counters:
    token_requests: dict[str, int] = field(default_factory=dict)
    api_calls: int = 0
    status_401: int = 0
    status_429: int = 0
    status_5xx: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "token_requests": dict(self.token_requests),
            "token_requests_total": sum(self.token_requests.values()),
            "api_calls": self.api_calls,
            "status_401": self.status_401,
            "status_429": self.status_429,
            "status_5xx": self.status_5xx,
        }


class State:
    """Everything one running sandbox knows; ``lock`` guards all of it."""

    def __init__(self, token_ttl: float | None, on_note: Any = None) -> None:
        self.lock = threading.RLock()
        self.clock = SimClock()
        self.runtime = Runtime(self.clock, token_ttl, on_note=on_note)
        self.vendors: dict[str, Vendor] = {cls.id: cls(self.runtime) for cls in VENDORS}
        self.base_url = ""
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.clock.offset = 0.0
            for vendor in self.vendors.values():
                vendor.reset()
            self.faults = {vid: Faults() for vid in self.vendors}
            self.counters = {
                vid: {env: Counters() for env in v.environments} for vid, v in self.vendors.items()
            }
            self.log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
            self.seq = 0
            self.random = random.Random(20261123)  # noqa: S311 - reproducible fault draws, not crypto
            self.runtime.notes.clear()

    def record(  # noqa: PLR0917 - one log row's columns
        self,
        method: str,
        path: str,
        provider: str | None,
        env: str | None,
        status: int,
        rule: str,
        grant: str | None,
        client: str,
    ) -> None:
        """Count one answered request and append it to the log (call with the lock held)."""
        if provider is not None and env is not None:
            counters = self.counters[provider][env]
            if grant is not None:
                counters.token_requests[grant] = counters.token_requests.get(grant, 0) + 1
            else:
                counters.api_calls += 1
            if status == 401:
                counters.status_401 += 1
            elif status == 429:
                counters.status_429 += 1
            elif status >= 500:
                counters.status_5xx += 1
        self.seq += 1
        self.log.append(
            {
                "seq": self.seq,
                "time": self.clock.iso(),
                "method": method,
                "path": path,
                "provider": provider,
                "environment": env,
                "status": status,
                "rule": rule,
                "client": client,
            }
        )

    def info(self) -> dict[str, Any]:
        with self.lock:
            providers = {}
            for vid, vendor in self.vendors.items():
                base = f"{self.base_url}/{vid}"
                providers[vid] = {
                    "name": vendor.name,
                    "plain_http": vendor.plain_http,
                    "settings": dict(vendor.settings),
                    "environments": {
                        env: vendor.describe(env, base) for env in vendor.environments
                    },
                    "demo": {
                        "environment": vendor.demo_env,
                        "preset_environment": "Sandbox (local)",
                        "slots": vendor.demo_slots(vendor.demo_env, base),
                    },
                }
            return {
                "sandbox": {
                    "base_url": self.base_url,
                    "now": self.clock.iso(),
                    "clock_offset_s": self.clock.offset,
                    "token_ttl_s": self.runtime.token_ttl,
                    "notes": list(self.runtime.notes),
                },
                "providers": providers,
            }
