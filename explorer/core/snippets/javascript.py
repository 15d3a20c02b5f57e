"""JavaScript ``fetch`` for Node 18+ (an ES module: ``node snippet.mjs``) and browsers.

``fetch`` has no connect or read timeout, only an abort signal: the snippet aborts after
connect + read timeout in total. TLS options exist in Node only and only process-wide
(``NODE_TLS_REJECT_UNAUTHORIZED``, ``NODE_EXTRA_CA_CERTS``), so the snippet says so in a comment.
Files are read with ``node:fs/promises``; in a browser, pass a ``File`` from an input instead.
"""

from __future__ import annotations

import json

from explorer.core.snippets.common import comment_lines, concat, url_with_query
from explorer.core.snippets.errors import SnippetError
from explorer.core.snippets.model import FormPart, SnippetRequest, Text

_I = "  "


def jsstr(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def expr(text: Text) -> str:
    return concat(text, jsstr)


def _block(text: Text, indent: str) -> str:
    literal = text.literal
    if literal is None or "\n" not in literal.rstrip("\n"):
        return expr(text)
    lines = literal.splitlines(keepends=True)
    return (" +\n" + indent + _I).join(jsstr(line) for line in lines)


def render(req: SnippetRequest) -> str:
    lines = comment_lines(req, "//", lambda env: env)
    lines.append("// Node 18+: save as snippet.mjs, run `node snippet.mjs`. In a browser, run it")
    lines.append("// as a module script (process.env and node:fs are Node's).")
    if not req.verify_tls:
        lines.append("// TLS verification is off for this whole Node process (test servers only).")
    elif req.ca_bundle:
        lines.append(f"// Trust the server's CA: run with NODE_EXTRA_CA_CERTS={req.ca_bundle}")
    if req.client_cert or req.pkcs12:
        lines.append(
            f"// The server wants the client certificate {req.client_cert or req.pkcs12}: fetch"
            " cannot present one; use the curl or Python snippet."
        )
    if req.needs_files:
        lines.append('import { readFile } from "node:fs/promises";')
    lines.append("")
    if not req.verify_tls:
        lines.append('process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";')
    for var in req.variables:
        if var.env is not None:
            fallback = ' ?? ""' if var.optional else ""
            lines.append(f"const {var.ident} = process.env.{var.env}{fallback};")
        elif not var.runtime:
            lines.append(f"const {var.ident} = {expr(var.value)};")
    lines += _url(req)
    lines += _body(req)
    lines += _fetch(req)
    lines.append("console.log(await response.text());")
    return "\n".join(lines) + "\n"


def _url(req: SnippetRequest) -> list[str]:
    full = url_with_query(req)
    if full is not None:
        return [f"const url = {expr(full)};"]
    lines = [f"const url = new URL({expr(req.url)});"]
    lines += [f"url.searchParams.append({expr(k)}, {expr(v)});" for k, v in req.params]
    return lines


def _body(req: SnippetRequest) -> list[str]:
    body = req.body
    if body is None:
        return []
    if body.kind == "text":
        return [f"const body = {_block(body.text, '')};"]
    if body.kind == "file":
        return [f"const body = await readFile({jsstr(body.path)});"]
    if body.kind == "form":
        pairs = ", ".join(f"[{expr(p.name)}, {expr(p.value)}]" for p in body.parts)
        return [f"const body = new URLSearchParams([{pairs}]);"]
    return ["const body = new FormData();", *(_part(p) for p in body.parts)]


def _part(part: FormPart) -> str:
    if not part.is_file and part.content_type:
        raise SnippetError(  # a typed FormData entry is a Blob, sent with filename="blob"
            f"fetch cannot send the typed text part '{part.name.literal}' without a file name; "
            "use the curl or Python snippet."
        )
    if not part.is_file:
        return f"body.append({expr(part.name)}, {expr(part.value)});"
    path = jsstr(part.value.literal or "")
    kind = jsstr(part.content_type or "application/octet-stream")
    blob = f"new Blob([await readFile({path})], {{ type: {kind} }})"
    return f"body.append({expr(part.name)}, {blob}, {jsstr(part.filename)});"


def _latin1(text: Text) -> bool:
    try:
        "".join(p for p in text.parts if isinstance(p, str)).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


#: fetch accepts only Latin-1 header values; this sends a value's UTF-8 bytes, as our client does.
_UTF8 = "const utf8 = (text) => String.fromCharCode(...new TextEncoder().encode(text));"


def _fetch(req: SnippetRequest) -> list[str]:
    headers = [(k, v) for k, v in req.headers]
    if req.basic is not None:
        basic = req.basic.username + Text.of(":") + req.basic.password
        headers.append(("Authorization", Text.of()))
        value = f'"Basic " + btoa({expr(basic)})'
    rows = []
    for name, text in headers:
        if req.basic is not None and not text.parts:
            rendered = value
        elif _latin1(text):
            rendered = expr(text)
        else:
            rendered = f"utf8({expr(text)})"
        rows.append(f"{_I}{_I}{jsstr(name)}: {rendered},")
    options = [f"{_I}method: {jsstr(req.method)},"]
    if rows:
        options += [f"{_I}headers: {{", *rows, f"{_I}}},"]
    if req.body is not None:
        options.append(f"{_I}body,")
    options.append(f'{_I}redirect: "{"follow" if req.follow_redirects else "manual"}",')
    total = int((req.connect_timeout + req.read_timeout) * 1000)
    options.append(f"{_I}signal: AbortSignal.timeout({total}),")
    helper = [] if all(_latin1(v) for _, v in req.headers) else [_UTF8]
    return [*helper, "const response = await fetch(url, {", *options, "});"]
