"""The ``.bru`` file language of Bruno, read into typed blocks without interpreting them.

A Bruno collection is a folder of ``.bru`` files (requests, ``folder.bru``, ``collection.bru``,
``environments/*.bru``); ``bruno.py`` maps them. This module follows the grammars of Bruno's
``packages/bruno-lang/v2`` (``bruToJson.js``, ``collectionBruToJson.js``, ``envToJson.js``):

- A file is a sequence of blocks ``tag {`` ... ``}``; a block ends at the first line that starts
  with ``}`` (its content is indented, so that is unambiguous).
- Dictionary blocks (``meta``, ``get``, ``headers``, ``params:query``, ``auth:basic``,
  ``body:form-urlencoded``, ``vars``, ``assert`` ...) hold one ``key: value`` pair per line.
  ``~key`` is disabled; ``"quoted key"`` may hold spaces, colons and braces (``\\"`` escapes a
  quote); a value ``'''`` opens a multi-line value closed by ``'''`` (its lines indented by four
  spaces, an ``@contentType(...)`` may follow); a value ``[`` opens a list, one item per line, up
  to ``]``. Annotation lines (``@description('...')``, ``@number``) before a pair are skipped.
- Text blocks (bodies, scripts, ``tests``, ``docs``, ``example``) keep their lines, outdented by
  the two spaces Bruno writes.
- List blocks (``vars:secret [a, b]`` in environments) hold names separated by commas or lines.

Blocks of tags this module does not know are read by their shape, so a file from a newer Bruno
still parses; ``bruno.py`` reports what it does not map.

Bruno's one-file JSON export holds the same collection in Bruno's app model; ``ExportReader``
turns its items back into these blocks, so one mapping serves both forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from explorer.core.errors import FormatError
from explorer.core.formats.common import JsonShapes

__all__ = ["METHOD_TAGS", "Block", "BruFile", "ExportReader", "Pair", "parse_bru"]

METHOD_TAGS = ("get", "post", "put", "delete", "patch", "options", "head", "connect", "trace")

TEXT_TAGS = frozenset(
    {
        "body",
        "body:json",
        "body:text",
        "body:xml",
        "body:sparql",
        "body:graphql",
        "body:graphql:vars",
        "script:pre-request",
        "script:post-response",
        "tests",
        "docs",
        "example",
    }
)
_HEADER = re.compile(r"^(?P<tag>[^\s{\[]+)[ \t]*(?P<open>[{\[])(?P<rest>.*)$")
_ANNOTATION = re.compile(r"^@[^()\s:]+")
_KEY = re.compile(r"^(?P<key>[^\s:]*)[ \t]*:")
_ASSERT_KEY = re.compile(r"^(?P<key>[^:]*?)[ \t]*:")
"""An assertion's left side may hold spaces (``res("a b")``); other keys may not."""
_QUOTED_KEY = re.compile(r'^(?P<off>~?)"(?P<key>(?:\\"|[^"])*)"[ \t]*:')
_MULTILINE = "'''"
_LIST_SPLIT = re.compile(r"[,\n]")


@dataclass(frozen=True, slots=True)
class Pair:
    """One ``key: value`` line (``line`` in its file, 0 for one read from the JSON export). A
    list value (``tags: [ ... ]``) is its items, one a line."""

    name: str
    value: str
    enabled: bool = True
    line: int = 0


@dataclass(frozen=True, slots=True)
class Block:
    """One block: its pairs (dictionary and list blocks) or its text (text blocks)."""

    tag: str
    pairs: tuple[Pair, ...] = ()
    text: str = ""


@dataclass(frozen=True, slots=True)
class BruFile:
    """The blocks of one ``.bru`` file in file order."""

    blocks: tuple[Block, ...]

    def has(self, tag: str) -> bool:
        return any(b.tag == tag for b in self.blocks)

    def pairs(self, tag: str) -> tuple[Pair, ...]:
        """The pairs of every ``tag`` block, in order (Bruno concatenates repeated blocks)."""
        return tuple(p for b in self.blocks if b.tag == tag for p in b.pairs)

    def value(self, tag: str, key: str) -> str:
        """The last enabled ``key`` of the ``tag`` blocks, else ``""``."""
        found = [p.value for p in self.pairs(tag) if p.name == key and p.enabled]
        return found[-1] if found else ""

    def text(self, tag: str) -> str:
        """The text of the last ``tag`` block (a later block replaces an earlier one)."""
        found = [b.text for b in self.blocks if b.tag == tag]
        return found[-1] if found else ""


def parse_bru(text: str, source: str) -> BruFile:
    """The blocks of the ``.bru`` file ``text``; ``FormatError`` (file and line) when it is not
    one: text outside a block, a block that is never closed, a pair without a colon."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or line.startswith("color:"):  # an environment's colour
            index += 1
            continue
        header = _HEADER.match(line)
        if header is None:
            raise FormatError(
                f"expected a block such as 'meta {{', found {line.strip()[:40]!r}",
                path=source,
                line=index + 1,
            )
        block, index = _block(lines, index, header, source)
        blocks.append(block)
    return BruFile(tuple(blocks))


def _block(lines: list[str], start: int, header: re.Match[str], source: str) -> tuple[Block, int]:
    """The block opened on line ``start`` and the index of the line after it."""
    tag, rest = header["tag"], header["rest"]
    if header["open"] == "[":
        return _list_block(lines, start, tag, rest, source)
    body: list[tuple[int, str]] = [(start + 1, rest)] if rest.strip() else []
    end = start + 1
    if rest.strip() == "}":
        body, end = [], start
    else:
        while end < len(lines) and not lines[end].startswith("}"):
            body.append((end + 1, lines[end]))
            end += 1
        if end == len(lines):
            raise FormatError(
                f"the block '{tag}' is never closed (a line starting with '}}')",
                path=source,
                line=start + 1,
            )
        if lines[end].strip() != "}":
            raise FormatError(
                f"unexpected text after the '}}' that closes '{tag}'", path=source, line=end + 1
            )
    if tag in TEXT_TAGS:
        return Block(tag, text=_text(body)), end + 1
    return Block(tag, pairs=_pairs(body, source, tag == "assert")), end + 1


def _list_block(
    lines: list[str], start: int, tag: str, rest: str, source: str
) -> tuple[Block, int]:
    """``tag [ a, ~b ]``: the names, across lines, up to the first ``]``."""
    collected = [rest]
    end = start
    while "]" not in collected[-1]:
        end += 1
        if end == len(lines):
            raise FormatError(
                f"the list '{tag}' is never closed (a ']')", path=source, line=start + 1
            )
        collected.append(lines[end])
    inside, _, after = "\n".join(collected).partition("]")
    if after.strip():
        raise FormatError(
            f"unexpected text after the ']' that closes '{tag}'", path=source, line=end + 1
        )
    pairs = []
    for item in _LIST_SPLIT.split(inside):
        name = item.strip()
        if name and not name.startswith("@"):
            pairs.append(Pair(name.removeprefix("~"), "", not name.startswith("~"), start + 1))
    return Block(tag, pairs=tuple(pairs)), end + 1


def _text(body: list[tuple[int, str]]) -> str:
    """A text block's lines without the leading empty lines, outdented by two spaces."""
    lines = [line for _, line in body]
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(line.removeprefix("  ") for line in lines)


def _pairs(body: list[tuple[int, str]], source: str, spaced: bool) -> tuple[Pair, ...]:
    pairs: list[Pair] = []
    index = 0
    while index < len(body):
        number, line = body[index]
        stripped = line.strip()
        if not stripped:
            index += 1
            continue
        if _is_annotation(stripped):
            index = _skip_annotation(body, index)
            continue
        name, enabled, rest = _key(stripped, source, number, spaced)
        value, index = _value(rest, body, index)
        pairs.append(Pair(name, value, enabled, number))
    return tuple(pairs)


def _is_annotation(stripped: str) -> bool:
    """``@name``, ``@name(args)`` alone on a line; ``@name: value`` is a pair (a local var)."""
    match = _ANNOTATION.match(stripped)
    if match is None:
        return False
    after = stripped[match.end() :]
    return after.startswith("(") or not after.strip()


def _skip_annotation(body: list[tuple[int, str]], index: int) -> int:
    """The index after the annotation on ``body[index]``; a ``'''`` argument may span lines."""
    stripped = body[index][1].strip()
    if stripped.count(_MULTILINE) % 2 == 0:
        return index + 1
    index += 1
    while index < len(body) and _MULTILINE not in body[index][1]:
        index += 1
    return index + 1


def _key(stripped: str, source: str, number: int, spaced: bool) -> tuple[str, bool, str]:
    """The key of a pair line, whether it is enabled, and the text after its colon."""
    quoted = _QUOTED_KEY.match(stripped)
    if quoted is not None:
        name = quoted["key"].replace('\\"', '"')
        return name, not quoted["off"], stripped[quoted.end() :]
    plain = (_ASSERT_KEY if spaced else _KEY).match(stripped)
    if plain is None:
        raise FormatError(
            f"expected 'name: value', found {stripped[:40]!r}", path=source, line=number
        )
    name = plain["key"]
    return name.removeprefix("~"), not name.startswith("~"), stripped[plain.end() :]


def _value(rest: str, body: list[tuple[int, str]], index: int) -> tuple[str, int]:
    """The value starting with ``rest`` on ``body[index]`` and the index after it."""
    value = rest.strip()
    if value.startswith(_MULTILINE):
        return _multiline(rest.lstrip()[len(_MULTILINE) :], body, index)
    if value == "[":
        items: list[str] = []
        index += 1
        while index < len(body) and body[index][1].strip() != "]":
            if body[index][1].strip():
                items.append(body[index][1].strip())
            index += 1
        return "\n".join(items), index + 1
    return value, index + 1


def _multiline(first: str, body: list[tuple[int, str]], index: int) -> tuple[str, int]:
    """A ``'''`` value: its lines outdented by four spaces and trimmed, with an
    ``@contentType(...)`` after the closing ``'''`` kept after the text, as Bruno keeps it."""
    if _MULTILINE in first:
        inside, _, after = first.partition(_MULTILINE)
        return _with_annotation(inside.strip(), after), index + 1
    lines = [first]
    index += 1
    while index < len(body) and _MULTILINE not in body[index][1]:
        lines.append(body[index][1])
        index += 1
    after = ""
    if index < len(body):
        last, _, after = body[index][1].partition(_MULTILINE)
        lines.append(last)
    text = "\n".join(line.removeprefix("    ") for line in lines).strip()
    return _with_annotation(text, after), index + 1


def _with_annotation(text: str, after: str) -> str:
    annotation = after.strip()
    return f"{text} {annotation}" if annotation else text


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


_EXTRA_REQUESTS = {
    "authorization": "auth_req",
    "token": "access_token_req",
    "refresh": "refresh_token_req",
}
"""Bruno's JSON names of the OAuth2 requests additional parameters go to → its ``.bru`` names."""


@dataclass
class ExportReader(JsonShapes):
    """Reads Bruno's one-file JSON export (its app model: ``items`` with ``request``,
    folders with ``root``, ``environments``) back into the blocks of the ``.bru`` files it was
    made from, checking every value it reads (a ``FormatError`` naming the JSON path);
    ``secrets`` keeps secret environment values, if an export holds any."""

    source: str
    secrets: dict[str, str] = field(default_factory=dict)
    empty_mapping = True  # the export leaves empty objects out

    def pair(self, raw: object, where: str) -> tuple[Pair, dict[str, object]]:
        """A ``{name, value, enabled}`` row as a pair, and the row."""
        row = self.mapping(raw, where)
        name = self.text(row.get("name"), f"{where}.name")
        value = self.text(row.get("value"), f"{where}.value")
        return Pair(name, value, row.get("enabled", True) is not False), row

    def rows(self, value: object, where: str) -> list[Pair]:
        return [
            self.pair(raw, f"{where}[{i}]")[0] for i, raw in enumerate(self.array(value, where))
        ]

    def params(self, value: object, where: str) -> tuple[tuple[Pair, ...], tuple[Pair, ...]]:
        """The query and the path parameters of a request's ``params``."""
        query: list[Pair] = []
        path: list[Pair] = []
        for i, raw in enumerate(self.array(value, where)):
            pair, row = self.pair(raw, f"{where}[{i}]")
            (path if row.get("type") == "path" else query).append(pair)
        return tuple(query), tuple(path)

    def request(self, item: dict[str, object], where: str) -> BruFile:
        request = self.mapping(item.get("request"), f"{where}.request")
        kind = self.text(item.get("type"), f"{where}.type")
        method = self.text(request.get("method"), f"{where}.request.method").lower() or "get"
        tag = method if method in METHOD_TAGS else "http"
        body = self.mapping(request.get("body"), f"{where}.request.body")
        auth = self.mapping(request.get("auth"), f"{where}.request.auth")
        head = [
            Pair("url", self.text(request.get("url"), f"{where}.request.url")),
            Pair("body", self.text(body.get("mode"), f"{where}.request.body.mode") or "none"),
            Pair("auth", self.text(auth.get("mode"), f"{where}.request.auth.mode") or "none"),
        ]
        if tag == "http":
            head.append(Pair("method", method))
        meta = (
            Pair("name", self.text(item.get("name"), f"{where}.name")),
            Pair("type", kind.removesuffix("-request") or "http"),
            Pair("seq", self.text(item.get("seq"), f"{where}.seq")),
        )
        query, path = self.params(request.get("params"), f"{where}.request.params")
        blocks = [
            Block("meta", meta),
            Block(tag, tuple(head)),
            Block("params:query", query),
            Block("params:path", path),
            Block("headers", tuple(self.rows(request.get("headers"), f"{where}.request.headers"))),
            *self.auth(auth, f"{where}.request.auth", folder=False),
            *self.body(body, f"{where}.request.body"),
            *self.extras(request, f"{where}.request"),
            Block(
                "settings",
                tuple(
                    Pair(k, self.text(v, f"{where}.settings.{k}"))
                    for k, v in self.mapping(item.get("settings"), f"{where}.settings").items()
                    if not isinstance(v, dict | list)
                ),
            ),
        ]
        return BruFile(tuple(b for b in blocks if b.pairs or b.text or b.tag in (tag, "meta")))

    def root(self, value: object, where: str) -> BruFile:
        """A folder's or the collection's ``root`` as the blocks of a ``folder.bru``."""
        root = self.mapping(value, where)
        request = self.mapping(root.get("request"), f"{where}.request")
        meta = self.mapping(root.get("meta"), f"{where}.meta")
        auth = self.mapping(request.get("auth"), f"{where}.request.auth")
        blocks = [
            Block(
                "meta",
                tuple(
                    Pair(k, self.text(v, f"{where}.meta.{k}"))
                    for k, v in meta.items()
                    if k in ("name", "seq")
                ),
            ),
            Block("headers", tuple(self.rows(request.get("headers"), f"{where}.request.headers"))),
            *self.auth(auth, f"{where}.request.auth", folder=True),
            *self.extras(request, f"{where}.request"),
            Block("docs", text=self.text(root.get("docs"), f"{where}.docs")),
        ]
        return BruFile(tuple(b for b in blocks if b.pairs or b.text))

    def auth(self, auth: dict[str, object], where: str, *, folder: bool) -> list[Block]:
        mode = self.text(auth.get("mode"), f"{where}.mode") or "none"
        settings = self.mapping(
            auth.get("akamaiEdgegrid" if mode == "akamai-edgegrid" else mode), f"{where}.{mode}"
        )
        pairs = []
        for key, value in settings.items():
            if isinstance(value, dict | list):
                continue  # OAuth2 additionalParameters: reported by the mapping
            name = _snake(key) if mode in ("oauth1", "oauth2") else key
            name = "token_secret" if name == "access_token_secret" else name  # oauth1's
            pairs.append(Pair(name, self.text(value, f"{where}.{mode}.{key}")))
        blocks = [Block(f"auth:{mode}", tuple(pairs))]
        if mode == "oauth2":
            blocks += self.extra_params(settings.get("additionalParameters"), f"{where}.oauth2")
        if folder:
            blocks.append(Block("auth", (Pair("mode", mode),)))
        return blocks

    def extra_params(self, value: object, where: str) -> list[Block]:
        """OAuth2 ``additionalParameters`` (``authorization``, ``token``, ``refresh`` rows, each
        with ``sendIn``) as the ``auth:oauth2:additional_params:*`` blocks of a ``.bru`` file."""
        where = f"{where}.additionalParameters"
        blocks: dict[str, list[Pair]] = {}
        for group, rows in self.mapping(value, where).items():
            request = _EXTRA_REQUESTS.get(str(group), str(group))
            for i, raw in enumerate(self.array(rows, f"{where}.{group}")):
                pair, row = self.pair(raw, f"{where}.{group}[{i}]")
                place = self.text(row.get("sendIn"), f"{where}.{group}[{i}].sendIn") or "body"
                tag = f"auth:oauth2:additional_params:{request}:{place}"
                blocks.setdefault(tag, []).append(pair)
        return [Block(tag, tuple(pairs)) for tag, pairs in blocks.items()]

    def body(self, body: dict[str, object], where: str) -> list[Block]:
        blocks = [
            Block(f"body:{key}", text=self.text(body.get(key), f"{where}.{key}"))
            for key in ("json", "text", "xml", "sparql")
        ]
        blocks.append(
            Block(
                "body:form-urlencoded",
                tuple(self.rows(body.get("formUrlEncoded"), f"{where}.formUrlEncoded")),
            )
        )
        parts = []
        for i, raw in enumerate(self.array(body.get("multipartForm"), f"{where}.multipartForm")):
            at = f"{where}.multipartForm[{i}]"
            part = self.mapping(raw, at)
            value = part.get("value")
            text = self.text(value, f"{at}.value") if not isinstance(value, list) else ""
            if part.get("type") == "file":
                paths = value if isinstance(value, list) else [value]
                text = "@file(" + "|".join(self.text(p, f"{at}.value") for p in paths) + ")"
            kind = self.text(part.get("contentType"), f"{at}.contentType")
            text += f" @contentType({kind})" if kind else ""
            parts.append(
                Pair(
                    self.text(part.get("name"), f"{at}.name"),
                    text,
                    part.get("enabled", True) is not False,
                )
            )
        blocks.append(Block("body:multipart-form", tuple(parts)))
        files = []
        for i, raw in enumerate(self.array(body.get("file"), f"{where}.file")):
            entry = self.mapping(raw, f"{where}.file[{i}]")
            kind = self.text(entry.get("contentType"), f"{where}.file[{i}].contentType")
            text = f"@file({self.text(entry.get('filePath'), f'{where}.file[{i}].filePath')})"
            files.append(
                Pair(
                    "file",
                    text + (f" @contentType({kind})" if kind else ""),
                    entry.get("selected") is True,
                )
            )
        blocks.append(Block("body:file", tuple(files)))
        graphql = self.mapping(body.get("graphql"), f"{where}.graphql")
        blocks.append(
            Block("body:graphql", text=self.text(graphql.get("query"), f"{where}.graphql.query"))
        )
        blocks.append(
            Block(
                "body:graphql:vars",
                text=self.text(graphql.get("variables"), f"{where}.graphql.variables"),
            )
        )
        return blocks

    def extras(self, request: dict[str, object], where: str) -> list[Block]:
        """Variables, assertions, scripts, tests and docs."""
        variables = self.mapping(request.get("vars"), f"{where}.vars")
        script = self.mapping(request.get("script"), f"{where}.script")
        return [
            Block("vars:pre-request", tuple(self.rows(variables.get("req"), f"{where}.vars.req"))),
            Block(
                "vars:post-response", tuple(self.rows(variables.get("res"), f"{where}.vars.res"))
            ),
            Block("assert", tuple(self.rows(request.get("assertions"), f"{where}.assertions"))),
            Block("script:pre-request", text=self.text(script.get("req"), f"{where}.script.req")),
            Block("script:post-response", text=self.text(script.get("res"), f"{where}.script.res")),
            Block("tests", text=self.text(request.get("tests"), f"{where}.tests")),
            Block("docs", text=self.text(request.get("docs"), f"{where}.docs")),
        ]

    def env_name(self, raw: object, index: int) -> str:
        return (
            self.text(
                self.mapping(raw, f"environments[{index}]").get("name"),
                f"environments[{index}].name",
            )
            or f"environment {index + 1}"
        )

    def environment(self, raw: object, where: str) -> BruFile:
        """An exported environment as an environment file's blocks; a secret variable's value
        (Bruno exports them empty) is kept with the import's secrets, never written."""
        env = self.mapping(raw, where)
        plain, secret = [], []
        for i, row in enumerate(self.array(env.get("variables"), f"{where}.variables")):
            at = f"{where}.variables[{i}]"
            pair, data = self.pair(row, at)
            if not pair.name:
                continue
            if data.get("secret") is True:
                secret.append(Pair(pair.name, ""))
                if pair.value:
                    self.secrets[pair.name] = pair.value
            else:
                plain.append(pair)
        return BruFile((Block("vars", tuple(plain)), Block("vars:secret", tuple(secret))))
