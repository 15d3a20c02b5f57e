"""Shell text → the words each command hands to its program: what the shells share.

A pasted curl command is shell text: curl receives what the shell made of it, so an import
must read it the way that shell does. Browsers copy requests for bash (``$'…'`` ANSI-C strings
when a value holds a quote or a control character), for cmd.exe (Chrome's "Copy as cURL (cmd)":
``^`` escapes everywhere and ``^`` line continuations) and API docs show PowerShell's
``curl.exe`` with backtick continuations. ``detect`` tells them apart; the lexers
(``shell_bash``, ``shell_windows``) cut the text into ``ShellCommand``s at the shell's own
separators, so ``| jq .`` or ``&& echo done`` become commands of their own that the caller
reports. Shell variables (``$TOKEN``, ``${TOKEN}``, ``$env:TOKEN``) become ``{{TOKEN}}``
template variables; command substitutions are kept as written; both are noted, so nothing the
shell would have changed passes unsaid.
"""

from __future__ import annotations

import bisect
import enum
import re
from dataclasses import dataclass, field, replace

from explorer.core.errors import FormatError


class Shell(enum.StrEnum):
    BASH = "bash"
    CMD = "cmd"
    POWERSHELL = "PowerShell"


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """One simple command: its words, the line it starts on, and what feeds its stdin: the
    text of a here-document or here-string, a file (``< file``), or else a description of a
    source the text does not hold (``stdin_from``: the output of a pipe)."""

    words: tuple[str, ...]
    line: int
    stdin: str | None = None
    stdin_from: str | None = None
    notes: tuple[str, ...] = ()
    stdin_file: str | None = None


_STRONG = {
    Shell.CMD: re.compile(r'\^\n|(?:^|[\s=])\^"'),
    Shell.POWERSHELL: re.compile(r"(?:^|[ \t])`\n", re.M),
    Shell.BASH: re.compile(r"\\\n|\$'"),
}
_SINGLE_QUOTED = re.compile(r"\\[\s\S]|\$'(?:[^'\\]|\\[\s\S])*'|'[^']*'")
"""Backslash escapes and the strings bash and PowerShell quote with ``'``: marks inside them
(a body holding ``^`` and a line break) say nothing about the shell."""


def _blank(found: re.Match[str]) -> str:
    text = found.group()
    return text if text.startswith("\\") else "$''" if text.startswith("$") else "''"


_CURL_EXE = re.compile(r"(?:^|[\s;&|(])curl\.exe(?=\s|$)", re.IGNORECASE)


def detect(text: str) -> tuple[Shell, str | None]:
    """The shell ``text`` was written for, and a warning when its marks point to several.

    A ``^`` line continuation or an argument opened with ``^"`` means cmd.exe; a backtick
    continuation (after a blank, so bash's `` `cmd` `` closing a line is no mark) or ``curl.exe``
    means PowerShell; anything else is read as bash."""
    text = _SINGLE_QUOTED.sub(_blank, text.replace("\r\n", "\n"))
    strong = [shell for shell, mark in _STRONG.items() if mark.search(text)]
    if not strong:
        return (Shell.POWERSHELL if _CURL_EXE.search(text) else Shell.BASH), None
    chosen = strong[0]
    if len(strong) == 1:
        return chosen, None
    others = " and ".join(shell.value for shell in strong[1:])
    return chosen, f"the text has marks of {chosen.value} and {others}; it was read as {chosen}"


@dataclass
class Commands:
    """Collects commands as a lexer finds their words."""

    text: str
    commands: list[ShellCommand] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 1
    stdin: str | None = None
    stdin_from: str | None = None
    stdin_file: str | None = None

    def __post_init__(self) -> None:
        self._newlines = [i for i, ch in enumerate(self.text) if ch == "\n"]

    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def word(self, word: str, start: int) -> None:
        if not self.words:
            self.line = self.line_at(start)
        self.words.append(word)

    def note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def end(self, piped: bool = False) -> None:
        if self.words:
            self.commands.append(
                ShellCommand(
                    tuple(self.words),
                    self.line,
                    self.stdin,
                    self.stdin_from,
                    tuple(self.notes),
                    self.stdin_file,
                )
            )
        self.words, self.notes, self.stdin, self.stdin_file = [], [], None, None
        self.stdin_from = "the output of the command before the pipe" if piped else None


def variable_note(name: str) -> str:
    """What an import says about a shell variable it turned into ``{{name}}``."""
    return (
        f"the shell variable {name} became {{{{{name}}}}}; give it a value (a variable, "
        "or --var when sending)"
    )


def unterminated(what: str, line: int) -> FormatError:
    """The error for a quote (or here-string, substitution) left open at ``line``."""
    return FormatError(f"has an unterminated {what}; check the quotes", line=line)


def with_note(command: ShellCommand, note: str) -> ShellCommand:
    """``command`` with one more note."""
    return replace(command, notes=(*command.notes, note))
