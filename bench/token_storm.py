"""Token storm: 200 concurrent calls through one ``ApiSession`` on an expired token.

The embedded sandbox's PriceEdge environment counts token requests at the server. One warm-up
call acquires a token; the clock (client and sandbox together) then jumps past its lifetime and
200 threads released by a barrier send at once. Prints the token requests the storm caused
(must be exactly 1) and the added latency: the storm's median and p95 per-call time against the
same storm on a fresh token, over interleaved rounds.

    .venv/bin/python bench/token_storm.py [--calls 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import median
from explorer.core.auth import TokenRegistry
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.providers import AuthConfig, Environment, ProviderProfile
from explorer.core.ratelimit import LimiterRegistry
from explorer.sandbox import start_sandbox

ENV = "sandbox"
SPEC = RequestSpec("GET", "/api/tables/item")


class Storm:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.offset = 0.0

    def control(self, name: str, body: dict[str, Any] | None = None, query: str = "") -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}/_sandbox/{name}{query}", data=data)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def clock(self) -> float:
        return time.time() + self.offset

    def session(self, client: HttpClient) -> ApiSession:
        info = self.control("info")["providers"]["priceedge"]["environments"][ENV]
        profile = ProviderProfile(
            id="priceedge",
            name="PriceEdge",
            auth=AuthConfig(
                kind="oauth2-password",
                token_url="{{base_url}}/token",
                client_id="{{client_id}}",
                extra_headers=(("client_id", "{{client_id}}"),),
            ),
            environments=(Environment(ENV, info["base_url"]),),
        )
        store = SessionStore()
        for slot, value in info["credentials"].items():
            if isinstance(value, str) and value:
                store.set(CredentialKey("bench", "priceedge", ENV, slot), value)
        return ApiSession(
            profile,
            ENV,
            store=store,
            workspace_id="bench",
            client=client,
            limiters=LimiterRegistry(),
            tokens=TokenRegistry(),
            clock=self.clock,
        )

    def token_requests(self) -> int:
        stats = self.control("stats", query="?provider=priceedge")
        return int(stats["priceedge"][ENV]["token_requests_total"])

    def burst(self, session: ApiSession, calls: int, *, expire: bool) -> tuple[list[float], int]:
        """Per-call seconds of ``calls`` simultaneous sends, and the token requests they made."""
        if expire:
            self.control("clock", {"advance": 4000})
            self.offset += 4000
        before = self.token_requests()
        gate = threading.Barrier(calls)

        def call(_: int) -> float:
            gate.wait()
            started = time.perf_counter()
            status = session.send(SPEC).exchange.response.status
            assert status == 200, status
            return time.perf_counter() - started

        with ThreadPoolExecutor(calls) as pool:
            took = list(pool.map(call, range(calls)))
        return took, self.token_requests() - before


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(len(ordered) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sandbox = start_sandbox(port=0)
    client = HttpClient()
    storm = Storm(sandbox.base_url)
    rows: list[tuple[float, float, float, float]] = []
    counts: list[int] = []
    try:
        session = storm.session(client)
        session.send(SPEC)  # acquire the token and open connections
        for round_no in range(args.rounds):
            order = (True, False) if round_no % 2 == 0 else (False, True)
            measured: dict[bool, list[float]] = {}
            for expire in order:
                took, tokens = storm.burst(session, args.calls, expire=expire)
                measured[expire] = took
                if expire:
                    counts.append(tokens)
            storm_med, fresh_med = median(measured[True]), median(measured[False])
            rows.append((storm_med, fresh_med, p95(measured[True]), p95(measured[False])))
            print(
                f"round {round_no + 1}: token requests {counts[-1]}   per call median "
                f"{storm_med * 1000:6.1f} ms (fresh token {fresh_med * 1000:6.1f} ms)   p95 "
                f"{rows[-1][2] * 1000:6.1f} ms ({rows[-1][3] * 1000:6.1f} ms)"
            )
    finally:
        client.close()
        sandbox.stop()
    added = median([r[0] - r[1] for r in rows]) * 1000
    added_p95 = median([r[2] - r[3] for r in rows]) * 1000
    print(
        f"{args.calls} concurrent calls on an expired token: token requests per storm "
        f"{sorted(set(counts))} (target exactly 1); added latency median {added:.1f} ms, "
        f"p95 {added_p95:.1f} ms (median of {args.rounds} rounds)"
    )
    return 0 if set(counts) == {1} else 1


if __name__ == "__main__":
    sys.exit(main())
