"""``api-explorer export postman|http COLLECTION_DIR -o FILE``.

Postman export can also write an environment (``--env NAME``) as a Postman environment file next
to the collection, with secret variables listed and left empty. A collection with files that do
not parse is not exported (the export would silently lack them); the files are named instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a collection as Postman v2.1 or a .http file",
        description="Export a collection folder as a Postman Collection v2.1 file or a .http "
        "file that httpyac and VS Code REST Client run.",
    )
    parser.add_argument("kind", choices=("postman", "http"), metavar="postman|http")
    parser.add_argument("collection", metavar="COLLECTION_DIR")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="'-' for stdout")
    parser.add_argument(
        "--env",
        metavar="NAME",
        help="also write this environment as FILE's stem + .<env>.postman_environment.json",
    )
    parser.add_argument("--provider", metavar="ID", help="provider whose environment to export")
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace whose environments --env reads (default: the one around the collection)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Every output is prepared (its text built, its place checked) before any is written, so
    a failing ``--env`` leaves no collection file behind: all or nothing."""
    from explorer.core.errors import UsageError
    from explorer.core.formats import service
    from explorer.core.workspace.collections import load_collection
    from explorer.core.workspace.marker import find_workspace, open_workspace

    directory = Path(args.collection)
    found = find_workspace(directory) if directory.exists() else None
    workspace = Path(args.workspace) if args.workspace else found
    version = open_workspace(workspace, create=False).format_version if workspace else 1
    if args.env and args.kind != "postman":
        raise UsageError("--env works with 'export postman' only.")
    try:
        text = service.export(args.kind, directory, version)
    except service.ExportBlocked as blocked:
        for error in blocked.errors:
            sys.stderr.write(f"api-explorer: {error}\n")
        raise
    outputs = [(args.output, text)]
    if args.env:
        if workspace is None:
            raise UsageError(f"{directory} is not inside a workspace, so it has no environments.")
        tree = load_collection(directory, version).collection
        provider = args.provider or (tree.provider if tree else "") or directory.name
        outputs.append(_environment(workspace, provider, args.env, Path(args.output)))
    for output, _text in outputs:
        _check(output)
    for output, content in outputs:
        _write(output, content)
    return 0


def _check(output: str) -> None:
    """``output`` can be written: not a folder, in an existing folder this user can write."""
    import os

    from explorer.core.errors import UsageError

    if output == "-":
        return
    path = Path(output)
    if path.is_dir():
        raise UsageError(f"-o '{output}' is a folder; give a file's path.")
    folder = path.absolute().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"'{output}' cannot be written: '{folder}' is not a folder this user can write to; "
            "choose another place."
        )


def _write(output: str, text: str) -> None:
    from explorer.core.workspace.yamlio import write_text_atomic

    if output == "-":
        sys.stdout.write(text)
        return
    write_text_atomic(Path(output), text)
    sys.stderr.write(f"Exported to {output}\n")


def _environment(workspace: Path, provider: str, name: str, output: Path) -> tuple[str, str]:
    """(path, text) of the Postman environment file written beside ``output``."""
    from explorer.core.errors import UsageError
    from explorer.core.formats.postman import export_postman_environment
    from explorer.core.workspace.collections import slugify
    from explorer.core.workspace.environments import load_environments

    envs = {env.name: env for env in load_environments(workspace, provider)}
    if name not in envs:
        known = ", ".join(envs) or "none"
        raise UsageError(
            f"Provider {provider!r} has no saved environment {name!r} (saved: {known}); "
            "pass --provider ID or another --env."
        )
    stem = output.name.removesuffix(".json").removesuffix(".postman_collection")
    path = output.with_name(f"{stem}.{slugify(name, 'env')}.postman_environment.json")
    return str(path), export_postman_environment(envs[name])
