"""curl's own command line → what it was asked to send (``CurlArgs``), read as curl reads it.

Options are curl's: long names (``--data-raw``, ``--opt=value``, an unambiguous prefix, ``--no-``
for switches), short letters grouped (``-sSLk``) with a value glued to the last (``-XPOST``,
``-HAccept:x``), ``--`` ending the options and ``-:``/``--next`` starting a new set of options.
Values are read the way curl does: ``-F`` parts with ``;type=``/``;filename=`` and quoted text,
``--data-urlencode`` and ``--url-query`` in their four forms, ``-b`` string or file. Options
that only shape curl's output are skipped; every other option that cannot become part of a
request is named in ``notes`` with the reason, and an unknown option is named too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from explorer.core.errors import FormatError
from explorer.core.models import FormField


@dataclass(frozen=True, slots=True)
class Piece:
    """One ``-d``/``--data-*``/``--json`` argument: its text, or the file it names (``-`` for
    stdin). ``kind`` is ``data`` (curl removes the line breaks of a file it reads), ``binary``,
    ``raw`` (never a file) or ``json`` (joined to the piece before it without ``&``)."""

    kind: str
    text: str = ""
    file: str | None = None


@dataclass
class CurlArgs:
    """One set of options (a ``--next`` starts another) and the URLs they apply to."""

    urls: list[str] = field(default_factory=list)
    method: str | None = None
    headers: list[str] = field(default_factory=list)
    user_agent: str | None = None
    referer: str | None = None
    cookies: list[str] = field(default_factory=list)
    byte_range: str | None = None
    data: list[Piece] = field(default_factory=list)
    form: list[FormField] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    user: str | None = None
    bearer: str | None = None
    auth_schemes: set[str] = field(default_factory=set)
    switches: set[str] = field(default_factory=set)
    default_scheme: str = "http"
    max_redirs: int | None = None
    connect_timeout: float | None = None
    max_time: float | None = None
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


Handler = Callable[[CurlArgs, str], None]


def read_args(words: list[str]) -> list[CurlArgs]:
    """curl's arguments (without the program name) → one ``CurlArgs`` per ``--next`` group;
    ``FormatError`` (no path) when curl would refuse them."""
    groups = [CurlArgs()]
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            groups[-1].urls += words[index:]
            break
        if not word.startswith("-") or word == "-":
            groups[-1].urls.append(word)
            continue
        for name, glued in _options(word, groups[-1]):
            takes_value, handle = OPTIONS[name]
            value = glued or ""
            if takes_value and glued is None:
                if index >= len(words):
                    raise FormatError(f"the curl option {word} needs a value")
                value = words[index]
                index += 1
            if name == "next":
                groups.append(CurlArgs())
            else:
                handle(groups[-1], value)
    return groups


def _options(word: str, args: CurlArgs) -> list[tuple[str, str | None]]:
    """The options one word holds, by canonical name, with a value glued to them."""
    if word.startswith("--"):
        spelled, sep, value = word[2:].partition("=")
        name = _long_name(spelled, args)
        if name is None:
            return []
        return [(name, value if sep else None)]
    found: list[tuple[str, str | None]] = []
    for position, letter in enumerate(word[1:], start=1):
        name = SHORT.get(letter)
        if name is None:
            args.note(f"the curl option -{letter} is not known and was ignored")
            continue
        if OPTIONS[name][0]:
            rest = word[position + 1 :]
            found.append((name, rest or None))
            break
        found.append((name, None))
    return found


def _long_name(spelled: str, args: CurlArgs) -> str | None:
    if spelled in OPTIONS:
        return spelled
    negated = spelled.removeprefix("no-")
    if negated != spelled and negated in OPTIONS and not OPTIONS[negated][0]:
        args.switches.discard(negated)
        args.auth_schemes.discard(negated)
        return None
    matches = [name for name in OPTIONS if name.startswith(spelled)]
    if len(matches) == 1 and spelled:
        return matches[0]
    args.note(f"the curl option --{spelled} is not known and was ignored")
    return None


def _number(value: str, option: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise FormatError(f"the curl option --{option} needs a number, not {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise FormatError(f"the curl option --{option} needs a number, not {value!r}")
    return number


def _data(kind: str) -> Handler:
    def handle(args: CurlArgs, value: str) -> None:
        if kind != "raw" and value.startswith("@"):
            args.data.append(Piece(kind, file=value[1:]))
        else:
            args.data.append(Piece(kind, value))

    return handle


def _data_urlencode(args: CurlArgs, value: str) -> None:
    encoded = _encoded(value, "--data-urlencode", args)
    if encoded is not None:
        args.data.append(Piece("binary", encoded))


def _url_query(args: CurlArgs, value: str) -> None:
    if value.startswith("+"):
        args.queries.append(value[1:])
        return
    encoded = _encoded(value, "--url-query", args)
    if encoded is not None:
        args.queries.append(encoded)


def _encoded(value: str, option: str, args: CurlArgs) -> str | None:
    """curl's ``content``, ``=content``, ``name=content``, ``[name]@file`` forms, encoded as
    curl encodes them (space as ``+``, everything but ``A-Za-z0-9-._~`` as ``%XX``)."""
    separator = value.find("=")
    if separator < 0:
        separator = value.find("@")
    name, mark, content = (
        (value[:separator], value[separator], value[separator + 1 :])
        if separator >= 0
        else ("", "", value)
    )
    if mark == "@":
        args.note(
            f"{option} {value!r} encodes the content of a file, which an import cannot read; "
            "it was left out"
        )
        return None
    return f"{name}={quote_plus(content)}" if name else quote_plus(content)


def _form(literal: bool) -> Handler:
    def handle(args: CurlArgs, value: str) -> None:
        name, sep, content = value.partition("=")
        if not sep:
            raise FormatError(f"the curl form part {value!r} has no '='")
        if literal:
            args.form.append(FormField(name, content))
        else:
            part = _form_part(name, content, args)
            if part is not None:
                args.form.append(part)

    return handle


_CURL_TYPES = {
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".htm": "text/html",
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
}
"""The types curl gives a file part by its extension (lib/mime.c); others get none from curl
and ``application/octet-stream`` on the wire, as our multipart encoder also sends."""


def _form_part(name: str, content: str, args: CurlArgs) -> FormField | None:
    """``-F name=value``: ``@file``, ``<file`` or text (``"quoted"`` may hold ``;``), then
    ``;type=``, ``;filename=``, ``;headers=`` and ``;encoder=`` as curl reads them."""
    where = f"-F {name}="
    prefix = content[:1] if content[:1] in ("@", "<") else ""
    value, params = _form_word(content[len(prefix) :])
    settings: dict[str, str] = {}
    while params.startswith(";"):
        setting = _SETTING.match(params)
        assert setting is not None  # the pattern matches any text after ';'
        key, params = setting.group(1).strip().lower(), params[setting.end() :]
        if setting.group(2) and key in ("type", "filename", "headers", "encoder"):
            settings[key], params = _form_word(params)
        else:
            args.note(f"{where}: curl skips the unknown part setting {setting.group(1)!r}")
            params = params[params.find(";") :] if ";" in params else ""
    for key in ("headers", "encoder"):
        if key in settings:
            args.note(f"{where}: the part's {key}= setting is not imported")
    if prefix == "<":
        args.note(f"{where}: a text part read from the file {value!r} is not imported")
        return None
    if prefix == "@" and "," in value:
        args.note(f"{where}: several files in one part ({value!r}) are not imported")
        return None
    if prefix == "@":
        basename = re.split(r"[\\/]", value)[-1]
        filename = settings.get("filename", basename)
        if filename != basename:
            args.note(
                f"{where}: the file is sent under its own name {basename!r}, not {filename!r}"
            )
        kind = settings.get("type") or _CURL_TYPES.get(_extension(basename))
        return FormField(name, value, is_file=True, content_type=kind)
    if "filename" in settings:
        args.note(f"{where}: a text part cannot carry a filename; {settings['filename']!r} dropped")
    return FormField(name, value, content_type=settings.get("type"))


_SETTING = re.compile(r";\s*([^=;]*)(=?)")


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def _form_word(text: str) -> tuple[str, str]:
    """A ``-F`` value or setting up to the next ``;``: ``"quoted"`` (``\\"`` and ``\\\\``
    escaped) or plain; returns it and the rest."""
    if text.startswith('"'):
        value: list[str] = []
        index = 1
        while index < len(text) and text[index] != '"':
            if text[index] == "\\" and text[index + 1 : index + 2] in ('"', "\\"):
                index += 1
            value.append(text[index])
            index += 1
        rest = text[index + 1 :]
        end = rest.find(";")
        return "".join(value), rest[end:] if end >= 0 else ""
    end = text.find(";")
    return (text[:end], text[end:]) if end >= 0 else (text, "")


def _cookie(args: CurlArgs, value: str) -> None:
    if "=" in value:
        args.cookies.append(value)
    elif value:
        args.note(f"-b {value!r} names a cookie file, which an import does not read")


def _referer(args: CurlArgs, value: str) -> None:
    if value.endswith(";auto"):
        value = value[:-5]
        args.note("-e ';auto': the app does not set Referer on redirects")
    args.referer = value or None


def _set(attribute: str, convert: Callable[[str], object] = str) -> Handler:
    def handle(args: CurlArgs, value: str) -> None:
        setattr(args, attribute, convert(value))

    return handle


def _append(attribute: str) -> Handler:
    def handle(args: CurlArgs, value: str) -> None:
        getattr(args, attribute).append(value)

    return handle


def _switch(name: str) -> Handler:
    return lambda args, _: args.switches.add(name)


def _scheme(name: str) -> Handler:
    """``--basic``, ``--digest`` …: added to the schemes curl may use (``--anyauth``: all)."""

    def handle(args: CurlArgs, _: str) -> None:
        if name == "anyauth":
            args.auth_schemes.clear()
        args.auth_schemes.add(name)

    return handle


def _ignore(args: CurlArgs, value: str) -> None:
    """Options that shape curl's output or connection only, not the request."""


_PROXY = "requests go through the environment's HTTPS_PROXY/HTTP_PROXY"
_TLS = "a request holds no TLS certificates, keys or versions (the client uses TLS 1.2+)"
_HTTP = "requests are sent over HTTP/1.1"


def _reported(option: str, reason: str) -> Handler:
    """An option that shapes the request in a way a request cannot hold: named, with why."""

    def handle(args: CurlArgs, value: str) -> None:
        shown = f" {value!r}" if value else ""
        args.note(f"the curl option --{option}{shown} is not imported: {reason}")

    return handle


def _max_redirs(args: CurlArgs, value: str) -> None:
    if value.strip() == "-1":
        args.note("--max-redirs -1 (no limit) became a limit of 50 redirects")
        value = "50"
    args.max_redirs = int(_number(value, "max-redirs"))


def _connect_timeout(args: CurlArgs, value: str) -> None:
    args.connect_timeout = _number(value, "connect-timeout")


def _max_time(args: CurlArgs, value: str) -> None:
    args.max_time = _number(value, "max-time")


def _proto_default(args: CurlArgs, value: str) -> None:
    args.default_scheme = value.lower()


OPTIONS: dict[str, tuple[bool, Handler]] = {
    "request": (True, _set("method")),
    "header": (True, _append("headers")),
    "data": (True, _data("data")),
    "data-ascii": (True, _data("data")),
    "data-binary": (True, _data("binary")),
    "data-raw": (True, _data("raw")),
    "data-urlencode": (True, _data_urlencode),
    "json": (True, _data("json")),
    "form": (True, _form(literal=False)),
    "form-string": (True, _form(literal=True)),
    "url": (True, _append("urls")),
    "url-query": (True, _url_query),
    "upload-file": (True, _append("uploads")),
    "user": (True, _set("user")),
    "oauth2-bearer": (True, _set("bearer")),
    "cookie": (True, _cookie),
    "user-agent": (True, _set("user_agent")),
    "referer": (True, _referer),
    "range": (True, _set("byte_range")),
    "max-redirs": (True, _max_redirs),
    "connect-timeout": (True, _connect_timeout),
    "max-time": (True, _max_time),
    "proto-default": (True, _proto_default),
    "next": (False, _ignore),
    "insecure": (False, _switch("insecure")),
    "location": (False, _switch("location")),
    "location-trusted": (False, _switch("location-trusted")),
    "compressed": (False, _ignore),
    "get": (False, _switch("get")),
    "head": (False, _switch("head")),
    "globoff": (False, _switch("globoff")),
    "basic": (False, _scheme("basic")),
    "digest": (False, _scheme("digest")),
    "ntlm": (False, _scheme("ntlm")),
    "negotiate": (False, _scheme("negotiate")),
    "anyauth": (False, _scheme("anyauth")),
    "http1.1": (False, _ignore),
    "http1.0": (False, _reported("http1.0", _HTTP)),
    "http2": (False, _reported("http2", _HTTP)),
    "http2-prior-knowledge": (False, _reported("http2-prior-knowledge", _HTTP)),
    "http3": (False, _reported("http3", _HTTP)),
    "http3-only": (False, _reported("http3-only", _HTTP)),
    "path-as-is": (False, _reported("path-as-is", "the client removes ./ and ../ segments")),
    "tr-encoding": (False, _reported("tr-encoding", "no transfer compression is asked for")),
    "post301": (False, _reported("post301", "a 301 turns POST into GET, as browsers do")),
    "post302": (False, _reported("post302", "a 302 turns POST into GET, as browsers do")),
    "post303": (False, _reported("post303", "a 303 turns the request into GET")),
    "proxy": (True, _reported("proxy", _PROXY)),
    "proxy-user": (True, _reported("proxy-user", _PROXY)),
    "preproxy": (True, _reported("preproxy", _PROXY)),
    "socks4": (True, _reported("socks4", _PROXY)),
    "socks4a": (True, _reported("socks4a", _PROXY)),
    "socks5": (True, _reported("socks5", _PROXY)),
    "socks5-hostname": (True, _reported("socks5-hostname", _PROXY)),
    "noproxy": (True, _reported("noproxy", _PROXY)),
    "proxytunnel": (False, _reported("proxytunnel", _PROXY)),
    "proxy-insecure": (False, _reported("proxy-insecure", _PROXY)),
    "cacert": (True, _reported("cacert", _TLS)),
    "capath": (True, _reported("capath", _TLS)),
    "cert": (True, _reported("cert", _TLS)),
    "cert-type": (True, _reported("cert-type", _TLS)),
    "key": (True, _reported("key", _TLS)),
    "key-type": (True, _reported("key-type", _TLS)),
    "pass": (True, _reported("pass", _TLS)),
    "ciphers": (True, _reported("ciphers", _TLS)),
    "tls-max": (True, _reported("tls-max", _TLS)),
    "tlsv1.0": (False, _reported("tlsv1.0", _TLS)),
    "tlsv1.1": (False, _reported("tlsv1.1", _TLS)),
    "tlsv1.2": (False, _ignore),
    "tlsv1.3": (False, _reported("tlsv1.3", _TLS)),
    "tlsv1": (False, _ignore),
    "ssl-no-revoke": (False, _ignore),
    "resolve": (True, _reported("resolve", "a request cannot pin host addresses")),
    "connect-to": (True, _reported("connect-to", "a request cannot pin host addresses")),
    "unix-socket": (True, _reported("unix-socket", "requests go over TCP")),
    "abstract-unix-socket": (True, _reported("abstract-unix-socket", "requests go over TCP")),
    "request-target": (True, _reported("request-target", "the target is the URL's path")),
    "time-cond": (True, _reported("time-cond", "write the If-Modified-Since header instead")),
    "aws-sigv4": (True, _reported("aws-sigv4", "AWS request signing is not supported")),
    "variable": (True, _reported("variable", "curl variables are not supported")),
    "config": (True, _reported("config", "the config file is not read; its options are missing")),
    "netrc": (False, _reported("netrc", "credentials from .netrc are not read")),
    "netrc-file": (True, _reported("netrc-file", "credentials from .netrc are not read")),
    "netrc-optional": (False, _reported("netrc-optional", "credentials from .netrc are not read")),
    "continue-at": (True, _reported("continue-at", "resuming a transfer is not supported")),
    "retry": (True, _reported("retry", "the app sends once")),
    "retry-all-errors": (False, _reported("retry-all-errors", "the app sends once")),
    "retry-connrefused": (False, _reported("retry-connrefused", "the app sends once")),
    "retry-delay": (True, _ignore),
    "retry-max-time": (True, _ignore),
    "delegation": (True, _reported("delegation", "Kerberos is not supported")),
    "service-name": (True, _reported("service-name", "Kerberos is not supported")),
    "output": (True, _ignore),
    "output-dir": (True, _ignore),
    "write-out": (True, _ignore),
    "cookie-jar": (True, _ignore),
    "dump-header": (True, _ignore),
    "trace": (True, _ignore),
    "trace-ascii": (True, _ignore),
    "trace-config": (True, _ignore),
    "stderr": (True, _ignore),
    "limit-rate": (True, _ignore),
    "speed-limit": (True, _ignore),
    "speed-time": (True, _ignore),
    "max-filesize": (True, _ignore),
    "interface": (True, _ignore),
    "local-port": (True, _ignore),
    "keepalive-time": (True, _ignore),
    "expect100-timeout": (True, _ignore),
    "proto": (True, _ignore),
    "proto-redir": (True, _ignore),
    "dns-servers": (True, _ignore),
    "doh-url": (True, _ignore),
    "parallel-max": (True, _ignore),
    "happy-eyeballs-timeout-ms": (True, _ignore),
    "silent": (False, _ignore),
    "show-error": (False, _ignore),
    "verbose": (False, _ignore),
    "include": (False, _ignore),
    "show-headers": (False, _ignore),
    "fail": (False, _ignore),
    "fail-with-body": (False, _ignore),
    "fail-early": (False, _ignore),
    "progress-bar": (False, _ignore),
    "no-progress-meter": (False, _ignore),
    "no-buffer": (False, _ignore),
    "remote-name": (False, _ignore),
    "remote-name-all": (False, _ignore),
    "remote-header-name": (False, _ignore),
    "remote-time": (False, _ignore),
    "create-dirs": (False, _ignore),
    "ipv4": (False, _ignore),
    "ipv6": (False, _ignore),
    "disable": (False, _ignore),
    "tcp-nodelay": (False, _ignore),
    "tcp-fastopen": (False, _ignore),
    "keepalive": (False, _ignore),
    "raw": (False, _ignore),
    "ignore-content-length": (False, _ignore),
    "junk-session-cookies": (False, _ignore),
    "styled-output": (False, _ignore),
    "parallel": (False, _ignore),
    "parallel-immediate": (False, _ignore),
    "ssl": (False, _ignore),
    "ssl-reqd": (False, _ignore),
    "no-alpn": (False, _ignore),
    "no-npn": (False, _ignore),
    "no-sessionid": (False, _ignore),
    "cert-status": (False, _ignore),
    "false-start": (False, _ignore),
    "suppress-connect-headers": (False, _ignore),
    "manual": (False, _ignore),
    "version": (False, _ignore),
    "help": (False, _ignore),
}

SHORT: dict[str, str] = {
    "X": "request",
    "H": "header",
    "d": "data",
    "F": "form",
    "T": "upload-file",
    "u": "user",
    "b": "cookie",
    "A": "user-agent",
    "e": "referer",
    "r": "range",
    "m": "max-time",
    "x": "proxy",
    "U": "proxy-user",
    "E": "cert",
    "K": "config",
    "z": "time-cond",
    "C": "continue-at",
    "o": "output",
    "w": "write-out",
    "c": "cookie-jar",
    "D": "dump-header",
    "Y": "speed-limit",
    "y": "speed-time",
    "k": "insecure",
    "L": "location",
    "G": "get",
    "I": "head",
    "g": "globoff",
    "n": "netrc",
    "p": "proxytunnel",
    "s": "silent",
    "S": "show-error",
    "v": "verbose",
    "i": "include",
    "f": "fail",
    "#": "progress-bar",
    "N": "no-buffer",
    "O": "remote-name",
    "J": "remote-header-name",
    "R": "remote-time",
    "j": "junk-session-cookies",
    "q": "disable",
    "Z": "parallel",
    "M": "manual",
    "V": "version",
    "4": "ipv4",
    "6": "ipv6",
    "0": "http1.0",
    "1": "tlsv1",
    ":": "next",
}
