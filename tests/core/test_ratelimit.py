"""The client-side limiter, quota headers and the retry policy."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

import pytest

from explorer.core.errors import Cancelled
from explorer.core.http.client import CancelToken
from explorer.core.models import Headers
from explorer.core.ratelimit import (
    LimiterRegistry,
    RateLimiter,
    RetryPolicy,
    parse_quota,
    parse_retry_after,
)


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(formatdate(1_000_100.0, usegmt=True), now=1_000_000.0) == 100.0
    assert parse_retry_after(formatdate(999_000.0, usegmt=True), now=1_000_000.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_quota_from_ratelimit_headers() -> None:
    q = parse_quota(
        Headers(
            [("RateLimit-Limit", "1000"), ("RateLimit-Remaining", "3"), ("RateLimit-Reset", "9")]
        ),
        now=500.0,
    )
    assert q is not None
    assert (q.limit, q.remaining, q.reset_at) == (1000, 3, 509.0)


def test_quota_from_x_ratelimit_epoch_reset_and_combined_field() -> None:
    q = parse_quota(
        Headers(
            [
                ("X-RateLimit-Limit", "40"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "1800000000"),
            ]
        ),
        now=1_799_999_990.0,
    )
    assert q is not None
    assert (q.limit, q.remaining, q.reset_at) == (40, 0, 1_800_000_000.0)
    combined = parse_quota(Headers([("RateLimit", "limit=10, remaining=4, reset=2")]), now=0.0)
    assert combined is not None
    assert (combined.limit, combined.remaining, combined.reset_at) == (
        10,
        4,
        2.0,
    )


def test_quota_absent() -> None:
    assert parse_quota(Headers([("Content-Type", "application/json")])) is None


def test_sliding_window_spaces_calls_across_threads() -> None:
    limiter = RateLimiter([(5, 0.4)])
    stamps: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        limiter.acquire()
        with lock:
            stamps.append(time.monotonic())

    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: call(), range(12)))
    stamps.sort()
    # 12 calls at 5 per 0.4 s: the 6th waits for the first window, the 11th for the second.
    assert stamps[4] - start < 0.2
    assert stamps[5] - start >= 0.39
    assert stamps[10] - start >= 0.79
    for i in range(5, 12):
        assert stamps[i] - stamps[i - 5] >= 0.399


def test_retry_after_blocks_every_sender_and_cancel_interrupts() -> None:
    limiter = RateLimiter()
    limiter.block_for(30)
    cancel = CancelToken()
    threading.Timer(0.1, cancel.cancel).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        limiter.acquire(cancel)
    assert time.monotonic() - start < 5


def test_registry_shares_one_limiter_per_provider_environment() -> None:
    registry = LimiterRegistry()
    a = registry.get("pce", "Sandbox", [(1000, 10)])
    assert registry.get("pce", "sandbox", [(1000, 10)]) is a
    assert registry.get("pce", "Live", [(1000, 10)]) is not a


def test_retry_policy_idempotent_only_and_capped() -> None:
    policy = RetryPolicy(max_retries=2, max_wait=10)
    assert policy.delay("GET", 1, 3.0) == 3.0
    assert policy.delay("PUT", 2, None) == 2.0
    assert policy.delay("POST", 1, 1.0) is None
    assert policy.delay("PATCH", 1, 1.0) is None
    assert policy.delay("GET", 3, 1.0) is None
    assert policy.delay("GET", 1, 60.0) is None


def test_hold_counts_in_flight_and_stamps_when_the_answer_is_back() -> None:
    limiter = RateLimiter([(2, 0.3)])
    released: list[float] = []
    took: list[float] = []
    first_two_in = threading.Barrier(3)

    def slow_call() -> None:
        with limiter.hold():
            first_two_in.wait()
            time.sleep(0.2)  # the "request" in flight; the server counts it on arrival
            released.append(time.monotonic())

    workers = [threading.Thread(target=slow_call) for _ in range(2)]
    for worker in workers:
        worker.start()
    first_two_in.wait()
    with limiter.hold():  # both slots are in flight: wait for an answer, then 0.3 s past it
        took.append(time.monotonic())
    for worker in workers:
        worker.join()
    assert took[0] - min(released) >= 0.299


def test_hold_wait_is_cancellable() -> None:
    limiter = RateLimiter([(1, 60)])
    cancel = CancelToken()
    with limiter.hold():
        threading.Timer(0.1, cancel.cancel).start()
        with pytest.raises(Cancelled), limiter.hold(cancel):
            pass
