"""HAR import: real Chrome and Firefox exports (data/har/README.md says where they come from),
the bodies browsers record, what is dropped and reported, and every imported request replayed
at httpbin to check what the server receives against what the browser recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from explorer.core.errors import FormatError
from explorer.core.formats.common import ImportResult
from explorer.core.formats.har import DROPPED_HEADERS, import_har, looks_like_har
from explorer.core.http import HttpClient
from explorer.core.models import BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.templating import Layer, Scope, resolve
from explorer.core.workspace.collections import create_collection, load_collection

DATA = Path(__file__).parent / "data"
HAR = DATA / "har"
FIXTURES = ("chrome.har", "firefox.har", "chrome-post.har")
BOUNDARY = "----WebKitFormBoundaryq3D1xPbV9gT7cZ2m"


def imported(name: str) -> ImportResult:
    path = HAR / name
    return import_har(path.read_text(encoding="utf-8"), str(path))


def specs(result: ImportResult) -> list[RequestSpec]:
    return [saved.spec for _, saved in result.collection.requests()]


def header(spec: RequestSpec, name: str) -> str | None:
    return next((h.value for h in spec.headers if h.name.lower() == name.lower()), None)


def replay(spec: RequestSpec, result: ImportResult, base_dir: Path) -> dict[str, Any]:
    """What httpbin saw of ``spec`` sent as the app sends it, secrets filled in."""
    client = HttpClient()
    try:
        scope = Scope((Layer("secrets", result.secrets),))
        exchange = client.send(resolve(spec, scope, base_dir=base_dir))
        echo: dict[str, Any] = json.loads(exchange.response.body.text())
        return echo
    finally:
        client.close()


def har(*entries: dict[str, Any], pages: list[dict[str, Any]] | None = None) -> str:
    log: dict[str, Any] = {"version": "1.2", "creator": {"name": "test", "version": "1"}}
    if pages is not None:
        log["pages"] = pages
    return json.dumps({"log": {**log, "entries": list(entries)}})


def entry(url: str, method: str = "GET", **request: Any) -> dict[str, Any]:
    return {"request": {"method": method, "url": url, "headers": [], **request}}


def browser_bodies(base: str) -> str:
    """Requests with bodies, in the shapes the browsers export them (the real recordings hold
    none): Firefox's form with decoded ``params`` beside the text, Chrome's axios JSON with a
    charset, Chrome's multipart text with a file part and an unchosen file input, a tool's
    base64 body, and ``cookies[]`` without a Cookie header."""
    multipart = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHoliday\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="avatar"; filename="avatar.png"'
        "\r\nContent-Type: image/png\r\n\r\n\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="extra"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
        f"--{BOUNDARY}--\r\n"
    )
    form_type = "application/x-www-form-urlencoded"
    json_type = "application/json;charset=UTF-8"
    multipart_type = f"multipart/form-data; boundary={BOUNDARY}"
    return har(
        entry(
            f"{base}/anything/login",
            "POST",
            headers=[
                {"name": "Content-Type", "value": form_type},
                {"name": "Content-Length", "value": "23"},
            ],
            postData={
                "mimeType": form_type,
                "params": [{"name": "name", "value": "Ada L"}, {"name": "lang", "value": "en&fr"}],
                "text": "name=Ada+L&lang=en%26fr",
            },
        ),
        entry(
            f"{base}/anything/items",
            "PUT",
            headers=[{"name": "content-type", "value": json_type}],
            postData={"mimeType": json_type, "text": '{"name":"Ada","tags":["a","b"]}'},
        ),
        entry(
            f"{base}/anything/upload",
            "POST",
            headers=[{"name": "content-type", "value": multipart_type}],
            postData={"mimeType": multipart_type, "text": multipart},
        ),
        entry(
            f"{base}/anything/note",
            "POST",
            postData={"mimeType": "text/plain", "text": "aGVsbG8gd29ybGQ=", "_encoding": "base64"},
        ),
        entry(
            f"{base}/anything/me",
            cookies=[{"name": "session", "value": "s3cr3t"}, {"name": "theme", "value": "dark"}],
        ),
    )


# -- real recordings ---------------------------------------------------------------------------
def test_chrome_export_is_grouped_by_page_with_computed_headers_dropped() -> None:
    result = imported("chrome.har")
    tree = result.collection
    assert tree.name == "chrome"
    # page_2, which the file does not list, falls back to a folder for the host
    assert [folder.name for folder in tree.items] == ["mitmproxy.org", "www.google.com"]
    first, second, image = specs(result)
    assert [first.name, second.name] == ["GET /", "GET / (2)"]
    assert image.name == "GET /images/branding/googlelogo/2x/googlelogo_light_color_272x92dp.png"
    for spec in (first, second, image):
        names = {h.name.lower() for h in spec.headers}
        assert not {n for n in names if n.startswith(":")}
        assert not names & DROPPED_HEADERS
    assert KeyValue("accept-language", "en-US,en;q=0.9") in first.headers  # HTTP/2: kept lower
    assert first.url == "https://mitmproxy.org/"
    assert first.body.mode is BodyMode.NONE
    assert header(image, "cookie") == "{{cookie}}"
    assert result.secrets["cookie"].startswith("SID=YAieF18TdLas")
    assert result.secrets["cookie"].count("; ") == 2
    assert "cookie" in tree.secret_names()
    dropped = next(w for w in result.warnings if w.startswith("headers the client sets"))
    assert ":authority, :method, :path, :scheme, accept-encoding" in dropped
    assert sum("recorded responses" in w for w in result.warnings) == 1


def test_firefox_export_keeps_a_query_that_would_not_encode_back_in_the_url() -> None:
    result = imported("firefox.har")
    (folder,) = result.collection.items
    assert folder.name == "mitmproxy - an interactive HTTPS proxy"
    by_name = {spec.name: spec for spec in specs(result)}
    button = by_name["GET /github-btn.html"]
    assert button.url == "https://mitmproxy.org/github-btn.html"
    assert button.params == (
        KeyValue("user", "mhils"),
        KeyValue("type", "sponsor"),
        KeyValue("size", "large"),
    )
    bucket = by_name["GET /snapshots.mitmproxy.org"]
    assert bucket.url.endswith("/snapshots.mitmproxy.org?delimiter=/&prefix=")
    assert bucket.params == ()
    stats = by_name["GET /data/github-stats.json"]
    assert header(stats, "TE") is None
    assert header(stats, "If-None-Match") is None
    assert header(stats, "Sec-Fetch-Mode") == "cors"
    dropped = next(w for w in result.warnings if w.startswith("headers the client sets"))
    assert "Host, Accept-Encoding, Connection" in dropped
    assert "in 5 of the requests" in dropped
    assert result.secrets == {}


def test_chrome_post_keeps_its_text_body_and_type() -> None:
    result = imported("chrome-post.har")
    (spec,) = specs(result)
    assert spec.method == "POST"
    assert spec.body.mode is BodyMode.RAW
    assert spec.body.content_type == "text/plain;charset=UTF-8"
    assert spec.body.text.startswith('{"metadata":{"pageViewId":1689428126308')
    assert header(spec, "content-type") is None  # folded into the body
    assert header(spec, "content-length") is None


@pytest.mark.parametrize("name", FIXTURES)
def test_each_recorded_request_replays_at_httpbin_as_recorded(
    name: str, httpbin_url: str, tmp_path: Path
) -> None:
    data = json.loads((HAR / name).read_text(encoding="utf-8"))
    recorded = [e["request"] for e in data["log"]["entries"]]
    for request in recorded:
        parts = urlsplit(request["url"])
        query = f"?{parts.query}" if parts.query else ""
        request["url"] = f"{httpbin_url}/anything{parts.path.rstrip('/')}{query}"
    result = import_har(json.dumps(data), name)
    assert len(specs(result)) == len(recorded)
    for request, spec in zip(recorded, specs(result), strict=True):
        echo = replay(spec, result, tmp_path)
        assert echo["method"] == request["method"]
        sent = parse_qs(urlsplit(request["url"]).query, keep_blank_values=True)
        assert echo["args"] == {k: v[0] if len(v) == 1 else v for k, v in sent.items()}
        seen = {k.lower(): v for k, v in echo["headers"].items()}
        for row in request["headers"]:
            lower = row["name"].lower()
            if lower.startswith(":") or lower in DROPPED_HEADERS:
                continue
            assert seen[lower] == row["value"], row["name"]
        assert "if-none-match" not in seen
        assert seen["host"] == urlsplit(httpbin_url).netloc
        assert echo["data"] == request.get("postData", {}).get("text", "")


@pytest.mark.parametrize("name", FIXTURES)
def test_an_imported_recording_saves_and_loads_back_unchanged(name: str, tmp_path: Path) -> None:
    result = imported(name)
    create_collection(result.collection, tmp_path / "rec")
    loaded = load_collection(tmp_path / "rec")
    assert loaded.errors == ()
    assert loaded.collection is not None
    assert [(trail, saved.spec) for trail, saved in loaded.collection.requests()] == [
        (trail, saved.spec) for trail, saved in result.collection.requests()
    ]
    assert loaded.collection.secret_names() == result.collection.secret_names()


# -- bodies ----------------------------------------------------------------------------------
def test_browser_bodies_map_to_form_json_multipart_and_raw() -> None:
    result = import_har(browser_bodies("https://api.example.test"), "bodies.har")
    form, document, upload, note, me = specs(result)
    assert form.body.mode is BodyMode.FORM
    assert form.body.fields == (FormField("name", "Ada L"), FormField("lang", "en&fr"))
    assert form.headers == ()  # the implied Content-Type folded in, Content-Length dropped
    assert document.body.mode is BodyMode.JSON
    assert document.body.content_type == "application/json;charset=UTF-8"
    assert document.headers == ()
    assert upload.body.mode is BodyMode.MULTIPART
    assert upload.body.fields == (
        FormField("title", "Holiday"),
        FormField("avatar", "avatar.png", is_file=True, content_type="image/png"),
    )
    assert upload.headers == ()  # the recorded boundary is not the one the client writes
    assert note.body.mode is BodyMode.RAW
    assert note.body.text == "hello world"
    assert me.headers == (KeyValue("Cookie", "{{cookie}}"),)
    assert result.secrets["cookie"] == "session=s3cr3t; theme=dark"
    notes = "\n".join(result.warnings)
    assert "log.entries[2].request.postData: the file part(s) avatar are sent from local" in notes
    assert "the empty file part(s) extra (no file was chosen) were not imported" in notes
    assert "sends the local file 'avatar.png'" in notes


def test_browser_bodies_reach_httpbin_as_the_browser_sent_them(
    httpbin_url: str, tmp_path: Path
) -> None:
    result = import_har(browser_bodies(httpbin_url), "bodies.har")
    form, document, upload, note, me = specs(result)
    (tmp_path / "avatar.png").write_bytes(b"PNG-ish")
    assert replay(form, result, tmp_path)["form"] == {"name": "Ada L", "lang": "en&fr"}
    echo = replay(document, result, tmp_path)
    assert echo["json"] == {"name": "Ada", "tags": ["a", "b"]}
    assert echo["headers"]["Content-Type"] == "application/json;charset=UTF-8"
    echo = replay(upload, result, tmp_path)
    assert echo["form"] == {"title": "Holiday"}
    assert echo["files"] == {"avatar": "PNG-ish"}
    assert replay(note, result, tmp_path)["data"] == "hello world"
    assert replay(me, result, tmp_path)["headers"]["Cookie"] == "session=s3cr3t; theme=dark"


def test_params_without_text_become_fields_and_file_names_lose_their_folders() -> None:
    multipart = "multipart/form-data; boundary=x"
    text = har(
        entry(
            "https://h.test/a",
            "POST",
            postData={
                "mimeType": multipart,
                "params": [
                    {"name": "note", "value": "hi"},
                    {
                        "name": "key",
                        "fileName": "/home/ada/.ssh/id_rsa",
                        "contentType": "text/plain",
                    },
                ],
            },
        ),
        entry(
            "https://h.test/b",
            "POST",
            postData={"mimeType": "", "params": [{"name": "q", "value": "1 2"}]},
        ),
    )
    upload, form = specs(import_har(text))
    assert upload.body.fields == (
        FormField("note", "hi"),
        FormField("key", "id_rsa", is_file=True, content_type="text/plain"),
    )
    assert form.body.mode is BodyMode.FORM
    assert form.body.fields == (FormField("q", "1 2"),)


def test_bodies_that_cannot_be_sent_are_reported() -> None:
    text = har(
        entry(
            "https://h.test/bin",
            "POST",
            postData={"mimeType": "image/png", "text": "iVBORw0KGgo=", "encoding": "base64"},
        ),
        entry("https://h.test/big", "POST", bodySize=4096),
        entry(
            "https://h.test/json",
            "POST",
            postData={"mimeType": "application/json", "text": "{not json"},
        ),
    )
    result = import_har(text)
    binary, big, broken = specs(result)
    assert binary.body.mode is BodyMode.NONE
    assert big.body.mode is BodyMode.NONE
    assert broken.body.mode is BodyMode.RAW
    assert broken.body.content_type == "application/json"
    notes = "\n".join(result.warnings)
    assert "log.entries[0].request.postData: the body is binary (8 bytes)" in notes
    assert "log.entries[1].request: the recording does not hold the 4096-byte body" in notes


# -- entries, names, folders ------------------------------------------------------------------
def test_entries_that_are_not_http_requests_are_skipped_and_counted() -> None:
    text = har(
        entry("data:image/png;base64,iVBORw0KGgo="),
        entry("https://h.test/a"),
        entry("blob:https://h.test/5d1c"),
        entry("chrome-extension://abc/page.js"),
        entry("data:text/plain,hi"),
        entry(""),
    )
    result = import_har(text)
    assert [spec.url for spec in specs(result)] == ["https://h.test/a"]
    assert "log.entries[5].request.url is missing; the entry was skipped" in result.warnings
    assert (
        "4 entries were skipped, as only http and https requests can be sent: "
        "data: (2), blob: (1), chrome-extension: (1)"
    ) in result.warnings


def test_names_are_numbered_and_a_large_recording_is_pointed_out() -> None:
    result = import_har(har(*(entry(f"https://h.test/pixel?n={n}") for n in range(201))))
    names = [spec.name for spec in specs(result)]
    assert names[:3] == ["GET /pixel", "GET /pixel (2)", "GET /pixel (3)"]
    assert len(set(names)) == 201
    (folder,) = result.collection.items
    assert folder.name == "h.test"
    assert any(w.startswith("201 requests were imported") for w in result.warnings)


def test_pages_with_the_same_title_get_their_own_folders() -> None:
    pages = [
        {"id": "page_1", "title": "https://shop.test/cart/"},
        {"id": "page_2", "title": "https://shop.test/cart/"},
    ]
    text = har(
        {**entry("https://shop.test/a"), "pageref": "page_1"},
        {**entry("https://shop.test/b"), "pageref": "page_2"},
        {**entry("https://cdn.test/c"), "pageref": "page_1"},
        pages=pages,
    )
    tree = import_har(text).collection
    assert [(f.name, len(f.items)) for f in tree.items] == [  # type: ignore[union-attr]
        ("shop.test > cart", 2),
        ("shop.test > cart (2)", 1),
    ]


def test_query_string_rows_are_used_only_for_a_url_without_a_query() -> None:
    rows = [{"name": "a", "value": "1"}]
    text = har(
        entry("https://h.test/x", queryString=rows),
        entry("https://h.test/y?a=1", queryString=rows),
        entry("https://h.test/z#top?b=2"),
    )
    bare, full, anchored = specs(import_har(text))
    assert (bare.url, bare.params) == ("https://h.test/x", (KeyValue("a", "1"),))
    assert (full.url, full.params) == ("https://h.test/y", (KeyValue("a", "1"),))
    assert (anchored.url, anchored.params) == ("https://h.test/z#top?b=2", ())


def test_credentials_and_variable_lookalikes_are_reported() -> None:
    text = har(
        entry(
            "https://h.test/me?api_key=k-123",
            headers=[{"name": "Authorization", "value": "Bearer abc.def"}],
            postData={"mimeType": "text/plain", "text": "Hello {{name}}"},
            comment="the profile call",
        )
    )
    result = import_har(text)
    (spec,) = specs(result)
    assert header(spec, "Authorization") == "Bearer {{authorization}}"
    assert spec.params == (KeyValue("api_key", "{{api_key}}"),)
    assert result.secrets == {"authorization": "abc.def", "api_key": "k-123"}
    assert spec.docs == "the profile call"
    assert any("holds {{name}}, which the app reads as variables" in w for w in result.warnings)


# -- bad input and detection ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("not json", "rec.har:1: is not valid JSON"),
        ('{"log": {"pages": []}}', "rec.har: is not a HAR file"),
        ('{"log": {"entries": []}}', "holds no requests"),
        (har(entry("data:,x")), "holds no request that can be imported (1 entry was skipped"),
        (har({"request": "x"}), "log.entries[0].request must be an object"),
        (har(entry("https://h.test", headers="x")), "log.entries[0].request.headers must be"),
        (har(entry("https://h.test", headers=[1])), "log.entries[0].request.headers[0] must be"),
        (har(entry("https://h.test", cookies=[{"name": []}])), "cookies[0].name must be text"),
        (har(entry("http://[::1/x")), "log.entries[0].request.url is not a valid URL"),
        (har(entry("https://h.test:99999/")), "log.entries[0].request.url is not a valid URL"),
        ('{"log": {"entries": ["x"]}}', "log.entries[0] must be an object"),
    ],
)
def test_malformed_files_are_located_format_errors(text: str, needle: str) -> None:
    with pytest.raises(FormatError) as caught:
        import_har(text, "rec.har")
    assert needle in str(caught.value)


def test_detection_recognises_har_logs_only() -> None:
    for name in FIXTURES:
        assert looks_like_har(json.loads((HAR / name).read_text(encoding="utf-8")))
    postman = json.loads((DATA / "shop.postman_collection.json").read_text(encoding="utf-8"))
    assert not looks_like_har(postman)
    others: list[object] = [[], {"log": []}, {"log": {"entries": {}}}, "log"]
    for other in others:
        assert not looks_like_har(other)
