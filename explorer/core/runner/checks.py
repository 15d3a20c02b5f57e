"""Assertions and captures of a saved request, applied to its response.

Without a ``status`` assertion a response of 400 or above fails the request (an implicit
``status < 400``), so an unattended run never reports a 500 as a pass; with one, that assertion
decides, so an expected 404 can be tested. The body is parsed as JSON at most once per response
and only when a JSONPath needs it.

Targets and expected values may hold ``{{variables}}``: ``expand`` (the scope the request was
resolved with) fills them in before the check, so a data row can say what to expect. A string
that held a template is compared with the found value's text (as a capture stores it), because a
data row is text: ``'{{qty}}'`` with ``qty=3`` matches the number 3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from explorer.core import safe_parse
from explorer.core.errors import FormatError, TemplateError
from explorer.core.models import Assertion, Capture, CheckKind, Exchange, Response
from explorer.core.runner.jsonpath import find
from explorer.core.runner.model import CheckResult

__all__ = ["Expand", "apply_captures", "describe", "evaluate"]

_MISSING = object()

Expand = Callable[[str], str]
"""Expands a text's ``{{variables}}``; raises ``TemplateError`` for one it cannot."""


class _Body:
    """The response body parsed as JSON on first use (``_MISSING`` when it is not JSON, with
    ``why`` saying so: a hostile answer nested too deep fails the check, not the run)."""

    def __init__(self, response: Response) -> None:
        self._response = response
        self._parsed: Any = None
        self._done = False
        self.why = "the body is not JSON"

    def document(self) -> Any:
        if not self._done:
            self._done = True
            try:
                self._parsed = safe_parse.loads(self._response.body.read_bytes())
            except safe_parse.NestingError as exc:
                self._parsed, self.why = _MISSING, f"the body is {exc}"
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


def evaluate(
    assertions: tuple[Assertion, ...], exchange: Exchange, expand: Expand | None = None
) -> tuple[CheckResult, ...]:
    """Every assertion's result, plus the implicit ``status < 400`` when none checks status."""
    body = _Body(exchange.response)
    results = [_evaluate(check, exchange, body, expand) for check in assertions]
    status = exchange.response.status
    if not any(a.kind == CheckKind.STATUS for a in assertions):
        results.insert(0, CheckResult("status < 400", status < 400, f"got {status}"))
    return tuple(results)


@dataclass(frozen=True, slots=True)
class _Check:
    """An assertion with its templates expanded; ``value`` is a JSONPath expectation decoded
    (``_MISSING`` when the path only has to select something)."""

    assertion: Assertion
    value: Any = _MISSING


class _Text(str):
    """An expected string that held a template: it matches a value whose text is equal."""

    __slots__ = ()


def _evaluate(
    check: Assertion, exchange: Exchange, body: _Body, expand: Expand | None
) -> CheckResult:
    try:
        prepared = _prepare(check, expand)
    except TemplateError as exc:
        return CheckResult(describe(check), False, str(exc))
    except safe_parse.NestingError as exc:
        return CheckResult(describe(check), False, f"the expected value is {exc}")
    label = describe(prepared.assertion)
    try:
        passed, found = _CHECKS[check.kind](prepared, exchange, body)
    except FormatError as exc:
        return CheckResult(label, False, str(exc))
    return CheckResult(label, passed, "" if passed else found)


def _prepare(check: Assertion, expand: Expand | None) -> _Check:
    """The check with its header name, JSONPath and expected value expanded."""
    value: Any = _MISSING
    if check.kind == CheckKind.JSONPATH and check.expected is not None:
        value = safe_parse.loads(check.expected)
    if expand is None or check.kind not in (CheckKind.HEADER, CheckKind.JSONPATH):
        return _Check(check, value)
    expected = check.expected
    if check.kind == CheckKind.HEADER and expected is not None:
        expected = expand(expected)
    elif value is not _MISSING:
        value = _expand_json(value, expand)
        expected = _json(value)
    return _Check(replace(check, target=expand(check.target), expected=expected), value)


def _expand_json(value: Any, expand: Expand) -> Any:
    """Every string of a JSON value expanded; one that held a template becomes ``_Text``."""
    if isinstance(value, str):
        return _Text(expand(value)) if "{{" in value else value
    if isinstance(value, list):
        return [_expand_json(item, expand) for item in value]
    if isinstance(value, dict):
        return {key: _expand_json(item, expand) for key, item in value.items()}
    return value


def _status(check: _Check, exchange: Exchange, _body: _Body) -> tuple[bool, str]:
    status = exchange.response.status
    return str(status) == check.assertion.expected, f"got {status}"


def _max_ms(check: _Check, exchange: Exchange, _body: _Body) -> tuple[bool, str]:
    took = exchange.timings.total_ms
    return took <= float(check.assertion.expected or 0), f"took {took:.0f} ms"


def _header(check: _Check, exchange: Exchange, _body: _Body) -> tuple[bool, str]:
    expected = check.assertion.expected
    value = exchange.response.headers.get(check.assertion.target)
    if value is None:
        return False, "absent"
    return expected is None or value == expected, f"got '{value}'"


def _jsonpath(check: _Check, _exchange: Exchange, body: _Body) -> tuple[bool, str]:
    document = body.document()
    if document is _MISSING:
        return False, body.why
    matches = find(document, check.assertion.target)
    if check.value is _MISSING:
        return bool(matches), "no match"
    if not matches:
        return False, "no match"
    actual = matches[0] if len(matches) == 1 else matches
    return _same(actual, check.value), f"got {_json(actual)}"


def _same(actual: Any, expected: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1 (Python's == says it is); a templated
    string equals a value with the same text."""
    if isinstance(expected, _Text):
        return _text(actual) == expected
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(_same, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            _same(actual[k], expected[k]) for k in actual
        )
    return bool(actual == expected)


_CHECKS: dict[CheckKind, Callable[[_Check, Exchange, _Body], tuple[bool, str]]] = {
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
        if document is _MISSING:
            missed.append(CheckResult(label, False, f"{capture.path}: {body.why}"))
        elif matches:
            values[capture.name] = _text(matches[0])
        else:
            missed.append(CheckResult(label, False, f"{capture.path} matched nothing"))
    return values, tuple(missed)


def _text(value: Any) -> str:
    """A captured value as a variable: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else _json(value)


def _json(value: Any) -> str:
    return safe_parse.dumps(value, ensure_ascii=False, separators=(",", ":"))
