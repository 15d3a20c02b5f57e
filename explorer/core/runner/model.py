"""What a collection run produced, as plain immutable data: the CLI prints it, the reports
serialise it and the window's table shows it, all from the same objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.PASSED

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
