"""cmd.exe and PowerShell as they read a command line for ``curl.exe``.

cmd.exe: ``^`` escapes (``^"``, ``^^``, ``^%``, ``^&``) and ``^`` continuations, ``"`` toggling
its quote mode, ``& && || |`` separators; then curl.exe splits the line by the Microsoft C
runtime's rules (backslashes before a quote halved, ``""`` inside quotes a literal quote).
PowerShell: single quotes with ``''``, double quotes with backtick escapes and ``""``,
here-strings, ``<# #>`` comments, backtick continuations, ``$env:NAME`` variables.
"""

from __future__ import annotations

import re

from explorer.core.formats.shell_words import (
    Commands,
    ShellCommand,
    unterminated,
    variable_note,
    with_note,
)


class _Cmd:
    """cmd.exe's reading (``^`` escapes, ``"`` toggling its quote mode, ``& && || |``
    separators), then curl.exe's own split of the command line by the C runtime's rules."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out = Commands(text)

    def run(self) -> list[ShellCommand]:
        text = self.text
        line: list[str] = []
        start, index, quoted = 0, 0, False
        while index < len(text):
            char = text[index]
            if char == "^" and not quoted:
                skip = 2 if text.startswith("^\n", index) else 1  # a continuation escapes the
                line.append(text[index + skip : index + skip + 1])  # next line's first char
                index += skip + 1
                continue
            if char == '"':
                quoted = not quoted
            elif char == "%" and not quoted:
                self._percent(index)
            elif char == "\n" or (char in "&|" and not quoted):
                operator = re.match(r"&&|\|\||[&|\n]", text[index:])
                assert operator is not None
                self._command("".join(line), start)
                self.out.end(piped=operator.group() == "|")
                line, quoted = [], False
                index += len(operator.group())
                start = index
                continue
            elif char in "<>" and not quoted:
                index = self._redirect(index)
                continue
            line.append(char)
            index += 1
        self._command("".join(line), start)
        self.out.end()
        return self.out.commands

    def _percent(self, index: int) -> None:
        found = re.match(r"%([A-Za-z_][A-Za-z0-9_]*)%", self.text[index:])
        if found and not re.fullmatch(r"[0-9A-Fa-f]{2}", found.group(1)):
            self.out.note(
                f"cmd would put the value of the variable {found.group()} there if it is set; "
                "kept as written"
            )

    def _redirect(self, index: int) -> int:
        target = re.match(r"[<>]+&?\s*(\"[^\"]*\"|[^\s&|<>]*)", self.text[index:])
        assert target is not None
        if self.text[index] == "<":
            self.out.stdin_file = target.group(1).strip('"')
        return index + len(target.group())

    def _command(self, line: str, start: int) -> None:
        """Split one cmd line into arguments by the Microsoft C runtime's rules."""
        words: list[str] = []
        current: list[str] = []
        started, quoted, index = False, False, 0
        while index < len(line):
            char = line[index]
            if char in " \t" and not quoted:
                if started:
                    words.append("".join(current))
                current, started = [], False
                index += 1
                continue
            started = True
            if char == "\\":
                count = len(line[index:]) - len(line[index:].lstrip("\\"))
                index += count
                if line[index : index + 1] == '"':
                    current.append("\\" * (count // 2))
                    if count % 2:
                        current.append('"')
                        index += 1
                else:
                    current.append("\\" * count)
            elif char == '"':
                if quoted and line[index + 1 : index + 2] == '"':
                    current.append('"')
                    index += 2
                    continue
                quoted = not quoted
                index += 1
            else:
                current.append(char)
                index += 1
        if started:
            words.append("".join(current))
        for word in words:
            self.out.word(word, start)


_PS_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_PS_REDIRECT = re.compile(r"[\d*]?>>?(&\d)?")
_PS_QUOTES = (
    "Windows PowerShell 5.1 removes the double quotes inside the arguments it passes to "
    "curl.exe; they were kept, as PowerShell 7.3 and later pass them"
)
_PS_SINGLE = "'\u2018\u2019\u201a\u201b"
_PS_DOUBLE = '"\u201c\u201d\u201e'


class _PowerShell:
    """PowerShell's reading of a native command line (``curl.exe``), arguments as PowerShell
    7.3 and later pass them (Windows PowerShell 5.1 drops double quotes inside arguments)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.out = Commands(text)

    def run(self) -> list[ShellCommand]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if text.startswith("`\n", self.pos):
                self.pos += 2
            elif char in " \t\r":
                self.pos += 1
            elif text.startswith("<#", self.pos):
                end = text.find("#>", self.pos)
                self.pos = end + 2 if end >= 0 else len(text)
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = end if end >= 0 else len(text)
            elif char in "\n;" or text.startswith(("&&", "||"), self.pos):
                self.pos += 2 if char in "&|" else 1
                self.out.end()
            elif char == "|":
                self.pos += 1
                self.out.end(piped=True)
            elif char == "&" and not self.out.words:
                self.pos += 1  # the call operator: & curl.exe ...
            elif redirect := _PS_REDIRECT.match(text, self.pos):
                self._redirect(redirect)
            else:
                start = self.pos
                self.out.word(self._word(), start)
        self.out.end()
        return [
            with_note(command, _PS_QUOTES) if any('"' in w for w in command.words) else command
            for command in self.out.commands
        ]

    def _redirect(self, found: re.Match[str]) -> None:
        """``> file``, ``2>&1``, ``*> $null``: curl's output only, so skipped."""
        self.pos = found.end()
        if not found.group(1):
            while self.pos < len(self.text) and self.text[self.pos] in " \t":
                self.pos += 1
            self._word()

    def _word(self) -> str:
        text = self.text
        parts: list[str] = []
        if text.startswith(("@'\n", '@"\n'), self.pos):
            return self._here_string()
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\n;|" or (char == "&" and text.startswith("&&", self.pos)):
                break
            if char == "`":
                following = text[self.pos + 1 : self.pos + 2]
                self.pos += 2
                if following == "\n":
                    break
                parts.append(following)
            elif char in _PS_SINGLE:
                parts.append(self._single())
            elif char in _PS_DOUBLE:
                parts.append(self._double())
            elif char == "$":
                parts.append(self._dollar())
            else:
                parts.append(char)
                self.pos += 1
        return "".join(parts)

    def _here_string(self) -> str:
        quote = self.text[self.pos + 1]
        end = self.text.find(f"\n{quote}@", self.pos + 3)
        if end < 0:
            raise unterminated("here-string", self.out.line_at(self.pos))
        value = self.text[self.pos + 3 : end]
        self.pos = end + 3
        if quote == '"' and "$" in value:
            self.out.note("a here-string is taken as written; PowerShell would expand its $")
        return value

    def _single(self) -> str:
        text, start = self.text, self.pos
        self.pos += 1
        parts: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char in _PS_SINGLE:
                if text[self.pos + 1 : self.pos + 2] in tuple(_PS_SINGLE):
                    parts.append("'")
                    self.pos += 2
                    continue
                self.pos += 1
                return "".join(parts)
            parts.append(char)
            self.pos += 1
        raise unterminated("single quote", self.out.line_at(start))

    def _double(self) -> str:
        text, start = self.text, self.pos
        self.pos += 1
        parts: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char in _PS_DOUBLE:
                if text[self.pos + 1 : self.pos + 2] in tuple(_PS_DOUBLE):
                    parts.append('"')
                    self.pos += 2
                    continue
                self.pos += 1
                return "".join(parts)
            if char == "`":
                parts.append(self._escape())
            elif char == "$":
                parts.append(self._dollar())
            else:
                parts.append(char)
                self.pos += 1
        raise unterminated("double quote", self.out.line_at(start))

    def _escape(self) -> str:
        text = self.text
        following = text[self.pos + 1 : self.pos + 2]
        self.pos += 2
        unicode = re.match(r"u\{([0-9a-fA-F]{1,6})\}", text[self.pos - 1 :])
        if unicode:
            self.pos += len(unicode.group()) - 1
            return chr(min(int(unicode.group(1), 16), 0x10FFFF))
        return _PS_ESCAPES.get(following, following)

    def _dollar(self) -> str:
        text, pos = self.text, self.pos
        if text.startswith("$(", pos):
            depth, index = 0, pos + 1
            while index < len(text):
                depth += (text[index] == "(") - (text[index] == ")")
                index += 1
                if depth == 0:
                    break
            else:
                raise unterminated("subexpression $(", self.out.line_at(pos))
            self.pos = index
            self.out.note(f"the subexpression {text[pos:index][:40]} was kept as written")
            return text[pos:index]
        found = re.match(r"\$\{([^}]*)\}|\$(?:env:)?([A-Za-z_][A-Za-z0-9_]*)", text[pos:], re.I)
        if found is None:
            self.pos += 1
            return "$"
        self.pos += len(found.group())
        name = found.group(1) if found.group(1) is not None else found.group(2)
        name = re.sub("^env:", "", name, flags=re.I)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            self.out.note(f"the variable {found.group()} was kept as written")
            return found.group()
        self.out.note(variable_note(name))
        return f"{{{{{name}}}}}"


def split_cmd(text: str) -> list[ShellCommand]:
    """The commands of a cmd.exe line (or lines), each split as curl.exe splits its own."""
    return _Cmd(text).run()


def split_powershell(text: str) -> list[ShellCommand]:
    """The native commands of PowerShell text."""
    return _PowerShell(text).run()
