"""curl command lines → a request, quoted the way bash quotes them (``shlex``).

Understood: ``-X -H -d --data --data-ascii --data-raw --data-binary --data-urlencode --json -F
--form-string -u --oauth2-bearer -b -k -L --compressed -G -I -A -e --url --max-redirs
--connect-timeout -m``;
combined short flags (``-sSL``), glued values (``-XPOST``, ``-HAccept:x``) and ``--flag=value``.
Flags that only change curl's own output (``-s -v -i -o`` ...) are ignored; an unknown flag is
reported. Several commands can be given, separated by new lines or the shell's control
operators outside quotes (``;``, ``&&``, ``||``, ``|``): each curl command becomes a request, and
each other command (``| jq .``, ``&& echo done``) is reported and skipped.
"""

from __future__ import annotations

import bisect
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote_plus, urlencode

from explorer.core.confinement import file_notes
from explorer.core.errors import FormatError
from explorer.core.formats.common import ImportResult, SecretVault, guarded, protect
from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.templating import is_absolute
from explorer.core.workspace.model import Folder, SavedRequest

WITH_VALUE = {
    "-X": "request",
    "--request": "request",
    "-H": "header",
    "--header": "header",
    "-d": "data",
    "--data": "data",
    "--data-ascii": "data",
    "--data-raw": "data-raw",
    "--data-binary": "data-binary",
    "--data-urlencode": "data-urlencode",
    "--json": "json",
    "-F": "form",
    "--form": "form",
    "--form-string": "form-string",
    "-u": "user",
    "--user": "user",
    "--oauth2-bearer": "oauth2-bearer",
    "-b": "cookie",
    "--cookie": "cookie",
    "-A": "user-agent",
    "--user-agent": "user-agent",
    "-e": "referer",
    "--referer": "referer",
    "--url": "url",
    "--max-redirs": "max-redirs",
    "--connect-timeout": "connect-timeout",
    "-m": "max-time",
    "--max-time": "max-time",
    "-T": "upload-file",
    "--upload-file": "upload-file",
}
FLAGS = {
    "-k": "insecure",
    "--insecure": "insecure",
    "-L": "location",
    "--location": "location",
    "--compressed": "compressed",
    "-G": "get",
    "--get": "get",
    "-I": "head",
    "--head": "head",
}
IGNORED_WITH_VALUE = {
    "-o",
    "--output",
    "-w",
    "--write-out",
    "-x",
    "--proxy",
    "--cacert",
    "--capath",
    "-E",
    "--cert",
    "--key",
    "-c",
    "--cookie-jar",
    "--retry",
    "--retry-delay",
    "-r",
    "--range",
    "--resolve",
    "--limit-rate",
    "-D",
    "--dump-header",
    "--trace",
    "--trace-ascii",
    "--stderr",
    "--interface",
    "--proto",
    "--proto-redir",
    "-K",
    "--config",
}
IGNORED = {
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-v",
    "--verbose",
    "-i",
    "--include",
    "-f",
    "--fail",
    "--fail-with-body",
    "-#",
    "--progress-bar",
    "-N",
    "--no-buffer",
    "--http1.1",
    "--http2",
    "--http1.0",
    "-O",
    "--remote-name",
    "-J",
    "--remote-header-name",
    "-g",
    "--globoff",
    "-4",
    "-6",
    "--ipv4",
    "--ipv6",
    "-n",
    "--netrc",
    "-q",
    "--disable",
    "--no-progress-meter",
    "--path-as-is",
    "--tcp-nodelay",
    "--location-trusted",
}


@dataclass
class _Parsed:
    url: str = ""
    method: str = ""
    headers: list[KeyValue] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    data_kinds: set[str] = field(default_factory=set)
    form: list[FormField] = field(default_factory=list)
    json: bool = False
    user: str | None = None
    bearer: str | None = None
    switches: set[str] = field(default_factory=set)
    upload: str | None = None
    max_redirs: int | None = None
    connect_timeout: float | None = None
    max_time: float | None = None
    warnings: list[str] = field(default_factory=list)


OPERATORS = ("&&", "||", ";", "|", "\r\n", "\n")
"""Where bash ends a command (outside quotes); a lone ``&`` is left in, since unquoted URLs with
a query (``?a=1&b=2``) are pasted far more often than background jobs."""
CONTINUATIONS = ("\\\r\n", "\\\n", "^\r\n", "^\n")  # bash, and cmd.exe's "copy as cURL (cmd)"


@dataclass(frozen=True, slots=True)
class Command:
    """One command of pasted text and the line it starts on."""

    text: str
    line: int


def split_commands(text: str) -> tuple[list[Command], list[str]]:
    """The curl commands of ``text`` split as bash would, and a warning for each other command."""
    commands: list[Command] = []
    warnings: list[str] = []
    for command in _segments(text):
        words = command.text.strip()
        if words.startswith("$ "):
            words = words[2:].lstrip()
        if re.match(r"curl(\.exe)?\s", words + " "):
            commands.append(Command(words, command.line))
        elif words:
            warnings.append(f"line {command.line}: '{words[:60]}' is not a curl command; skipped")
    return commands, warnings


def _segments(text: str) -> list[Command]:
    """``text`` cut at every control operator outside quotes, comments dropped."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    segments: list[Command] = []
    current: list[str] = []
    start, index, quote = 0, 0, ""
    while index < len(text):
        char = text[index]
        step = 1
        if quote:
            if char == "\\" and quote == '"':
                step = 2
            elif char == quote:
                quote = ""
            current.append(text[index : index + step])
        elif continuation := next((c for c in CONTINUATIONS if text.startswith(c, index)), ""):
            current.append(" ")
            step = len(continuation)
        elif char == "\\":
            step = 2
            current.append(text[index : index + step])
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == "#" and (not current or current[-1][-1:].isspace()):
            end = text.find("\n", index)
            step = (end if end >= 0 else len(text)) - index
        elif operator := next((o for o in OPERATORS if text.startswith(o, index)), ""):
            segments.append(Command("".join(current), bisect.bisect(newlines, start - 1) + 1))
            current, start, step = [], index + len(operator), len(operator)
        else:
            current.append(char)
        index += step
    segments.append(Command("".join(current), bisect.bisect(newlines, start - 1) + 1))
    return segments


def parse_curl(
    command: str, source: str = "<curl>", line: int | None = None, vault: SecretVault | None = None
) -> tuple[RequestSpec, list[str]]:
    """One curl command → (request, warnings). Literal credentials go to ``vault``."""
    try:
        words = shlex.split(command, comments=False, posix=True)
    except ValueError as exc:
        raise FormatError(
            f"cannot be split as bash would ({exc}); check the quotes", path=source, line=line
        ) from exc
    if not words or words[0] not in ("curl", "curl.exe"):
        raise FormatError(
            "is not a curl command (it must start with 'curl')", path=source, line=line
        )
    parsed = _Parsed()
    try:
        _read_words(words[1:], parsed, source, line)
    except FormatError as exc:
        if exc.path is not None:
            raise
        raise FormatError(str(exc), path=source, line=line) from None  # a value's own check
    if not parsed.url:
        raise FormatError("the curl command has no URL", path=source, line=line)
    return _to_spec(parsed, vault if vault is not None else SecretVault())


def _read_words(words: list[str], parsed: _Parsed, source: str, line: int | None) -> None:
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            parsed.url = parsed.url or next(iter(words[index:]), "")
            return
        if not word.startswith("-") or word == "-":
            _positional(word, parsed)
            continue
        name, value = _split_option(word, parsed)
        if name is None:
            continue
        if name in WITH_VALUE or name in IGNORED_WITH_VALUE:
            if value is None:
                if index >= len(words):
                    raise FormatError(
                        f"the curl option {name} needs a value", path=source, line=line
                    )
                value = words[index]
                index += 1
            if name in WITH_VALUE:
                HANDLERS[WITH_VALUE[name]](value, parsed)
        elif name in FLAGS:
            parsed.switches.add(FLAGS[name])
        elif name not in IGNORED:
            parsed.warnings.append(f"the curl option {name} is not supported and was ignored")


def _positional(word: str, parsed: _Parsed) -> None:
    if parsed.url:
        parsed.warnings.append(f"only the first URL is imported; {word!r} was ignored")
    else:
        parsed.url = word


def _split_option(word: str, parsed: _Parsed) -> tuple[str | None, str | None]:
    """(option, glued value); (None, None) when ``word`` was a group of switches (``-sSL``)."""
    if word.startswith("--"):
        name, sep, value = word.partition("=")
        return name, value if sep else None
    if len(word) == 2:
        return word, None
    head = word[:2]
    if head in WITH_VALUE or head in IGNORED_WITH_VALUE:
        return head, word[2:]
    letters = [f"-{c}" for c in word[1:]]
    if not all(flag in FLAGS or flag in IGNORED for flag in letters):
        return word, None
    parsed.switches.update(FLAGS[flag] for flag in letters if flag in FLAGS)
    return None, None


def _number(value: str, option: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise FormatError(f"the curl option {option} needs a number, not {value!r}") from None


def _header(value: str, parsed: _Parsed) -> None:
    name, sep, rest = value.partition(":")
    if not sep and value.endswith(";"):
        name, rest = value[:-1], ""
    elif not sep:
        parsed.warnings.append(f"the header {value!r} has no ':' and was ignored")
        return
    parsed.headers.append(KeyValue(name.strip(), rest.strip()))


def _data(kind: str) -> Callable[[str, _Parsed], None]:
    def handle(value: str, parsed: _Parsed) -> None:
        if kind == "data":
            value = value.replace("\r", "").replace("\n", "")  # -d strips line breaks
        elif kind == "data-urlencode":
            value = _urlencode_arg(value)
        parsed.data.append(value)
        parsed.data_kinds.add(kind)
        parsed.json = parsed.json or kind == "json"

    return handle


def _cookie(value: str, parsed: _Parsed) -> None:
    if "=" in value:
        parsed.headers.append(KeyValue("Cookie", value))
    else:
        parsed.warnings.append(f"the cookie file {value!r} was not read")


def _set(**changes: Callable[[str], object]) -> Callable[[str, _Parsed], None]:
    def handle(value: str, parsed: _Parsed) -> None:
        for attribute, convert in changes.items():
            setattr(parsed, attribute, convert(value))

    return handle


def _add_header(name: str) -> Callable[[str, _Parsed], None]:
    return lambda value, parsed: parsed.headers.append(KeyValue(name, value))


HANDLERS: dict[str, Callable[[str, _Parsed], None]] = {
    "request": _set(method=str.upper),
    "header": _header,
    "data": _data("data"),
    "data-raw": _data("data-raw"),
    "data-binary": _data("data-binary"),
    "json": _data("json"),
    "data-urlencode": _data("data-urlencode"),
    "form": lambda v, p: p.form.append(_form_field(v, literal=False)),
    "form-string": lambda v, p: p.form.append(_form_field(v, literal=True)),
    "user": _set(user=str),
    "oauth2-bearer": _set(bearer=str),
    "cookie": _cookie,
    "user-agent": _add_header("User-Agent"),
    "referer": _add_header("Referer"),
    "url": lambda v, p: setattr(p, "url", p.url or v),
    "max-redirs": _set(max_redirs=lambda v: int(_number(v, "--max-redirs"))),
    "connect-timeout": _set(connect_timeout=lambda v: _number(v, "--connect-timeout")),
    "max-time": _set(max_time=lambda v: _number(v, "--max-time")),
    "upload-file": _set(upload=str),
}


def _urlencode_arg(value: str) -> str:
    """curl's --data-urlencode forms: ``content``, ``=content``, ``name=content``, ``@file``."""
    if "=" in value:
        name, _, content = value.partition("=")
        return f"{name}={quote_plus(content)}" if name else quote_plus(content)
    return quote_plus(value)


def _form_field(value: str, *, literal: bool) -> FormField:
    name, _, content = value.partition("=")
    if literal or not content.startswith(("@", "<")):
        return FormField(name, content)
    parts = content[1:].split(";")
    content_type = None
    for part in parts[1:]:
        key, _, val = part.partition("=")
        if key.strip() == "type":
            content_type = val.strip()
    return FormField(name, parts[0], is_file=True, content_type=content_type)


def _to_spec(parsed: _Parsed, vault: SecretVault) -> tuple[RequestSpec, list[str]]:
    url = parsed.url
    if not is_absolute(url) and not url.startswith("{{"):
        url = f"http://{url}"  # curl's default scheme
    headers = list(parsed.headers)
    method, params, body = _payload(parsed)
    if parsed.json and not any(h.name.lower() == "accept" for h in headers):
        headers.append(KeyValue("Accept", "application/json"))
    if body.mode in (BodyMode.JSON, BodyMode.FORM):
        implied = (
            "application/json"
            if body.mode is BodyMode.JSON
            else ("application/x-www-form-urlencoded")
        )
        headers = [
            h
            for h in headers
            if not (h.name.lower() == "content-type" and h.value.lower() == implied)
        ]
    elif body.mode is BodyMode.RAW and body.content_type is not None:
        headers = [h for h in headers if h.name.lower() != "content-type"]
    if "head" in parsed.switches:
        method = method or "HEAD"
    if "compressed" in parsed.switches:
        parsed.warnings.append("--compressed needs nothing: responses are always decompressed")
    auth = None
    if parsed.user is not None:
        username, _, password = parsed.user.partition(":")
        auth = vault.auth(AuthSpec("basic", (("username", username), ("password", password))), "-u")
    if parsed.bearer is not None:
        auth = vault.auth(AuthSpec("bearer", (("token", parsed.bearer),)), "--oauth2-bearer")
    options: dict[str, float] = {}
    if parsed.connect_timeout is not None:
        options["connect_timeout"] = parsed.connect_timeout
    if parsed.max_time is not None:
        options["read_timeout"] = parsed.max_time
    spec = RequestSpec(
        method=method or "GET",
        url=url,
        name=_name(method or "GET", url),
        params=tuple(params),
        headers=vault.headers(tuple(headers), "-H"),
        body=body,
        auth=auth,
        follow_redirects="location" in parsed.switches,
        max_redirects=parsed.max_redirs if parsed.max_redirs is not None else 10,
        verify_tls="insecure" not in parsed.switches,
        connect_timeout=options.get("connect_timeout", 10.0),
        read_timeout=options.get("read_timeout", 60.0),
    )
    parsed.warnings += file_notes(body)
    if not spec.verify_tls:
        parsed.warnings.append("-k turns TLS verification off for this request (verify_tls: false)")
    return spec, parsed.warnings


def _payload(parsed: _Parsed) -> tuple[str, list[KeyValue], Body]:
    """The method curl would use, query params (``-G``) and the body."""
    method = parsed.method
    data = "&".join(parsed.data)
    content_type = next((h.value for h in parsed.headers if h.name.lower() == "content-type"), None)
    if parsed.data and "get" in parsed.switches:
        params = [KeyValue(k, v) for k, v in parse_qsl(data, keep_blank_values=True)]
        return method or "GET", params, Body()
    if parsed.data:
        return method or "POST", [], _data_body(parsed, data, content_type)
    if parsed.form:
        return method or "POST", [], Body(BodyMode.MULTIPART, fields=tuple(parsed.form))
    if parsed.upload:
        body = Body(BodyMode.BINARY_FILE, file=parsed.upload, content_type=content_type)
        return method or "PUT", [], body
    return method, [], Body()


def _data_body(parsed: _Parsed, data: str, content_type: str | None) -> Body:
    if any(part.startswith("@") for part in parsed.data) and "data-raw" not in parsed.data_kinds:
        parsed.warnings.append("a body read from a file (@FILE) became a file body")
        return Body(BodyMode.BINARY_FILE, file=parsed.data[0][1:], content_type=content_type)
    kind = (content_type or "").lower()
    if parsed.json or "json" in kind:
        return Body(
            BodyMode.JSON, data, content_type if kind not in ("", "application/json") else None
        )
    if content_type is None or kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(data, keep_blank_values=True)
        if pairs and urlencode(pairs) == data:
            return Body(BodyMode.FORM, fields=tuple(FormField(k, v) for k, v in pairs))
        return Body(BodyMode.RAW, data, "application/x-www-form-urlencoded")
    return Body(BodyMode.RAW, data, content_type)


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


def looks_like_curl(text: str) -> bool:
    """Whether pasted text is a curl command rather than a URL."""
    return len(split_commands(text)) > 0


def parse_pasted_curl(text: str) -> tuple[RequestSpec, list[str]]:
    """The first curl command of pasted text as one request for the builder, literal values
    kept; raises ``FormatError`` with the reason when it cannot be read."""
    commands, _ = split_commands(text)
    if not commands:
        raise FormatError("is not a curl command (it must start with 'curl')", path="pasted text")
    spec, warnings = guarded(
        "pasted text", lambda: parse_curl(commands[0].text, "pasted text", vault=_LiteralVault())
    )
    if len(commands) > 1:
        warnings = [*warnings, f"only the first of {len(commands)} commands was used"]
    return spec, warnings


def import_curl(text: str, source: str = "<curl>") -> ImportResult:
    """Every curl command in ``text`` as a request of a new collection."""
    return guarded(source, lambda: protect(_import(text, source)))


def _import(text: str, source: str) -> ImportResult:
    commands, warnings = split_commands(text)
    if not commands:
        raise FormatError("holds no curl command (a line starting with 'curl')", path=source)
    vault = SecretVault()
    items: list[Folder | SavedRequest] = []
    for n, command in enumerate(commands, start=1):
        spec, notes = parse_curl(command.text, source, command.line, vault=vault)
        items.append(SavedRequest(spec, n))
        warnings += [f"command {n}: {note}" for note in notes]
    tree = Folder("curl import", variables=vault.variables(), items=tuple(items))
    return ImportResult(tree, (), (*warnings, *vault.warnings), dict(vault.values))
