"""Core overhead per request: ``HttpClient`` (resolve + send) vs a bare ``requests.Session``.

1,000 sequential GETs to the same local keep-alive server, in interleaved rounds (alternating
which side goes first) so drift on the machine hits both sides alike. Prints each round and the
median ratio ours/bare (target ≤ 1.10).

    .venv/bin/python bench/core_overhead.py [--requests 1000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench._common import median, small_server
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.templating import Layer, Scope, resolve


def bare(url: str, count: int) -> float:
    session = requests.Session()
    started = time.perf_counter()
    for _ in range(count):
        response = session.get(url, timeout=(10, 60))
        assert response.status_code == 200
        _ = response.content
    elapsed = time.perf_counter() - started
    session.close()
    return elapsed


def ours(url: str, count: int) -> float:
    client = HttpClient()
    spec = RequestSpec(url="{{base}}/item")
    scope = Scope((Layer("env", {"base": url}),))
    started = time.perf_counter()
    for _ in range(count):
        exchange = client.send(resolve(spec, scope))
        assert exchange.response.status == 200
        _ = exchange.response.body.read_bytes()
    elapsed = time.perf_counter() - started
    client.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    ratios: list[float] = []
    with small_server() as base:
        url = f"{base}/item"
        bare(url, 100)
        ours(base, 100)
        for round_no in range(args.rounds):
            if round_no % 2 == 0:
                t_bare, t_ours = bare(url, args.requests), ours(base, args.requests)
            else:
                t_ours, t_bare = ours(base, args.requests), bare(url, args.requests)
            ratios.append(t_ours / t_bare)
            print(
                f"round {round_no + 1}: bare {args.requests / t_bare:7.0f} req/s   "
                f"ours {args.requests / t_ours:7.0f} req/s   ratio {t_ours / t_bare:.3f}"
            )
    ratio = median(ratios)
    print(f"median ratio ours/bare over {args.rounds} rounds: {ratio:.3f} (target <= 1.10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
