"""Assertions and captures of a saved request, applied to its response.

Without a ``status`` assertion a response of 400 or above fails the request (an implicit
``status < 400``), so an unattended run never reports a 500 as a pass; with one, that assertion
decides, so an expected 404 can be tested. The body is parsed as JSON at most once per response
and only when a JSONPath needs it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from explorer.core.errors import FormatError
from explorer.core.models import Assertion, Capture, CheckKind, Exchange, Response
from explorer.core.runner.jsonpath import find
from explorer.core.runner.model import CheckResult

__all__ = ["apply_captures", "describe", "evaluate"]

_MISSING = object()


class _Body:
    """The response body parsed as JSON on first use (``_MISSING`` when it is not JSON)."""

    def __init__(self, response: Response) -> None:
        self._response = response
        self._parsed: Any = None
        self._done = False

    def document(self) -> Any:
        if not self._done:
            self._done = True
            try:
                self._parsed = json.loads(self._response.body.read_bytes())
            except (ValueError, UnicodeDecodeError):
                self._parsed = _MISSING
        return self._parsed


def describe(check: Assertion) -> str:
    """The assertion as one short line (``status == 201``, ``$.id exists``)."""
    if check.kind == CheckKind.STATUS:
        return f"status == {check.expected}"
    if check.kind == CheckKind.MAX_MS:
        return f"time <= {check.expected} ms"
    label = check.target if check.kind == CheckKind.JSONPATH else f"header {check.target}"
    if check.expected is None:
        return f"{label} {'exists' if check.kind == CheckKind.JSONPATH else 'present'}"
    return f"{label} == {check.expected}"


def evaluate(assertions: tuple[Assertion, ...], exchange: Exchange) -> tuple[CheckResult, ...]:
    """Every assertion's result, plus the implicit ``status < 400`` when none checks status."""
    body = _Body(exchange.response)
    results = [_evaluate(check, exchange, body) for check in assertions]
    status = exchange.response.status
    if not any(a.kind == CheckKind.STATUS for a in assertions):
        results.insert(0, CheckResult("status < 400", status < 400, f"got {status}"))
    return tuple(results)


def _evaluate(check: Assertion, exchange: Exchange, body: _Body) -> CheckResult:
    label = describe(check)
    try:
        passed, found = _CHECKS[check.kind](check, exchange, body)
    except FormatError as exc:
        return CheckResult(label, False, str(exc))
    return CheckResult(label, passed, "" if passed else found)


def _status(check: Assertion, exchange: Exchange, _body: _Body) -> tuple[bool, str]:
    status = exchange.response.status
    return str(status) == check.expected, f"got {status}"


def _max_ms(check: Assertion, exchange: Exchange, _body: _Body) -> tuple[bool, str]:
    took = exchange.timings.total_ms
    return took <= float(check.expected or 0), f"took {took:.0f} ms"


def _header(check: Assertion, exchange: Exchange, _body: _Body) -> tuple[bool, str]:
    value = exchange.response.headers.get(check.target)
    if value is None:
        return False, "absent"
    return check.expected is None or value == check.expected, f"got '{value}'"


def _jsonpath(check: Assertion, _exchange: Exchange, body: _Body) -> tuple[bool, str]:
    document = body.document()
    if document is _MISSING:
        return False, "the body is not JSON"
    matches = find(document, check.target)
    if check.expected is None:
        return bool(matches), "no match"
    if not matches:
        return False, "no match"
    actual = matches[0] if len(matches) == 1 else matches
    expected = json.loads(check.expected)
    return _same(actual, expected), f"got {_json(actual)}"


def _same(actual: Any, expected: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1 (Python's == says it is)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(_same, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            _same(actual[k], expected[k]) for k in actual
        )
    return bool(actual == expected)


_CHECKS: dict[CheckKind, Callable[[Assertion, Exchange, _Body], tuple[bool, str]]] = {
    CheckKind.STATUS: _status,
    CheckKind.MAX_MS: _max_ms,
    CheckKind.HEADER: _header,
    CheckKind.JSONPATH: _jsonpath,
}


def apply_captures(
    captures: tuple[Capture, ...], exchange: Exchange
) -> tuple[dict[str, str], tuple[CheckResult, ...]]:
    """The variables captured from the response, and a failed check per capture that found
    nothing (a later request would use a stale or undefined value)."""
    body = _Body(exchange.response)
    values: dict[str, str] = {}
    missed: list[CheckResult] = []
    for capture in captures:
        label = f"capture {capture.name}"
        if capture.source == "header":
            found = exchange.response.headers.get(capture.path)
            if found is None:
                missed.append(CheckResult(label, False, f"no header {capture.path}"))
            else:
                values[capture.name] = found
            continue
        document = body.document()
        try:
            matches = [] if document is _MISSING else find(document, capture.path)
        except FormatError as exc:
            missed.append(CheckResult(label, False, str(exc)))
            continue
        if matches:
            values[capture.name] = _text(matches[0])
        else:
            missed.append(CheckResult(label, False, f"{capture.path} matched nothing"))
    return values, tuple(missed)


def _text(value: Any) -> str:
    """A captured value as a variable: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else _json(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
