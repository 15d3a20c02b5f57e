"""``api-explorer snippet``: a saved request as code that really runs, printed to stdout.

Secrets stay out of the snippet unless ``--reveal-secrets``: they become environment variables
the snippet reads, with a comment saying how to obtain each. So the keyring is opened only for
``--reveal-secrets``. ``--flow`` makes curl and Python snippets fetch their own token.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

LANGS = ("curl", "python", "httpie", "fetch", "powershell", "go")


def register(subparsers: Any) -> None:
    from explorer.commands.workbench import add_secrets_from_env

    parser = subparsers.add_parser(
        "snippet",
        help="print a saved request as curl, HTTPie, Python, fetch, PowerShell or Go code",
        description="Print a saved request as code. Secrets become environment variables the "
        "code reads, unless --reveal-secrets.",
    )
    parser.add_argument("--lang", required=True, choices=LANGS, help="the target language")
    parser.add_argument("request_file", metavar="REQUEST_FILE", help="a <slug>.request.yaml")
    parser.add_argument("--provider", metavar="ID", help="provider (default: the collection's)")
    parser.add_argument("--env", metavar="NAME", help="the provider environment to use")
    add_secrets_from_env(parser)
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace folder (default: the one around the request file)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--reveal-secrets",
        action="store_true",
        help="write secret values into the snippet (from the keyring) instead of reading them "
        "from environment variables",
    )
    mode.add_argument(
        "--flow",
        action="store_true",
        help="curl and python only: the snippet performs the provider's token grant itself",
    )
    parser.add_argument(
        "--keep-variables",
        action="store_true",
        help="keep {{variables}} as variables of the snippet instead of resolving them",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="define a {{variable}} (repeatable)",
    )
    parser.add_argument("--ca-bundle", metavar="FILE", help="make the snippet trust this CA")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """The request as the engine would send it (``explorer.core.context``): its collection's
    provider (or ``--provider``) in ``--env``, the same layers, inheritance and file anchoring."""
    from dataclasses import replace

    from explorer.commands.send import parse_vars
    from explorer.commands.workbench import open_workbench
    from explorer.core.context import Binding, placement_of
    from explorer.core.errors import UsageError
    from explorer.core.http import HttpClient
    from explorer.core.snippets import generate
    from explorer.core.snippets.environment import for_request

    path = Path(args.request_file)
    if not path.is_file():
        raise UsageError(f"'{path}' is not a file; give the path of a .request.yaml file.")
    spec, placement = placement_of(path)
    collection = placement.collection
    bound_to = collection.provider if collection is not None else ""
    provider_id = args.provider or (bound_to if args.env else "")
    if provider_id and not args.env:
        raise UsageError(f"--provider {provider_id} needs --env NAME too.")
    if collection is not None and provider_id != bound_to:
        # --provider on the command line binds the collection for this snippet; a collection's
        # provider without --env leaves it unbound (a snippet of the literal request).
        folders = (*placement.folders[:-1], replace(collection, provider=provider_id))
        placement = replace(placement, folders=folders)
    variables = parse_vars(args.var)
    mode = "reveal" if args.reveal_secrets else "flow" if args.flow else "as-sent"
    client = HttpClient()
    try:
        bench = open_workbench(
            args, client, providers=bool(provider_id), near=path.parent, variables=variables
        )
        effective, options = for_request(
            bench,
            spec,
            placement,
            Binding(provider_id or None, args.env),
            variables,
            auth_mode=mode,
            keep_variables=args.keep_variables,
            ca_bundle=args.ca_bundle,
        )
    finally:
        client.close()
    sys.stdout.write(generate(effective, args.lang, options))
    return 0
