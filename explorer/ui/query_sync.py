"""Keeps the URL field's query and the Params table in step, both ways, as Postman does.

Typing in the URL rewrites the table's enabled rows (disabled rows stay where they are);
editing the table rewrites the URL's query, each untouched pair as it was typed. A flag stops
the echo of one side's update from rewriting the other. What is saved and sent is decided by
``explorer.core.url_query`` (the one rule the core's ``templating.resolve`` follows).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from explorer.core.models import KeyValue
from explorer.core.url_query import (
    display_url,
    merge_rows,
    query_pairs,
    request_parts,
    table_rows,
    url_for_rows,
)
from explorer.ui.key_value_table import KeyValueTable
from explorer.ui.url_edit import UrlEdit


class QuerySync(QObject):
    def __init__(self, url: UrlEdit, table: KeyValueTable) -> None:
        super().__init__(url)
        self._url = url
        self._table = table
        self._syncing = False
        self._raws: dict[tuple[str, str], str] = {}
        self._loaded: tuple[str, tuple[KeyValue, ...], str, tuple[KeyValue, ...]] | None = None
        self._param_offset = 0
        self._as_params = False
        url.textChanged.connect(self._on_url_text_changed)
        table.changed.connect(self._on_table_changed)

    def load(self, url: str, params: tuple[KeyValue, ...]) -> None:
        shown, rows = display_url(url, params), table_rows(url, params)
        self._syncing = True
        self._url.setText(shown)
        self._table.load(rows)
        self._syncing = False
        self._remember(shown)
        self._loaded = (shown.strip(), self._table.to_rows(), url.strip(), params)
        self._param_offset = len(rows) - len(params)
        self._as_params = any(p.enabled for p in params)

    def flag_params(self, rows: frozenset[int], reason: str) -> None:
        """``KeyValueTable.flag_values`` for rows of the loaded ``params`` (they follow the
        URL's own query pairs in the table)."""
        self._table.flag_values(frozenset(i + self._param_offset for i in rows), reason)

    def request_parts(self) -> tuple[str, tuple[KeyValue, ...]]:
        """``(url, params)`` for the spec; unchanged since ``load``, exactly as loaded."""
        url, rows = self._url.text().strip(), self._table.to_rows()
        if self._loaded is not None and (url, rows) == self._loaded[:2]:
            return self._loaded[2], self._loaded[3]
        return request_parts(url, rows, as_params=self._as_params)

    def _remember(self, url: str) -> None:
        self._raws = {(pair.name, pair.value): pair.raw for pair in query_pairs(url)}

    def _on_url_text_changed(self, text: str) -> None:
        if self._syncing:
            return
        self._remember(text)
        pairs = query_pairs(text)
        rows = self._table.to_rows()
        if [(p.name, p.value) for p in pairs] == [(r.name, r.value) for r in rows if r.enabled]:
            return
        self._syncing = True
        self._table.load(merge_rows(rows, pairs))
        self._table.changed.emit()
        self._syncing = False

    def _on_table_changed(self) -> None:
        if self._syncing:
            return
        url = url_for_rows(self._url.text(), self._table.to_rows(), self._raws)
        if url == self._url.text():
            return
        self._syncing = True
        self._url.setText(url)
        self._syncing = False
        self._remember(url)
