"""Code snippets that really run: curl, HTTPie, Python requests, fetch, PowerShell and Go.

``generate(spec, lang, options)`` is the whole API (the CLI's ``snippet`` command and the
window's snippet dialog both call it); ``LANGUAGES`` lists the targets with what a dialog needs
(label, the pygments lexer for the preview, whether full flow is offered). A request is decided
once (``build``) and each target only renders it, so secrets are handled in one place: unless
``auth_mode="reveal"``, no secret value is written; as a last guard, any known secret value that
still appears in the text is masked (the snippet then fails loudly instead of leaking).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from explorer.core.models import RequestSpec
from explorer.core.redaction import mask_text
from explorer.core.snippets import go, javascript, powershell, python, shell
from explorer.core.snippets.build import AUTH_MODES, SnippetOptions, build
from explorer.core.snippets.errors import SnippetError
from explorer.core.snippets.model import SnippetRequest
from explorer.core.snippets.proxy import as_note

__all__ = ["AUTH_MODES", "LANGUAGES", "Language", "SnippetError", "SnippetOptions", "generate"]


@dataclass(frozen=True, slots=True)
class Language:
    """A target. ``lexer`` names the pygments lexer for a highlighted preview; ``flow`` says
    whether the full-flow auth mode is offered; ``extension`` suits a "save as" dialog;
    ``schemes`` are the auth schemes it implements itself (``digest``, ``aws-sigv4``);
    ``proxy`` whether it renders the settings' proxy (else a note says it)."""

    id: str
    label: str
    lexer: str
    extension: str
    flow: bool
    render: Callable[[SnippetRequest], str]
    schemes: frozenset[str] = frozenset()
    proxy: bool = False


_SCHEME_NAMES = {"digest": "Digest auth", "aws-sigv4": "AWS Signature V4 auth"}


LANGUAGES: tuple[Language, ...] = (
    Language(
        "curl",
        "curl (bash)",
        "bash",
        "sh",
        True,
        shell.curl,
        frozenset({"digest", "aws-sigv4"}),
        proxy=True,
    ),
    Language(
        "httpie",
        "HTTPie (bash)",
        "bash",
        "sh",
        False,
        shell.httpie,
        frozenset({"digest"}),
        proxy=True,
    ),
    Language(
        "python",
        "Python requests",
        "python",
        "py",
        True,
        python.render,
        frozenset({"digest", "aws-sigv4"}),
        proxy=True,
    ),
    Language("fetch", "JavaScript fetch", "javascript", "mjs", False, javascript.render),
    Language(
        "powershell", "PowerShell Invoke-RestMethod", "powershell", "ps1", False, powershell.render
    ),
    Language("go", "Go net/http", "go", "go", False, go.render),
)


def language(lang: str) -> Language:
    for candidate in LANGUAGES:
        if candidate.id == lang:
            return candidate
    known = ", ".join(c.id for c in LANGUAGES)
    raise SnippetError(f"'{lang}' is not a snippet language; use one of {known}.")


def generate(spec: RequestSpec, lang: str, options: SnippetOptions | None = None) -> str:
    """The snippet text for ``spec`` in ``lang``; raises ``ExplorerError`` subclasses only."""
    options = options or SnippetOptions()
    target = language(lang)
    if options.auth_mode == "flow" and not target.flow:
        flows = ", ".join(c.id for c in LANGUAGES if c.flow)
        raise SnippetError(f"Full flow is available for {flows}; pick one of them or drop --flow.")
    request = build(spec, options)
    if not target.proxy:
        request = as_note(request)
    _check_schemes(request, target)
    text = target.render(request)
    if options.auth_mode != "reveal":
        text = mask_text(text, request.secrets)
    return text


def _check_schemes(request: SnippetRequest, target: Language) -> None:
    """One sentence when ``target`` cannot sign or authenticate the way the request does."""
    for scheme in sorted(request.schemes - target.schemes):
        able = [c.label for c in LANGUAGES if scheme in c.schemes]
        names = ", ".join(able[:-1]) + f" or {able[-1]}" if len(able) > 1 else able[0]
        raise SnippetError(
            f"The {target.label} snippet cannot do {_SCHEME_NAMES[scheme]}; use the {names} "
            "snippet."
        )
