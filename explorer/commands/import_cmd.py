"""``api-explorer import postman|http|curl|openapi FILE --into COLLECTION_DIR``.

Writes the imported collection as a workspace collection (one file per request) and its
environments into the workspace, then reports what could not be mapped. Secret values found in
the input are never written: their names are listed so they can be entered in the keyring.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

KINDS = ("postman", "http", "curl", "openapi")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a Postman, .http, curl or OpenAPI file as a collection",
        description="Import a Postman collection or environment, a .http/.rest file, curl "
        "commands or an OpenAPI/Swagger document into a new collection folder.",
    )
    parser.add_argument("kind", choices=KINDS, metavar="postman|http|curl|openapi")
    parser.add_argument("file", metavar="FILE", help="the file to import ('-' reads stdin)")
    parser.add_argument(
        "--into",
        required=True,
        metavar="COLLECTION_DIR",
        help="new collection folder (a bare name goes under the workspace's collections/)",
    )
    parser.add_argument("--name", help="collection name (default: from the file)")
    parser.add_argument("--provider", metavar="ID", help="provider the collection belongs to")
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would be created; write nothing"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from explorer.core.errors import UsageError
    from explorer.core.formats.common import describe
    from explorer.core.workspace.collections import COLLECTION_FILE, save_collection
    from explorer.core.workspace.environments import merge_environment

    source = "<stdin>" if args.file == "-" else args.file
    result = _parse(args.kind, _read(args.file), source, args.name)
    workspace, into = _locate(Path(args.into), args.workspace)
    tree = result.collection
    if args.name:
        tree = replace(tree, name=args.name)
    if args.provider:
        tree = replace(tree, provider=args.provider)
    env_only = not tree.items and bool(result.environments)
    out = sys.stdout
    if not env_only and (into / COLLECTION_FILE).exists():
        raise UsageError(
            f"{into} already holds a collection; import into a new folder, or delete it first."
        )
    lines = [f"{tree.name}/", *describe(tree, "  ")] if not env_only else []
    count = len(tree.requests())
    if args.dry_run:
        out.write("\n".join([*lines, f"would import {count} request(s) into {into}"]) + "\n")
    elif not env_only:
        save_collection(tree, into)
        out.write(f"Imported {count} request(s) into {into}\n")
    provider = args.provider or tree.provider or into.name
    for env in result.environments:
        if workspace is None:
            out.write(
                f"Environment {env.name!r} not saved: {into} is not inside a workspace; "
                "pass --workspace DIR.\n"
            )
        elif not args.dry_run:
            path = merge_environment(workspace, provider, env)
            out.write(f"Environment {env.name!r} saved to {path}\n")
    for warning in result.warnings:
        out.write(f"  not mapped: {warning}\n")
    if result.secrets:
        names = ", ".join(sorted(result.secrets))
        out.write(
            f"Secret values were found and not written to files ({names}); enter them in the "
            "Credentials panel or with 'api-explorer credentials set'.\n"
        )
    return 0


def _read(file: str) -> str:
    from explorer.core.formats.common import read_input

    if file == "-":
        return sys.stdin.read()
    return read_input(Path(file))


def _parse(kind: str, text: str, source: str, name: str | None) -> Any:
    from explorer.core.formats.curl import import_curl
    from explorer.core.formats.http_file import import_http
    from explorer.core.formats.openapi import import_openapi
    from explorer.core.formats.postman import import_postman

    if kind == "http":
        return import_http(text, source, name or Path(source).stem)
    return {"postman": import_postman, "curl": import_curl, "openapi": import_openapi}[kind](
        text, source
    )


def _locate(into: Path, workspace_arg: str | None) -> tuple[Path | None, Path]:
    """(workspace, collection folder): a path inside a workspace keeps its workspace; a bare
    name goes under ``--workspace`` (or the default workspace)'s ``collections/``."""
    from explorer.core.workspace.marker import (
        default_workspace_dir,
        find_workspace,
        open_workspace,
    )

    if into.is_absolute() or len(into.parts) > 1:
        existing = next(p for p in (into.absolute(), *into.absolute().parents) if p.exists())
        return find_workspace(existing), into
    root = Path(workspace_arg) if workspace_arg else default_workspace_dir()
    open_workspace(root)
    return root, root / "collections" / into
