"""``api-explorer init [DIR]``: make a folder a workspace (its ``workspace.yaml`` marker).

Every other command creates the default workspace on first use, but a workspace in a project
folder (committed next to the code it tests) had to be made by hand or by the window. ``init``
on an existing workspace reads it (refusing a newer format, as every command does) and says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="create a workspace folder",
        description="Create a workspace (a folder with workspace.yaml) in DIR, or in the "
        "current folder.",
    )
    parser.add_argument(
        "dir", nargs="?", metavar="DIR", help="the folder (default: --workspace, else here)"
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the same as DIR",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.core.errors import UsageError
    from explorer.core.workspace.marker import MARKER, open_workspace

    given = {Path(path).resolve() for path in (args.dir, args.workspace) if path}
    if len(given) > 1:
        raise UsageError("DIR and --workspace name different folders; give one of them.")
    root = given.pop() if given else Path.cwd()
    existed = (root / MARKER).is_file()
    open_workspace(root, create=True)
    verb = "Workspace already in" if existed else "Created workspace in"
    sys.stdout.write(f"{verb} {root}\n")
    return 0
