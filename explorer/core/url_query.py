"""The URL field's query and the Params table as one thing, the way a request is sent.

``templating.resolve`` sends ``url`` as written and appends the enabled ``params``, each name
and value expanded and then form-encoded (``urlencode``). A query typed in the URL stays there
as typed, with only the disabled rows kept in ``params``; a request that holds its query as
``params`` (an import, a pasted curl command) keeps it so while our encoder writes every pair
back byte for byte. Either way the URL field shows the target that is sent.
``{{variables}}`` stay literal in the text (the core expands them first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote_plus

from explorer.core.models import KeyValue
from explorer.core.templating import VARIABLE


@dataclass(frozen=True)
class QueryPair:
    """One ``name=value`` of a query: decoded, and as it appears in the URL."""

    name: str
    value: str
    raw: str


@dataclass(frozen=True)
class SplitUrl:
    base: str
    query: str | None
    """The text after ``?`` (``None`` when the URL has no ``?``)."""
    fragment: str
    """``#`` and what follows it, or ''."""

    def with_query(self, parts: Sequence[str]) -> str:
        query = f"?{'&'.join(parts)}" if parts else ""
        return f"{self.base}{query}{self.fragment}"


def split_url(url: str) -> SplitUrl:
    hash_at = url.find("#")
    before, fragment = (url, "") if hash_at < 0 else (url[:hash_at], url[hash_at:])
    base, question, query = before.partition("?")
    return SplitUrl(base, query if question else None, fragment)


def _map_outside_variables(text: str, convert: Callable[[str], str]) -> str:
    pieces: list[str] = []
    start = 0
    for match in VARIABLE.finditer(text):
        pieces.append(convert(text[start : match.start()]))
        pieces.append(match.group(0))
        start = match.end()
    pieces.append(convert(text[start:]))
    return "".join(pieces)


def encode_component(text: str) -> str:
    """Form-encode as the core does, leaving ``{{variables}}`` as written."""
    return _map_outside_variables(text, lambda piece: quote_plus(piece, safe=""))


def decode_component(text: str) -> str:
    return _map_outside_variables(text, unquote_plus)


def encode_pair(name: str, value: str) -> str:
    return f"{encode_component(name)}={encode_component(value)}"


def parse_query(query: str) -> tuple[QueryPair, ...]:
    """The query's pairs in order; empty segments (``a=1&&b=2``) carry no pair."""
    pairs = []
    for raw in query.split("&"):
        if raw:
            name, _, value = raw.partition("=")
            pairs.append(QueryPair(decode_component(name), decode_component(value), raw))
    return tuple(pairs)


def query_pairs(url: str) -> tuple[QueryPair, ...]:
    query = split_url(url).query
    return () if query is None else parse_query(query)


def display_url(url: str, params: Iterable[KeyValue]) -> str:
    """What the URL field shows for a saved ``url`` and ``params``: the enabled params
    appended as the core will append them."""
    added = [encode_pair(p.name, p.value) for p in params if p.enabled]
    if not added:
        return url
    split = split_url(url)
    return split.with_query([split.query, *added] if split.query else added)


def table_rows(url: str, params: Iterable[KeyValue]) -> tuple[KeyValue, ...]:
    """The Params table for a saved request: the URL's own query pairs, then its params."""
    return (*(KeyValue(p.name, p.value) for p in query_pairs(url)), *params)


def merge_rows(rows: Sequence[KeyValue], pairs: Sequence[QueryPair]) -> tuple[KeyValue, ...]:
    """The table after the URL's query became ``pairs``: disabled rows stay where they were,
    enabled rows take the pairs in order, extra pairs are appended."""
    fresh = iter(pairs)
    merged: list[KeyValue] = []
    for row in rows:
        if not row.enabled:
            merged.append(row)
            continue
        pair = next(fresh, None)
        if pair is not None:
            merged.append(KeyValue(pair.name, pair.value))
    merged.extend(KeyValue(pair.name, pair.value) for pair in fresh)
    return tuple(merged)


def url_for_rows(url: str, rows: Iterable[KeyValue], raws: Mapping[tuple[str, str], str]) -> str:
    """The URL after the table changed: its query rebuilt from the enabled rows, each pair as
    it was typed (``raws``) while its name and value are unchanged, else encoded."""
    parts = [
        raws.get((row.name, row.value)) or encode_pair(row.name, row.value)
        for row in rows
        if row.enabled
    ]
    return split_url(url).with_query(parts)


def request_parts(
    url: str, rows: Sequence[KeyValue], *, as_params: bool
) -> tuple[str, tuple[KeyValue, ...]]:
    """The ``(url, params)`` to save and send for the URL field and table as shown. The query
    stays in the URL as typed (``params`` keeps the disabled rows), unless the request keeps
    its query as ``params`` (``as_params``: it was opened so) and our encoder writes every
    pair back byte for byte."""
    split = split_url(url)
    pairs = () if split.query is None else parse_query(split.query)
    canonical = (
        bool(pairs)
        and "&".join(pair.raw for pair in pairs) == split.query
        and all(pair.raw == encode_pair(pair.name, pair.value) for pair in pairs)
    )
    if as_params and canonical:
        return split.base + split.fragment, tuple(rows)
    return url, tuple(row for row in rows if not row.enabled)
