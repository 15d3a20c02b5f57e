"""curl commands → requests that reach the server as curl's own would (docs/formats.md "curl").

Pasted text is read as the shell it was written for reads it (``shell_words``, ``shell_bash``,
``shell_windows``: bash and POSIX sh, cmd.exe from Chrome's "Copy as cURL (cmd)", PowerShell
``curl.exe``), each curl command's arguments as curl reads them (``curl_args``), its body as
curl builds it (``curl_body``), and this module decides the rest of what curl would send:
the method, the URL (``-G`` data and ``--url-query`` appended as curl encodes them, ``user:pw@``
as basic auth), the headers in curl's order with repeats kept (``-A -r -e -b``, then ``-H`` as
given; ``-H 'X:'`` kept as a disabled row since curl sends nothing), the auth and the options
(``-L``, ``-k``, timeouts). One request per URL. Whatever a request cannot hold (a proxy, a
cookie file, stdin from a pipe) is reported with the command's number, never dropped silently;
every other shell command is reported and skipped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from explorer.core.confinement import file_notes
from explorer.core.errors import FormatError
from explorer.core.formats.common import ImportResult, SecretVault, guarded, protect
from explorer.core.formats.curl_args import CurlArgs, read_args
from explorer.core.formats.curl_body import absorb_content_type, data_text, form_pairs, payload
from explorer.core.formats.shell_bash import split_bash
from explorer.core.formats.shell_windows import split_cmd, split_powershell
from explorer.core.formats.shell_words import Shell, ShellCommand, detect
from explorer.core.models import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    AuthSpec,
    KeyValue,
    RequestSpec,
)
from explorer.core.templating import is_absolute
from explorer.core.workspace.model import Folder, SavedRequest

CURL_MAX_REDIRECTS = 50
"""curl's limit when -L follows redirects and --max-redirs is not given."""
DEFAULT_HEADERS = ("host", "user-agent", "accept", "accept-encoding", "content-length")
"""Headers our client sends whatever the request says, as curl sends its own."""
Parsed = tuple[RequestSpec, list[str]]
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
LEXERS = {Shell.BASH: split_bash, Shell.CMD: split_cmd, Shell.POWERSHELL: split_powershell}


def split_commands(text: str) -> tuple[list[ShellCommand], list[str]]:
    """The curl commands of ``text`` as its shell splits them, and a warning for each other
    command and for a text whose shell is unclear; ``FormatError`` (no path) if the shell would
    refuse the text."""
    shell, unclear = detect(text)
    warnings = [unclear] if unclear else []
    commands: list[ShellCommand] = []
    for command in LEXERS[shell](text.replace("\r\n", "\n")):
        words = command.words[1:] if command.words[0] in ("$", ">") else command.words
        if words and _is_curl(words[0]):
            commands.append(replace(command, words=words))
        elif words:
            shown = " ".join(words)[:60]
            warnings.append(f"line {command.line}: '{shown}' is not a curl command; skipped")
    return commands, warnings


def _is_curl(program: str) -> bool:
    """``curl``, ``curl.exe`` or a path to one (``/usr/bin/curl``), not a URL ending so."""
    return "://" not in program and re.split(r"[\\/]", program)[-1].lower() in ("curl", "curl.exe")


def parse_curl(
    command: str, source: str = "<curl>", line: int | None = None, vault: SecretVault | None = None
) -> Parsed:
    """The first request of one curl command → (request, warnings); literal credentials go to
    ``vault``. ``FormatError`` located at ``source``/``line`` when it cannot be read."""
    try:
        commands, _ = split_commands(command)
    except FormatError as exc:
        raise FormatError(str(exc), path=source, line=line or exc.line) from None
    if not commands:
        raise FormatError(
            "is not a curl command (it must start with 'curl')", path=source, line=line
        )
    return requests_of(commands[0], source, line, vault or SecretVault())[0]


def requests_of(
    command: ShellCommand, source: str, line: int | None, vault: SecretVault
) -> list[Parsed]:
    """Every request one curl command sends (one per URL, ``--next`` groups in turn)."""
    try:
        groups = read_args(list(command.words[1:]))
        return [parsed for group in groups for parsed in _group(group, command, vault)]
    except FormatError as exc:
        raise FormatError(str(exc), path=source, line=line or command.line) from None


def _group(group: CurlArgs, command: ShellCommand, vault: SecretVault) -> list[Parsed]:
    if not group.urls:
        raise FormatError("the curl command has no URL")
    if command.stdin_file is not None:  # < file: what curl reads as @- or -T - is that file
        group.data = [
            replace(piece, file=command.stdin_file) if piece.file == "-" else piece
            for piece in group.data
        ]
    if len(group.uploads) > 1 and len(group.uploads) != len(group.urls):
        group.note("several -T files: each is sent to the URL in the same place, the rest to none")
    return [
        _request(group, url, _upload(group, index), command, vault)
        for index, url in enumerate(group.urls)
    ]


def _upload(group: CurlArgs, index: int) -> str | None:
    return group.uploads[index] if index < len(group.uploads) else None


def _request(
    group: CurlArgs, raw_url: str, upload: str | None, command: ShellCommand, vault: SecretVault
) -> Parsed:
    url, url_user = _url(raw_url, group)
    headers = _headers(group)
    method, body = payload(group, upload, command)
    headers, body = absorb_content_type(headers, body, group)
    params: tuple[KeyValue, ...] = ()
    if group.data and "get" in group.switches:
        url, params = _get_query(url, data_text(group, command))
    if upload is not None and upload not in ("-", "."):
        url = _upload_url(url, upload)
    method = _method(group, method)
    follow = bool({"location", "location-trusted"} & group.switches)
    if "location-trusted" in group.switches:
        group.note("--location-trusted: credentials are not sent on to other hosts")
    spec = RequestSpec(
        method=method,
        url=url,
        name=_name(method, url),
        params=params,
        headers=vault.headers(tuple(headers), "-H"),
        body=body,
        auth=vault.auth(_auth(group, url_user, headers), "-u"),
        follow_redirects=follow,
        max_redirects=group.max_redirs if group.max_redirs is not None else CURL_MAX_REDIRECTS,
        verify_tls="insecure" not in group.switches,
        connect_timeout=group.connect_timeout or DEFAULT_CONNECT_TIMEOUT,
        read_timeout=group.max_time or DEFAULT_READ_TIMEOUT,
    )
    return spec, _warnings(spec, group, command)


def _warnings(spec: RequestSpec, group: CurlArgs, command: ShellCommand) -> list[str]:
    notes = [*command.notes, *group.notes, *file_notes(spec.body)]
    if group.max_time is not None:
        notes.append(
            f"-m {group.max_time:g} limits curl's whole transfer; it became a read timeout"
        )
    if not spec.verify_tls:
        notes.append("-k turns TLS verification off for this request (verify_tls: false)")
    return notes


def _url(raw: str, group: CurlArgs) -> tuple[str, str | None]:
    """The URL curl requests (default scheme, glob escapes undone, ``--url-query`` appended)
    and the ``user:password`` written in it."""
    url = raw.strip()
    if not is_absolute(url) and not url.startswith("{{") and "://" not in url:
        url = f"{group.default_scheme}://{url}"
    if "globoff" not in group.switches:
        if re.search(r"(?<!\\)[\[{]", re.sub(r"\{\{[^{}]*\}\}|://\[[^\]]*\]", "", url)):
            group.note(
                f"curl would expand the URL pattern in {raw!r} into several URLs (-g "
                "turns that off); it was imported as written"
            )
        url = re.sub(r"\\([\[\]{}])", r"\1", url)
    for query in group.queries:
        url = _with_query(url, query)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FormatError(f"{raw!r} is not a URL curl can read ({exc})") from None
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    url = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    name, sep, password = userinfo.partition(":")
    return url, f"{unquote(name)}{sep}{unquote(password)}"


def _upload_url(url: str, upload: str) -> str:
    """curl adds the file's name to a URL that ends in ``/`` or has no path."""
    parts = urlsplit(url)
    if parts.path and not parts.path.endswith("/"):
        return url
    path = (parts.path or "/") + quote(re.split(r"[\\/]", upload)[-1])
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def _get_query(url: str, data: str) -> tuple[str, tuple[KeyValue, ...]]:
    """``-G`` data: query parameters when our encoder writes them back byte for byte, else
    appended to the URL as written."""
    pairs = form_pairs(data)
    if pairs is None or "#" in url or url.endswith("&"):
        return _with_query(url, data), ()
    return url, tuple(KeyValue(field.name, field.value) for field in pairs)


def _with_query(url: str, query: str) -> str:
    base, hash_sign, fragment = url.partition("#")
    joint = "" if base.endswith(("?", "&")) else "&" if "?" in base else "?"
    return f"{base}{joint}{query}{hash_sign}{fragment}"


def _method(group: CurlArgs, implied: str | None) -> str:
    if group.method:
        if group.method != group.method.upper():
            group.note(
                f"curl sends the method as written ({group.method!r}); it is sent upper-cased"
            )
        return group.method.upper()
    if "head" in group.switches:
        return "HEAD"
    return implied or "GET"


def _headers(group: CurlArgs) -> list[KeyValue]:
    """Headers in curl's order: those its options make (unless ``-H`` sets the name), then
    ``-H`` as given, repeats kept; ``--json``'s Accept last."""
    custom = [row for raw in group.headers if (row := _header(raw, group)) is not None]
    names = {row.name.lower() for row in custom}
    made: list[KeyValue] = []
    if group.user_agent == "":
        group.note("-A '' removes curl's User-Agent; the app still sends its own")
    for name, value in (
        ("User-Agent", group.user_agent),
        ("Range", _range(group.byte_range)),
        ("Referer", group.referer),
        ("Cookie", ";".join(group.cookies)),
    ):
        if value and name.lower() in names and name == "Cookie":
            group.note("-b is not sent: curl sends the -H Cookie header instead")
        elif value and name.lower() not in names:
            made.append(KeyValue(name, value))
    rows = made + custom
    if any(piece.kind == "json" for piece in group.data) and "accept" not in names:
        rows.append(KeyValue("Accept", "application/json"))
    return rows


def _range(value: str | None) -> str | None:
    if not value:
        return None
    return f"bytes={value}" if "-" in value else f"bytes={value}-"


def _header(raw: str, group: CurlArgs) -> KeyValue | None:
    """One ``-H``: ``Name: value``; ``Name;`` sends an empty value; ``Name:`` sends nothing
    (a disabled row); ``@file`` and lines without ``:`` are reported."""
    if raw.startswith("@"):
        group.note(f"-H {raw!r} reads headers from a file, which an import does not read")
        return None
    name, sep, value = raw.partition(":")
    empty = re.fullmatch(r"([^;:]+);\s*", raw)
    if not sep and empty:
        return KeyValue(empty.group(1).strip(), "")
    if not sep or not name.strip():
        group.note(f"-H {raw!r} is not a header ('Name: value'); curl does not send it")
        return None
    name, value = name.strip(), value.strip(" \t")
    if "\r" in value or "\n" in value:
        group.note(f"-H {name!r}: a value with a line break would inject headers; left out")
        return None
    if not _TOKEN.fullmatch(name):
        group.note(f"-H {raw!r}: {name!r} is not a valid header name; it was left out")
        return None
    if value:
        return KeyValue(name, value)
    if name.lower() in DEFAULT_HEADERS:
        group.note(
            f"-H '{name}:' removes curl's {name} header; the app still sends its own "
            "(kept as a disabled row)"
        )
    else:
        group.note(f"-H '{name}:' sends no {name} header; kept as a disabled row")
    return KeyValue(name, "", enabled=False)


def _auth(group: CurlArgs, url_user: str | None, headers: list[KeyValue]) -> AuthSpec | None:
    user = group.user if group.user is not None else url_user
    if any(h.enabled and h.name.lower() == "authorization" for h in headers):
        if user is not None or group.bearer is not None:
            group.note("-u/--oauth2-bearer is not used: curl sends the -H Authorization instead")
        return None
    if user is None:
        return None if group.bearer is None else AuthSpec("bearer", (("token", group.bearer),))
    scheme = _scheme(group)
    if group.bearer is not None and scheme == "basic":
        group.note("-u is not used: curl sends the --oauth2-bearer token instead")
        return AuthSpec("bearer", (("token", group.bearer),))
    if group.bearer is not None:
        group.note(
            f"--oauth2-bearer with --{scheme}: curl lets the server's challenge choose; "
            f"the {scheme} auth was imported and the token is not used"
        )
    if "anyauth" in group.auth_schemes:
        group.note("--anyauth became basic auth (the app does not negotiate the scheme)")
    username, sep, password = user.partition(":")
    if not sep:
        group.note(f"-u {username!r} has no password: curl would ask for it; it was left empty")
    if scheme not in ("basic", "digest"):
        group.note(f"--{scheme} auth was kept as imported, but the app cannot send it")
    return AuthSpec(scheme, (("username", username), ("password", password)))


_PREFERRED = ("negotiate", "digest", "ntlm", "basic")
"""The order in which curl picks among the schemes a server offers (lib/http.c)."""


def _scheme(group: CurlArgs) -> str:
    """The one scheme ``-u`` is sent with: the one named (basic when none, or ``--anyauth``),
    or the one curl prefers when several are (curl then lets the server's challenge choose)."""
    wanted = group.auth_schemes - {"anyauth"}
    chosen = next((name for name in _PREFERRED if name in wanted), "basic")
    if len(wanted) > 1:
        named = " ".join(f"--{name}" for name in _PREFERRED if name in wanted)
        group.note(f"{named}: curl lets the server's challenge choose; {chosen} was imported")
    return chosen


def _name(method: str, url: str) -> str:
    path = re.sub(r"^[a-zA-Z][\w+.-]*://[^/]*", "", url).split("?", 1)[0]
    return f"{method} {path or '/'}"


class _LiteralVault(SecretVault):
    """Keeps credentials where they are: for a command pasted into the builder, which holds
    the request in memory exactly as the user pasted it (history and saving mask it there)."""

    def auth(self, auth: AuthSpec | None, where: str) -> AuthSpec | None:
        return auth

    def headers(self, headers: tuple[KeyValue, ...], where: str) -> tuple[KeyValue, ...]:
        return headers


_LOOKS_LIKE = re.compile(r"(?:^|\n)\s*(?:\$\s+)?(?:&\s*)?curl(?:\.exe)?(?:\s|$)", re.IGNORECASE)


def looks_like_curl(text: str) -> bool:
    """Whether pasted text is a curl command rather than a URL (even one that cannot be read:
    the paste then says why)."""
    try:
        return bool(split_commands(text)[0])
    except FormatError:
        return bool(_LOOKS_LIKE.search(text))


def parse_pasted_curl(text: str) -> tuple[RequestSpec, list[str]]:
    """The first request of pasted text for the builder, literal values kept; raises
    ``FormatError`` with the reason when it cannot be read."""
    source = "pasted text"

    def first() -> tuple[RequestSpec, list[str]]:
        try:
            commands, _ = split_commands(text)
        except FormatError as exc:
            raise FormatError(str(exc), path=source, line=exc.line) from None
        if not commands:
            raise _no_curl(text, source, "is not a curl command (it must start with 'curl')")
        requests = requests_of(commands[0], source, None, _LiteralVault())
        spec, warnings = requests[0]
        if len(commands) > 1:
            warnings.append(f"only the first of {len(commands)} commands was used")
        elif len(requests) > 1:
            warnings.append(f"only the first of the command's {len(requests)} URLs was used")
        return spec, warnings

    return guarded(source, first)


def _no_curl(text: str, source: str, reason: str) -> FormatError:
    if re.search(r"Invoke-(WebRequest|RestMethod)\b", text, re.IGNORECASE):
        reason = (
            "holds a PowerShell Invoke-WebRequest command (Chrome's Copy as PowerShell), which "
            "is not imported; copy the request as cURL (bash or cmd) instead"
        )
    return FormatError(reason, path=source)


def import_curl(text: str, source: str = "<curl>") -> ImportResult:
    """Every request of every curl command in ``text`` as a request of a new collection."""
    return guarded(source, lambda: protect(_import(text, source)))


def _import(text: str, source: str) -> ImportResult:
    try:
        commands, warnings = split_commands(text)
    except FormatError as exc:
        raise FormatError(str(exc), path=source, line=exc.line) from None
    if not commands:
        raise _no_curl(text, source, "holds no curl command (a line starting with 'curl')")
    vault = SecretVault()
    items: list[Folder | SavedRequest] = []
    for n, command in enumerate(commands, start=1):
        for spec, notes in requests_of(command, source, None, vault):
            items.append(SavedRequest(spec, len(items) + 1))
            warnings += [f"command {n}: {note}" for note in notes]
    warnings = list(dict.fromkeys(warnings))  # a command's notes, once for all its URLs
    tree = Folder("curl import", variables=vault.variables(), items=tuple(items))
    return ImportResult(tree, (), (*warnings, *vault.warnings), dict(vault.values))
