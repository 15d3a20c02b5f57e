"""The shells a pasted curl command is written for: bash, cmd.exe and PowerShell each turn the
text into the words curl receives, and the import must read it as that shell would."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.core.errors import FormatError
from explorer.core.formats.curl import split_commands
from explorer.core.formats.shell_bash import split_bash
from explorer.core.formats.shell_windows import split_cmd, split_powershell
from explorer.core.formats.shell_words import Shell, ShellCommand, detect
from tests.support.fuzz import bounded


def words(text: str) -> list[tuple[str, ...]]:
    return [command.words for command in split_commands(text)[0]]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        (r"$'it\'s'", "it's"),
        (r"$'a\nb\tc\\d'", "a\nb\tc\\d"),
        (r"$'\x41\101\u00e9\U0001F600'", "AAé😀"),
        (r"$'\r\n\a\e\cA'", "\r\n\a\x1b\x01"),
        (r"$'cut\0here' x", "cut"),
        (r"$'\q'", "\\q"),
        ('$"double $"', "double $"),
        ('"a \\"b\\" \\$c \\x"', 'a "b" $c \\x'),
        ("'single $x \\n'", "single $x \\n"),
        ("un\\ quoted\\'", "un quoted'"),
        ("a'b'\"c\"$'d'", "abcd"),
    ],
)
def test_bash_quoting(written: str, meant: str) -> None:
    assert split_bash(f"curl {written}")[0].words[1] == meant


def test_bash_continuations_comments_and_operators() -> None:
    commands = split_bash(
        "# a comment\n"
        "curl -H 'A: 1' \\\n  https://h/a   # trailing comment\n"
        "curl https://h/b && echo ok || echo no; curl https://h/c | jq .\n"
    )
    assert [c.words for c in commands] == [
        ("curl", "-H", "A: 1", "https://h/a"),
        ("curl", "https://h/b"),
        ("echo", "ok"),
        ("echo", "no"),
        ("curl", "https://h/c"),
        ("jq", "."),
    ]
    assert [c.line for c in commands] == [2, 4, 4, 4, 4, 4]
    assert commands[-1].stdin_from == "the output of the command before the pipe"


def test_bash_here_documents_here_strings_and_redirections() -> None:
    heredoc, tabbed, herestring, redirected = split_bash(
        "curl -d @- https://h/a <<'EOF'\n{\"a\": $x}\nEOF\n"
        "curl -d @- https://h/b <<-END\n\tindented\n\tEND\n"
        'curl -d @- https://h/c <<< "one line"\n'
        "curl -T - https://h/d < body.bin > out.txt 2>&1\n"
    )
    assert heredoc.stdin == '{"a": $x}\n'
    assert tabbed.stdin == "indented\n"
    assert herestring.stdin == "one line\n"
    assert redirected.stdin_file == "body.bin"
    assert redirected.words == ("curl", "-T", "-", "https://h/d")


def test_bash_variables_become_template_variables_and_substitutions_are_noted() -> None:
    (command,) = split_bash('curl "$BASE/v1?k=${KEY}" -H "X-Id: $(uuidgen)" -d `date` -d $1')
    assert command.words[1] == "{{BASE}}/v1?k={{KEY}}"
    assert command.words[3] == "X-Id: $(uuidgen)"
    assert command.words[5] == "`date`"
    assert any("{{BASE}}" in n for n in command.notes)
    assert any("$(uuidgen)" in n for n in command.notes)
    assert any("$1" in n for n in command.notes)


def test_an_unquoted_ampersand_inside_a_url_is_kept_and_noted() -> None:
    (command,) = split_bash("curl https://h/?a=1&b=2")
    assert command.words == ("curl", "https://h/?a=1&b=2")
    assert any("unquoted '&'" in note for note in command.notes)


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        ("curl 'https://h/a", "single quote", 1),
        ('curl \\\n  -d "abc', "double quote", 2),
        ("curl $'abc", "$'…' string", 1),
        ("curl -d $(date https://h", "command substitution", 1),
        ("curl https://h <", "redirection '<' without a target", 1),
    ],
)
def test_bash_refuses_what_bash_refuses_with_the_line(text: str, needle: str, line: int) -> None:
    with pytest.raises(FormatError, match=re.escape(needle)) as caught:
        split_bash(text)
    assert caught.value.line == line


def test_cmd_caret_escapes_quotes_and_continuations_as_chrome_writes_them() -> None:
    (command,) = split_cmd(
        'curl ^"https://h/a?q=^%^22x^&y=1^" ^\n'
        '  -H ^"Accept: */*^" ^\n'
        '  --data-raw ^"^{^\\^"a^\\^":^\\^"1^^2^\\^"^}^" ^\n'
        '  --data-raw ^"line one^\n\nline two^"'
    )
    assert command.words == (
        "curl",
        "https://h/a?q=%22x&y=1",
        "-H",
        "Accept: */*",
        "--data-raw",
        '{"a":"1^2"}',
        "--data-raw",
        "line one\nline two",
    )


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ('"a b"', "a b"),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"{""a"":1}"', '{"a":1}'),
        ("C:\\dir\\file", "C:\\dir\\file"),
        ('"C:\\dir\\\\"', "C:\\dir\\"),
        ('a\\\\\\"b', 'a\\"b'),
        ("'single'", "'single'"),
        ('"^not an escape"', "^not an escape"),
    ],
)
def test_cmd_lines_split_by_the_c_runtime_rules(line: str, meant: str) -> None:
    assert split_cmd(f"curl {line}")[0].words[1] == meant


def test_cmd_separators_redirections_and_variables() -> None:
    first, second, third, pager = split_cmd(
        "curl https://h/a -d @- < body.json & curl https://h/b && curl %API%/c | more"
    )
    assert first.stdin_file == "body.json"
    assert second.words == ("curl", "https://h/b")
    assert third.words == ("curl", "%API%/c")
    assert any("%API%" in note for note in third.notes)
    assert pager.stdin_from == "the output of the command before the pipe"


def test_powershell_quoting_escapes_here_strings_and_variables() -> None:
    (command,) = split_powershell(
        "curl.exe -d 'it''s' `\n"
        '  -H "X-A: `"q`" ""r"" `$x $env:TOKEN ${env:OTHER}" `\n'
        "  --data-raw @'\n{\"a\": 1}\n'@ `\n"
        "  -d \u201csmart\u201d <# a comment #> https://h/a # trailing\n"
    )
    assert command.words == (
        "curl.exe",
        "-d",
        "it's",
        "-H",
        'X-A: "q" "r" $x {{TOKEN}} {{OTHER}}',
        "--data-raw",
        '{"a": 1}',
        "-d",
        "smart",
        "https://h/a",
    )
    assert any("PowerShell 5.1" in note for note in command.notes)


def test_powershell_separators_and_call_operator() -> None:
    first, second, third = split_powershell(
        "& curl.exe https://h/a | Out-File x.txt; curl.exe https://h/b"
    )
    assert first.words == ("curl.exe", "https://h/a")
    assert second.words == ("Out-File", "x.txt")
    assert third.words == ("curl.exe", "https://h/b")
    assert [c.words for c in split_powershell("curl.exe https://h/b 2>&1 > out.txt")] == [
        ("curl.exe", "https://h/b")
    ]


@pytest.mark.parametrize(
    ("text", "shell", "warned"),
    [
        ("curl 'https://h/a' \\\n  -H 'A: b'", Shell.BASH, False),
        ("curl -d $'a\\nb' https://h", Shell.BASH, False),
        ('curl ^"https://h/a^" -H ^"A: b^"', Shell.CMD, False),
        ('curl https://h/a ^\n  -H "A: b"', Shell.CMD, False),
        ("curl.exe https://h/a `\n  -H 'A: b'", Shell.POWERSHELL, False),
        ("curl.exe -H 'A: b' https://h/a", Shell.POWERSHELL, False),
        ("curl https://h -d '^\n\"x'", Shell.BASH, False),
        ("curl https://h -d 'a`\nb'", Shell.BASH, False),
        ('curl ^"https://h/a^" `\n -H x', Shell.CMD, True),
        ('curl https://h/a \\\n -d ^"x^"', Shell.CMD, True),
    ],
)
def test_the_shell_is_told_by_its_marks(text: str, shell: Shell, warned: bool) -> None:
    found, warning = detect(text)
    assert found is shell
    assert (warning is not None) == warned


SHELL_TEXT = st.text(
    alphabet=st.sampled_from("curl -d'\"$`^%\\\n\t &|;<>@{}()#x=:\u2019"), max_size=60
)


@pytest.mark.parametrize("lexer", [split_bash, split_cmd, split_powershell])
@bounded(150)
@given(text=SHELL_TEXT)
def test_any_text_is_words_or_a_located_format_error(
    lexer: Callable[[str], list[ShellCommand]], text: str
) -> None:
    commands: list[ShellCommand] = []
    line: int | None = 1
    try:
        commands = lexer(text)
    except FormatError as exc:
        line = exc.line
    assert line is not None
    assert 1 <= line <= text.count("\n") + 1
    assert all(command.words for command in commands)
