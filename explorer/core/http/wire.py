"""The request head as it was written to the socket, read back into a request line and headers.

``Exchange.sent_headers`` come from requests' prepared request, before urllib3 and
``http.client`` add ``Host``, ``Content-Length``, ``Transfer-Encoding``, ``Accept-Encoding``
and whatever else they write. The timed connections (``explorer.core.http.timing``) hand the
bytes of the head to ``parse_head`` as they go out, so the Sent tab and ``send -v`` show what
the server received, in its order and spelling.
"""

from __future__ import annotations

__all__ = ["WireHead", "parse_head"]

WireHead = tuple[str, tuple[tuple[str, str], ...]]
"""The request line (``POST /items HTTP/1.1``, or the absolute form through a proxy) and the
header lines as (name, value) pairs, in the order they were written."""


def _text(raw: bytes) -> str:
    """UTF-8 when it is (values outside Latin-1 go out so), else each byte as Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_head(data: bytes) -> WireHead:
    """The request line and headers of a head as ``http.client`` writes it: CRLF-separated
    lines ending in an empty one, each header ``name: value``; a line starting with a space or a
    tab continues the previous value and is kept with its line break."""
    head = data.split(b"\r\n\r\n", 1)[0]
    request_line, *lines = head.split(b"\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value}\r\n{_text(line)}")
            continue
        raw_name, _, raw_value = line.partition(b":")
        headers.append((_text(raw_name), _text(raw_value.removeprefix(b" "))))
    return _text(request_line), tuple(headers)
