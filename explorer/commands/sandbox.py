"""``api-explorer sandbox``: the vendor simulator in the foreground.

Prints the base URL and every provider's demo credentials, then serves until SIGINT or SIGTERM
(exit 0). It binds to loopback unless ``--allow-remote`` is given, because the demo credentials
are printed and public.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from explorer.cli import positive_seconds


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the local vendor simulator",
        description="Run the embedded simulator of PCE, Procode, PriceEdge, ServiceChannel and "
        "Flexiti in the foreground; Ctrl+C stops it.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--token-ttl",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="access-token lifetime in seconds for every provider (default: each vendor's own)",
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="refused: the sandbox keeps no workspace (accepted so every command reads alike)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the demo credentials are public)",
    )
    parser.set_defaults(run=run)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from explorer.core.errors import UsageError
    from explorer.sandbox import start_sandbox

    if not is_loopback(args.host) and not args.allow_remote:
        raise UsageError(
            f"Refusing to serve the sandbox on non-loopback host '{args.host}': its demo "
            "credentials are public; pass --allow-remote if you really mean it."
        )
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0-65535).")
    try:
        sandbox = start_sandbox(args.host, args.port, args.token_ttl, on_note=_print_note)
    except OSError as exc:
        raise UsageError(
            f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
            "pick another --port or --host."
        ) from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _print_banner(sandbox.info())
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    sys.stdout.write("sandbox stopped\n")
    sys.stdout.flush()
    return 0


def _print_note(text: str) -> None:
    """Console notes (Procode OTPs); a closed stdout must not break the request that made one."""
    try:
        sys.stdout.write(f"[sandbox] {text}\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        return


def _print_banner(info: dict[str, Any]) -> None:
    out = sys.stdout
    out.write(f"API Explorer sandbox listening on {info['sandbox']['base_url']}\n")
    if info["sandbox"]["token_ttl_s"] is not None:
        out.write(f"every access token lives {info['sandbox']['token_ttl_s']:g} s\n")
    out.write(
        "control plane: GET /_sandbox/info, /_sandbox/log, /_sandbox/stats; "
        "POST /_sandbox/clock, /_sandbox/reset, /_sandbox/faults, /_sandbox/revoke\n"
    )
    for provider_id, provider in info["providers"].items():
        out.write(f"\n{provider['name']} ({provider_id})\n")
        for env, described in provider["environments"].items():
            out.write(f"  {env}: {described['base_url']}\n")
            if described.get("token_url"):
                out.write(f"    token URL: {described['token_url']}\n")
            for name, value in described["credentials"].items():
                if name == "static_tokens":
                    for token in value:
                        roles = ", ".join(f"{r['resource']}:{r['access']}" for r in token["roles"])
                        out.write(
                            f"    token {token['name']} ({token['kind']}; {roles}; "
                            f"expires {token['expires_at']}): {token['token']}\n"
                        )
                elif value not in ("", None):
                    out.write(f"    {name}: {value}\n")
    out.write("\nCtrl+C stops the sandbox.\n")
    out.flush()
