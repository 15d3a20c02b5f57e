"""The URL/params rule of the window (``explorer.core.url_query``) sends what the URL field
shows: the resolved target of the saved parts equals the field with its variables expanded."""

from __future__ import annotations

import pytest

from explorer.core.models import KeyValue, RequestSpec
from explorer.core.templating import Scope, resolve
from explorer.core.url_query import display_url, request_parts, table_rows


@pytest.mark.parametrize(
    ("url", "as_params"),
    [
        ("https://api.test/a?q=a+b&n=%2F1#top", True),
        ("https://api.test/a?q=a%20b&flag", True),
        ("https://api.test/a?q=x&q=y", False),
    ],
)
def test_the_saved_parts_send_the_url_shown(url: str, as_params: bool) -> None:
    rows = (*table_rows(url, ()), KeyValue("off", "1", enabled=False))
    saved_url, params = request_parts(url, rows, as_params=as_params)
    assert KeyValue("off", "1", enabled=False) in params
    assert display_url(saved_url, params) == url
    sent = resolve(RequestSpec("GET", saved_url, params=params), Scope()).url
    assert sent == url
