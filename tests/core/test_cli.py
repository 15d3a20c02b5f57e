"""The entry point builds only the parser of the sub-command named (start-up time), and the whole
parser whenever it cannot tell, so ``--help`` and errors still list every command."""

from __future__ import annotations

import pytest

from explorer.cli import COMMANDS, build_parser, named_command


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["run", "dir"], "run"),
        (["import", "file", "--into", "dir"], "import"),
        (["--workspace", "run", "send", "GET", "u"], "send"),
        (["--works", "send", "run", "dir"], "run"),
        (["--workspace=run", "send", "GET", "u"], "send"),
        (["--demo", "run", "dir"], "run"),
        (["--help"], None),
        ([], None),
        (["bogus", "run"], None),
        (["--workspace"], None),
    ],
)
def test_named_command(argv: list[str], named: str | None) -> None:
    assert named_command(argv) == named


def test_one_command_parses_like_the_whole_parser() -> None:
    argv = ["--workspace", "ws", "run", "dir", "--concurrency", "4", "--var", "a=1"]
    whole = vars(build_parser().parse_args(argv))
    alone = vars(build_parser("run").parse_args(argv))
    assert alone == whole


def test_the_whole_parser_knows_every_command() -> None:
    help_text = build_parser().format_help()
    assert all(name in help_text for name in COMMANDS)
