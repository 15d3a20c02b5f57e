"""The collection runner: a plan's requests for N iterations, in order or on a bounded pool.

Order: iteration by iteration, each in ``seq`` order. With ``concurrency`` above one, up to that
many requests are in flight at once, sharing one sender (so one token manager and one rate
limiter: the provider's limit holds whatever the pool size); a request that captures values is a
barrier, so every later request of its iteration starts after it and sees what it captured. Each
iteration has its own variables: the run's, then its data row, then what it captured.

A failed request (a status of 400 or above without a status assertion, an assertion that did not
hold, a refused connection) is recorded and the run goes on, unless ``bail``. ``cancel`` stops
the run between requests and interrupts those in flight. No thread outlives ``run``.

Results are masked before anyone sees them: with every secret of their send (a ``--var`` or
data-row value for a name secret in any layer included) and every token the run captured
(``secret_captures``), so printers and reports need no secret of their own.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from explorer.core.errors import Cancelled, ExplorerError
from explorer.core.http.client import CancelToken
from explorer.core.models import Capture, Exchange
from explorer.core.redaction import (
    SENSITIVE_HEADERS,
    mask_credentials,
    mask_headers,
    mask_text,
    remember,
)
from explorer.core.runner.checks import apply_captures, evaluate
from explorer.core.runner.model import (
    DETAIL_BODY,
    CheckResult,
    ExchangeDetail,
    Outcome,
    Progress,
    RequestResult,
    RunOptions,
    RunResult,
)
from explorer.core.runner.plan import Plan, PlannedRequest
from explorer.core.runner.senders import Sender
from explorer.core.templating import Scope, expand

__all__ = ["RunOptions", "Runner"]

ProgressCallback = Callable[[Progress], None]
"""Called on a worker thread after each request (the window marshals it to the GUI thread)."""


class _Schedule:
    """Hands out (iteration, request) units in order; holds back units behind an unfinished
    capturing request of their iteration, and stops handing out once stopped."""

    def __init__(
        self, plan: Plan, iterations: int, only: frozenset[tuple[int, int]] = frozenset()
    ) -> None:
        self._requests = plan.requests
        self._units = iterations * len(plan.requests)
        self._only = only
        self._total = (
            sum(1 for it, i in only if it < iterations and i < len(plan.requests))
            if only
            else self._units
        )
        self._position = 0
        self._open: set[tuple[int, int]] = set()
        self._stopped = False
        self._changed = threading.Condition()

    @property
    def total(self) -> int:
        return self._total

    def next(self) -> tuple[int, PlannedRequest] | None:
        with self._changed:
            while True:
                while (
                    self._only
                    and self._position < self._units
                    and (divmod(self._position, len(self._requests)) not in self._only)
                ):
                    self._position += 1
                if self._stopped or self._position >= self._units:
                    return None
                iteration, index = divmod(self._position, len(self._requests))
                if not any(it == iteration and i < index for it, i in self._open):
                    break
                self._changed.wait()
            self._position += 1
            planned = self._requests[index]
            if planned.spec.captures:
                self._open.add((iteration, index))
            return iteration, planned

    def finished(self, iteration: int, index: int) -> None:
        with self._changed:
            if (iteration, index) in self._open:
                self._open.discard((iteration, index))
                self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


class _Expansion:
    """Expands assertion templates in the scope the request resolved in, built on the first
    template (a session's scope reads the credential store), and collects the secret values that
    scope holds so what a failure says can mask them."""

    def __init__(self, scope: Callable[[], Scope]) -> None:
        self._build = scope
        self._scope: Scope | None = None
        self.secrets: frozenset[str] = frozenset()

    def __call__(self, text: str) -> str:
        if "{{" not in text:
            return text
        if self._scope is None:
            self._scope = self._build()
            self.secrets = self._scope.secret_values()
        return expand(text, self._scope, "assertion")


_TOKEN_FIELD = re.compile(r"(?:access|refresh|id)_token\W*$", re.IGNORECASE)
"""A JSONPath ending at an OAuth2 token field (``$.access_token``, ``$['id_token']``)."""


def secret_captures(captures: tuple[Capture, ...], values: Mapping[str, str]) -> set[str]:
    """The captured values a run must treat as secrets: tokens the collection obtained itself
    (a token endpoint's ``access_token``, ``refresh_token``, ``id_token``) and credential
    headers (``Set-Cookie``, ``Authorization``)."""
    found: set[str] = set()
    for capture in captures:
        value = values.get(capture.name)
        if not value:
            continue
        if capture.source == "header":
            if capture.path.lower() in SENSITIVE_HEADERS:
                found.add(value)
        elif _TOKEN_FIELD.search(capture.path):
            found.add(value)
    return found


class Runner:
    """One run of ``plan`` through ``sender``; ``run`` blocks, ``cancel`` may come from any
    thread."""

    def __init__(
        self,
        plan: Plan,
        sender: Sender,
        options: RunOptions | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.plan = plan
        self.sender = sender
        self.options = options or RunOptions()
        self.on_progress = on_progress
        self._cancel = CancelToken()
        self._lock = threading.Lock()
        self._results: list[RequestResult] = []
        self._variables: list[dict[str, str]] = []
        self._passed = 0
        self._bailed = False
        self._secrets: set[str] = set()  # captured tokens: masked in every later result
        self._started = 0.0

    @property
    def total(self) -> int:
        return _Schedule(self.plan, self.options.count, self.options.only).total

    def cancel(self) -> None:
        self._cancel.cancel()

    def run(self) -> RunResult:
        options = self.options
        if options.iterations is not None and options.iterations < 1:
            raise ExplorerError("A run needs at least one iteration.")
        iterations = options.count
        rows = options.data
        self._variables = [
            {**options.variables, **(rows[i % len(rows)] if rows else {})}
            for i in range(iterations)
        ]
        schedule = _Schedule(self.plan, iterations, options.only)
        stop_on_cancel = self._cancel.on_cancel(schedule.stop)
        started_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        self._started = time.perf_counter()
        workers = max(1, min(options.concurrency, schedule.total))
        try:
            if workers == 1:
                self._work(schedule)
            else:
                with ThreadPoolExecutor(workers, thread_name_prefix="explorer-run") as pool:
                    for future in [pool.submit(self._work, schedule) for _ in range(workers)]:
                        future.result()
        finally:
            stop_on_cancel()
        # A token captured in one iteration may already be in another's result (concurrency).
        secrets = frozenset(self._secrets)
        return RunResult(
            collection=self.plan.name,
            iterations=iterations,
            results=tuple(_masked(r, secrets) for r in self._results),
            elapsed_s=time.perf_counter() - self._started,
            cancelled=self._cancel.cancelled,
            bailed=self._bailed,
            started_at=started_at,
        )

    def _work(self, schedule: _Schedule) -> None:
        while (unit := schedule.next()) is not None:
            iteration, planned = unit
            try:
                result = self._one(iteration, planned)
            finally:
                schedule.finished(iteration, planned.index)
            if result is None:
                schedule.stop()
                return
            self._record(result, schedule)

    def _record(self, result: RequestResult, schedule: _Schedule) -> None:
        with self._lock:
            self._results.append(result)
            self._passed += result.ok
            done, passed = len(self._results), self._passed
            if self.options.bail and not result.ok:
                self._bailed = True
                schedule.stop()
        if self.on_progress is not None:
            elapsed = time.perf_counter() - self._started
            self.on_progress(Progress(done, schedule.total, passed, done - passed, result, elapsed))

    def _one(self, iteration: int, planned: PlannedRequest) -> RequestResult | None:
        """The request's result, or None when the run was cancelled meanwhile."""
        spec = planned.spec
        with self._lock:
            variables = dict(self._variables[iteration])
        base = RequestResult(
            iteration,
            planned.index,
            spec.name,
            planned.folder,
            spec.method,
            spec.url,
            Outcome.ERROR,
        )
        started = time.perf_counter()
        base = replace(base, started_s=started - self._started)
        try:
            sent = self.sender.send(spec, variables, planned.layers, self._cancel)
        except Cancelled:
            return None
        except ExplorerError as exc:  # its time too: a timeout took as long as it waited
            elapsed_ms = (time.perf_counter() - started) * 1000
            error = mask_credentials(str(exc), self._known())
            return replace(base, error=error, elapsed_ms=elapsed_ms)
        exchange, expansion = sent.exchange, _Expansion(sent.scope)
        size = exchange.response.body.size
        try:
            checks = evaluate(spec.assertions, exchange, expansion)
            captured, missed = apply_captures(spec.captures, exchange)
            detail = _detail(exchange) if self.options.details else None
        finally:
            exchange.response.body.discard()
        obtained = secret_captures(spec.captures, captured)
        remember(obtained)  # and so in logs and crash reports
        with self._lock:
            self._secrets |= obtained
            self._variables[iteration].update(captured)
        secrets = sent.secrets | expansion.secrets | self._known()
        passed = all(c.passed for c in (*checks, *missed))
        result = replace(
            base,
            url=exchange.request.url,
            outcome=Outcome.PASSED if passed else Outcome.FAILED,
            status=exchange.response.status,
            elapsed_ms=exchange.timings.total_ms,
            size=size,
            checks=(*checks, *missed),
            captured=tuple(captured),
            notes=sent.notes,
            detail=detail,
        )
        return _masked(result, secrets)

    def _known(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._secrets)


def _masked(result: RequestResult, secrets: frozenset[str]) -> RequestResult:
    """``result`` with ``secrets`` masked in everything a printer or a report shows of it."""
    if not secrets:
        return result
    checks = tuple(
        CheckResult(mask_text(c.description, secrets), c.passed, mask_text(c.detail, secrets))
        for c in result.checks
    )
    detail = result.detail
    if detail is not None:
        detail = ExchangeDetail(
            tuple(mask_headers(detail.request_headers, secrets)),
            mask_text(detail.request_body, secrets),
            tuple(mask_headers(detail.response_headers, secrets)),
            mask_text(detail.response_body, secrets),
            detail.body_truncated,
        )
    return replace(
        result,
        url=mask_text(result.url, secrets),
        checks=checks,
        error=mask_text(result.error, secrets) if result.error else result.error,
        notes=tuple(mask_text(note, secrets) for note in result.notes),
        detail=detail,
    )


def _detail(exchange: Exchange) -> ExchangeDetail:
    """The exchange as the detail pane shows it: credential headers masked by name, their
    values wherever the bodies repeat them (an echo server), credential-looking fields masked;
    every secret value of the send is masked by ``_masked`` with the rest of the result."""
    request, body = exchange.request, exchange.response.body
    headers = exchange.sent_headers or request.headers
    credentials = {
        part
        for name, value in headers
        if name.lower() in SENSITIVE_HEADERS
        for part in (value, value.partition(" ")[2])
        if len(part) >= 4
    }

    def shown(data: bytes) -> str:
        return mask_credentials(mask_text(data.decode("utf-8", "replace"), credentials))

    sent = request.body[:DETAIL_BODY] if isinstance(request.body, bytes) else b""
    return ExchangeDetail(
        tuple(mask_headers(headers)),
        shown(sent),
        tuple(mask_headers(exchange.response.headers)),
        shown(body.head(DETAIL_BODY)),
        body.size > DETAIL_BODY,
    )
