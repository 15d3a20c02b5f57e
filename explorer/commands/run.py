"""``api-explorer run``: a collection run unattended, for CI, through the same core as the window.

Exit status: 0 when every request and every assertion passed; 1 when any request failed, an
assertion did not hold, a request file could not be read, or the run was cut short by
``--bail``; 2 for a usage error (bad option, not a collection, unreadable data file, unknown
provider or environment); 3 when the run could not start for another reason (no keyring);
130 when interrupted (the report still covers what ran).

On a terminal a live progress line is redrawn on stderr; otherwise each request is one line on
stdout. The summary and every failure go to stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from explorer.core.runner.model import Progress, RequestResult, RunResult
    from explorer.core.runner.plan import Plan
    from explorer.core.runner.senders import Sender

EXIT_FAILED, EXIT_USAGE, EXIT_NOT_STARTED, EXIT_INTERRUPTED = 1, 2, 3, 130


def register(subparsers: Any) -> None:
    from explorer.commands.workbench import add_secrets_from_env

    parser = subparsers.add_parser(
        "run",
        help="run a collection's requests with their assertions (CI-friendly)",
        description="Run every request of a collection in seq order, check its assertions, "
        "and exit 0 only when all passed (1 failures, 2 usage error, 3 could not start).",
    )
    parser.add_argument("collection", metavar="COLLECTION_DIR", help="the collection's folder")
    parser.add_argument("--provider", metavar="ID", help="provider (default: the collection's)")
    parser.add_argument("--env", metavar="NAME", help="the provider environment to run against")
    add_secrets_from_env(parser)
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace folder (default: the one around the collection)",
    )
    parser.add_argument(
        "--iterations", type=int, metavar="N", help="run N times (default: one per data row)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, metavar="N", help="requests in flight at once"
    )
    parser.add_argument("--data", metavar="FILE", help="CSV or JSON rows, one per iteration")
    parser.add_argument("--bail", action="store_true", help="stop at the first failure")
    parser.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="write a report: FILE.json or FILE.xml (JUnit); repeatable",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="define a {{variable}} for every request (repeatable)",
    )
    parser.add_argument(
        "--allow-file",
        action="append",
        default=[],
        metavar="PATH",
        help="let requests read this file or folder outside the workspace (repeatable)",
    )
    parser.add_argument(
        "--allow-outside-workspace",
        action="store_true",
        help="let requests read any local file (the collection is trusted)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.commands.send import parse_vars
    from explorer.core.confinement import granted
    from explorer.core.errors import ExplorerError, UsageError
    from explorer.core.runner.engine import RunOptions
    from explorer.core.runner.plan import plan_collection, read_data

    if args.iterations is not None and args.iterations < 1:
        raise UsageError("--iterations must be 1 or more.")
    if not 1 <= args.concurrency <= 256:
        raise UsageError("--concurrency must be between 1 and 256.")
    reports = _report_paths(args.report)
    directory = Path(args.collection)
    if not directory.is_dir():
        raise UsageError(f"'{directory}' is not a folder; give a collection's folder.")
    plan = plan_collection(directory)
    options = RunOptions(
        iterations=args.iterations,
        concurrency=args.concurrency,
        data=read_data(Path(args.data)) if args.data else (),
        bail=args.bail,
        variables=parse_vars(args.var),
    )
    _warn_unverified(plan)
    client: Any = None
    try:
        sender, client = _sender(args, plan, directory)
        with granted(args.allow_file, anywhere=args.allow_outside_workspace):
            return _execute(plan, sender, options, reports)
    except UsageError:
        raise
    except ExplorerError as exc:
        sys.stderr.write(f"api-explorer: the run could not start: {exc}\n")
        return EXIT_NOT_STARTED
    finally:
        if client is not None:
            client.close()


def _warn_unverified(plan: Plan) -> None:
    """A request file may turn TLS verification off (``verify_tls: false``); say so for each,
    since nothing else in the run would (live environments refuse it outright)."""
    from explorer.core.terminal import for_terminal

    for planned in plan.requests:
        if not planned.spec.verify_tls:
            name = "/".join((*planned.folder, planned.spec.name or planned.spec.url))
            line = (
                f"api-explorer: warning: '{name}' turns TLS verification off (verify_tls: "
                "false); the server's identity is not checked.\n"
            )
            sys.stderr.write(for_terminal(line, sys.stderr))


def _report_paths(names: list[str]) -> list[Path]:
    """The ``--report`` files, checked before anything runs. The report writer (with its XML
    library) is imported only when a report is asked for: it is not needed to run, and importing
    it is a few milliseconds of every run's start-up."""
    if not names:
        return []
    from explorer.core.errors import UsageError
    from explorer.core.runner.reports import REPORT_SUFFIXES

    for name in names:
        if Path(name).suffix.lower() not in REPORT_SUFFIXES:
            raise UsageError(f"--report '{name}' must end in .json or .xml (JUnit).")
        check_report_path(Path(name))
    return [Path(name) for name in names]


def check_report_path(path: Path) -> None:
    """A report that could not be written is known before the first request is sent: a folder
    in the way, a file where a folder should be, a read-only folder, a virtual file system
    (``/proc``). Missing folders are fine: the report creates them."""
    from explorer.core.errors import UsageError
    from explorer.core.places import nearest_existing, writable_folder

    if path.is_dir():
        raise UsageError(f"--report '{path}' is a folder; give a file's path.")
    folder = nearest_existing(path.absolute().parent)
    if not folder.is_dir():
        raise UsageError(f"--report '{path}' is inside the file '{folder}'; give a folder's path.")
    if not writable_folder(folder):  # written beside, then renamed
        raise UsageError(
            f"--report '{path}' cannot be written: '{folder}' is not a folder this user can write "
            "to; choose another place."
        )


def _sender(args: argparse.Namespace, plan: Plan, directory: Path) -> tuple[Sender, Any]:
    """The collection's sender, bound as every front end binds it (``context.bind``): the
    collection's provider (or ``--provider``) in ``--env``; a provider-less collection may
    pick one of its saved environments with ``--env``."""
    from dataclasses import replace

    from explorer.commands.send import parse_vars
    from explorer.commands.workbench import open_workbench
    from explorer.core.context import Binding
    from explorer.core.errors import UsageError
    from explorer.core.http import HttpClient
    from explorer.core.runner.senders import sender_for

    provider_id = args.provider or plan.provider
    if provider_id and not args.env:
        raise UsageError(
            f"The collection runs against provider '{provider_id}'; pass --env NAME as well."
        )
    client = HttpClient()
    bench = open_workbench(
        args,
        client,
        providers=bool(provider_id),
        near=directory,
        variables=parse_vars(args.var),  # the token URL may use them too (sandbox_url)
    )
    # --provider on the command line binds the collection for this run.
    bound = replace(plan, provider=provider_id) if provider_id != plan.provider else plan
    try:
        selected = Binding(provider_id or None, args.env)
        return sender_for(bench, bound, directory.resolve(), selected), client
    except BaseException:
        client.close()
        raise


def _execute(plan: Plan, sender: Sender, options: Any, reports: list[Path]) -> int:
    """Run on a worker thread so Ctrl+C cancels cleanly and the report covers what ran."""
    from concurrent.futures import ThreadPoolExecutor

    from explorer.core.runner.engine import Runner

    live = sys.stderr.isatty()
    for problem in plan.problems:
        sys.stdout.write(f"not run (unreadable): {problem}\n")
    runner = Runner(plan, sender, options, on_progress=_Printer(live))
    interrupted = False
    with ThreadPoolExecutor(1, thread_name_prefix="explorer-run-main") as pool:
        future = pool.submit(runner.run)
        while True:
            try:
                result = future.result()
                break
            except KeyboardInterrupt:
                interrupted = True
                runner.cancel()
    if live:
        sys.stderr.write("\r\x1b[K")
    _print_summary(result, plan)
    if reports:
        from explorer.core.runner.reports import write_report

        for path in reports:
            write_report(result, path)
            sys.stdout.write(f"report: {path}\n")
    if interrupted:
        return EXIT_INTERRUPTED
    return 0 if result.ok and not plan.problems else EXIT_FAILED


def _mark(result: RequestResult) -> str:
    return {"passed": "ok  ", "failed": "FAIL", "error": "ERR "}[result.outcome.value]


def _label(result: RequestResult) -> str:
    return " / ".join((*result.folder, result.name or f"{result.method} {result.url}"))


def _write(stream: TextIO, text: str) -> None:
    """``text`` on ``stream``; on a terminal with every control character a server's answer
    (in a failure detail) or a request file's name could carry made visible."""
    from explorer.core.terminal import for_terminal

    stream.write(for_terminal(text, stream))


class _Printer:
    """Progress from the worker threads, one writer at a time: a redrawn line on a terminal
    (failures printed above it), else one line per request."""

    def __init__(self, live: bool) -> None:
        import threading

        self.live = live
        self.lock = threading.Lock()

    def __call__(self, progress: Progress) -> None:
        with self.lock:
            if self.live:
                self._redraw(progress)
            else:
                result = progress.result
                status = result.status if result.status is not None else "---"
                _write(
                    sys.stdout,
                    f"{_mark(result)} [{progress.done}/{progress.total}] "
                    f"it {result.iteration + 1} {_label(result)}  {status}  "
                    f"{result.elapsed_ms:.0f} ms\n",
                )

    def _redraw(self, progress: Progress) -> None:
        result = progress.result
        if not result.ok:
            sys.stderr.write("\r\x1b[K")
            _write(sys.stdout, f"{_mark(result)} it {result.iteration + 1} {_label(result)}\n")
            sys.stdout.flush()
        width = len(str(progress.total))
        label = _label(result)[:40]
        sys.stderr.write(
            f"\r\x1b[K[{progress.done:>{width}}/{progress.total}] {progress.passed} passed, "
            f"{progress.failed} failed  {progress.elapsed_s:.1f} s  "
        )
        _write(sys.stderr, label)
        sys.stderr.flush()


def _print_summary(run: RunResult, plan: Plan) -> None:
    from explorer.core.runner.model import Outcome

    out = sys.stdout
    for result in run.ordered:
        for reason in result.failures if not result.ok else ():
            _write(out, f"  {_mark(result)} it {result.iteration + 1} {_label(result)}: {reason}\n")
    held, checks = run.assertions
    state = ""
    if run.cancelled or run.bailed:
        state = " (cancelled)" if run.cancelled else " (stopped at the first failure)"
    out.write(
        f"{plan.name}: {len(run.results)} requests, {run.count(Outcome.PASSED)} passed, "
        f"{run.count(Outcome.FAILED)} failed, {run.count(Outcome.ERROR)} errors; "
        f"{checks} assertions, {checks - held} failed; {run.elapsed_s:.2f} s{state}\n"
    )
