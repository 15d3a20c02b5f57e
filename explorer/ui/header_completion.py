"""Completion in the Headers table: standard request header names in the Name column, and the
common media types in the Value column of ``Content-Type`` and ``Accept`` rows.

The two completers exist with the table (``headerNameCompleter``, ``headerValueCompleter``);
each cell editor borrows one while it is open.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCompleter,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QWidget,
)

HEADER_NAMES = (
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Authorization",
    "Cache-Control",
    "Connection",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-MD5",
    "Content-Type",
    "Cookie",
    "Date",
    "DNT",
    "Expect",
    "Forwarded",
    "From",
    "Host",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Idempotency-Key",
    "Max-Forwards",
    "Origin",
    "Pragma",
    "Prefer",
    "Proxy-Authorization",
    "Range",
    "Referer",
    "TE",
    "Traceparent",
    "Upgrade",
    "User-Agent",
    "Via",
    "X-Api-Key",
    "X-Correlation-Id",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Request-Id",
    "X-Requested-With",
)
MEDIA_TYPES = (
    "*/*",
    "application/json",
    "application/problem+json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "application/pdf",
    "application/graphql",
    "application/x-ndjson",
    "application/ld+json",
    "application/hal+json",
    "application/vnd.api+json",
    "application/yaml",
    "multipart/form-data",
    "text/plain",
    "text/html",
    "text/csv",
    "text/xml",
    "text/event-stream",
    "image/png",
    "image/jpeg",
)
MEDIA_TYPE_HEADERS = frozenset({"accept", "content-type"})

_Index = QModelIndex | QPersistentModelIndex


class HeaderDelegate(QStyledItemDelegate):
    """Cell editors of the Headers grid, with the matching completer attached."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self._table = table
        self.names = self._completer("headerNameCompleter", HEADER_NAMES, table)
        self.values = self._completer("headerValueCompleter", MEDIA_TYPES, table)

    @staticmethod
    def _completer(name: str, words: tuple[str, ...], parent: QObject) -> QCompleter:
        completer = QCompleter(list(words), parent)
        completer.setObjectName(name)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        return completer

    def completer_for(self, row: int, column: int) -> QCompleter | None:
        if column == 0:
            return self.names
        name = self._table.item(row, 0)
        if name is not None and name.text().strip().lower() in MEDIA_TYPE_HEADERS:
            return self.values
        return None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        editor = super().createEditor(parent, option, index)
        completer = self.completer_for(index.row(), index.column())
        if isinstance(editor, QLineEdit) and completer is not None:
            editor.setCompleter(completer)
        return editor
