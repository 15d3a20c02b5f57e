"""The table of requests every target must send exactly as our own client sends them.

Each case is a ``RequestSpec`` with ``{{variables}}`` against httpbin's ``/anything`` (``{{base}}``
is the server), secrets in headers, query, form and auth, and every body mode. ``SECRETS`` are
the values the snippets read from the environment; the reference request gets them from the
scope, where they are marked secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.templating import Layer, Scope

TOKEN = "tok-9f8e7d6c5b4a"
PASSWORD = "pa$$ 'w\"ord`!"
SECRETS = {"TOK": TOKEN, "PW": PASSWORD}
TRICKY = "a b&c=d/é+%20?#~*'\"$HOME`x`"


@dataclass(frozen=True)
class Case:
    id: str
    spec: RequestSpec
    keep: bool = False
    tags: frozenset[str] = field(default_factory=frozenset)


def scope(base: str) -> Scope:
    values = {
        "base": base,
        "tok": TOKEN,
        "pw": PASSWORD,
        "user": "alice",
        "tag": "Jörg ✓",
        "path": "anything",
    }
    return Scope((Layer("env", values, secret=frozenset({"tok", "pw"})),))


def files(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    text = tmp / "notes ü; 'one'.txt"
    text.write_text("first line\nzweite Zeile ✓\n", encoding="utf-8")
    binary = tmp / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    return {"text": text, "binary": binary}


def _json_body() -> Body:
    text = '{\n  "name": "Jörg ✓",\n  "quote": "it\'s \\"quoted\\"",\n  "n": [1, 2.5, null]\n}'
    return Body(BodyMode.JSON, text)


def build_cases(paths: dict[str, Path]) -> list[Case]:
    bearer = KeyValue("Authorization", "Bearer {{tok}}")
    cases = [
        Case(
            "get_query_headers",
            RequestSpec(
                url="{{base}}/{{path}}",
                params=(
                    KeyValue("q", TRICKY),
                    KeyValue("q", "second"),
                    KeyValue("tag", "{{tag}}"),
                    KeyValue("off", "x", enabled=False),
                    KeyValue("empty", ""),
                ),
                headers=(
                    KeyValue("X-Tag", "one"),
                    KeyValue("X-Tag", "two"),
                    KeyValue("X-Quote", 'it\'s "quoted" $HOME `x`'),
                    KeyValue("X-Unicode", "Jörg ✓"),
                    KeyValue("X-Off", "no", enabled=False),
                    bearer,
                ),
            ),
        ),
        Case("post_json", RequestSpec(method="POST", url="{{base}}/anything", body=_json_body())),
        Case(
            "post_json_variables",
            RequestSpec(
                method="POST",
                url="{{base}}/anything",
                params=(KeyValue("who", "{{user}}"), KeyValue("key", "{{tok}}")),
                body=Body(
                    BodyMode.JSON,
                    '{\n  "user": "{{user}}",\n  "secret": "{{tok}}",\n  "tag": "{{tag}}"\n}',
                ),
            ),
        ),
        Case(
            "put_raw",
            RequestSpec(
                method="PUT",
                url="{{base}}/anything?fixed=1&x=%2F",
                params=(KeyValue("more", "yes please"),),
                body=Body(
                    BodyMode.RAW,
                    "id;name\n1;'single' \"double\" \\back $HOME `tick` ✓\n",
                    content_type="text/csv; charset=utf-8",
                ),
            ),
        ),
        Case(
            "post_form",
            RequestSpec(
                method="POST",
                url="{{base}}/anything",
                body=Body(
                    BodyMode.FORM,
                    fields=(
                        FormField("user", "{{user}}"),
                        FormField("password", "{{pw}}"),
                        FormField("note", TRICKY),
                        FormField("note", "Jörg ✓"),
                        FormField("skip", "no", enabled=False),
                    ),
                ),
            ),
        ),
        Case(
            "post_multipart",
            RequestSpec(
                method="POST",
                url="{{base}}/anything",
                headers=(bearer,),
                body=Body(
                    BodyMode.MULTIPART,
                    fields=(
                        FormField("title", 'Jörg\'s ✓ "file"'),
                        FormField(
                            "doc", str(paths["text"]), is_file=True, content_type="text/plain"
                        ),
                        FormField("blob", str(paths["binary"]), is_file=True),
                        FormField("skip", "no", enabled=False),
                    ),
                ),
            ),
        ),
        Case(
            "patch_binary_file",
            RequestSpec(
                method="PATCH",
                url="{{base}}/anything",
                body=Body(BodyMode.BINARY_FILE, file=str(paths["binary"])),
            ),
        ),
        Case(
            "basic_auth",
            RequestSpec(
                url="{{base}}/anything",
                auth=AuthSpec("basic", (("username", "{{user}}"), ("password", "{{pw}}"))),
            ),
        ),
        Case(
            "api_key_query",
            RequestSpec(
                method="DELETE",
                url="{{base}}/anything",
                auth=AuthSpec(
                    "api-key", (("key", "api_key"), ("value", "{{tok}}"), ("in", "query"))
                ),
                connect_timeout=3.5,
                read_timeout=20,
            ),
        ),
        Case(
            "api_key_cookie",
            RequestSpec(
                url="{{base}}/anything",
                headers=(KeyValue("Cookie", "theme=dark; sid=old"), KeyValue("Cookie", "lang=en")),
                auth=AuthSpec("api-key", (("key", "sid"), ("value", "{{tok}}"), ("in", "cookie"))),
            ),
        ),
        Case(
            "redirect_follow",
            RequestSpec(
                method="POST",
                url="{{base}}/redirect-to",
                params=(
                    KeyValue("url", "/anything?after=redirect"),
                    KeyValue("status_code", "302"),
                ),
                body=_json_body(),
                max_redirects=3,
            ),
        ),
        Case(
            "redirect_not_followed",
            RequestSpec(
                url="{{base}}/redirect-to",
                params=(KeyValue("url", "/anything"),),
                follow_redirects=False,
            ),
            tags=frozenset({"raw"}),
        ),
    ]
    kept = [
        Case(f"{c.id}_kept", c.spec, keep=True)
        for c in cases
        if c.id
        in (
            "get_query_headers",
            "post_json",
            "post_json_variables",
            "post_form",
            "basic_auth",
            "post_multipart",
        )
    ]
    return cases + kept
