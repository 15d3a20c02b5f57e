"""``api-explorer send``: one request through the core, printed like HTTPie prints it.

The status line and, with ``-v``, the request and response headers, hops and timings go to
stderr; the body goes to stdout as it arrives (``explorer.commands.stream_out``), so
``api-explorer send GET URL | jq`` works and memory stays bounded whatever the size. Exit status
follows HTTPie's ``--check-status``: 0 for 2xx, 3/4/5 for 3xx/4xx/5xx.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.cli import non_negative_int, positive_seconds, readable_file

if TYPE_CHECKING:
    from explorer.core.models import Exchange, RequestSpec

MAX_BODY_ARGUMENT = 64 * 1024 * 1024
"""Most bytes ``--json @FILE``/``--data @FILE`` read: ``@/dev/zero`` must not eat the memory."""


def register(subparsers: Any) -> None:
    from explorer.commands.workbench import add_secrets_from_env

    parser = subparsers.add_parser(
        "send",
        help="send one request and print the response",
        description="Send one request through the full core and print the response.",
    )
    parser.add_argument("method", metavar="METHOD", help="GET, POST, PUT, PATCH, DELETE ...")
    parser.add_argument(
        "url",
        metavar="URL",
        help="absolute URL, or with --provider a path under the environment's base URL; "
        "may use {{variables}}",
    )
    parser.add_argument("--provider", metavar="ID", help="send with this provider's auth")
    parser.add_argument(
        "--env",
        metavar="NAME",
        help="the provider environment to use (with --collection: also one of its own saved "
        "environments)",
    )
    parser.add_argument(
        "--collection",
        metavar="DIR",
        help="send in this collection's context: its variables, secret variables, headers, "
        "auth and provider apply as to a request saved at its top",
    )
    add_secrets_from_env(parser)
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace whose credentials and providers to use",
    )
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="add a request header (repeatable)",
    )
    body = parser.add_mutually_exclusive_group()
    body.add_argument("--json", metavar="BODY", help="JSON body (validated); @FILE reads a file")
    body.add_argument("--data", metavar="BODY", help="raw body; @FILE reads a file")
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="define a {{variable}} (repeatable)",
    )
    parser.add_argument(
        "--process-env",
        action="store_true",
        help="let {{NAME}} and {{$env.NAME}} fall back to environment variables",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show headers and timings")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="save the body to FILE; '-o -' writes it to stdout as is, even binary to a terminal",
    )
    parser.add_argument(
        "--timeout", type=positive_seconds, default=60.0, metavar="S", help="read timeout"
    )
    parser.add_argument("--connect-timeout", type=positive_seconds, default=10.0, metavar="S")
    parser.add_argument("--no-follow", action="store_true", help="do not follow redirects")
    parser.add_argument("--max-redirects", type=non_negative_int, default=10, metavar="N")
    parser.add_argument("-k", "--insecure", action="store_true", help="skip TLS verification")
    parser.add_argument(
        "--ca-bundle", type=readable_file, metavar="FILE", help="trust this CA bundle (PEM)"
    )
    parser.add_argument("--cert", type=readable_file, metavar="FILE", help="client certificate")
    parser.add_argument(
        "--key", type=readable_file, metavar="FILE", help="private key of --cert, if separate"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """One request through the engine every front end uses (``explorer.core.context``): with
    ``--provider/--env`` the environment's base URL, variables, saved values, credentials and
    token lifecycle; without, a literal request (``--ca-bundle/--cert`` apply to it)."""
    from explorer.commands.stream_out import OUTPUT_CLOSED, OutputClosed, stdout_sink
    from explorer.commands.workbench import open_workbench
    from explorer.core.context import Binding, Placement, TlsFiles, placement_in
    from explorer.core.errors import UsageError
    from explorer.core.http import HttpClient

    spec = build_spec(args)
    to_file = args.output not in (None, "-")
    if to_file:
        check_output(Path(args.output))
    placement = placement_in(Path(args.collection)) if args.collection else Placement()
    bound_to = placement.collection.provider if placement.collection is not None else ""
    env_alone = args.env and not args.provider and not args.collection
    if (args.provider and not args.env) or env_alone:
        raise UsageError("--provider and --env go together; give both or neither.")
    provider = bool(args.provider or bound_to)
    variables = parse_vars(args.var)
    sink = None if to_file else stdout_sink(forced=args.output == "-")
    client = HttpClient()
    try:
        bench = open_workbench(
            args,
            client,
            providers=provider,
            near=Path(args.collection) if args.collection else Path.cwd(),
            variables=variables,
            tls=TlsFiles(args.ca_bundle, args.cert, args.key),
            process_env=args.process_env,
        )
        selected = Binding(args.provider or bound_to or None, args.env)  # --env: its provider's
        assembled = bench.assemble(spec, placement, selected, variables)
        result = bench.send(assembled, on_progress=sink)
        exchange = result.redacted_exchange()
        if args.verbose:
            print_lifecycle(result)
        else:
            for note in result.notes:  # e.g. credentials held back from a foreign origin
                sys.stderr.write(f"· {note}\n")
        print_exchange(exchange, verbose=args.verbose, output=args.output if to_file else None)
        if sink is not None:
            sink.complete(exchange.response)
        return exit_status(exchange.response.status)
    except OutputClosed:  # the reader went away (| head): quiet, as a SIGPIPE'd command is
        return OUTPUT_CLOSED
    finally:
        client.close()


def print_lifecycle(result: Any) -> None:
    """Token events, retries and the normalised problem, secrets masked (``send -v``)."""
    from explorer.core.redaction import mask_text
    from explorer.core.terminal import for_terminal

    err = sys.stderr

    def say(line: str) -> None:
        err.write(for_terminal(mask_text(line, result.secrets), err))

    for event in result.events:
        say(f"· {event.describe()}\n")
    for note in result.notes:
        say(f"· {note}\n")
    if result.quota is not None and result.quota.remaining is not None:
        say(f"· quota: {result.quota.remaining} of {result.quota.limit} left\n")
    if result.problem is not None:
        say(f"· problem ({result.problem.format}): {result.problem.summary()}\n")


def build_spec(args: argparse.Namespace) -> RequestSpec:
    """The command line as a ``RequestSpec`` (the same model the window and collections use)."""
    from explorer.core.errors import UsageError
    from explorer.core.models import Body, BodyMode, KeyValue, RequestSpec

    headers = []
    for raw in args.header:
        name, sep, value = raw.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"-H '{raw}' is not a header; write it as -H 'Name: value'.")
        headers.append(KeyValue(name.strip(), value.strip()))
    body = Body()
    if args.json is not None:
        text = _read_arg(args.json, "--json")
        _refuse_non_json_numbers(text)
        body = Body(BodyMode.JSON, text)
    elif args.data is not None:
        content_type = next((h.value for h in headers if h.name.lower() == "content-type"), None)
        text = _read_arg(args.data, "--data")
        body = Body(BodyMode.RAW, text, content_type=content_type or "text/plain")
    return RequestSpec(
        method=args.method,
        url=args.url,
        headers=tuple(headers),
        body=body,
        connect_timeout=args.connect_timeout,
        read_timeout=args.timeout,
        follow_redirects=not args.no_follow,
        max_redirects=args.max_redirects,
        verify_tls=not args.insecure,
    )


def parse_vars(pairs: list[str]) -> dict[str, str]:
    from explorer.core.errors import UsageError

    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--var '{pair}' is not a variable; write it as --var NAME=VALUE.")
        values[name] = value
    return values


def _read_arg(value: str, option: str) -> str:
    """The body as given, or ``@FILE``'s text, read with a size cap (``@/dev/zero`` is endless)."""
    from explorer.core.errors import UsageError

    if not value.startswith("@"):
        return value
    path = Path(value[1:]).expanduser()
    if path.is_dir():
        raise UsageError(f"{option} @{path} names a folder; give a file.")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BODY_ARGUMENT + 1)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise UsageError(f"Cannot read the body file '{path}': {reason}.") from exc
    if len(data) > MAX_BODY_ARGUMENT:
        raise UsageError(
            f"The body file '{path}' is larger than {MAX_BODY_ARGUMENT // 1024**2} MB, the most "
            f"{option} @FILE reads; send it from a collection as a binary-file body."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"The body file '{path}' is not UTF-8 text (byte {exc.start}); convert it first."
        ) from exc


def _refuse_non_json_numbers(text: str) -> None:
    """``NaN`` and ``Infinity`` parse in Python but are not JSON: no server would read them.
    Text that does not parse at all (a ``{{variable}}`` in place of a value) is checked once
    its variables are filled in."""
    import json

    from explorer.core.errors import UsageError

    def refuse(name: str) -> None:
        raise UsageError(
            f"--json contains {name}, which is not JSON; send a number, null or a string instead."
        )

    try:
        json.loads(text, parse_constant=refuse)
    except (ValueError, RecursionError):
        return


def check_output(path: Path) -> None:
    """``-o FILE`` is checked before anything is sent: a folder or a missing parent folder would
    otherwise fail only after the whole body was downloaded."""
    from explorer.core.errors import UsageError

    if path.is_dir():
        raise UsageError(f"-o '{path}' is a folder; give a file name, such as '{path / 'body'}'.")
    if not path.parent.is_dir():
        raise UsageError(f"-o '{path}': folder '{path.parent}' does not exist; create it first.")


def exit_status(status: int) -> int:
    return 0 if 200 <= status < 300 else {3: 3, 4: 4, 5: 5}.get(status // 100, 1)


def print_exchange(exchange: Exchange, *, verbose: bool, output: str | None) -> None:
    """The status line (and with ``verbose`` hops, headers and timings) on stderr, every known
    secret masked and, on a terminal, every control character the server sent made visible
    (``explorer.core.terminal``); with ``output``, the body saved there. Otherwise the body
    went, or goes next, to stdout through ``StdoutSink``."""
    from explorer.core.formatting import human_size
    from explorer.core.redaction import mask_headers, mask_text
    from explorer.core.terminal import for_terminal

    response, request = exchange.response, exchange.request
    err = sys.stderr

    def say(line: str) -> None:
        err.write(for_terminal(mask_text(line, request.secrets), err))

    if verbose:
        for hop in exchange.hops:
            say(f"→ {hop.method} {hop.url}  {hop.status} → {hop.location}\n")
        say(f"{request.method} {response.url if not exchange.hops else request.url}\n")
        if exchange.wire_request_line:
            say(f"{exchange.wire_request_line}\n")
        for name, value in mask_headers(exchange.headers_on_wire, request.secrets):
            say(f"{name}: {value}\n")
        err.write("\n")
    say(
        f"{response.http_version} {response.status} {response.reason}  ·  "
        f"{exchange.timings.total_ms:.0f} ms  ·  {human_size(response.body.size)}\n"
    )
    if verbose:
        for name, value in mask_headers(response.headers, request.secrets):
            say(f"{name}: {value}\n")
        t = exchange.timings
        tls = f"  ·  {response.tls_version}" if response.tls_version else ""
        err.write(
            f"\n{t.summary()}\nsent {t.sent_header_bytes:,} B of headers and "
            f"{t.sent_body_bytes:,} B of body  ·  received {response.header_bytes:,} B of headers "
            f"and {response.wire_bytes:,} B of body on the wire{tls}\n\n"
        )
    err.flush()
    if output:
        response.body.save(Path(output))
        err.write(f"Saved {human_size(response.body.size)} to {output}\n")
