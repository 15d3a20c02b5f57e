"""Every target's snippet, run for real against httpbin, sends what our own client sends.

One batch per language (see ``runner``); one test per (language, case) so a mismatch names its
case. Secrets reach the snippets through environment variables only: each snippet is also
checked to contain none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.core.snippets import cases as table
from tests.core.snippets.conftest import PROGRAMS, program_for, received

#: curl re-sends a ``-H`` header on every hop: after a 302 turns the POST into a GET, it still
#: sends the JSON Content-Type, which our client drops with the body (docs/snippets.md).
KNOWN_DIFFERENCES = {("curl", "redirect_follow"): {"content-type": "application/json"}}
CASE_IDS = [c.id for c in table.build_cases({"text": Path("t"), "binary": Path("b")})]


@pytest.mark.parametrize("case_id", CASE_IDS)
@pytest.mark.parametrize("lang", list(PROGRAMS))
def test_snippet_sends_what_our_client_sends(
    lang: str,
    case_id: str,
    request: pytest.FixtureRequest,
    executed: Callable[[str], dict[str, tuple[str, str]]],
    references: dict[str, str],
    case_table: dict[str, table.Case],
) -> None:
    program_for(lang, request.node.nodeid)
    case = case_table[case_id]
    snippet, output = executed(lang)[case_id]
    for secret in table.SECRETS.values():
        assert secret not in snippet
    names = _header_names(case)
    expected = received(references[case_id], case, names)
    got = received(output, case, names)
    known = KNOWN_DIFFERENCES.get((lang, case_id), {})
    for name, value in known.items():
        assert got["headers"].pop(name) == value, f"{lang} no longer differs in {name}"
        expected["headers"].pop(name)
    assert got == expected, f"{lang} snippet:\n{snippet}\noutput:\n{output[-2000:]}"


def _header_names(case: table.Case) -> set[str]:
    names = {h.name.lower() for h in case.spec.headers if h.enabled}
    names.add("content-type")
    if case.spec.auth is not None:
        names.add("authorization")
    return names
