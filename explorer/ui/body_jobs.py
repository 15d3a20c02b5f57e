"""Long body work (indexing, transcoding, formatting, search) run on the view worker in slices.

The window has one view worker thread (``Executors.worker``): a job that kept it for seconds
would block the lexing of the rows on screen and any new search. So each job is a generator that
does a few milliseconds of work per ``next`` (no single C call over more than a chunk, so the UI
thread gets the GIL back at once); ``Job`` runs it for about ``BUDGET_S`` at a time and then puts
itself at the back of the worker's queue, behind whatever the view asked for meanwhile.

A generator yields ``None`` between slices and a value when it has something to report; the
job hands reports to ``report`` (on the worker thread: the caller marshals them to the UI) and
the generator's return value to ``result``, a ``Future`` the UI watches through its relay.
Qt-free, so the model's tests drive jobs with a plain executor or ``run_to_end``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Generic, TypeVar

P = TypeVar("P")
R = TypeVar("R")

BUDGET_S = 0.008
"""How long a job keeps the worker before queueing itself again."""

Steps = Generator[P | None, None, R]


@dataclass
class Cancelled:
    """A flag a newer load, query or the user sets so an older job stops at its next slice."""

    value: bool = False


class Job(Generic[P, R]):
    """Runs ``steps`` on ``executor`` in slices until it returns, fails or is cancelled."""

    def __init__(
        self,
        executor: Executor,
        steps: Steps[P, R],
        report: Callable[[P], None] | None = None,
    ) -> None:
        self._executor = executor
        self._steps = steps
        self._report = report
        self.stop = Cancelled()
        self.result: Future[R] = Future()

    def start(self) -> Job[P, R]:
        """Queue the first slice; returns the job so callers can keep it in one line."""
        self._queue()
        return self

    def cancel(self) -> None:
        """Stop at the next slice; ``result`` ends cancelled (a relay drops it)."""
        self.stop.value = True

    def _queue(self) -> None:
        try:
            self._executor.submit(self._run)
        except RuntimeError:  # the executor was shut down with the window
            self._steps.close()
            self.result.cancel()

    def _run(self) -> None:
        deadline = time.perf_counter() + BUDGET_S
        try:
            while True:
                if self.stop.value:
                    self._steps.close()
                    self.result.cancel()
                    return
                value = next(self._steps)
                if value is not None and self._report is not None:
                    self._report(value)
                if time.perf_counter() >= deadline:
                    break
        except StopIteration as end:
            self.result.set_result(end.value)
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the UI through the future
            self.result.set_exception(exc)
            return
        self._queue()


def run_to_end(steps: Steps[P, R], report: Callable[[P], None] | None = None) -> R:
    """Run a job's steps at once on this thread (small documents, the snippet preview, tests)."""
    while True:
        try:
            value = next(steps)
        except StopIteration as end:
            result: R = end.value
            return result
        if value is not None and report is not None:
            report(value)


class Throttle:
    """True at the first call, then at most once per ``interval`` seconds: how often a job
    reports progress (each report wakes the UI thread)."""

    def __init__(self, interval: float = 0.1) -> None:
        self._interval = interval
        self._next = 0.0

    def due(self) -> bool:
        now = time.perf_counter()
        if now < self._next:
            return False
        self._next = now + self._interval
        return True
