"""Client-side rate limiting and 429 handling, shared by every sender of a provider environment.

Vendors drop calls past their quota (PCE: 1,000 per 10 s, and every call is dropped until the
window resets), so the cheapest 429 is the one never provoked: a sliding-window limiter per
(provider, environment) makes the GUI, the runner and the CLI wait their turn. When the server
still says 429, its ``Retry-After`` (seconds or an HTTP-date) blocks the whole limiter, and the
quota headers (``RateLimit-*``, ``X-RateLimit-*``) are exposed so the UI can show what is left.
Automatic retries are for idempotent methods only, capped, and cancellable.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

from explorer.core.errors import ExplorerError
from explorer.core.http.client import CancelToken

__all__ = [
    "IDEMPOTENT_METHODS",
    "HeaderLookup",
    "LimiterRegistry",
    "Quota",
    "RateLimited",
    "RateLimiter",
    "RetryPolicy",
    "parse_quota",
    "parse_retry_after",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_EPOCH_THRESHOLD = 1_000_000_000  # X-RateLimit-Reset above this is a Unix time, not a delta


class HeaderLookup(Protocol):
    """Case-insensitive header access (``models.Headers``, ``requests``' structures)."""

    def get(self, key: str, /) -> str | None: ...


class RateLimited(ExplorerError):
    """The server kept answering 429 after the retries we allow, or the wait is too long."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta seconds or an HTTP-date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True, slots=True)
class Quota:
    """What the server said about its quota. ``reset_at`` is a Unix time."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    retry_after: float | None = None


def parse_quota(headers: HeaderLookup, now: float | None = None) -> Quota | None:
    """Read ``RateLimit-*`` / ``X-RateLimit-*`` / ``RateLimit: limit=.., remaining=..`` and
    ``Retry-After``; None when the response says nothing about quotas."""
    now = time.time() if now is None else now
    fields: dict[str, str] = {}
    combined = headers.get("RateLimit")
    if combined:
        for part in combined.replace(";", ",").split(","):
            key, sep, value = part.strip().partition("=")
            if sep:
                fields[key.strip().lower()] = value.strip()
    for prefix in ("RateLimit-", "X-RateLimit-", "X-Rate-Limit-"):
        for name in ("Limit", "Remaining", "Reset"):
            found = headers.get(prefix + name)
            if found is not None:
                fields.setdefault(name.lower(), found.split(",")[0].strip())
    retry_after = parse_retry_after(headers.get("Retry-After"), now)
    if not fields and retry_after is None:
        return None
    reset = _number(fields.get("reset"))
    reset_at = None
    if reset is not None:
        reset_at = reset if reset > _EPOCH_THRESHOLD else now + reset
    elif retry_after is not None:
        reset_at = now + retry_after
    limit, remaining = _number(fields.get("limit")), _number(fields.get("remaining"))
    return Quota(
        limit=None if limit is None else int(limit),
        remaining=None if remaining is None else int(remaining),
        reset_at=reset_at,
        retry_after=retry_after,
    )


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def wait(seconds: float, cancel: CancelToken | None) -> None:
    """Sleep ``seconds`` unless cancelled first (then raise ``Cancelled``)."""
    if seconds <= 0:
        if cancel is not None:
            cancel.raise_if_cancelled()
        return
    if cancel is None:
        threading.Event().wait(seconds)
        return
    woken = threading.Event()
    unregister = cancel.on_cancel(woken.set)
    try:
        woken.wait(seconds)
    finally:
        unregister()
    cancel.raise_if_cancelled()


class RateLimiter:
    """A sliding window of at most ``requests`` per ``per_seconds`` for every caller at once,
    plus a block set by the server's ``Retry-After``. Thread-safe; waits are cancellable.

    ``hold`` counts a request from the moment it takes its slot until its answer is back and
    stamps the slot then: the server counts a request when it arrives, somewhere between the
    two, so stamping at the end keeps every window the server may use (a fixed window opened by
    its first arrival, say) under the limit. ``acquire`` stamps at once (no answer to wait for).
    """

    def __init__(
        self,
        limits: Iterable[tuple[int, float]] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = tuple((n, float(s)) for n, s in limits if n > 0 and s > 0)
        self._clock = clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._windows: tuple[deque[float], ...] = tuple(deque() for _ in self._limits)
        self._in_flight = 0
        self._blocked_until = 0.0
        self.quota: Quota | None = None

    def acquire(self, cancel: CancelToken | None = None) -> float:
        """Wait for a slot and take it, stamped now; returns the seconds waited."""
        return self._take(cancel, hold=False)

    @contextmanager
    def hold(self, cancel: CancelToken | None = None) -> Iterator[float]:
        """Wait for a slot (yields the seconds waited) and keep it in flight until the block
        ends, then stamp it."""
        waited = self._take(cancel, hold=True)
        try:
            yield waited
        finally:
            with self._lock:
                self._in_flight -= 1
                now = self._clock()
                for window in self._windows:
                    window.append(now)
                self._changed.notify_all()

    def _take(self, cancel: CancelToken | None, *, hold: bool) -> float:
        unregister = cancel.on_cancel(self._wake) if cancel is not None else None
        started = self._clock()
        try:
            with self._lock:
                while True:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    delay = self._delay(self._clock())
                    if delay == 0:
                        break
                    self._changed.wait(delay)
                if hold:
                    self._in_flight += 1
                else:
                    now = self._clock()
                    for window in self._windows:
                        window.append(now)
        finally:
            if unregister is not None:
                unregister()
        return self._clock() - started

    def _delay(self, now: float) -> float | None:
        """0 when a slot is free now, else the seconds until one may be, or None when only a
        request in flight can free one (the caller waits for its answer)."""
        delay: float | None = max(0.0, self._blocked_until - now)
        for (count, span), window in zip(self._limits, self._windows, strict=True):
            while window and window[0] <= now - span:
                window.popleft()
            excess = len(window) + self._in_flight - count
            if excess < 0:
                continue
            if excess >= len(window):
                return None
            delay = max(delay or 0.0, window[excess] + span - now)
        return delay

    def _wake(self) -> None:
        with self._lock:
            self._changed.notify_all()

    def block_for(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` (a 429's ``Retry-After`` applies to every sender)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def observe(self, quota: Quota | None) -> None:
        """Remember the server's latest quota report for the UI."""
        if quota is not None:
            self.quota = quota


class LimiterRegistry:
    """One ``RateLimiter`` per (provider, environment), shared by every ``ApiSession``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: dict[tuple[str, str], RateLimiter] = {}

    def get(
        self, provider: str, environment: str, limits: Iterable[tuple[int, float]]
    ) -> RateLimiter:
        key = (provider, environment.lower())
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                limiter = self._limiters[key] = RateLimiter(limits)
            return limiter


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How 429s are retried: idempotent methods only, at most ``max_retries`` times, never
    waiting longer than ``max_wait`` seconds at once (``default_wait`` when no header says)."""

    max_retries: int = 2
    max_wait: float = 30.0
    default_wait: float = 1.0

    def delay(self, method: str, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based), or None: do not retry."""
        if method.upper() not in IDEMPOTENT_METHODS or attempt > self.max_retries:
            return None
        seconds = self.default_wait * attempt if retry_after is None else retry_after
        return seconds if seconds <= self.max_wait else None
