"""``api-explorer login PATH``: sign in once for the OAuth2 auth of a request file, a folder or a
collection (without a provider), and keep the tokens in the keyring.

Authorization code opens the browser (the URL is printed too, for a browser on another
machine) and waits on a one-shot loopback listener; device code prints the code to enter and
where. The other grants simply get a token. ``send`` and ``run`` then use the stored tokens and
refresh them headless. The auth is the one a send would use: the target's own or the nearest
folder's above it, its variables filled in from ``--env``, ``--var`` and the stored secrets, by
the same engine as every send (``Workbench.assemble``).

Exit status: 0 signed in, 1 the sign-in failed, 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.cli import positive_seconds

if TYPE_CHECKING:
    from explorer.core.auth.tokens import AuthorizePrompt, DevicePrompt, Interaction, Token
    from explorer.core.context import Placement
    from explorer.core.credentials import CredentialStore
    from explorer.core.models import RequestSpec


def register(subparsers: Any) -> None:
    from explorer.commands.workbench import add_secrets_from_env

    parser = subparsers.add_parser(
        "login",
        help="sign in for the OAuth2 auth of a request, folder or collection and keep its tokens",
        description="Run the OAuth2 grant of a request file, folder or collection (authorization "
        "code: in the browser; device code: with a code to enter) and keep the tokens in the "
        "keyring, so that send and run use and refresh them.",
    )
    parser.add_argument("path", metavar="PATH", help="a request file, folder or collection folder")
    parser.add_argument(
        "--env", metavar="NAME", help="the collection's saved environment whose values apply"
    )
    add_secrets_from_env(parser)
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace folder (default: the one around PATH)",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="define a {{variable}} (repeatable)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=300.0,
        metavar="S",
        help="how long to wait for the browser or the device code (default 300)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="only print the sign-in URL (to open it on another machine)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from explorer.commands.send import parse_vars
    from explorer.commands.workbench import open_workbench
    from explorer.core.context import Binding
    from explorer.core.http import CancelToken, HttpClient

    path = Path(args.path)
    spec, placement = _target(path)
    collection = placement.collection
    provider = collection.provider if collection is not None else ""
    variables = parse_vars(args.var)
    client = HttpClient()
    try:
        bench = open_workbench(
            args, client, providers=bool(provider), near=path, variables=variables
        )
        selected = Binding(provider or None, args.env)  # --env: the provider's environment
        assembled = bench.assemble(spec, placement, selected, variables)
        kept_in = _kept_in(bench.store)  # no keyring: said before the user signs in for nothing
        token = bench.login(assembled, _interaction(args), CancelToken())
        sys.stdout.write(_signed_in(token, kept_in))
        return 0
    finally:
        client.close()


def _target(path: Path) -> tuple[RequestSpec, Placement]:
    """The request at ``path`` and where it lives; for a folder, a request at its top."""
    from explorer.core.context import placement_at, placement_of
    from explorer.core.errors import UsageError
    from explorer.core.models import RequestSpec

    if path.is_file():
        return placement_of(path)
    if not path.is_dir():
        raise UsageError(f"'{path}' does not exist; give a request file, folder or collection.")
    placement = placement_at(path)
    if not placement.folders:
        raise UsageError(f"'{path}' is not in a collection; give a request file or folder in one.")
    return RequestSpec("GET", ""), placement


def _interaction(args: argparse.Namespace) -> Interaction:
    """The terminal's part in a sign-in: the URL it opens, or the code to enter."""
    from explorer.core.auth.tokens import Interaction

    def authorize(prompt: AuthorizePrompt) -> None:
        _say(
            f"Sign in in the browser (waiting up to {prompt.timeout:g} s for its answer at "
            f"{prompt.redirect_uri}; Ctrl+C cancels). If no browser opens, open:\n"
            f"  {prompt.url}\n"
        )

    def device(prompt: DevicePrompt) -> None:
        also = (
            f"\n  (or open {prompt.verification_uri_complete}, which carries the code)"
            if prompt.verification_uri_complete
            else ""
        )
        _say(
            f"To sign in, open {prompt.verification_uri} and enter the code "
            f"{prompt.user_code} within {prompt.expires_in / 60:.0f} min{also}\n"
            "Waiting for the confirmation (Ctrl+C cancels)...\n"
        )

    if args.no_browser:
        return Interaction(authorize, device, _no_browser, args.timeout)
    return Interaction(authorize, device, timeout=args.timeout)


def _no_browser(_: str) -> bool:
    return False


def _say(text: str) -> None:
    from explorer.core.terminal import for_terminal

    sys.stderr.write(for_terminal(text, sys.stderr))
    sys.stderr.flush()


def _kept_in(store: CredentialStore) -> str:
    """Where the tokens will be kept (opening the store: a missing keyring fails here)."""
    if store.kind == "environment":
        return (
            "memory only (--secrets-from-env stores nothing; run login without it to keep them "
            "in the keyring)"
        )
    return store.description


def _signed_in(token: Token, where: str) -> str:
    """One line saying what was obtained and where it is kept (never the token)."""
    lifetime = ""
    if token.expires_at is not None:
        lifetime = f", valid for {max(0.0, token.expires_at - time.time()):.0f} s"
    refresh = " and a refresh token" if token.refresh_token else ""
    return f"Signed in: an access token{lifetime}{refresh}, kept in {where}.\n"
