"""Runs for the window: each on a thread of its own executor, cancellable, with progress
delivered on that thread (the dialog marshals it to the GUI thread).

A run from the window is the run ``api-explorer run`` makes: the same ``RunOptions`` (order and
concurrency, iterations, data rows, bail), the collection bound as ``context.bind`` decides (its
own provider in the environment chosen for the run), with the workspace's saved values and
secret variables behind the provider's own (``senders.sender_for``, the function the command
line uses too). Data files and reports are read and written here, off the GUI thread, by the
functions the command line uses.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.core.runner.engine import ProgressCallback, Runner, RunOptions
from explorer.core.runner.model import RunResult, RunTargets
from explorer.core.runner.plan import plan_collection, read_data
from explorer.core.runner.senders import sender_for

if TYPE_CHECKING:
    from explorer.core.workbench import Workbench

__all__ = ["LocalRuns", "PendingRun", "RunTargets"]


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
    be starting: never wait on the GUI thread)."""

    def __init__(self, connect: Connect) -> None:
        self.connect = connect
        self._executor = ThreadPoolExecutor(2, thread_name_prefix="explorer-runs")

    def start(
        self,
        directory: Path,
        provider_id: str | None,
        environment: str | None,
        on_progress: ProgressCallback,
        options: RunOptions | None = None,
    ) -> PendingRun:
        """Run the collection in ``directory`` with ``options`` (the command line's defaults
        when None); ``provider_id`` and ``environment`` are what the window or the dialog
        selected (used only where the collection's binding allows)."""
        ready: Future[Runner] = Future()

        def run() -> RunResult:
            from explorer.core.context import Binding

            try:
                plan = plan_collection(directory)
                workbench = self.connect()
                selected = Binding(provider_id, environment)
                sender = sender_for(workbench, plan, directory, selected)
                runner = Runner(plan, sender, options or RunOptions(), on_progress)
            except BaseException as exc:
                ready.set_exception(exc)
                raise
            ready.set_result(runner)
            return runner.run()

        return PendingRun(self._executor.submit(run), ready)

    def with_data(self, options: RunOptions, data_file: Path) -> Future[RunOptions]:
        """``options`` with the rows of ``data_file`` (CSV or JSON), read as ``--data`` reads
        it; a file that cannot be used fails the future with one sentence."""
        return self._executor.submit(lambda: replace(options, data=read_data(data_file)))

    def targets(
        self, directory: Path, provider_id: str | None, environment: str | None
    ) -> Future[RunTargets]:
        """The environments the collection in ``directory`` can run in, and the one the
        window's selection (``provider_id``, ``environment``) gives it."""
        return self._executor.submit(
            lambda: run_targets(self.connect(), directory, provider_id, environment)
        )

    def write_report(self, result: RunResult, path: Path) -> Future[Path]:
        """``result`` as ``--report path`` writes it (.json, or .xml for JUnit), atomically."""
        from explorer.core.runner.reports import write_report

        def write() -> Path:
            write_report(result, path)
            return path

        return self._executor.submit(write)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def run_targets(
    workbench: Workbench, directory: Path, provider_id: str | None, environment: str | None
) -> RunTargets:
    """``LocalRuns.targets`` on the worker: the binding ``context.bind`` gives the collection
    under the selection, and the names it can choose from."""
    from explorer.core.context import Binding, Placement, bind
    from explorer.core.workspace.environments import load_environments
    from explorer.core.workspace.model import Folder

    plan = plan_collection(directory)
    placement = Placement((Folder(plan.name, provider=plan.provider, path=directory),))
    binding = bind(placement, Binding(provider_id, environment))
    if plan.provider:
        profile = workbench.profile(plan.provider)
        names = tuple(e.name for e in profile.environments)
        sandbox = next((e.name for e in profile.environments if e.sandbox), None)
        return RunTargets(plan.provider, names, binding.environment or sandbox)
    root = workbench.workspace_root
    saved = load_environments(root, placement.collection_key) if root is not None else []
    names = tuple(e.name for e in saved)
    chosen = binding.environment if binding.environment in names else None
    return RunTargets("", names, chosen)
