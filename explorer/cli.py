"""The ``api-explorer`` entry point: parses arguments and dispatches to a sub-command or the GUI.

Kept free of heavy imports so ``--help`` and the headless commands start fast; each sub-command
module imports what it needs when it runs. When the command line names a sub-command, only that
one is imported and described: building all seven parsers cost a headless ``run`` about 10 ms of
start-up (argparse formats and translates every option's help as it is added).

User errors end as one sentence on stderr and an exit status (2 usage, 1 other); a traceback
means a bug.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Sequence

from explorer import __version__

COMMANDS = {
    "send": "send",
    "run": "run",
    "sandbox": "sandbox",
    "credentials": "credentials",
    "snippet": "snippet",
    "import": "import_cmd",
    "export": "export_cmd",
    "init": "init_cmd",
    "login": "login",
}
"""Sub-command name to its module in ``explorer.commands``. Each registers ``--workspace`` with
``default=argparse.SUPPRESS``, so the option after the command is the same option as before it
(a sub-parser's default would overwrite the value given before the command)."""

NO_WORKSPACE = frozenset({"sandbox"})
"""Commands that keep no workspace: ``--workspace`` (in either place) is refused, not ignored."""

MAX_SECONDS = 30 * 24 * 3600.0
"""Longest timeout or lifetime an option takes: beyond it a socket timeout overflows."""


def positive_seconds(text: str) -> float:
    """argparse type of every duration option: finite and above zero (``inf``, ``nan``, ``0``
    and ``-1`` are refused here, in our words, instead of deep inside a library)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a positive number of seconds (at most {MAX_SECONDS:.0f}); "
            "give one such as 30 or 2.5"
        )
    return value


def non_negative_int(text: str) -> int:
    """argparse type of counts where 0 means none (``--max-redirects``)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 0 or more")
    return value


def readable_file(text: str) -> str:
    """argparse type of options naming a file we read (``--ca-bundle``, ``--cert``): checked
    before anything is sent, so a typo is one sentence, not a TLS library's traceback."""
    from pathlib import Path

    path = Path(text).expanduser()
    if not path.is_file():
        problem = "is a folder" if path.is_dir() else "does not exist"
        raise argparse.ArgumentTypeError(f"'{text}' {problem}; give a readable PEM file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' cannot be read: {exc.strerror}") from exc
    return str(path)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``only`` (a key of ``COMMANDS``) just that sub-command's."""
    parser = argparse.ArgumentParser(
        prog="api-explorer",
        description="Explore and test OAuth2-protected REST APIs.",
        epilog="Without a command, the desktop window opens.",
    )
    parser.add_argument("--version", action="version", version=f"api-explorer {__version__}")
    parser.add_argument("--workspace", metavar="DIR", help="workspace folder (default: user data)")
    parser.add_argument("--demo", action="store_true", help="open on the embedded sandbox")
    parser.add_argument(
        "--quit-after-show",
        action="store_true",
        help="print 'shown in N ms' after the first paint and exit (start-up benchmark)",
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check that presets, lexers, keyring backends, Qt and HTTP all work here, then exit",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        module = importlib.import_module(f"explorer.commands.{COMMANDS[name]}")
        module.register(subparsers)
    return parser


def named_command(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names, or None (no command, an unknown one, or a shape we do
    not read ourselves): the first word that is not an option or ``--workspace``'s value.
    None builds the whole parser, so errors and ``--help`` list every command."""
    words = iter(argv)
    for word in words:
        if word.startswith("-"):
            if len(word) > 2 and "--workspace".startswith(word):  # argparse accepts prefixes
                next(words, None)
            continue
        return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(named_command(words)).parse_args(words)
    if args.selftest:
        from explorer.selftest import run_selftest

        return run_selftest()
    from explorer.core.tempfiles import install_cleanup, sweep_stale

    sweep_stale()  # spill files of processes killed with SIGKILL
    if args.command is None:
        from explorer.app import run_gui

        return run_gui(args)
    from explorer.core.errors import ExplorerError

    install_cleanup()  # the window quits on SIGTERM by itself
    try:
        if args.workspace and args.command in NO_WORKSPACE:
            from explorer.core.errors import UsageError

            raise UsageError(f"'{args.command}' keeps no workspace; drop --workspace.")
        status: int = args.run(args)
    except ExplorerError as exc:
        from explorer.core.redaction import known_secrets, mask_text
        from explorer.core.terminal import for_terminal

        # every secret this process resolved is masked, and a server's words cannot drive the
        # terminal (docs/security.md "Secrets in outputs")
        message = for_terminal(mask_text(f"api-explorer: {exc}", known_secrets()), sys.stderr)
        print(message, file=sys.stderr)  # noqa: T201 - the CLI's error channel
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    return status
