"""Go ``net/http``: a complete ``main`` package (``go run snippet.go``).

Query and form values are encoded at generation time where literal, else with
``url.QueryEscape``, which encodes exactly like Python's ``quote_plus`` (so the bytes match our
client's). The connect timeout is the dialer's; the read timeout bounds the wait for response
headers. A custom CA replaces the system roots, as ``requests``' ``verify=PATH`` does. Imports are
computed from what the body uses: Go refuses unused imports.
"""

from __future__ import annotations

import json

from explorer.core.snippets.common import (
    comment_lines,
    concat,
    encoded_pieces,
    query_joiner,
    seconds,
    url_with_query,
)
from explorer.core.snippets.model import FormPart, SnippetRequest, Text

_T = "\t"


def gostr(value: str) -> str:
    """A Go interpreted string literal (JSON's escapes are a subset of Go's)."""
    return json.dumps(value, ensure_ascii=False)


def expr(text: Text) -> str:
    return concat(text, gostr)


def _encoded_pairs(pairs: list[tuple[Text, Text]], imports: set[str]) -> str:
    """``name=value&...``: literal pieces encoded now, references by ``url.QueryEscape``."""

    def escape(text: Text) -> str:
        imports.add("net/url")
        return f"url.QueryEscape({expr(text)})"

    pieces = encoded_pieces(pairs, escape)
    rendered = [text if code else gostr(text) for code, text in pieces]
    return " + ".join(rendered) if rendered else '""'


def render(req: SnippetRequest) -> str:
    imports = {"fmt", "io", "net/http", "time"}
    body = _body(req, imports)
    lines = [f"{_T}{line}" if line else "" for line in _main(req, body, imports)]
    head = comment_lines(req, "//", lambda env: env)
    if head:
        head.append("")
    head += ["package main", "", "import ("]
    head += [f'{_T}"{name}"' for name in sorted(imports)]
    head += [")", "", "func main() {"]
    return "\n".join([*head, *lines, "}"]) + "\n"


def _main(req: SnippetRequest, body: list[str], imports: set[str]) -> list[str]:
    lines = []
    for var in req.variables:
        if var.env is not None:
            imports.add("os")
            lines.append(f"{var.ident} := os.Getenv({gostr(var.env)})")
        elif not var.runtime:
            lines.append(f"{var.ident} := {expr(var.value)}")
    full = url_with_query(req)
    if full is not None:
        lines.append(f"target := {expr(full)}")
    else:
        query = _encoded_pairs(list(req.params), imports)
        joined = Text.of(*req.url.parts, query_joiner(req.url))
        lines.append(f"target := {expr(joined)} + {query}")
    lines += body
    reader = "body" if req.body is not None else "nil"
    lines += [
        f"req, err := http.NewRequest({gostr(req.method)}, target, {reader})",
        "if err != nil {",
        f"{_T}panic(err)",
        "}",
    ]
    for name, value in req.headers:
        if req.body is not None and req.body.kind == "multipart" and name.lower() == "content-type":
            continue
        lines.append(f"req.Header[{gostr(name)}] = []string{{{expr(value)}}}")
    if req.body is not None and req.body.kind == "multipart":
        lines.append('req.Header.Set("Content-Type", writer.FormDataContentType())')
    if req.basic is not None:
        lines.append(f"req.SetBasicAuth({expr(req.basic.username)}, {expr(req.basic.password)})")
    lines += _client(req, imports)
    lines += [
        "resp, err := client.Do(req)",
        "if err != nil {",
        f"{_T}panic(err)",
        "}",
        "defer resp.Body.Close()",
        "out, err := io.ReadAll(resp.Body)",
        "if err != nil {",
        f"{_T}panic(err)",
        "}",
        "fmt.Println(string(out))",
    ]
    return lines


def _client(req: SnippetRequest, imports: set[str]) -> list[str]:
    imports.add("net")
    transport = [
        f"{_T}Proxy: http.ProxyFromEnvironment,",
        f"{_T}DialContext: (&net.Dialer{{Timeout: {_duration(req.connect_timeout)}}}).DialContext,",
        f"{_T}ResponseHeaderTimeout: {_duration(req.read_timeout)},",
    ]
    pre: list[str] = []
    if req.client_cert or req.pkcs12:
        pre.append(
            f"// The server wants the client certificate {req.client_cert or req.pkcs12}: load it"
            " with tls.LoadX509KeyPair into TLSClientConfig.Certificates (or use the curl snippet)."
        )
    if not req.verify_tls:
        imports.add("crypto/tls")
        transport.append(f"{_T}TLSClientConfig: &tls.Config{{InsecureSkipVerify: true}},")
    elif req.ca_bundle:
        imports.update({"crypto/tls", "crypto/x509", "os"})
        pre = [
            f"pem, err := os.ReadFile({gostr(req.ca_bundle)})",
            "if err != nil {",
            f"{_T}panic(err)",
            "}",
            "roots := x509.NewCertPool()",
            "roots.AppendCertsFromPEM(pem)",
        ]
        transport.append(f"{_T}TLSClientConfig: &tls.Config{{RootCAs: roots}},")
    if req.follow_redirects:
        imports.add("errors")
        check = [
            f"{_T}if len(via) >= {req.max_redirects} {{",
            f'{_T}{_T}return errors.New("stopped after {req.max_redirects} redirects")',
            f"{_T}}}",
        ]
        if req.body is not None:
            check += [
                f"{_T}if req.Method == http.MethodGet {{ // a 301/302/303 dropped the body",
                f'{_T}{_T}req.Header.Del("Content-Type")',
                f"{_T}}}",
            ]
        check.append(f"{_T}return nil")
    else:
        check = [f"{_T}return http.ErrUseLastResponse"]
    return [
        *pre,
        "transport := &http.Transport{",
        *transport,
        "}",
        "client := &http.Client{",
        f"{_T}Transport: transport,",
        f"{_T}CheckRedirect: func(req *http.Request, via []*http.Request) error {{",
        *(_T + line for line in check),
        f"{_T}}},",
        "}",
    ]


def _duration(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value)} * time.Second"
    return f"time.Duration({seconds(value)} * float64(time.Second))"


def _body(req: SnippetRequest, imports: set[str]) -> list[str]:
    body = req.body
    if body is None:
        return []
    if body.kind == "text":
        imports.add("strings")
        return [f"body := strings.NewReader({expr(body.text)})"]
    if body.kind == "file":
        imports.update({"bytes", "os"})
        return [
            f"data, err := os.ReadFile({gostr(body.path)})",
            "if err != nil {",
            f"{_T}panic(err)",
            "}",
            "body := bytes.NewReader(data)",
        ]
    if body.kind == "form":
        imports.add("strings")
        pairs = [(p.name, p.value) for p in body.parts]
        return [f"body := strings.NewReader({_encoded_pairs(pairs, imports)})"]
    imports.update({"bytes", "mime/multipart"})
    lines = ["body := &bytes.Buffer{}", "writer := multipart.NewWriter(body)"]
    for part in body.parts:
        lines += _part(part, imports)
    lines += ["if err := writer.Close(); err != nil {", f"{_T}panic(err)", "}"]
    return lines


def _part(part: FormPart, imports: set[str]) -> list[str]:
    if not part.is_file and part.content_type:
        imports.add("net/textproto")
        disposition = f'`form-data; name="%s"`, {expr(part.name)}'
        return [
            "{",
            f"{_T}header := make(textproto.MIMEHeader)",
            f'{_T}header.Set("Content-Disposition", fmt.Sprintf({disposition}))',
            f'{_T}header.Set("Content-Type", {gostr(part.content_type)})',
            f"{_T}part, err := writer.CreatePart(header)",
            f"{_T}if err != nil {{",
            f"{_T}{_T}panic(err)",
            f"{_T}}}",
            f"{_T}if _, err := part.Write([]byte({expr(part.value)})); err != nil {{",
            f"{_T}{_T}panic(err)",
            f"{_T}}}",
            "}",
        ]
    if not part.is_file:
        return [
            f"if err := writer.WriteField({expr(part.name)}, {expr(part.value)}); err != nil {{",
            f"{_T}panic(err)",
            "}",
        ]
    imports.update({"net/textproto", "os"})
    disposition = (
        f'`form-data; name="%s"; filename="%s"`, {expr(part.name)}, {gostr(part.filename)}'
    )
    return [
        "{",
        f"{_T}header := make(textproto.MIMEHeader)",
        f'{_T}header.Set("Content-Disposition", fmt.Sprintf({disposition}))',
        f'{_T}header.Set("Content-Type", {gostr(part.content_type or "application/octet-stream")})',
        f"{_T}part, err := writer.CreatePart(header)",
        f"{_T}if err != nil {{",
        f"{_T}{_T}panic(err)",
        f"{_T}}}",
        f"{_T}data, err := os.ReadFile({gostr(part.value.literal or '')})",
        f"{_T}if err != nil {{",
        f"{_T}{_T}panic(err)",
        f"{_T}}}",
        f"{_T}if _, err := part.Write(data); err != nil {{",
        f"{_T}{_T}panic(err)",
        f"{_T}}}",
        "}",
    ]
