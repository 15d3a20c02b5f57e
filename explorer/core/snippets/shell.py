"""curl and HTTPie commands for bash: one option per line, every word through ``shlex.quote``.

Secrets are ``"$NAME"`` expansions spliced between quoted literals (``'Bearer '"$TOKEN"``), so
the command line holds no secret and the shell never re-splits a value. curl's read timeout is
``--speed-limit 1 --speed-time N`` (abort when nothing arrives for N seconds), which is what our
client's read timeout means; ``--max-time`` would cap the whole download instead.
"""

from __future__ import annotations

import hashlib
import shlex
from urllib.parse import quote, quote_plus

from explorer.core.auth.sigv4 import EMPTY_SHA256, canonical_query, is_s3
from explorer.core.snippets.common import comment_lines, seconds, url_with_query
from explorer.core.snippets.errors import SnippetError
from explorer.core.snippets.model import (
    ACCESS_TOKEN,
    FormPart,
    Ref,
    SnippetRequest,
    Text,
    TokenFlow,
)

_CONTINUE = " \\\n  "


def word(text: Text, req: SnippetRequest) -> str:
    """One shell word: quoted literals and double-quoted expansions, concatenated."""
    if not text.parts:
        return "''"
    out = []
    for part in text.parts:
        if isinstance(part, Ref):
            out.append(f'"${_shell_name(part, req)}"')
        else:
            out.append(shlex.quote(part))
    return "".join(out)


def _shell_name(ref: Ref, req: SnippetRequest) -> str:
    var = req.var(ref.ident)
    if var.env is None:
        return var.ident
    return f"{{{var.env}-}}" if var.optional else var.env


def _prelude(req: SnippetRequest) -> list[str]:
    lines = comment_lines(req, "#", lambda env: env)
    for var in req.variables:
        if var.env is not None and not var.optional:
            lines.append(f': "${{{var.env}:?is not set; see the comment above}}"')
    for var in req.variables:
        if var.env is None and not var.runtime:
            lines.append(f"{var.ident}={word(var.value, req)}")
    return lines


def curl(req: SnippetRequest) -> str:
    lines = _prelude(req)
    if req.flow is not None:
        lines = ["set -euo pipefail", *lines, *_curl_grant(req.flow, req)]
    lines.append(_CONTINUE.join(_curl_args(req)))
    return "\n".join(lines) + "\n"


def _curl_args(req: SnippetRequest) -> list[str]:
    body = req.body
    args = ["curl"]
    implied = "POST" if body is not None else "GET"
    if req.method == "HEAD":
        args.append("--head")
    elif req.method != implied:
        args.append(f"--request {req.method}")
    args.extend(_curl_url(req))
    for header, text in req.headers:
        if text.literal == "":
            args.append(f"--header {shlex.quote(header + ';')}")
        else:
            args.append(f"--header {word(Text.of(header + ': ') + text, req)}")
    if req.basic is not None:
        args.append(f"--user {word(req.basic.username + Text.of(':') + req.basic.password, req)}")
    args.extend(_curl_auth(req))
    args.extend(_curl_body(req))
    args.append(f"--connect-timeout {seconds(req.connect_timeout)}")
    args.append(f"--speed-limit 1 --speed-time {seconds(req.read_timeout)}")
    if req.follow_redirects:
        args.append(f"--location --max-redirs {req.max_redirects}")
    if not req.verify_tls:
        args.append("--insecure")
    elif req.ca_bundle:
        args.append(f"--cacert {shlex.quote(req.ca_bundle)}")
    if req.client_cert:
        args.append(f"--cert {shlex.quote(req.client_cert)}")
        if req.client_key:
            args.append(f"--key {shlex.quote(req.client_key)}")
    elif req.pkcs12:  # the password from the environment, never in the snippet
        args.append(f'--cert-type P12 --cert {shlex.quote(req.pkcs12)}:"$TLS_PASSWORD"')
    args.extend(_curl_proxy(req))
    return args


def _curl_proxy(req: SnippetRequest) -> list[str]:
    """The settings' proxy (``--proxy``, the user and password in ``--proxy-user`` as they
    are), or ``--noproxy '*'`` where the settings go direct."""
    proxy = req.proxy
    if proxy is None:
        return []
    if not proxy.url:
        return ["--noproxy '*'"]
    args = [f"--proxy {shlex.quote(proxy.url)}"]
    if proxy.username:
        login = Text.of(proxy.username + ":") + (proxy.password or Text())
        args.append(f"--proxy-user {word(login, req)}")
    return args


def _httpie_proxy(req: SnippetRequest) -> list[str]:
    """HTTPie takes the proxy per scheme with the user in the URL; a revealed password is
    percent-encoded here, one read from the environment must be encoded by whoever sets it."""
    proxy = req.proxy
    if proxy is None or not proxy.url:
        return []
    address = Text.of(proxy.url)
    if proxy.username:
        scheme, _, rest = proxy.url.partition("://")
        password = proxy.password or Text()
        literal = password.literal
        secret = Text.of(quote(literal, safe="")) if literal is not None else password
        login = Text.of(f"{scheme}://{quote(proxy.username, safe='')}:")
        address = login + secret + Text.of("@" + rest)
    return [f"--proxy {word(Text.of(scheme) + address, req)}" for scheme in ("http:", "https:")]


def _curl_url(req: SnippetRequest) -> list[str]:
    url = url_with_query(req)
    if url is not None and req.aws is not None:
        url = _canonical_url(url)
    if url is not None:
        return [f"--url {word(url, req)}"]
    args = [f"--url {word(req.url, req)}"]
    for key, val in req.params:
        lit = key.literal
        encoded = Text.of(quote_plus(lit)) if lit is not None else key
        args.append(f"--url-query {word(encoded + Text.of('=') + val, req)}")
    return args


def _curl_auth(req: SnippetRequest) -> list[str]:
    """Digest (curl answers the challenge) and AWS Signature V4 (curl signs; the session
    token is a header it signs with the rest)."""
    if req.digest is not None:
        pair = req.digest.username + Text.of(":") + req.digest.password
        return [f"--digest --user {word(pair, req)}"]
    aws = req.aws
    if aws is None:
        return []
    provider = Text.of("aws:amz:") + aws.region + Text.of(":") + aws.service
    args = [
        f"--aws-sigv4 {word(provider, req)}",
        f"--user {word(aws.access_key + Text.of(':') + aws.secret_key, req)}",
    ]
    if aws.session_token is not None:
        token = Text.of("x-amz-security-token: ") + aws.session_token
        args.append(f"--header {word(token, req)}")
    service = aws.service.literal
    if service is None or is_s3(service):
        args.append(f"--header {shlex.quote('x-amz-content-sha256: ' + _payload_hash(req))}")
    return args


def _canonical_url(url: Text) -> Text:
    """The URL with its query in SigV4's canonical form (sorted, AWS-encoded): curl 7.x signs
    the query as written, so writing it canonical keeps its signature right."""
    literal = url.literal
    if literal is None or "?" not in literal:
        return url
    base, _, query = literal.partition("?")
    return Text.of(f"{base}?{canonical_query(query)}")


def _payload_hash(req: SnippetRequest) -> str:
    """S3's ``x-amz-content-sha256`` (curl 7.x does not add it): the body's hash when it is
    known now, else ``UNSIGNED-PAYLOAD`` (S3 accepts it; the body is then not signed)."""
    body = req.body
    if body is None:
        return EMPTY_SHA256
    literal = body.text.literal if body.kind == "text" else None
    if literal is None:
        return "UNSIGNED-PAYLOAD"
    return hashlib.sha256(literal.encode("utf-8")).hexdigest()


def _curl_body(req: SnippetRequest) -> list[str]:
    body = req.body
    if body is None:
        return []
    if body.kind == "text":
        return [f"--data-raw {word(body.text, req)}"]
    if body.kind == "file":
        return [f"--data-binary {shlex.quote('@' + body.path)}"]
    if body.kind == "form":
        if not body.parts:
            return ["--data-raw ''"]
        return [f"--data-urlencode {word(_name_eq(p) + p.value, req)}" for p in body.parts]
    return [_curl_part(p, req) for p in body.parts]


def _name_eq(part: FormPart) -> Text:
    """``--data-urlencode`` encodes only what follows the first ``=``; the name goes encoded."""
    literal = part.name.literal
    name = Text.of(quote_plus(literal)) if literal is not None else part.name
    return name + Text.of("=")


def _curl_part(part: FormPart, req: SnippetRequest) -> str:
    if not part.is_file and part.content_type:
        return f"--form {word(part.name + _typed_text(part), req)}"
    if not part.is_file:
        return f"--form-string {word(part.name + Text.of('=') + part.value, req)}"
    path = (part.value.literal or "").replace("\\", "\\\\").replace('"', '\\"')
    spec = f'=@"{path}";type={part.content_type}'
    return f"--form {word(part.name + Text.of(spec), req)}"


def _typed_text(part: FormPart) -> Text:
    """``="value";type=T``: ``--form-string`` cannot carry a type, so the value goes to
    ``--form`` in curl's double quotes (literal text, ``\\`` escaping ``"`` and ``\\``)."""
    value = part.value.literal
    if value is None:
        raise SnippetError(
            f"curl cannot quote a variable inside the typed form part '{part.name.literal}'; "
            "use the Python or JavaScript snippet, or give the value literally."
        )
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return Text.of(f'="{quoted}";type={part.content_type}')


def _curl_grant(flow: TokenFlow, req: SnippetRequest) -> list[str]:
    """The token grant as its own curl call; jq picks the access token out of the answer."""
    args = [
        "token_response=$(curl --silent --show-error --fail",
        f"--url {word(flow.token_url, req)}",
    ]
    for name, value in flow.headers:
        args.append(f"--header {word(Text.of(name + ': ') + value, req)}")
    if flow.client is not None:
        args.append(
            f"--user {word(flow.client.username + Text.of(':') + flow.client.password, req)}"
        )
    if flow.encoding == "json":
        jq_args = [f"--arg {name} {word(value, req)}" for name, value in flow.fields]
        fields = ", ".join(f"{name}: ${name}" for name, _ in flow.fields)
        build = "jq --null-input " + " ".join(jq_args) + " " + shlex.quote("{" + fields + "}")
        args.append("--header 'Content-Type: application/json'")
        args.append(f'--data-raw "$({build})")')
    else:
        args.extend(
            f"--data-urlencode {word(Text.of(name + '=') + value, req)}"
            for name, value in flow.fields
        )
        args[-1] += ")"
    return [
        f"# 1. {flow.provider}: {flow.grant.replace('_', ' ')} grant for an access token",
        _CONTINUE.join(args),
        f"{ACCESS_TOKEN}=$(printf '%s' \"$token_response\" | jq --raw-output .access_token)",
        "# 2. The request itself",
    ]


def httpie(req: SnippetRequest) -> str:
    lines = _prelude(req)
    body = req.body
    proxy = req.proxy
    if proxy is not None and proxy.password is not None and proxy.password.literal is None:
        lines.append("# HTTPie reads the proxy password in a URL: percent-encode it (@ is %40).")
    args = ["NO_PROXY='*' http" if proxy is not None and not proxy.url else "http"]
    if body is None or body.kind != "file":
        args[0] += " --ignore-stdin"
    if body is not None and body.kind == "form":
        args.append("--form")
    elif body is not None and body.kind == "multipart":
        args.append("--multipart")
    args.append(f"{req.method} {word(req.url, req)}")
    for key, val in req.params:
        args.append(word(_item(key) + Text.of("==") + val, req))
    for header, text in req.headers:
        if text.literal == "":
            args.append(shlex.quote(_escape(header) + ";"))
        else:
            args.append(word(Text.of(_escape(header) + ":") + text, req))
    args.extend(_httpie_body(req))
    args.extend(_httpie_options(req))
    lines.append(_CONTINUE.join(args))
    return "\n".join(lines) + "\n"


def _httpie_options(req: SnippetRequest) -> list[str]:
    args = []
    if req.basic is not None:
        args.append(f"--auth {word(req.basic.username + Text.of(':') + req.basic.password, req)}")
    if req.digest is not None:
        pair = req.digest.username + Text.of(":") + req.digest.password
        args.append(f"--auth-type digest --auth {word(pair, req)}")
    args.append(f"--timeout {seconds(req.read_timeout)}")
    if req.follow_redirects:
        args.append(f"--follow --max-redirects {req.max_redirects}")
    if not req.verify_tls:
        args.append("--verify no")
    elif req.ca_bundle:
        args.append(f"--verify {shlex.quote(req.ca_bundle)}")
    if req.client_cert:
        args.append(f"--cert {shlex.quote(req.client_cert)}")
        if req.client_key:
            args.append(f"--cert-key {shlex.quote(req.client_key)}")
    args.extend(_httpie_proxy(req))
    if req.body is not None and req.body.kind == "file":
        args.append(f"< {shlex.quote(req.body.path)}")
    return args


def _httpie_body(req: SnippetRequest) -> list[str]:
    body = req.body
    if body is None:
        return []
    if body.kind == "text":
        return [f"--raw {word(body.text, req)}"]
    if body.kind == "file":
        return []
    items = []
    for part in body.parts:
        if part.content_type and not part.is_file:
            raise SnippetError(
                f"HTTPie cannot set the type of the text form part '{part.name.literal}'; "
                "use the curl or Python snippet."
            )
        if part.is_file:
            path = (part.value.literal or "").replace(";", "\\;")
            spec = Text.of(f"@{path};type={part.content_type}")
            items.append(word(_item(part.name) + spec, req))
        else:
            items.append(word(_item(part.name) + Text.of("=") + part.value, req))
    return items


def _escape(name: str) -> str:
    """HTTPie splits an item at its first separator; a backslash keeps one in a name."""
    for ch in "\\:=@;":
        name = name.replace(ch, "\\" + ch)
    return name


def _item(name: Text) -> Text:
    return Text.of(*(_escape(p) if isinstance(p, str) else p for p in name.parts))
