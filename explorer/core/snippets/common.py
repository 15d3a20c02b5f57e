"""Pieces every target shares: the comment that says which environment variables to set, and
the query and form encodings done at generation time when nothing in them varies at run time
(the same ``urlencode`` our client uses, so the bytes match)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from urllib.parse import quote_plus, urlencode

from explorer.core.snippets.model import Ref, SnippetRequest, Text

#: Comment lines wrap here, so a snippet reads well in an editor and a terminal.
WIDTH = 92


def comment_lines(req: SnippetRequest, prefix: str, env_ref: Callable[[str], str]) -> list[str]:
    """How to run the snippet: the environment variables it reads, and any notes."""
    lines: list[str] = []
    env_vars = req.env_vars
    if env_vars:
        lines.append(f"{prefix} Set these environment variables first:")
        for var in env_vars:
            assert var.env is not None
            lines += textwrap.wrap(
                f"{env_ref(var.env)}: {var.hint}",
                WIDTH,
                initial_indent=f"{prefix}   ",
                subsequent_indent=f"{prefix}     ",
                break_on_hyphens=False,
            )
    for note in req.notes:
        lines += textwrap.wrap(
            note, WIDTH, initial_indent=f"{prefix} ", subsequent_indent=f"{prefix} "
        )
    return lines


def literal_pairs(pairs: Iterable[tuple[Text, Text]]) -> list[tuple[str, str]] | None:
    """The pairs as plain strings, or None when any holds a run-time reference."""
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        if name.literal is None or value.literal is None:
            return None
        out.append((name.literal, value.literal))
    return out


def url_with_query(req: SnippetRequest) -> Text | None:
    """The URL with the params encoded into it, or None when a param varies at run time."""
    pairs = literal_pairs(req.params)
    if pairs is None:
        return None
    if not pairs:
        return req.url
    return req.url + Text.of(query_joiner(req.url) + urlencode(pairs))


def query_joiner(url: Text) -> str:
    has_query = any(isinstance(p, str) and "?" in p for p in url.parts)
    return "&" if has_query else "?"


def seconds(value: float) -> str:
    """``10.0`` → ``10``, ``2.5`` → ``2.5``: durations as people write them."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def encoded_pieces(
    pairs: Iterable[tuple[Text, Text]], escape: Callable[[Text], str]
) -> list[tuple[bool, str]]:
    """``name=value&...`` as (is_code, text) pieces: literal parts encoded like ``urlencode``
    now and merged into one string, run-time values wrapped by the target's ``escape`` call."""
    pieces: list[tuple[bool, str]] = []

    def add(code: bool, text: str) -> None:
        if not code and pieces and not pieces[-1][0]:
            pieces[-1] = (False, pieces[-1][1] + text)
        else:
            pieces.append((code, text))

    for i, (name, value) in enumerate(pairs):
        if i:
            add(False, "&")
        for j, text in enumerate((name, value)):
            if j:
                add(False, "=")
            literal = text.literal
            if literal is not None:
                add(False, quote_plus(literal))
            else:
                add(True, escape(text))
    return pieces


def concat(text: Text, quote: Callable[[str], str]) -> str:
    """``text`` as a ``+`` concatenation of quoted literals and variable names, the expression
    form Python, JavaScript and Go share (``""`` when empty)."""
    if not text.parts:
        return '""'
    return " + ".join(p.ident if isinstance(p, Ref) else quote(p) for p in text.parts)
