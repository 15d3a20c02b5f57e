"""curl import: what each option becomes, and what cannot be mapped is said, never dropped.

The real curl is the referee in ``test_curl_corpus.py`` (every corpus command sent by curl and
by us to one recording server); these tests pin the mapping of each option one by one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.core.errors import FormatError
from explorer.core.formats.common import UnexpectedStructure, canonical
from explorer.core.formats.curl import (
    import_curl,
    looks_like_curl,
    parse_curl,
    parse_pasted_curl,
)
from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.workspace.model import SavedRequest
from tests.support.fuzz import bounded


def imported(text: str) -> tuple[list[RequestSpec], tuple[str, ...]]:
    result = import_curl(text)
    specs = [item.spec for item in result.collection.items if isinstance(item, SavedRequest)]
    return specs, result.warnings


def one(text: str) -> tuple[RequestSpec, tuple[str, ...]]:
    (spec,), warnings = imported(text)
    return spec, warnings


def said(warnings: tuple[str, ...] | list[str], needle: str) -> bool:
    return any(needle in warning for warning in warnings)


def test_chrome_copy_as_curl_with_continuations_and_combined_flags() -> None:
    text = """$ curl 'https://api.example.com/v1/items?x=1' \\
      -X PATCH \\
      -H 'accept: application/json' \\
      -H "Authorization: Bearer abc.def" \\
      -H 'content-type: application/json' \\
      --data-raw $'{"name":"it\\'s","note":"a\\\\nb"}' \\
      -sSLk --compressed
    """
    result = import_curl(text)
    (item,) = result.collection.items
    assert isinstance(item, SavedRequest)
    spec = item.spec
    assert (spec.method, spec.url) == ("PATCH", "https://api.example.com/v1/items?x=1")
    assert spec.body == Body(BodyMode.JSON, '{"name":"it\'s","note":"a\\nb"}')
    assert spec.headers == (
        KeyValue("accept", "application/json"),
        KeyValue("Authorization", "Bearer {{authorization}}"),
    )
    assert result.secrets == {"authorization": "abc.def"}
    assert (spec.follow_redirects, spec.max_redirects, spec.verify_tls) == (True, 50, False)
    assert not said(result.warnings, "compressed")


def test_repeated_headers_are_kept_in_order_and_empty_ones_as_curl_treats_them() -> None:
    spec, warnings = one(
        "curl https://h/a -H 'X-A: 1' -H 'X-B: 2' -H 'X-A: 3' -H 'X-Empty;' "
        "-H 'Accept:' -H 'X-Gone:' -H 'NoColon' -H @headers.txt -H $'X-Evil: a\\r\\nHost: b'"
    )
    assert spec.headers == (
        KeyValue("X-A", "1"),
        KeyValue("X-B", "2"),
        KeyValue("X-A", "3"),
        KeyValue("X-Empty", ""),
        KeyValue("Accept", "", enabled=False),
        KeyValue("X-Gone", "", enabled=False),
    )
    assert said(warnings, "removes curl's Accept header; the app still sends its own")
    assert said(warnings, "sends no X-Gone header")
    assert said(warnings, "'NoColon' is not a header")
    assert said(warnings, "reads headers from a file")
    assert said(warnings, "'X-Evil': a value with a line break would inject headers")


def test_options_that_make_headers_come_in_curls_order_unless_h_sets_them() -> None:
    spec, warnings = one(
        "curl https://h/a -H 'X-A: 1' --user-agent 'UA/1' -e 'https://r/;auto' -r 100 "
        "-b 'a=1' -b 'b=2; c=3' -b jar.txt"
    )
    assert spec.headers == (
        KeyValue("User-Agent", "UA/1"),
        KeyValue("Range", "bytes=100-"),
        KeyValue("Referer", "https://r/"),
        KeyValue("Cookie", "{{cookie}}"),
        KeyValue("X-A", "1"),
    )
    assert said(warnings, "does not set Referer on redirects")
    assert said(warnings, "-b 'jar.txt' names a cookie file")
    spec, warnings = one(
        "curl https://h -b 'a=1' -H 'Cookie: mine=1' -A '' -A UA -H 'User-Agent: H'"
    )
    assert [(h.name, h.value) for h in spec.headers] == [
        ("Cookie", "{{cookie}}"),
        ("User-Agent", "H"),
    ]
    assert said(warnings, "-b is not sent: curl sends the -H Cookie header instead")


def test_dollar_quoted_bodies_arrive_decoded() -> None:
    spec, _ = one("curl https://h --data-raw $'a=it\\'s&b=\\x41\\u00e9&c=\\r\\n'")
    assert spec.body == Body(
        BodyMode.RAW, "a=it's&b=Aé&c=\r\n", "application/x-www-form-urlencoded"
    )


def test_form_parts_as_curl_reads_them() -> None:
    spec, warnings = one(
        "curl https://h -F 'meta={\"a\":1};type=application/json' "
        "-F 'file=@dir/a.PNG;filename=x.png' -F 'doc=@\"my file.pdf\"' -F 'plain=a;b' "
        "-F 'quoted=\"a;b\"' --form-string 'raw=@x;type=y' -F 'text=<notes.txt' "
        "-F 'many=@a.txt,b.txt' -F 'h=@c.bin;headers=\"X-A: 1\"'"
    )
    assert spec.method == "POST"
    assert spec.body.fields == (
        FormField("meta", '{"a":1}', content_type="application/json"),
        FormField("file", "dir/a.PNG", is_file=True, content_type="image/png"),
        FormField("doc", "my file.pdf", is_file=True, content_type="application/pdf"),
        FormField("plain", "a"),
        FormField("quoted", "a;b"),
        FormField("raw", "@x;type=y"),
        FormField("h", "c.bin", is_file=True),
    )
    assert said(warnings, "the file is sent under its own name 'a.PNG', not 'x.png'")
    assert said(warnings, "curl skips the unknown part setting 'b'")
    assert said(warnings, "a text part read from the file 'notes.txt' is not imported")
    assert said(warnings, "several files in one part")
    assert said(warnings, "headers= setting is not imported")


def test_data_from_files_and_stdin() -> None:
    spec, warnings = one("curl https://h --data-binary @body.bin")
    assert spec.body == Body(
        BodyMode.BINARY_FILE, file="body.bin", content_type="application/x-www-form-urlencoded"
    )
    assert not said(warnings, "line breaks")
    spec, warnings = one("curl https://h -d @body.txt -H 'Content-Type: text/csv'")
    assert spec.body == Body(BodyMode.BINARY_FILE, file="body.txt", content_type="text/csv")
    assert said(warnings, "curl removes the file's line breaks")
    spec, warnings = one("curl https://h -d @-")
    assert spec.body.text == ""
    assert said(warnings, "@- reads stdin (the terminal), which an import cannot see")
    spec, _ = one("curl https://h -d @- <<'EOF'\nline one\nline two\nEOF\n")
    assert spec.body.text == "line oneline two"  # -d removes the line breaks it reads
    spec, _ = one("curl https://h --data-binary @- -H 'Content-Type: text/plain' <<< 'x y'")
    assert spec.body == Body(BodyMode.RAW, "x y\n", "text/plain")
    spec, _ = one("curl https://h --data-binary @- < payload.json")
    assert spec.body.file == "payload.json"
    spec, warnings = one("echo hi | curl https://h -d @-")
    assert said(warnings, "the output of the command before the pipe")
    spec, warnings = one("curl https://h -d a=1 -d @extra.txt")
    assert spec.body.fields == (FormField("a", "1"),)
    assert said(warnings, "the content of 'extra.txt' cannot be joined")


def test_json_option() -> None:
    spec, _ = one("curl https://h --json '{\"a\":' --json ' [1]}'")
    assert (spec.method, spec.body) == ("POST", Body(BodyMode.JSON, '{"a": [1]}'))
    assert spec.headers == (KeyValue("Accept", "application/json"),)
    spec, _ = one("curl https://h --json @doc.json -H 'Accept: text/plain'")
    assert spec.body == Body(BodyMode.BINARY_FILE, file="doc.json", content_type="application/json")
    assert spec.headers == (KeyValue("Accept", "text/plain"),)
    spec, _ = one("curl https://h --json 'not json'")
    assert spec.body == Body(BodyMode.RAW, "not json", "application/json")


@pytest.mark.parametrize(
    ("data", "body"),
    [
        (
            "-d 'a=1&b=x+y'",
            Body(BodyMode.FORM, fields=(FormField("a", "1"), FormField("b", "x y"))),
        ),
        ("-d 'a=x%20y'", Body(BodyMode.RAW, "a=x%20y", "application/x-www-form-urlencoded")),
        (
            "--data-urlencode 'q=a b&c' --data-urlencode '=x/y' --data-urlencode 'plain'",
            Body(BodyMode.RAW, "q=a+b%26c&x%2Fy&plain", "application/x-www-form-urlencoded"),
        ),
        (
            "-d '{\"a\":1}' -H 'Content-Type: application/vnd.api+json'",
            Body(BodyMode.JSON, '{"a":1}', "application/vnd.api+json"),
        ),
        (
            "-d 'a=1' -H 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8'",
            Body(BodyMode.RAW, "a=1", "application/x-www-form-urlencoded; charset=UTF-8"),
        ),
        ("--data-binary '' ", Body(BodyMode.RAW, "", "application/x-www-form-urlencoded")),
        ("-d $'a\\nb'", Body(BodyMode.RAW, "a\nb", "application/x-www-form-urlencoded")),
    ],
)
def test_data_bodies(data: str, body: Body) -> None:
    spec, _ = one(f"curl https://h {data}")
    assert (spec.method, spec.body) == ("POST", body)


def test_data_urlencode_from_a_file_is_reported() -> None:
    spec, warnings = one("curl https://h --data-urlencode 'name@file.txt' --data-urlencode 'k=v'")
    assert spec.body.fields == (FormField("k", "v"),)
    assert said(warnings, "--data-urlencode 'name@file.txt' encodes the content of a file")


def test_get_moves_data_to_the_query_as_curl_encodes_it() -> None:
    spec, _ = one("curl -G https://h/s --data-urlencode 'q=a b' -d n=2")
    assert (spec.method, spec.url, spec.params) == (
        "GET",
        "https://h/s",
        (KeyValue("q", "a b"), KeyValue("n", "2")),
    )
    spec, _ = one("curl -G 'https://h/s?x=1&' -d 'tag=a%20b' -I")
    assert (spec.method, spec.url, spec.params) == ("HEAD", "https://h/s?x=1&tag=a%20b", ())


def test_url_query_credentials_globbing_and_default_scheme() -> None:
    spec, _ = one("curl 'h.example/a?x=1' --url-query 'q=a b' --url-query '+raw=a%20b'")
    assert spec.url == "http://h.example/a?x=1&q=a+b&raw=a%20b"
    spec, _ = one("curl --proto-default https h.example/a")
    assert spec.url == "https://h.example/a"
    result = import_curl("curl 'https://ada:s%40cret@h.example/a'")
    (item,) = result.collection.items
    assert isinstance(item, SavedRequest)
    assert item.spec.url == "https://h.example/a"
    assert item.spec.auth == AuthSpec(
        "basic", (("username", "ada"), ("password", "{{basic_password}}"))
    )
    assert result.secrets == {"basic_password": "s@cret"}
    spec, warnings = one("curl 'https://h/?q=\\[\\]\\{\\}'")
    assert spec.url == "https://h/?q=[]{}"
    assert not said(warnings, "pattern")
    spec, warnings = one("curl 'https://h/file[1-3].txt'")
    assert said(warnings, "curl would expand the URL pattern")
    specs, warnings = imported("curl -g 'https://h/?a[]=1' 'https://[::1]:8080/x'")
    assert [s.url for s in specs] == ["https://h/?a[]=1", "https://[::1]:8080/x"]
    assert not said(warnings, "pattern")


def test_auth_options() -> None:
    result = import_curl("curl --oauth2-bearer t0k3n https://h")
    (item,) = result.collection.items
    assert isinstance(item, SavedRequest)
    assert item.spec.auth == AuthSpec("bearer", (("token", "{{bearer_token}}"),))
    assert result.secrets == {"bearer_token": "t0k3n"}
    spec, warnings = one("curl -u bob https://h")
    assert spec.auth == AuthSpec("basic", (("username", "bob"), ("password", "")))
    assert said(warnings, "-u 'bob' has no password")
    spec, warnings = one("curl --digest -u bob:pw https://h")
    assert spec.auth == canonical(
        AuthSpec("digest", (("username", "bob"), ("password", "{{digest_password}}"))), "", []
    )
    assert not said(warnings, "--digest")
    spec, warnings = one("curl --ntlm -u bob:pw https://h")
    assert said(warnings, "--ntlm auth was kept as imported, but the app cannot send it")
    spec, warnings = one("curl -u bob:pw --oauth2-bearer t https://h")
    assert spec.auth == AuthSpec("bearer", (("token", "{{bearer_token}}"),))
    assert said(warnings, "-u is not used")
    spec, warnings = one("curl -u bob:pw -H 'Authorization: Token x' https://h")
    assert spec.auth is None
    assert said(warnings, "curl sends the -H Authorization instead")


def test_methods_uploads_and_several_urls() -> None:
    spec, warnings = one("curl -X patch https://h/a")
    assert spec.method == "PATCH"
    assert said(warnings, "curl sends the method as written ('patch')")
    assert one("curl --head https://h/a")[0].method == "HEAD"
    spec, warnings = one("curl -T report.csv https://h/up/")
    assert (spec.method, spec.url, spec.body.file) == (
        "PUT",
        "https://h/up/report.csv",
        "report.csv",
    )
    assert said(warnings, "-T sends the file without a Content-Type")
    assert one("curl -T a.bin https://h")[0].url == "https://h/a.bin"
    specs, warnings = imported(
        "curl -d x=1 https://h/a https://h/b --next -X DELETE https://h/c -: https://h/d"
    )
    assert [(s.method, s.url) for s in specs] == [
        ("POST", "https://h/a"),
        ("POST", "https://h/b"),
        ("DELETE", "https://h/c"),
        ("GET", "https://h/d"),
    ]
    spec, warnings = one("curl -I -d a=1 https://h")
    assert spec.method == "POST"
    assert said(warnings, "curl refuses -I with data")
    spec, warnings = one("curl -d a=1 -F b=2 https://h")
    assert spec.body.mode is BodyMode.FORM
    assert said(warnings, "curl refuses -d with -F")


def test_option_spellings_curl_accepts() -> None:
    spec, warnings = one(
        "curl --sil -sSXPOST -HAccept:x --url=https://h/a --max-redirs=4 -L --no-location "
        "--connect-timeout 2.5 -m 30 --unknown-flag"
    )
    assert (spec.method, spec.url, spec.headers) == (
        "POST",
        "https://h/a",
        (KeyValue("Accept", "x"),),
    )
    assert (spec.follow_redirects, spec.max_redirects) == (False, 4)
    assert (spec.connect_timeout, spec.read_timeout) == (2.5, 30.0)
    assert said(warnings, "-m 30 limits curl's whole transfer; it became a read timeout")
    assert said(warnings, "--unknown-flag is not known")


@pytest.mark.parametrize(
    ("option", "needle"),
    [
        ("-x http://proxy:8080", "--proxy 'http://proxy:8080' is not imported"),
        ("--socks5-hostname p:1080", "--socks5-hostname"),
        ("-U u:p", "--proxy-user"),
        ("--cacert ca.pem", "--cacert"),
        ("-E client.pem --key k.pem", "--cert"),
        ("--resolve h:443:127.0.0.1", "--resolve"),
        ("--http2", "--http2 is not imported: requests are sent over HTTP/1.1"),
        ("--http3", "--http3"),
        ("-K options.txt", "the config file is not read"),
        ("--netrc", "--netrc"),
        ("--retry 3", "--retry"),
        ("-z 'Tue, 1 Jan 2030'", "If-Modified-Since"),
        ("--aws-sigv4 aws:amz:us-east-1:s3", "--aws-sigv4"),
        ("--unix-socket /run/docker.sock", "--unix-socket"),
        ("--path-as-is", "--path-as-is"),
        ("--post301", "--post301"),
        ("--location-trusted", "credentials are not sent on to other hosts"),
        ("--anyauth -u a:b", "--anyauth became basic auth"),
        ("--ntlm -u a:b", "--ntlm auth was kept"),
    ],
)
def test_options_a_request_cannot_hold_are_reported(option: str, needle: str) -> None:
    _, warnings = one(f"curl {option} https://h/a")
    assert said(warnings, needle), warnings


@pytest.mark.parametrize(
    "option",
    [
        "-s",
        "-v",
        "-i",
        "-o out.json",
        "-w '%{http_code}'",
        "-c jar.txt",
        "--compressed",
        "--http1.1",
        "-f",
        "--trace-ascii log.txt",
        "-#",
        "-O",
        "-4",
    ],
)
def test_output_only_options_say_nothing(option: str) -> None:
    assert one(f"curl {option} https://h/a")[1] == ()


def test_other_commands_and_shell_notes_are_reported_with_their_line() -> None:
    specs, warnings = imported(
        'export TOKEN=abc\ncurl https://h/a -H "Authorization: Bearer $TOKEN" | jq .\n'
    )
    assert specs[0].headers == (KeyValue("Authorization", "Bearer {{TOKEN}}"),)
    assert "line 1: 'export TOKEN=abc' is not a curl command; skipped" in warnings
    assert "line 2: 'jq .' is not a curl command; skipped" in warnings
    assert said(warnings, "command 1: the shell variable TOKEN became {{TOKEN}}")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("curl 'https://h/a", "quotes"),
        ("curl -X", "needs a value"),
        ("curl -H 'A: b'", "no URL"),
        ("curl --max-time soon https://h", "needs a number"),
        ("curl --connect-timeout -1 https://h", "needs a number"),
        ("curl -F novalue https://h", "has no '='"),
        ("curl 'http://[::1/x'", "is not a URL curl can read"),
    ],
)
def test_bad_commands_are_format_errors(text: str, needle: str) -> None:
    with pytest.raises(FormatError, match=needle) as caught:
        import_curl(f"\n{text}", "pasted")
    assert (caught.value.path, caught.value.line) == ("pasted", 2)


def test_text_without_a_curl_command_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="pasted: holds no curl command"):
        import_curl("wget https://h", "pasted")
    chrome_powershell = (
        "$session = New-Object Microsoft.PowerShell.Commands.WebRequestSession\n"
        'Invoke-WebRequest -UseBasicParsing -Uri "https://h/a" `\n'
        '-WebSession $session `\n-Headers @{"accept"="*/*"}'
    )
    with pytest.raises(FormatError, match="Copy as PowerShell"):
        import_curl(chrome_powershell, "pasted")


def test_parse_curl_reads_one_command() -> None:
    spec, _ = parse_curl("curl -X DELETE https://h/a https://h/b", "x.sh", 3)
    assert (spec.method, spec.url) == ("DELETE", "https://h/a")
    with pytest.raises(FormatError, match=r"x\.sh:3: the curl option -X needs a value"):
        parse_curl("curl -X", "x.sh", 3)


def test_a_command_pasted_into_the_builder_keeps_its_credentials_in_memory() -> None:
    spec, notes = parse_pasted_curl(
        "curl https://api.example.test/a -u bob:pw -H 'X-Api-Key: k3y'\n"
        "curl https://api.example.test/b\n"
    )
    assert spec.url == "https://api.example.test/a"
    assert spec.auth == AuthSpec("basic", (("username", "bob"), ("password", "pw")))
    assert KeyValue("X-Api-Key", "k3y") in spec.headers
    assert notes == ["only the first of 2 commands was used"]
    _, notes = parse_pasted_curl("curl https://h/a https://h/b")
    assert notes == ["only the first of the command's 2 URLs was used"]


def test_pasted_text_that_is_not_curl_is_refused() -> None:
    with pytest.raises(FormatError, match="pasted text: is not a curl command"):
        parse_pasted_curl("https://api.example.test/a")
    with pytest.raises(FormatError, match="pasted text:1: has an unterminated single quote"):
        parse_pasted_curl("curl -H 'unterminated https://example.test/x")


def test_what_looks_like_curl() -> None:
    assert looks_like_curl("curl -H 'unterminated https://example.test/x")
    assert looks_like_curl('curl.exe ^"https://h^"')
    assert looks_like_curl("$ curl https://h")
    assert not looks_like_curl("https://h/curl")
    assert not looks_like_curl("curly https://h")


@pytest.mark.parametrize("prefix", ["curl ", 'curl ^"https://h^" ^\n ', "curl.exe `\n "])
@bounded(150)
@given(
    text=st.text(alphabet=st.sampled_from("-dFHXTbuGIL@=;:'\"$^`%\\\n <>&|x{}[]/?#"), max_size=50)
)
def test_any_command_in_any_shell_imports_or_fails_in_one_located_sentence(
    prefix: str, text: str
) -> None:
    problem: FormatError | None = None
    try:
        import_curl(prefix + text, "fuzz.sh")
    except FormatError as exc:
        problem = exc
    assert not isinstance(problem, UnexpectedStructure), repr(problem)
    assert problem is None or problem.path == "fuzz.sh"
