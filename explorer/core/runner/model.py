"""What a run is asked to do and what it produced, as plain immutable data: the CLI prints it,
the reports serialise it and the window's table shows it, all from the same objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

DETAIL_BODY = 64 * 1024
"""How much of a response body a result keeps for the Run dialog's detail."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What a run does, for ``api-explorer run`` and the Run dialog alike. ``iterations`` None
    means one per data row (or one without data); ``only`` limits the run to those
    (iteration, index) units ("re-run failed"; empty runs everything); ``details`` keeps each
    exchange's headers and body head in its result (the window's detail pane)."""

    iterations: int | None = None
    concurrency: int = 1
    data: tuple[Mapping[str, str], ...] = ()
    bail: bool = False
    variables: Mapping[str, str] = field(default_factory=dict)
    only: frozenset[tuple[int, int]] = frozenset()
    details: bool = False

    @property
    def count(self) -> int:
        return self.iterations if self.iterations is not None else max(1, len(self.data))


@dataclass(frozen=True, slots=True)
class RunTargets:
    """What a collection can run against: its provider ("" when bound to none) with that
    provider's environments, or the provider-less collection's saved environments; ``chosen``
    is the one the window's selection gives it (``context.bind``), None for none."""

    provider: str
    environments: tuple[str, ...]
    chosen: str | None


class Outcome(StrEnum):
    """``passed``: sent and every assertion held; ``failed``: an assertion did not hold or the
    status was not 2xx/3xx without assertions saying otherwise; ``error``: nothing usable came
    back (refused connection, timeout, undefined variable); ``skipped``: never sent (bail or
    cancel)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One assertion: a short description (``status == 201``), whether it held, and what was
    found instead when it did not."""

    description: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ExchangeDetail:
    """One request as it went out (headers masked) and as it was answered: the headers and the
    body's first ``DETAIL_BODY`` bytes as text, masked with the send's secrets. Kept only when
    the run asks for it (``RunOptions.details``: the window's detail pane), never in reports."""

    request_headers: tuple[tuple[str, str], ...]
    request_body: str
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    body_truncated: bool = False


@dataclass(frozen=True, slots=True)
class RequestResult:
    """One request of one iteration. ``folder`` is the path of folder names above it;
    ``started_s`` is when it started, in seconds from the start of the run (the JUnit suites'
    times span their requests)."""

    iteration: int
    index: int
    name: str
    folder: tuple[str, ...]
    method: str
    url: str
    outcome: Outcome
    status: int | None = None
    elapsed_ms: float = 0.0
    size: int = 0
    checks: tuple[CheckResult, ...] = ()
    error: str = ""
    captured: tuple[str, ...] = ()
    started_s: float = 0.0
    notes: tuple[str, ...] = ()  # e.g. TLS verification was off (printed and in reports)
    detail: ExchangeDetail | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.PASSED

    @property
    def unit(self) -> tuple[int, int]:
        """(iteration, index): which request of which iteration, as ``RunOptions.only`` takes."""
        return self.iteration, self.index

    @property
    def failures(self) -> list[str]:
        """One line per reason this request did not pass."""
        reasons = [f"{c.description}: {c.detail}" for c in self.checks if not c.passed]
        return [self.error] if self.error else reasons


@dataclass(frozen=True, slots=True)
class RunResult:
    """A whole run, results in completion order (by ``(iteration, index)`` with concurrency,
    use ``ordered``)."""

    collection: str
    iterations: int
    results: tuple[RequestResult, ...]
    elapsed_s: float
    cancelled: bool = False
    bailed: bool = False
    started_at: str = ""

    @property
    def ordered(self) -> list[RequestResult]:
        return sorted(self.results, key=lambda r: (r.iteration, r.index))

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def ok(self) -> bool:
        """Every request ran and passed."""
        return not self.cancelled and all(r.ok for r in self.results) and bool(self.results)

    @property
    def assertions(self) -> tuple[int, int]:
        """(passed, total) assertions over the run."""
        checks = [c for r in self.results for c in r.checks]
        return sum(1 for c in checks if c.passed), len(checks)


@dataclass(frozen=True, slots=True)
class Progress:
    """Sent to the progress callback after each request: how far the run is and the result
    that just finished (for a live line or a table row)."""

    done: int
    total: int
    passed: int
    failed: int
    result: RequestResult
    elapsed_s: float = field(default=0.0)
