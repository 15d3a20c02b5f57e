"""Python ``requests`` snippets, and the full-flow script that fetches its own token.

Bodies are sent as the exact bytes our client sends (the JSON text as written, not re-serialised
through ``json=``); form fields go as a list of pairs, which ``requests`` encodes with the same
``urlencode`` as ``templating``. Timeouts are always explicit: ``requests`` has none by default.
"""

from __future__ import annotations

from urllib.parse import quote

from explorer.core.models import DEFAULT_MAX_REDIRECTS
from explorer.core.snippets.common import comment_lines, concat, seconds
from explorer.core.snippets.model import (
    ACCESS_TOKEN,
    FormPart,
    SnippetRequest,
    Text,
    TokenFlow,
)

_SHORTCUTS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_I = "    "
_REFRESH = '"refresh_token": refresh_token'


def pystr(value: str) -> str:
    """A Python string literal, double-quoted when that needs no escapes."""
    literal = repr(value)
    if literal.startswith("'") and '"' not in value:
        return '"' + literal[1:-1] + '"'
    return literal


def expr(text: Text) -> str:
    return concat(text, pystr)


def _block(text: Text, indent: str) -> str:
    """A long literal with line breaks as implicitly concatenated lines, one per line."""
    literal = text.literal
    if literal is None or "\n" not in literal.rstrip("\n"):
        return expr(text)
    lines = literal.splitlines(keepends=True)
    inner = "\n".join(f"{indent}{_I}{pystr(line)}" for line in lines)
    return f"(\n{inner}\n{indent})"


def _latin1(text: Text) -> bool:
    try:
        "".join(p for p in text.parts if isinstance(p, str)).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _call_args(req: SnippetRequest, indent: str) -> list[str]:
    args = []
    if req.params:
        pairs = ", ".join(f"({expr(k)}, {expr(v)})" for k, v in req.params)
        args.append(f"params=[{pairs}]")
    if req.headers:
        inner = indent + _I + _I
        rows = []
        for name, value in req.headers:
            rendered = expr(value) if _latin1(value) else f"({expr(value)}).encode()"
            rows.append(f"{inner}{pystr(name)}: {rendered},")
        args.append("headers={\n" + "\n".join(rows) + f"\n{indent}{_I}}}")
    if req.basic is not None:
        args.append(f"auth=({expr(req.basic.username)}, {expr(req.basic.password)})")
    args.extend(_auth_args(req))
    args.extend(_body_args(req, indent + _I))
    args.append(f"timeout=({seconds(req.connect_timeout)}, {seconds(req.read_timeout)})")
    args.append(f"allow_redirects={req.follow_redirects}")
    args.extend(_transport(req))
    return args


def _auth_args(req: SnippetRequest) -> list[str]:
    """Digest through requests' ``HTTPDigestAuth``; AWS Signature V4 through the
    ``requests-aws4auth`` package's ``AWS4Auth``."""
    if req.digest is not None:
        return [f"auth=HTTPDigestAuth({expr(req.digest.username)}, {expr(req.digest.password)})"]
    aws = req.aws
    if aws is None:
        return []
    parts = [expr(aws.access_key), expr(aws.secret_key), expr(aws.region), expr(aws.service)]
    if aws.session_token is not None:
        parts.append(f"session_token={expr(aws.session_token)}")
    return [f"auth=AWS4Auth({', '.join(parts)})"]


def _transport(req: SnippetRequest) -> list[str]:
    """TLS verification, the client certificate and the proxy: the token call and the API
    call alike, as our client sends both."""
    found = _proxies(req)
    if not req.verify_tls:
        found.append("verify=False")
    elif req.ca_bundle:
        found.append(f"verify={pystr(req.ca_bundle)}")
    if req.client_cert and req.client_key:
        found.append(f"cert=({pystr(req.client_cert)}, {pystr(req.client_key)})")
    elif req.client_cert:
        found.append(f"cert={pystr(req.client_cert)}")
    return found


def _proxies(req: SnippetRequest) -> list[str]:
    """The settings' proxy (``proxy``, declared at the top); direct is an empty proxy for both
    schemes, which ``requests`` prefers to ``HTTP(S)_PROXY``."""
    proxy = req.proxy
    if proxy is None:
        return []
    if not proxy.url:
        return ['proxies={"http": "", "https": ""}']
    return ['proxies={"http": proxy, "https": proxy}']


def _proxy_declaration(req: SnippetRequest) -> list[str]:
    """``proxy = ...``: the proxy URL with its user and the password percent-encoded."""
    proxy = req.proxy
    if proxy is None or not proxy.url:
        return []
    if not proxy.username:
        return [f"proxy = {pystr(proxy.url)}"]
    scheme, _, rest = proxy.url.partition("://")
    login = f"{scheme}://{quote(proxy.username, safe='')}:"
    password = proxy.password or Text()
    if password.literal is not None:
        revealed = quote(password.literal, safe="")
        return [f"proxy = {pystr(f'{login}{revealed}@{rest}')}"]
    secret = f'quote({expr(password)}, safe="")'
    return [f"proxy = {pystr(login)} + {secret} + {pystr('@' + rest)}"]


def _quotes_password(req: SnippetRequest) -> bool:
    proxy = req.proxy
    return proxy is not None and proxy.password is not None and proxy.password.literal is None


def _body_args(req: SnippetRequest, indent: str) -> list[str]:
    body = req.body
    if body is None:
        return []
    if body.kind == "text":
        literal = body.text.literal
        # AWS4Auth adds "; charset=utf-8" to the Content-Type of a str body: send bytes.
        if literal is not None and literal.isascii() and req.aws is None:
            return [f"data={_block(body.text, indent)}"]
        block = _block(body.text, indent)
        if literal is None and not block.startswith("("):
            block = f"({block})"
        return [f"data={block}.encode()"]
    if body.kind == "file":
        return ["data=body"]
    if body.kind == "form":
        pairs = ", ".join(f"({expr(p.name)}, {expr(p.value)})" for p in body.parts)
        return [f"data=[{pairs}]"]
    rows = "\n".join(f"{indent}{_I}{_part(p)}," for p in body.parts)
    return ["files=[\n" + rows + f"\n{indent}]"]


def _part(part: FormPart) -> str:
    if not part.is_file and part.content_type:
        return f"({expr(part.name)}, (None, {expr(part.value)}, {pystr(part.content_type)}))"
    if not part.is_file:
        return f"({expr(part.name)}, (None, {expr(part.value)}))"
    path = pystr(part.value.literal or "")
    return (
        f"({expr(part.name)}, ({pystr(part.filename)}, Path({path}).read_bytes(), "
        f"{pystr(part.content_type or 'application/octet-stream')}))"
    )


def _call(req: SnippetRequest, indent: str) -> list[str]:
    """``requests.<method>(...)`` (or a session's, to honour a non-default redirect limit)."""
    owner = "session" if _needs_session(req) else "requests"
    if req.method in _SHORTCUTS:
        head = f"{owner}.{req.method.lower()}("
        args = [_block(req.url, indent + _I)]
    else:
        head = f"{owner}.request("
        args = [pystr(req.method), _block(req.url, indent + _I)]
    args += _call_args(req, indent)
    body = "\n".join(f"{indent}{_I}{a}," for a in args)
    return [head, body, f"{indent})"]


def _needs_session(req: SnippetRequest) -> bool:
    """Only a non-default redirect limit needs a session (``requests`` allows 30, we allow 10
    by default; a chain of 11 to 30 hops is a broken server either way)."""
    return req.follow_redirects and req.max_redirects != DEFAULT_MAX_REDIRECTS


def _imports(req: SnippetRequest) -> list[str]:
    lines = []
    if req.env_vars:
        lines.append("import os")
    if req.body is not None and any(p.is_file for p in req.body.parts):
        lines.append("from pathlib import Path")
    if _quotes_password(req):
        lines.append("from urllib.parse import quote")
    if lines:
        lines.append("")
    lines.append("import requests")
    if req.digest is not None:
        lines.append("from requests.auth import HTTPDigestAuth")
    if req.aws is not None:
        lines.append("from requests_aws4auth import AWS4Auth  # pip install requests-aws4auth")
    return [*lines, ""]


def _declarations(req: SnippetRequest) -> list[str]:
    lines = []
    for var in req.variables:
        if var.runtime:
            continue
        if var.env is not None and var.optional:
            lines.append(f'{var.ident} = os.environ.get({pystr(var.env)}, "")')
        elif var.env is not None:
            lines.append(f"{var.ident} = os.environ[{pystr(var.env)}]")
        else:
            lines.append(f"{var.ident} = {expr(var.value)}")
    lines += _proxy_declaration(req)
    return [*lines, ""] if lines else []


def _session(req: SnippetRequest) -> list[str]:
    if not _needs_session(req):
        return []
    return ["session = requests.Session()", f"session.max_redirects = {req.max_redirects}"]


def render(req: SnippetRequest) -> str:
    lines = comment_lines(req, "#", lambda env: env)
    if lines:
        lines.append("")
    lines += _imports(req) + _declarations(req) + _session(req)
    if req.flow is not None:
        lines += _flow(req.flow, req)
        return "\n".join(lines) + "\n"
    call = _call(req, _I if _file_body(req) else "")
    if _file_body(req):
        assert req.body is not None
        lines.append(f'with open({pystr(req.body.path)}, "rb") as body:')
        call[0] = f"{_I}response = {call[0]}"
    else:
        call[0] = f"response = {call[0]}"
    lines += [*call, "print(response.text)"]
    return "\n".join(lines) + "\n"


def _file_body(req: SnippetRequest) -> bool:
    return req.body is not None and req.body.kind == "file"


def _fields(fields: tuple[tuple[str, Text], ...], indent: str, extra: str = "") -> str:
    rows = [f"{indent}{_I}{pystr(k)}: {expr(v)}," for k, v in fields]
    if extra:
        rows.append(f"{indent}{_I}{extra},")
    return "{\n" + "\n".join(rows) + f"\n{indent}}}"


def _flow(flow: TokenFlow, req: SnippetRequest) -> list[str]:
    i2, i3 = _I * 2, _I * 3
    encoding = "json" if flow.encoding == "json" else "data"
    post = [
        f"{_I}return requests.post(",
        f"{i2}{expr(flow.token_url)},",
        f"{i2}{encoding}=fields,",
    ]
    if flow.headers:
        headers = ", ".join(f"{pystr(k)}: {expr(v)}" for k, v in flow.headers)
        post.append(f"{i2}headers={{{headers}}},")
    if flow.client is not None:
        post.append(f"{i2}auth=({expr(flow.client.username)}, {expr(flow.client.password)}),")
    post.append(f"{i2}timeout=({seconds(req.connect_timeout)}, {seconds(req.read_timeout)}),")
    post += [f"{i2}{v}," for v in _transport(req)]
    post.append(f"{_I})")
    send = _call(req, _I)
    send[0] = f"{_I}return {send[0]}"
    if _file_body(req):
        assert req.body is not None
        send = [f'{_I}with open({pystr(req.body.path)}, "rb") as body:'] + [
            _I + line if line else line for line in "\n".join(send).split("\n")
        ]
    grant = flow.grant.replace("_", " ")
    return [
        "",
        "def grant(fields):",
        f'{_I}"""{flow.provider}\'s token endpoint."""',
        *post,
        "",
        "",
        "def fetch_token(refresh_token=None):",
        f'{_I}"""The {grant} grant; with a refresh token, the refresh grant first."""',
        f"{_I}if refresh_token:",
        f"{i2}response = grant({_fields(flow.refresh_fields, i2, _REFRESH)})",
        f"{i2}if response.ok:",
        f"{i3}return response.json()",
        f"{_I}response = grant({_fields(flow.fields, _I)})",
        f"{_I}response.raise_for_status()",
        f"{_I}return response.json()",
        "",
        "",
        f"def send({ACCESS_TOKEN}):",
        *send,
        "",
        "",
        "token = fetch_token()",
        f'response = send(token["{ACCESS_TOKEN}"])',
        "if response.status_code == 401:  # expired or revoked: refresh (or grant again) once",
        '    token = fetch_token(token.get("refresh_token"))',
        f'    response = send(token["{ACCESS_TOKEN}"])',
        "print(response.text)",
    ]
