"""Every target's snippet, run for real against httpbin, sends what our own client sends.

One batch per language (see ``runner``) and one test per language, which names every case that
differs (a test per case would run each batch once per xdist worker). Secrets reach the
snippets through environment variables only: each snippet is also checked to contain none.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.core.snippets import cases as table
from tests.core.snippets.conftest import PROGRAMS, program_for, received

#: curl re-sends a ``-H`` header on every hop: after a 302 turns the POST into a GET, it still
#: sends the JSON Content-Type, which our client drops with the body (docs/snippets.md).
KNOWN_DIFFERENCES = {("curl", "redirect_follow"): {"content-type": "application/json"}}


@pytest.mark.parametrize("lang", list(PROGRAMS))
def test_every_case_sends_what_our_client_sends(
    lang: str,
    request: pytest.FixtureRequest,
    executed: Callable[[str], dict[str, tuple[str, str]]],
    references: dict[str, str],
    case_table: dict[str, table.Case],
) -> None:
    program_for(lang, request.node.nodeid)
    failures = []
    for case_id, (snippet, output) in executed(lang).items():
        failure = _mismatch(lang, case_table[case_id], snippet, output, references[case_id])
        if failure:
            failures.append(f"--- {case_id}: {failure}\n{snippet}\noutput:\n{output[-1500:]}")
    assert not failures, f"{len(failures)} of {len(case_table)} cases differ:\n" + "\n".join(
        failures
    )


def _mismatch(lang: str, case: table.Case, snippet: str, output: str, reference: str) -> str:
    """Why the snippet's request differs from our client's, or '' when it does not."""
    leaked = [name for name, value in table.SECRETS.items() if value in snippet]
    if leaked:
        return f"the snippet contains the secret {leaked}"
    names = _header_names(case)
    expected = received(reference, case, names)
    got = received(output, case, names)
    for name, value in KNOWN_DIFFERENCES.get((lang, case.id), {}).items():
        if got.get("headers", {}).pop(name, None) != value:
            return f"{lang} no longer differs in {name}; update KNOWN_DIFFERENCES and the docs"
        expected["headers"].pop(name)
    if got != expected:
        return f"received {got!r}, our client sent {expected!r}"
    return ""


def _header_names(case: table.Case) -> set[str]:
    names = {h.name.lower() for h in case.spec.headers if h.enabled}
    names.add("content-type")
    if case.spec.auth is not None:
        names.add("authorization")
    return names
