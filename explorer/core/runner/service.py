"""Runs for the window: each on a thread of its own executor, cancellable, with progress
delivered on that thread (the dialog marshals it to the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.core.http.client import HttpClient
from explorer.core.runner.engine import ProgressCallback, Runner, RunOptions
from explorer.core.runner.model import RunResult
from explorer.core.runner.plan import plan_collection
from explorer.core.runner.senders import ClientSender, Sender, SessionSender

if TYPE_CHECKING:
    from explorer.core.pipeline import ApiSession

__all__ = ["LocalRuns", "PendingRun"]


@dataclass
class PendingRun:
    future: Future[RunResult]
    runner_ready: Future[Runner]

    def cancel(self) -> None:
        """Stops the run between requests and interrupts bodies in flight."""
        self.runner_ready.add_done_callback(lambda ready: ready.result().cancel())


SessionFor = Callable[[str, str], "ApiSession"]
Connect = Callable[[], tuple[HttpClient, SessionFor | None]]


class LocalRuns:
    """Runs collections through ``session_for(provider, environment)`` when the window has a
    provider environment chosen, else straight through the client. ``connect`` gives both and
    is called on the worker (the window's core may still be starting: never wait on the GUI
    thread)."""

    def __init__(self, connect: Connect, concurrency: int = 4) -> None:
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
        ready: Future[Runner] = Future()

        def run() -> RunResult:
            try:
                plan = plan_collection(directory)
                client, session_for = self.connect()
                sender: Sender = ClientSender(client, directory)
                if provider_id and environment and session_for is not None:
                    sender = SessionSender(session_for(provider_id, environment))
                runner = Runner(plan, sender, RunOptions(concurrency=self.concurrency), on_progress)
            except BaseException as exc:
                ready.set_exception(exc)
                raise
            ready.set_result(runner)
            return runner.run()

        return PendingRun(self._executor.submit(run), ready)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
