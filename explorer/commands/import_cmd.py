"""``api-explorer import auto|postman|http|curl|openapi|har|insomnia|bruno FILE --into DIR``.

Writes the imported collection as a workspace collection (one file per request) and its
environments into the workspace, then reports what could not be mapped. Secret values found in
the input are never written: their names are listed so they can be entered in the keyring.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.core.formats.common import ImportResult
    from explorer.core.formats.service import Applied

KINDS = ("auto", "postman", "http", "curl", "openapi", "har", "insomnia", "bruno")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a Postman, .http, curl, OpenAPI, HAR, Insomnia or Bruno file",
        description="Import a Postman collection or environment, a .http/.rest file, curl "
        "commands, an OpenAPI/Swagger document, a HAR recording, an Insomnia v4 export or a "
        "Bruno collection into a new collection folder; 'auto' detects the format from the "
        "content.",
    )
    parser.add_argument("kind", choices=KINDS, metavar="|".join(KINDS))
    parser.add_argument(
        "file",
        metavar="FILE",
        help="the file to import ('-' reads stdin); for bruno also the collection's folder",
    )
    parser.add_argument(
        "--into",
        required=True,
        metavar="COLLECTION_DIR",
        help="new collection folder (a bare name goes under the workspace's collections/)",
    )
    parser.add_argument("--name", help="collection name (default: from the file)")
    parser.add_argument("--provider", metavar="ID", help="provider the collection belongs to")
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace a bare --into name goes under (default: user data)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would be created; write nothing"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.core.formats import service
    from explorer.core.formats.common import describe
    from explorer.core.formats.detect import KIND_NAMES, detect, detect_text
    from explorer.core.workspace.marker import open_workspace

    workspace, into = _locate(Path(args.into), args.workspace)
    check_into(into)
    kind = args.kind
    if args.file == "-":
        text = sys.stdin.read()
        if kind == "auto":
            kind = detect_text(text, "<stdin>")
            sys.stderr.write(f"Detected format: {KIND_NAMES[kind]}\n")
        result = service.parse(kind, text, "<stdin>", args.name)
    else:
        if kind == "auto":
            kind = detect(Path(args.file))
            sys.stderr.write(f"Detected format: {KIND_NAMES[kind]}\n")
        result = service.read(kind, Path(args.file), args.name)
    tree = service.plan_import(result, into, workspace, args.provider).tree
    out = sys.stdout
    if args.dry_run:
        lines = [f"{tree.name}/", *describe(tree, "  ")] if tree.items else []
        lines += [f"environment {env.name!r}" for env in result.environments]
        lines.append(f"would import {len(tree.requests())} request(s) into {into}")
        out.write("\n".join(lines) + "\n")
    else:
        if workspace is not None:
            open_workspace(workspace)  # a bare name's workspace is created now, once checked
        applied = service.apply(result, into, workspace, args.provider)
        if applied.collection_dir is not None:
            out.write(f"Imported {applied.request_count} request(s) into {into}\n")
        for path in applied.environment_files:
            out.write(f"Environment saved to {path}\n")
    for warning in result.warnings:
        out.write(f"  not mapped: {warning}\n")
    if result.secrets:
        names = ", ".join(sorted(result.secrets))
        out.write(f"Secret values were found and not written to files ({names}).\n")
        if not args.dry_run:
            out.write(_keep_secrets(result, applied, workspace) + "\n")
    return 0


def _keep_secrets(result: ImportResult, applied: Applied, workspace: Path | None) -> str:
    """The import's secret values put in the keyring at once (a send finds them there), or,
    without a keyring or a workspace to key them by, how to provide them."""
    from explorer.commands.credentials import keyring_store
    from explorer.core.credentials import KeyringUnavailable
    from explorer.core.formats import service
    from explorer.core.workspace.marker import open_workspace

    if workspace is None:
        return (
            "The collection is not inside a workspace, so they cannot be keyed in the keyring; "
            "import into a workspace (--workspace DIR) or pass them with --var when sending."
        )
    marker = open_workspace(workspace, create=False)
    try:
        store = keyring_store()
    except KeyringUnavailable as exc:
        kept = service.keep_secrets(result, applied, marker.id, None, exc.message.split(";")[0])
        return kept.advice
    kept = service.keep_secrets(result, applied, marker.id, store)
    return f"They were stored in {kept.store_description}; send and run use them from there."


def check_into(into: Path) -> None:
    """``--into`` must be a folder, or creatable as one, on a disk that stores files: checked
    before the input is read, and for ``--dry-run`` too, so a file in the way, ``/proc/x`` or a
    read-only disk is one usage error instead of a failure halfway through writing."""
    from explorer.core.errors import UsageError
    from explorer.core.places import nearest_existing, writable_folder

    if into.exists() and not into.is_dir():
        raise UsageError(f"--into '{into}' is a file; give a new folder's path.")
    existing = nearest_existing(into)
    if not existing.is_dir():
        raise UsageError(f"--into '{into}' is inside the file '{existing}'; give a folder's path.")
    if not writable_folder(existing):
        raise UsageError(
            f"--into '{into}' cannot be created: '{existing}' is not a folder this user can write "
            "to; choose another place."
        )


def _locate(into: Path, workspace_arg: str | None) -> tuple[Path | None, Path]:
    """(workspace, collection folder): a path keeps the workspace it is in (if any); a bare
    name goes under ``--workspace`` (or the default workspace)'s ``collections/``. Nothing is
    written: a workspace that does not exist yet is only checked to be creatable."""
    from explorer.core.formats.service import check_folder
    from explorer.core.workspace.marker import (
        MARKER,
        default_workspace_dir,
        find_workspace,
        open_workspace,
    )

    if into.is_absolute() or len(into.parts) > 1:
        existing = next(p for p in (into.absolute(), *into.absolute().parents) if p.exists())
        found = find_workspace(existing)
        if found is not None:
            open_workspace(found, create=False)  # refused (newer format) as by every command
        return found, into
    root = Path(workspace_arg) if workspace_arg else default_workspace_dir()
    if (root / MARKER).exists() or (root.exists() and not root.is_dir()):
        open_workspace(root, create=False)  # read (or refused) as the import will
    else:
        check_folder(root)
    return root, root / "collections" / into
