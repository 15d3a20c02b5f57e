"""bash and POSIX sh as they read a script: quotes, ``$'…'`` ANSI-C strings (``\\x`` ``\\u``
``\\n`` ``\\t`` ``\\\\`` ``\\'``, octal, cut at a NUL), ``$"…"``, backslash continuations, ``#``
comments, the control operators that end a command, redirections, and here-documents and
here-strings kept as the command's stdin."""

from __future__ import annotations

import re

from explorer.core.errors import FormatError
from explorer.core.formats.shell_words import (
    Commands,
    ShellCommand,
    unterminated,
    variable_note,
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BASH_SPECIAL = re.compile(r"[0-9@*#?$!-]")
_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_ANSI_NUMERIC = {
    "x": re.compile("[0-9a-fA-F]{1,2}"),
    "u": re.compile("[0-9a-fA-F]{1,4}"),
    "U": re.compile("[0-9a-fA-F]{1,8}"),
}
_OCTAL = re.compile("[0-7]{1,3}")


class _Bash:
    """bash's reading of a script: words, operators, redirections, here-documents."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.out = Commands(text)
        self.heredocs: list[tuple[str, bool]] = []

    def run(self) -> list[ShellCommand]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if text.startswith("\\\n", self.pos):
                self.pos += 2
            elif char in " \t\r":
                self.pos += 1
            elif char == "\n":
                self.pos += 1
                self._read_heredocs()
                self.out.end()
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = end if end >= 0 else len(text)
            elif char in "<>" or text.startswith("&>", self.pos):
                self._redirect()
            elif char in ";&|":
                self._operator()
            else:
                start = self.pos
                self.out.word(self._word(), start)
        self._read_heredocs()
        self.out.end()
        return self.out.commands

    def _operator(self) -> None:
        text, pos = self.text, self.pos
        two = text[pos : pos + 2]
        if two in ("&&", "||", ";;"):
            self.pos += 2
            self.out.end()
        elif two == "|&" or text[pos] == "|":
            self.pos += 2 if two == "|&" else 1
            self.out.end(piped=True)
        else:
            self.pos += 1
            self.out.end()

    def _redirect(self) -> None:
        text = self.text
        if self.out.words and self.out.words[-1].isdigit() and text[self.pos - 1] not in " \t":
            self.out.words.pop()  # 2>file: the descriptor is part of the redirection
        operator = re.match(r"<<<|<<-|<<|<>|<&|<|>>|>&|>\||&>>|&>|>", text[self.pos :])
        assert operator is not None  # run() calls this on < > or &> only
        self.pos += len(operator.group())
        while self.pos < len(text) and text[self.pos] in " \t":
            self.pos += 1
        if self.pos >= len(text) or text[self.pos] in "\n;&|<>":
            raise FormatError(
                f"has a redirection '{operator.group()}' without a target",
                line=self.out.line_at(self.pos),
            )
        raw_start = self.pos
        target = self._word()
        kind = operator.group()
        if kind == "<<<":
            self.out.stdin = target + "\n"
        elif kind in ("<<", "<<-"):
            quoted = any(q in text[raw_start : self.pos] for q in "'\"\\")
            self.heredocs.append((target, kind == "<<-"))
            if not quoted and "$" in text[self.pos :]:
                self.out.note("a here-document is taken as written; bash would expand its $")
        elif kind == "<":
            self.out.stdin_file = target

    def _read_heredocs(self) -> None:
        """The bodies of the here-documents opened on the line that just ended."""
        for delimiter, strip_tabs in self.heredocs:
            lines: list[str] = []
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = end if end >= 0 else len(self.text)
                line = self.text[self.pos : end]
                self.pos = end + 1
                if strip_tabs:
                    line = line.lstrip("\t")
                if line == delimiter:
                    break
                lines.append(line + "\n")
            else:
                self.out.note(f"the here-document ends without its line {delimiter!r}")
            self.out.stdin = "".join(lines)
        self.heredocs = []

    def _word(self) -> str:
        text = self.text
        parts: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if text.startswith("\\\n", self.pos):
                self.pos += 2
            elif char in " \t\n;|<>":
                break
            elif char == "&":
                if not self._ampersand_in_word(parts):
                    break
                parts.append(char)
                self.pos += 1
            elif char == "\\":
                parts.append(text[self.pos + 1 : self.pos + 2])
                self.pos += 2
            elif char == "'":
                parts.append(self._single())
            elif char == '"':
                parts.append(self._double())
            elif char == "$":
                parts.append(self._dollar(quoted=False))
            elif char == "`":
                parts.append(self._backticks())
            else:
                parts.append(char)
                self.pos += 1
        return "".join(parts)

    def _ampersand_in_word(self, parts: list[str]) -> bool:
        """An unquoted ``&`` between word characters (``?a=1&b=2``) is kept in the word: bash
        would run the command in the background there, but pasted URLs mean the query."""
        following = self.text[self.pos + 1 : self.pos + 2]
        if not parts or not following or following in " \t\n;&|<>":
            return False
        self.out.note(
            "an unquoted '&' was kept inside a word (a URL's query, most likely); bash would "
            "end the command there, so quote such URLs"
        )
        return True

    def _single(self) -> str:
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise unterminated("single quote", self.out.line_at(self.pos))
        value = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return value

    def _double(self) -> str:
        text, start = self.text, self.pos
        self.pos += 1
        parts: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(parts)
            if char == "\\" and text[self.pos + 1 : self.pos + 2] in ("$", "`", '"', "\\", "\n"):
                parts.append(text[self.pos + 1].replace("\n", ""))
                self.pos += 2
            elif char == "$":
                parts.append(self._dollar(quoted=True))
            elif char == "`":
                parts.append(self._backticks())
            else:
                parts.append(char)
                self.pos += 1
        raise unterminated("double quote", self.out.line_at(start))

    def _dollar(self, *, quoted: bool) -> str:
        text, pos = self.text, self.pos
        following = text[pos + 1 : pos + 2]
        if following == "'" and not quoted:
            return self._ansi_c()
        if following == '"' and not quoted:
            self.pos += 1
            return self._double()
        if following == "(":
            return self._substitution(pos + 1, "(", ")")
        if following == "{":
            end = text.find("}", pos)
            if end < 0:
                raise unterminated("${", self.out.line_at(pos))
            self.pos = end + 1
            inner = text[pos + 2 : end]
            if _NAME.fullmatch(inner):
                self.out.note(variable_note(inner))
                return f"{{{{{inner}}}}}"
            self.out.note(f"the parameter expansion ${{{inner}}} was kept as written")
            return text[pos : end + 1]
        name = _NAME.match(text, pos + 1)
        if name:
            self.pos = name.end()
            self.out.note(variable_note(name.group()))
            return f"{{{{{name.group()}}}}}"
        if _BASH_SPECIAL.fullmatch(following):
            self.pos += 2
            self.out.note(f"the shell parameter ${following} was kept as written")
            return f"${following}"
        self.pos += 1
        return "$"

    def _substitution(self, start: int, opening: str, closing: str) -> str:
        """``$(…)``: kept as written up to its matching parenthesis, and noted."""
        depth, index = 0, start
        while index < len(self.text):
            char = self.text[index]
            depth += (char == opening) - (char == closing)
            index += 1
            if depth == 0:
                break
        else:
            raise unterminated("command substitution", self.out.line_at(start))
        written = self.text[self.pos : index]
        self.pos = index
        self.out.note(f"the command substitution {written[:40]} was kept as written")
        return written

    def _backticks(self) -> str:
        end = self.text.find("`", self.pos + 1)
        if end < 0:
            raise unterminated("backquote", self.out.line_at(self.pos))
        written = self.text[self.pos : end + 1]
        self.pos = end + 1
        self.out.note(f"the command substitution {written[:40]} was kept as written")
        return written

    def _ansi_c(self) -> str:
        """``$'…'``: the escapes bash decodes, bytes (``\\xff``) decoded as UTF-8, and the text
        cut at a NUL as bash cuts it."""
        text, start = self.text, self.pos
        self.pos += 2
        value = bytearray()
        while self.pos < len(text) and text[self.pos] != "'":
            if text[self.pos] == "\\" and self.pos + 1 < len(text):
                value += self._ansi_escape()
            else:
                value += text[self.pos].encode("utf-8", "surrogatepass")
                self.pos += 1
        if self.pos >= len(text):
            raise unterminated("$'…' string", self.out.line_at(start))
        self.pos += 1
        cut = value.split(b"\0", 1)[0]
        decoded = cut.decode("utf-8", "replace")
        if "\ufffd" in decoded and "\ufffd".encode() not in cut:
            self.out.note("bytes of a $'…' string that are not UTF-8 were replaced by U+FFFD")
        return decoded

    def _ansi_escape(self) -> bytes:
        text, letter = self.text, self.text[self.pos + 1]
        if letter in _ANSI_SIMPLE:
            self.pos += 2
            return _ANSI_SIMPLE[letter].encode()
        if letter in "01234567":
            octal = _OCTAL.match(text, self.pos + 1)
            assert octal is not None  # letter is an octal digit
            self.pos = octal.end()
            return bytes([int(octal.group(), 8) & 0xFF])
        digits = _ANSI_NUMERIC[letter].match(text, self.pos + 2) if letter in "xuU" else None
        if digits is not None:
            self.pos = digits.end()
            number = int(digits.group(), 16)
            if letter == "x":
                return bytes([number])
            return chr(min(number, 0x10FFFF)).encode("utf-8", "surrogatepass")
        if letter == "c" and self.pos + 2 < len(text):
            self.pos += 3
            return bytes([ord(text[self.pos - 1]) & 0x1F])
        self.pos += 2
        return f"\\{letter}".encode("utf-8", "surrogatepass")


def split_bash(text: str) -> list[ShellCommand]:
    """The commands of a bash script (``\\r\\n`` already made ``\\n``)."""
    return _Bash(text).run()
