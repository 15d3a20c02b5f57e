"""A run as a JSON report or as JUnit XML (the dialect Jenkins, GitLab, GitHub and Azure read:
``testsuites`` > one ``testsuite`` per iteration > a ``testcase`` per request with ``failure``
for assertions that did not hold and ``error`` for requests that got no answer).

Results are already masked (URLs, details and errors with every secret of their send and every
token the run captured), and reports never carry bodies or headers, so nothing secret reaches a
file. What a server said (a header in a failure detail) may hold control characters XML forbids:
the JUnit report writes them as visible ``\\xNN`` (``explorer.core.terminal.sanitise``), so CI can
always parse it. Writes are atomic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from explorer.core.errors import UsageError
from explorer.core.runner.model import Outcome, RequestResult, RunResult
from explorer.core.terminal import sanitise
from explorer.core.workspace.yamlio import write_text_atomic

__all__ = ["REPORT_SUFFIXES", "to_json", "to_junit", "write_report"]

REPORT_SUFFIXES = (".json", ".xml")


def summary(run: RunResult) -> dict[str, Any]:
    held, checks = run.assertions
    return {
        "requests": len(run.results),
        "passed": run.count(Outcome.PASSED),
        "failed": run.count(Outcome.FAILED),
        "errors": run.count(Outcome.ERROR),
        "assertions": checks,
        "assertions_failed": checks - held,
        "cancelled": run.cancelled,
        "bailed": run.bailed,
    }


def to_json(run: RunResult) -> str:
    data = {
        "collection": run.collection,
        "started_at": run.started_at,
        "elapsed_s": round(run.elapsed_s, 3),
        "iterations": run.iterations,
        "ok": run.ok,
        "summary": summary(run),
        "results": [_result(r) for r in run.ordered],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _result(result: RequestResult) -> dict[str, Any]:
    return {
        "iteration": result.iteration + 1,
        "name": result.name,
        "folder": list(result.folder),
        "method": result.method,
        "url": result.url,
        "outcome": result.outcome.value,
        "status": result.status,
        "elapsed_ms": round(result.elapsed_ms, 2),
        "size": result.size,
        "assertions": [
            {"assertion": c.description, "passed": c.passed, "detail": c.detail}
            for c in result.checks
        ],
        "captured": list(result.captured),
        "error": result.error,
        "notes": list(result.notes),
    }


def to_junit(run: RunResult) -> str:
    root = ET.Element(
        "testsuites",
        name=run.collection,
        tests=str(len(run.results)),
        failures=str(run.count(Outcome.FAILED)),
        errors=str(run.count(Outcome.ERROR)),
        time=f"{run.elapsed_s:.3f}",
    )
    for iteration in range(run.iterations):
        results = [r for r in run.ordered if r.iteration == iteration]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{run.collection} (iteration {iteration + 1})",
            tests=str(len(results)),
            failures=str(sum(r.outcome == Outcome.FAILED for r in results)),
            errors=str(sum(r.outcome == Outcome.ERROR for r in results)),
            skipped="0",
            time=f"{_suite_seconds(run, iteration, results):.3f}",
            timestamp=run.started_at.removesuffix("Z"),
        )
        for result in results:
            _testcase(suite, run.collection, result)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _suite_seconds(run: RunResult, iteration: int, results: list[RequestResult]) -> float:
    """The wall time an iteration's suite covers: from its first request's start (the run's
    start for the first iteration) to its last request's end (the run's end for the last
    iteration that ran), so the suites cover the whole run, planning, assertions and errored
    requests included."""
    if not results:
        return 0.0
    start = 0.0 if iteration == 0 else min(r.started_s for r in results)
    end = max(r.started_s + r.elapsed_ms / 1000 for r in results)
    if iteration == max(r.iteration for r in run.results):
        end = max(end, run.elapsed_s)
    return max(0.0, end - start)


def _testcase(suite: ET.Element, collection: str, result: RequestResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=sanitise(".".join((collection, *result.folder))),
        name=sanitise(result.name or f"{result.method} {result.url}"),
        time=f"{result.elapsed_ms / 1000:.3f}",
    )
    if result.outcome == Outcome.ERROR:
        error = ET.SubElement(case, "error", message=sanitise(result.error), type="RequestError")
        error.text = sanitise(result.url)
    elif result.outcome == Outcome.FAILED:
        reasons = [sanitise(reason) for reason in result.failures]
        failure = ET.SubElement(case, "failure", message=reasons[0], type="AssertionError")
        failure.text = "\n".join(reasons)
    lines = [f"{result.method} {result.url} -> {result.status}  {result.elapsed_ms:.0f} ms"]
    lines += [f"{'ok  ' if c.passed else 'FAIL'} {c.description}" for c in result.checks]
    lines += [f"note: {note}" for note in result.notes]
    ET.SubElement(case, "system-out").text = sanitise("\n".join(lines))


def write_report(run: RunResult, path: Path) -> None:
    """``path`` by its suffix: ``.json`` or ``.xml`` (JUnit)."""
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise UsageError(f"A report is .json or .xml (JUnit), not '{path.name}'.")
    try:
        write_text_atomic(path, to_json(run) if suffix == ".json" else to_junit(run))
    except OSError as exc:
        raise UsageError(f"Cannot write the report '{path}' ({exc.strerror}).") from exc
