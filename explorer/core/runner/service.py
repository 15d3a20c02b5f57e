"""Runs for the window: each on a thread of its own executor, cancellable, with progress
delivered on that thread (the dialog marshals it to the GUI thread).

A run from the window is the run ``api-explorer run`` makes: one request at a time in ``seq``
order, in the collection's own provider (the environment selected in the window when it belongs
to that provider), with the workspace's saved values and secret variables behind the provider's
own (``senders.sender_for``, the function the command line uses too).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.core.runner.engine import ProgressCallback, Runner, RunOptions
from explorer.core.runner.model import RunResult
from explorer.core.runner.plan import plan_collection
from explorer.core.runner.senders import sender_for

if TYPE_CHECKING:
    from explorer.core.workbench import Workbench

__all__ = ["LocalRuns", "PendingRun"]


@dataclass
class PendingRun:
    future: Future[RunResult]
    runner_ready: Future[Runner]

    def cancel(self) -> None:
        """Stops the run between requests and interrupts bodies in flight."""
        self.runner_ready.add_done_callback(lambda ready: ready.result().cancel())


Connect = Callable[[], "Workbench"]


class LocalRuns:
    """Runs collections through the window's workbench (its client, sessions, token managers
    and limiters). ``connect`` gives it and is called on the worker (the window's core may still
    be starting: never wait on the GUI thread). ``concurrency`` is 1, as on the command line."""

    def __init__(self, connect: Connect, concurrency: int = 1) -> None:
        self.connect = connect
        self.concurrency = concurrency
        self._executor = ThreadPoolExecutor(2, thread_name_prefix="explorer-runs")

    def start(
        self,
        directory: Path,
        provider_id: str | None,
        environment: str | None,
        on_progress: ProgressCallback,
    ) -> PendingRun:
        """Run the collection in ``directory``; ``provider_id`` and ``environment`` are what the
        window has selected (used only where the collection's binding allows)."""
        ready: Future[Runner] = Future()

        def run() -> RunResult:
            from explorer.core.context import Binding

            try:
                plan = plan_collection(directory)
                workbench = self.connect()
                selected = Binding(provider_id, environment)
                sender = sender_for(workbench, plan, directory, selected)
                options = RunOptions(concurrency=self.concurrency)
                runner = Runner(plan, sender, options, on_progress)
            except BaseException as exc:
                ready.set_exception(exc)
                raise
            ready.set_result(runner)
            return runner.run()

        return PendingRun(self._executor.submit(run), ready)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
