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
    from explorer.commands.send import parse_vars
    from explorer.core.errors import UsageError
    from explorer.core.snippets import SnippetOptions, generate
    from explorer.core.snippets.source import load_request_source

    path = Path(args.request_file)
    if not path.is_file():
        raise UsageError(f"'{path}' is not a file; give the path of a .request.yaml file.")
    source = load_request_source(path, parse_vars(args.var))
    provider_id = args.provider or (source.provider if args.env else "")
    if args.env and not provider_id:
        raise UsageError("--env needs --provider (the collection names no provider).")
    options = SnippetOptions(
        scope=source.scope,
        secret_names=source.secret_names,
        base_dir=source.base_dir,
        keep_variables=args.keep_variables,
        auth_mode="reveal" if args.reveal_secrets else "flow" if args.flow else "as-sent",
        ca_bundle=args.ca_bundle,
    )
    if provider_id:
        options = _with_provider(args, path, provider_id, options)
    elif args.reveal_secrets and source.secret_names:
        raise UsageError(
            "Secret variables live in the keyring per provider environment; pass --provider "
            "and --env to reveal them."
        )
    sys.stdout.write(generate(source.spec, args.lang, options))
    return 0


def _with_provider(args: argparse.Namespace, path: Path, provider_id: str, options: Any) -> Any:
    """Layer the workspace's saved environment values in; read the keyring only to reveal."""
    from explorer.commands.credentials import keyring_store, provider, workspace
    from explorer.core.credentials import CredentialKey
    from explorer.core.errors import UsageError
    from explorer.core.snippets.environment import for_environment
    from explorer.core.workspace.environments import load_environments

    if not args.env:
        raise UsageError(f"--provider {provider_id} needs --env NAME too.")
    if not getattr(args, "workspace", None):
        args.workspace = _workspace_of(path)
    marker = workspace(args)
    profile = provider(marker, provider_id)
    env = profile.environment(args.env)

    def read_stored(names: list[str]) -> dict[str, str]:
        key = CredentialKey(marker.id, profile.id, env.name if env else args.env, "")
        return dict(keyring_store().values(key, names))

    return for_environment(
        options,
        profile,
        args.env,
        saved=load_environments(marker.root, profile.id) if env is not None else (),
        read_stored=read_stored,
    )


def _workspace_of(path: Path) -> str | None:
    from explorer.core.workspace.marker import find_workspace

    found = find_workspace(path.resolve().parent)
    return str(found) if found is not None else None
