"""PowerShell 7 ``Invoke-RestMethod``.

Literals are single-quoted (only ``'`` needs escaping there). Text bodies go as UTF-8 bytes,
because a string body is encoded per ``-ContentType`` and Windows PowerShell 5 would pick
ISO-8859-1; form bodies are encoded here (or with ``[uri]::EscapeDataString`` at run time), since
a hashtable body loses order and repeats. ``-TimeoutSec`` bounds the connection; PowerShell has no
separate read timeout. A custom CA must be trusted by the system: there is no per-call option.
"""

from __future__ import annotations

import math

from explorer.core.snippets.common import (
    comment_lines,
    encoded_pieces,
    query_joiner,
    url_with_query,
)
from explorer.core.snippets.errors import SnippetError
from explorer.core.snippets.model import Ref, SnippetRequest, Text

_I = "    "
_STANDARD = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"})


def psstr(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ref(ref: Ref, req: SnippetRequest) -> str:
    var = req.var(ref.ident)
    return f"$env:{var.env}" if var.env is not None else f"${var.ident}"


def expr(text: Text, req: SnippetRequest) -> str:
    if not text.parts:
        return "''"
    parts = [_ref(p, req) if isinstance(p, Ref) else psstr(p) for p in text.parts]
    return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"


def _pairs(pairs: list[tuple[Text, Text]], req: SnippetRequest) -> str:
    """Pairs encoded like ``urlencode``: at generation time where literal, else at run time
    with ``[uri]::EscapeDataString`` (``%20`` for a space, which servers decode the same)."""
    pieces = encoded_pieces(pairs, lambda text: f"[uri]::EscapeDataString({expr(text, req)})")
    rendered = [text if code else psstr(text) for code, text in pieces]
    if not rendered:
        return "''"
    return rendered[0] if len(rendered) == 1 else "(" + " + ".join(rendered) + ")"


def render(req: SnippetRequest) -> str:
    lines = comment_lines(req, "#", lambda env: f"$env:{env}")
    if req.ca_bundle and req.verify_tls:
        lines.append(f"# Trust the server's CA ({req.ca_bundle}) in the system store first.")
    if req.client_cert or req.pkcs12:
        lines.append(
            f"# The server wants the client certificate {req.client_cert or req.pkcs12}: add "
            "-Certificate (Get-PfxCertificate) to the call, or use the curl snippet."
        )
    for var in req.variables:
        if var.env is None and not var.runtime:
            lines.append(f"${var.ident} = {expr(var.value, req)}")
    full = url_with_query(req)
    if full is not None:
        lines.append(f"$uri = {expr(full, req)}")
    else:
        joined = Text.of(*req.url.parts, query_joiner(req.url))
        lines.append(f"$uri = {expr(joined, req)} + {_pairs(list(req.params), req)}")
    lines += _headers(req)
    lines += _body(req)
    args = " `\n    ".join(_args(req))
    lines.append(f"$response = Invoke-RestMethod {args}")
    lines.append(
        "if ($response -is [string]) { $response } else { $response | ConvertTo-Json -Depth 32 }"
    )
    return "\n".join(lines) + "\n"


def _plain_headers(req: SnippetRequest) -> list[tuple[str, Text]]:
    """Every header but Content-Type, which goes through ``-ContentType``."""
    return [(k, v) for k, v in req.headers if k.lower() != "content-type"]


def _headers(req: SnippetRequest) -> list[str]:
    headers = _plain_headers(req)
    if not headers and req.basic is None:
        return []
    lines = []
    if req.basic is not None:
        pair = expr(req.basic.username + Text.of(":") + req.basic.password, req)
        lines.append(f"$pair = [Text.Encoding]::UTF8.GetBytes({pair})")
    lines.append("$headers = [ordered]@{")
    lines += [f"{_I}{psstr(k)} = {expr(v, req)}" for k, v in headers]
    if req.basic is not None:
        lines.append(f"{_I}'Authorization' = 'Basic ' + [Convert]::ToBase64String($pair)")
    lines.append("}")
    return lines


def _args(req: SnippetRequest) -> list[str]:
    if req.method in _STANDARD:
        args = [f"-Method {req.method.capitalize()}", "-Uri $uri"]
    else:
        args = [f"-CustomMethod {psstr(req.method)}", "-Uri $uri"]
    if _plain_headers(req) or req.basic is not None:
        args.append("-Headers $headers")
    content_type = next((v for k, v in req.headers if k.lower() == "content-type"), None)
    if content_type is not None:
        args.append(f"-ContentType {expr(content_type, req)}")
    body = req.body
    if body is not None:
        if body.kind == "file":
            args.append(f"-InFile {psstr(body.path)}")
        elif body.kind == "multipart":
            args.append("-Form $form")
        else:
            args.append("-Body $body")
    args.append(f"-TimeoutSec {math.ceil(req.connect_timeout + req.read_timeout)}")
    args.append(f"-MaximumRedirection {req.max_redirects if req.follow_redirects else 0}")
    if not req.follow_redirects:
        args.append("-SkipHttpErrorCheck")
    if not req.verify_tls:
        args.append("-SkipCertificateCheck")
    return args


def _body(req: SnippetRequest) -> list[str]:
    body = req.body
    if body is None or body.kind == "file":
        return []
    if body.kind == "text":
        return [f"$body = [Text.Encoding]::UTF8.GetBytes({expr(body.text, req)})"]
    if body.kind == "form":
        pairs = [(p.name, p.value) for p in body.parts]
        return [f"$body = {_pairs(pairs, req) if pairs else psstr('')}"]
    lines = ["$form = [ordered]@{"]
    for part in body.parts:
        name = expr(part.name, req)
        if part.content_type and not part.is_file:
            raise SnippetError(
                f"Invoke-RestMethod -Form cannot set the type of the text part "
                f"'{part.name.literal}'; use the curl or Python snippet."
            )
        if part.is_file:
            lines.append(f"{_I}{name} = Get-Item -LiteralPath {psstr(part.value.literal or '')}")
        else:
            lines.append(f"{_I}{name} = {expr(part.value, req)}")
    lines.append("}")
    return lines
