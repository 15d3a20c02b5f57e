"""HAR 1.2 (the HTTP Archive a browser's network panel saves) → a collection of its requests.

A recording is the quickest way to capture what a web application really sends, but it holds
much more than requests: responses, timings, the browser's cache state, and headers its HTTP
stack computes. Only the requests are imported, in the order they were made, in a folder per
page (``pageref`` → the page's title) or, without pages, per host. Headers the client sets
itself (HTTP/2 pseudo-headers, ``Host``, ``Content-Length``, hop-by-hop ones,
``Accept-Encoding``) and the validators replaying the browser's cache are dropped; cookies
become one ``Cookie`` header. The body is taken from what was sent (``postData.text``), its
``params`` only when the text is missing. Every loss is reported, once per kind; literal
credentials (cookies, tokens) are moved to secret variables by ``common.protect``. Mapping
table: docs/formats.md "HAR 1.2".
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path, PureWindowsPath
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

from explorer.core import safe_parse
from explorer.core.confinement import file_notes
from explorer.core.errors import FormatError
from explorer.core.formats.common import (
    ImportResult,
    JsonShapes,
    absorb_content_type,
    guarded,
    parse_json,
    protect,
)
from explorer.core.models import Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.templating import variables_in
from explorer.core.workspace.model import Folder, SavedRequest

#: Headers the client computes (``Accept-Encoding``: it asks for what it can decode),
#: hop-by-hop ones, and cache validators (replayed, they turn answers into empty 304s).
DROPPED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "accept-encoding",
        "if-none-match",
        "if-modified-since",
    }
)
SENDABLE_SCHEMES = ("http", "https")
#: More requests than this and the import says a page's static resources came along.
MANY_REQUESTS = 200
MAX_FOLDER_NAME = 80
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION = re.compile(r';\s*(name|filename)="((?:[^"\\]|\\.)*)"', re.IGNORECASE)
_BLANK_LINE = re.compile(r"\r?\n\r?\n")


def looks_like_har(data: object) -> bool:
    """Whether parsed JSON is a HAR log (``{"log": {"entries": [...]}}``) or one HAR request
    object on its own (as Insomnia's HAR import also takes it): the import dialog's content
    detection."""
    if not isinstance(data, dict):
        return False
    log = data.get("log")
    return (isinstance(log, dict) and isinstance(log.get("entries"), list)) or _bare_request(data)


def _bare_request(data: dict[str, Any]) -> bool:
    """A HAR request object (``method``, ``url``, ``httpVersion``) without a log around it."""
    return "log" not in data and all(
        isinstance(data.get(key), str) for key in ("method", "url", "httpVersion")
    )


def import_har(text: str, source: str = "<har>") -> ImportResult:
    """The requests of a HAR 1.2 (or 1.1) file, as a browser or proxy saved it."""
    return guarded(source, lambda: protect(_import(text, source)))


@dataclass(frozen=True, slots=True)
class _Part:
    """One field of a multipart body; ``filename`` is None for a text field."""

    name: str
    value: str = ""
    filename: str | None = None
    content_type: str | None = None


class _Importer(JsonShapes):
    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []
        self.dropped: dict[str, str] = {}  # lower-case name → the spelling first met
        self.dropped_in = 0
        self.skipped: Counter[str] = Counter()
        self.names: Counter[str] = Counter()
        self.responses = False

    # -- JSON shapes ---------------------------------------------------------------------
    def text(self, value: Any, where: str) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.fail(where, "text")

    def pairs(self, value: Any, where: str) -> list[tuple[str, str]]:
        """``[{name, value}]`` rows (headers, cookies, query strings, form params)."""
        found = []
        for i, raw in enumerate(self.array(value, where)):
            row = self.mapping(raw, f"{where}[{i}]")
            name = self.text(row.get("name"), f"{where}[{i}].name")
            found.append((name, self.text(row.get("value"), f"{where}[{i}].value")))
        return found

    def split(self, url: str, where: str) -> SplitResult:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise FormatError(f"{where} is not a valid URL ({exc})", path=self.source) from exc
        return parts

    # -- the log -------------------------------------------------------------------------
    def log(self, data: Any) -> dict[str, Any]:
        """The ``log`` object; one bare request becomes a log of one entry."""
        if isinstance(data, dict) and _bare_request(data):
            return {"entries": [{"request": data}]}
        if not looks_like_har(data):
            raise FormatError(
                "is not a HAR file: it has no log.entries array (save one from the browser's "
                'network panel with "Save all as HAR")',
                path=self.source,
            )
        log: dict[str, Any] = data["log"]
        return log

    def pages(self, value: Any) -> dict[str, str]:
        """Page id → the folder name: its title, else its id."""
        found: dict[str, str] = {}
        for i, raw in enumerate(self.array(value, "log.pages")):
            page = self.mapping(raw, f"log.pages[{i}]")
            page_id = self.text(page.get("id"), f"log.pages[{i}].id")
            title = self.text(page.get("title"), f"log.pages[{i}].title").strip()
            if page_id:
                found.setdefault(page_id, title or page_id)
        return found

    # -- one entry -----------------------------------------------------------------------
    def request(self, entry: dict[str, Any], where: str) -> RequestSpec | None:
        """The entry's request, or None when it is skipped (no URL, not HTTP)."""
        at = f"{where}.request"
        data = self.mapping(entry.get("request"), at)
        url = self.text(data.get("url"), f"{at}.url").strip()
        if not url:
            self.warnings.append(f"{at}.url is missing; the entry was skipped")
            return None
        scheme = self.split(url, f"{at}.url").scheme.lower()
        if scheme not in SENDABLE_SCHEMES:
            self.skipped[f"{scheme}:" if scheme else "relative"] += 1
            return None
        if _websocket(entry, data):
            self.skipped["WebSocket handshakes"] += 1
            return None
        self.responses = self.responses or isinstance(entry.get("response"), dict)
        method = self.text(data.get("method"), f"{at}.method").strip().upper()
        if not method:
            method = "GET"
            self.warnings.append(f"{at}.method is missing; GET was assumed")
        url, params = self.query(url, data.get("queryString"), at)
        recorded = self.cookies(self.headers(data.get("headers"), at), data.get("cookies"), at)
        headers, body = self.body(data.get("postData"), recorded, at)
        self.unrecorded(body, data.get("bodySize"), at)
        spec = RequestSpec(
            method=method,
            url=url,
            name=self.name(method, url, at),
            params=params,
            headers=headers,
            body=body,
            docs=self.comments(entry, data, where),
        )
        self.warnings += file_notes(body, where)
        self.templates(spec, where)
        return spec

    def query(self, url: str, rows: Any, where: str) -> tuple[str, tuple[KeyValue, ...]]:
        """The URL's query as params when they encode back to it exactly; else it stays in
        the URL as recorded. ``queryString`` is used only for a URL without a query (browsers
        disagree on whether its values are decoded)."""
        address, hash_sign, fragment = url.partition("#")
        head, sep, query = address.partition("?")
        if not sep:
            return url, tuple(KeyValue(n, v) for n, v in self.pairs(rows, f"{where}.queryString"))
        pairs = parse_qsl(query, keep_blank_values=True)
        if not pairs or urlencode(pairs) != query:
            return url, ()
        return f"{head}{hash_sign}{fragment}", tuple(KeyValue(n, v) for n, v in pairs)

    def headers(self, value: Any, where: str) -> list[KeyValue]:
        kept, dropped = [], False
        for i, (name, val) in enumerate(self.pairs(value, f"{where}.headers")):
            lower = name.strip().lower()
            if not lower:
                self.warnings.append(f"{where}.headers[{i}] has no name; it was not imported")
            elif lower.startswith(":") or lower in DROPPED_HEADERS:
                self.dropped.setdefault(lower, name.strip())
                dropped = True
            else:
                kept.append(KeyValue(name, val))
        if dropped:
            self.dropped_in += 1
        return kept

    def cookies(self, headers: list[KeyValue], value: Any, where: str) -> list[KeyValue]:
        """``cookies[]`` as one ``Cookie`` header, unless the headers already carry it."""
        pairs = self.pairs(value, f"{where}.cookies")
        if not pairs or any(h.name.lower() == "cookie" for h in headers):
            return headers
        cookie = "; ".join(f"{n}={v}" if n else v for n, v in pairs)
        return [*headers, KeyValue("Cookie", cookie)]

    def name(self, method: str, url: str, where: str) -> str:
        """``METHOD /path``, numbered ``(2)``, ``(3)`` ... when the collection has it already."""
        base = f"{method} {self.split(url, where).path or '/'}"
        self.names[base] += 1
        count = self.names[base]
        return base if count == 1 else f"{base} ({count})"

    def comments(self, entry: dict[str, Any], data: dict[str, Any], where: str) -> str:
        texts = (
            self.text(entry.get("comment"), f"{where}.comment").strip(),
            self.text(data.get("comment"), f"{where}.request.comment").strip(),
        )
        return "\n\n".join(t for t in texts if t)

    def templates(self, spec: RequestSpec, where: str) -> None:
        """Recorded text that the app would read as ``{{variables}}`` when sending."""
        texts = [spec.url, spec.body.text]
        texts += [f"{row.name} {row.value}" for row in (*spec.params, *spec.headers)]
        texts += [f"{f.name} {f.value}" for f in spec.body.fields]
        found = list(dict.fromkeys(name for text in texts for name in variables_in(text)))
        if found:
            listed = ", ".join(f"{{{{{name}}}}}" for name in found)
            self.warnings.append(
                f"{where}: the recording holds {listed}, which the app reads as variables "
                "when sending; define them or edit the request"
            )

    # -- bodies --------------------------------------------------------------------------
    def body(
        self, value: Any, headers: list[KeyValue], where: str
    ) -> tuple[tuple[KeyValue, ...], Body]:
        """``postData`` as a body; a Content-Type header the body mode implies is folded into
        it, and a multipart one is dropped (its boundary is the recording's; the client writes
        its own)."""
        if value is None:
            return tuple(headers), Body()
        at = f"{where}.postData"
        post = self.mapping(value, at)
        mime = self.text(post.get("mimeType"), f"{at}.mimeType").strip()
        body = self.payload(mime, self.content(post, at), post.get("params"), at)
        if body.mode is BodyMode.MULTIPART:
            return tuple(h for h in headers if h.name.lower() != "content-type"), body
        if not any(h.name.lower() == "content-type" for h in headers):
            return tuple(headers), body
        if body.mode in (BodyMode.JSON, BodyMode.RAW):
            body = replace(body, content_type=None)
        return absorb_content_type(tuple(headers), body)

    def content(self, post: dict[str, Any], where: str) -> str | None:
        """``postData.text``, decoded when a tool marked it base64 (``encoding`` or
        ``_encoding``, not in HAR 1.2); None when absent or not text."""
        if post.get("text") is None:
            return None
        text = self.text(post.get("text"), f"{where}.text")
        encoding = post.get("encoding", post.get("_encoding"))
        if encoding is None:
            return text
        if self.text(encoding, f"{where}.encoding").strip().lower() != "base64":
            self.warnings.append(f"{where}: the body's encoding {encoding!r} is unknown; dropped")
            return None
        try:
            data = base64.b64decode(text, validate=True)
        except ValueError:  # binascii.Error, or characters outside ASCII
            self.warnings.append(f"{where}: the body is not valid base64; it was dropped")
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.warnings.append(
                f"{where}: the body is binary ({len(data)} bytes) and the app sends binary "
                "bodies from files, so it was dropped; save it to a file and choose a "
                "binary-file body"
            )
            return None

    def payload(self, mime: str, text: str | None, params: Any, where: str) -> Body:
        kind = mime.split(";", 1)[0].strip().lower()
        if kind == "multipart/form-data" or (not text and _has_file(params)):
            return self.multipart(mime, text, params, where)
        if text:
            return _text_body(kind, mime, text)
        rows = self.pairs(params, f"{where}.params")
        if rows:
            return Body(BodyMode.FORM, fields=tuple(FormField(n, v) for n, v in rows))
        return Body()

    def multipart(self, mime: str, text: str | None, params: Any, where: str) -> Body:
        """Fields from the text that was sent, else from ``params``. File parts name a local
        file of the recorded name (a file's content is never imported); empty ones (no file
        chosen) are dropped. Both are reported."""
        match = _BOUNDARY.search(mime)
        parts = _multipart_parts(text, match.group(1)) if text and match else None
        if parts is None:
            parts = self.param_parts(params, where)
        fields, files, empty = [], [], []
        for part in parts:
            if part.filename is None:
                fields.append(FormField(part.name, part.value, content_type=part.content_type))
            elif not part.filename.strip():
                empty.append(part.name)
            else:
                name = _base_name(part.filename)
                fields.append(
                    FormField(part.name, name, is_file=True, content_type=part.content_type)
                )
                files.append(part.name)
        if files:
            self.warnings.append(
                f"{where}: the file part(s) {', '.join(files)} are sent from local files and "
                "the import keeps only their names; choose the files before sending"
            )
        if empty:
            self.warnings.append(
                f"{where}: the empty file part(s) {', '.join(empty)} (no file was chosen) "
                "were not imported"
            )
        return Body(BodyMode.MULTIPART, fields=tuple(fields))

    def param_parts(self, value: Any, where: str) -> list[_Part]:
        parts = []
        for i, raw in enumerate(self.array(value, f"{where}.params")):
            at = f"{where}.params[{i}]"
            row = self.mapping(raw, at)
            file_name = row.get("fileName")
            content_type = self.text(row.get("contentType"), f"{at}.contentType").strip()
            parts.append(
                _Part(
                    self.text(row.get("name"), f"{at}.name"),
                    self.text(row.get("value"), f"{at}.value"),
                    None if file_name is None else self.text(file_name, f"{at}.fileName"),
                    content_type or None,
                )
            )
        return parts

    def unrecorded(self, body: Body, size: Any, where: str) -> None:
        """A request that sent a body the recording does not hold (too large, binary)."""
        sent = isinstance(size, int) and not isinstance(size, bool) and size > 0
        if sent and body.mode is BodyMode.NONE:
            self.warnings.append(
                f"{where}: the recording does not hold the {size}-byte body that was sent; "
                "the request was imported without it"
            )

    # -- the whole file ------------------------------------------------------------------
    def summary(self, count: int) -> list[str]:
        """One warning per kind of loss over the whole file."""
        notes = []
        if self.skipped:
            kinds = ", ".join(f"{scheme} ({n})" for scheme, n in self.skipped.items())
            total = self.skipped.total()
            what = "1 entry was" if total == 1 else f"{total} entries were"
            notes.append(f"{what} skipped, as only http and https requests can be sent: {kinds}")
        if self.dropped:
            notes.append(
                "headers the client sets itself or that replay the browser's cache were not "
                f"imported (in {self.dropped_in} of the requests): "
                f"{', '.join(self.dropped.values())}"
            )
        if self.responses:
            notes.append(
                "the recorded responses (status, headers, bodies, timings) are not imported; "
                "send the requests to get fresh ones"
            )
        if count > MANY_REQUESTS:
            notes.append(
                f"{count} requests were imported: a browser recording holds every image, script "
                "and style a page loaded; delete the requests you do not need"
            )
        return notes


def _has_file(params: Any) -> bool:
    """Whether ``params`` names a file: a body that can only be sent as multipart, even when
    the recording gives no type."""
    return isinstance(params, list) and any(
        isinstance(row, dict) and row.get("fileName") is not None for row in params
    )


def _websocket(entry: dict[str, Any], request: dict[str, Any]) -> bool:
    """A WebSocket's opening handshake (``Upgrade: websocket``; Chrome also marks the entry):
    sent as a plain request it would not open the socket, so it is skipped."""
    if entry.get("_resourceType") == "websocket" or "_webSocketMessages" in entry:
        return True
    headers = request.get("headers")
    return isinstance(headers, list) and any(
        isinstance(row, dict)
        and str(row.get("name", "")).strip().lower() == "upgrade"
        and str(row.get("value", "")).strip().lower() == "websocket"
        for row in headers
    )


def _text_body(kind: str, mime: str, text: str) -> Body:
    """A recorded text body: a form when it encodes back exactly, JSON when it parses."""
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        if pairs and urlencode(pairs) == text:
            return Body(BodyMode.FORM, fields=tuple(FormField(n, v) for n, v in pairs))
    elif kind == "application/json" or kind.endswith("+json"):
        try:
            safe_parse.loads(text)
        except ValueError:
            return Body(BodyMode.RAW, text, mime)
        return Body(BodyMode.JSON, text, None if mime.lower() == "application/json" else mime)
    return Body(BodyMode.RAW, text, mime or None)


def _multipart_parts(text: str, boundary: str) -> list[_Part] | None:
    """The parts of a recorded multipart body, or None when it does not split cleanly."""
    chunks = text.split(f"--{boundary}")
    if len(chunks) < 2:
        return None
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith("--"):
            break
        blank = _BLANK_LINE.search(chunk)
        head = chunk[: blank.start()] if blank else chunk
        content = chunk[blank.end() :] if blank else ""
        part = _part(head, content.removesuffix("\n").removesuffix("\r"))
        if part is None:
            return None
        parts.append(part)
    return parts


def _part(head: str, content: str) -> _Part | None:
    settings: dict[str, str] = {}
    content_type = None
    for line in head.strip().splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-disposition":
            settings = {
                k.lower(): re.sub(r"\\(.)", r"\1", v) for k, v in _DISPOSITION.findall(value)
            }
        elif key.strip().lower() == "content-type":
            content_type = value.strip() or None
    if "name" not in settings:
        return None
    return _Part(settings["name"], content, settings.get("filename"), content_type)


def _base_name(filename: str) -> str:
    """The recorded file's own name: a path in a crafted file must not point anywhere."""
    name = PureWindowsPath(filename.strip()).name
    return name if name not in ("", ".", "..") else "file"


def _folder_name(title: str, taken: set[str]) -> str:
    """A page title or host as a folder name, unique in the collection: a URL (Chrome's page
    titles) loses its scheme, and ``/`` becomes ``>`` (folder paths use it as their separator,
    as in the ``.http`` export's ``# @folder A/B``)."""
    bare = re.sub(r"^[a-z][\w+.-]*://", "", title.strip(), flags=re.IGNORECASE)
    name = " > ".join(piece for piece in bare.split("/") if piece)[:MAX_FOLDER_NAME] or "page"
    unique, n = name, 1
    while unique in taken:
        n += 1
        unique = f"{name} ({n})"
    taken.add(unique)
    return unique


def _import(text: str, source: str) -> ImportResult:
    importer = _Importer(source)
    log = importer.log(parse_json(text, source))
    pages = importer.pages(log.get("pages"))
    entries = importer.array(log.get("entries"), "log.entries")
    if not entries:
        raise FormatError("holds no requests (log.entries is empty)", path=source)
    groups: dict[tuple[str, str], list[RequestSpec]] = {}
    for i, raw in enumerate(entries):
        where = f"log.entries[{i}]"
        entry = importer.mapping(raw, where)
        spec = importer.request(entry, where)
        if spec is None:
            continue
        pageref = entry.get("pageref")
        if isinstance(pageref, str) and pageref in pages:
            key = ("page", pageref)
        else:
            key = ("host", urlsplit(spec.url).netloc.rpartition("@")[2] or "(no host)")
        groups.setdefault(key, []).append(spec)
    count = sum(len(specs) for specs in groups.values())
    warnings = [*importer.warnings, *importer.summary(count)]
    if not groups:
        raise FormatError(
            f"holds no request that can be imported ({'; '.join(warnings)})", path=source
        )
    taken: set[str] = set()
    folders = tuple(
        Folder(
            name=_folder_name(pages[ref] if kind == "page" else ref, taken),
            seq=n,
            items=tuple(SavedRequest(spec, seq) for seq, spec in enumerate(specs, start=1)),
        )
        for n, ((kind, ref), specs) in enumerate(groups.items(), start=1)
    )
    name = "HAR import" if source.startswith("<") else Path(source).stem or "HAR import"
    return ImportResult(Folder(name, items=folders), (), tuple(warnings))
