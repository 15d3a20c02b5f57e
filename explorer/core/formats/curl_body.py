"""The body a curl command sends, decided as curl decides it: ``-d`` pieces joined with ``&``
(``--json`` ones without), stdin from a here-document or a ``< file``, a file body for a lone
``@file``, the mode a request can hold (form when our encoder writes the text back byte for
byte, JSON when the type says so and the text parses, else raw with curl's type), multipart
parts from ``-F``, a ``-T`` upload; the first ``-H Content-Type`` decides the type. What cannot
be carried (file content joined to other data, stdin from a pipe) is noted on the group."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

from explorer.core import safe_parse
from explorer.core.formats.curl_args import CurlArgs
from explorer.core.formats.shell_words import ShellCommand
from explorer.core.models import Body, BodyMode, FormField, KeyValue

FORM_TYPE = "application/x-www-form-urlencoded"


def payload(group: CurlArgs, upload: str | None, command: ShellCommand) -> tuple[str | None, Body]:
    """The method the options imply, and the body."""
    if group.data and "head" in group.switches and "get" not in group.switches:
        group.note("curl refuses -I with data; -I was left out")
        group.switches.discard("head")
    if (group.data or group.form) and upload:
        group.note("curl refuses -T with -d or -F; the -T file was left out")
    if group.data and group.form:
        group.note("curl refuses -d with -F; the -F parts were left out")
    if group.data and "get" in group.switches:
        return "GET", Body()
    if group.data:
        return "POST", _data_body(group, command)
    if group.form:
        return "POST", Body(BodyMode.MULTIPART, fields=tuple(group.form))
    if upload is not None:
        return "PUT", _upload_body(upload, group, command)
    return None, Body()


def data_text(group: CurlArgs, command: ShellCommand) -> str:
    """The ``-d`` pieces joined as curl joins them; files (other than stdin) are left out."""
    text = ""
    for index, piece in enumerate(group.data):
        value = piece.text
        if piece.file == "-":
            value = _stdin(command, group)
            value = value.replace("\r", "").replace("\n", "") if piece.kind == "data" else value
        elif piece.file is not None:
            group.note(f"the content of {piece.file!r} cannot be joined with other data; left out")
            continue
        text += value if index == 0 or piece.kind == "json" else f"&{value}"
    return text


def _stdin(command: ShellCommand, group: CurlArgs) -> str:
    if command.stdin is not None:
        return command.stdin
    source = command.stdin_from or "the terminal"
    group.note(f"@- reads stdin ({source}), which an import cannot see; it was left empty")
    return ""


def _data_body(group: CurlArgs, command: ShellCommand) -> Body:
    files = [piece for piece in group.data if piece.file not in (None, "-")]
    if len(group.data) == 1 and files:
        if files[0].kind == "data":
            group.note(
                f"-d @{files[0].file}: curl removes the file's line breaks; it is sent as is"
            )
        kind = "application/json" if files[0].kind == "json" else FORM_TYPE
        return Body(BodyMode.BINARY_FILE, file=files[0].file, content_type=kind)
    text = data_text(group, command)
    if any(piece.kind == "json" for piece in group.data):
        return _json_or_raw(text, "application/json")
    pairs = form_pairs(text)
    if pairs is not None:
        return Body(BodyMode.FORM, fields=pairs)
    return Body(BodyMode.RAW, text, FORM_TYPE)


def _json_or_raw(text: str, content_type: str) -> Body:
    try:
        safe_parse.loads(text)
    except ValueError:
        return Body(BodyMode.RAW, text, content_type)
    return Body(BodyMode.JSON, text, None if content_type == "application/json" else content_type)


def form_pairs(text: str) -> tuple[FormField, ...] | None:
    """``text`` as form fields when our encoder writes it back byte for byte."""
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs or urlencode(pairs) != text:
        return None
    return tuple(FormField(name, value) for name, value in pairs)


def _upload_body(upload: str, group: CurlArgs, command: ShellCommand) -> Body:
    if upload in ("-", "."):
        if command.stdin_file is None:
            group.note("-T - streams stdin without a Content-Type; it is sent as text/plain")
            return Body(BodyMode.RAW, _stdin(command, group))
        upload = command.stdin_file
    group.note("-T sends the file without a Content-Type; it is sent as application/octet-stream")
    return Body(BodyMode.BINARY_FILE, file=upload)


def absorb_content_type(
    headers: list[KeyValue], body: Body, group: CurlArgs
) -> tuple[list[KeyValue], Body]:
    """The first ``-H Content-Type`` decides the body's type (and its mode: JSON, form, raw)
    and leaves the header list, so it is sent once, as curl sends it."""
    index = next(
        (i for i, h in enumerate(headers) if h.enabled and h.name.lower() == "content-type"), None
    )
    if index is None or body.mode is BodyMode.NONE:
        return headers, body
    value = headers[index].value
    rest = headers[:index] + headers[index + 1 :]
    if body.mode is BodyMode.MULTIPART:
        if not value.lower().startswith("multipart/form-data"):
            group.note(f"the -F parts are sent as multipart/form-data, not as {value!r}")
        return rest, body
    if body.mode is BodyMode.BINARY_FILE or (body.mode is BodyMode.RAW and not group.data):
        return rest, replace(body, content_type=value)
    lowered = value.lower()
    if re.search(r"[/+]json\b", lowered):
        return rest, _json_or_raw(body.text or _form_text(body), value)
    if body.mode is BodyMode.FORM and lowered == FORM_TYPE:
        return rest, body
    return rest, Body(BodyMode.RAW, body.text or _form_text(body), value)


def _form_text(body: Body) -> str:
    return urlencode([(f.name, f.value) for f in body.fields])
