"""A read-only table of cookies (the response's Cookies tab and the jar viewer): name, value,
domain, path, expiry, HttpOnly, Secure, SameSite. A credential-looking value
(``cookies.looks_secret``, or one holding a secret of the send) shows as bullets until the user
clicks Reveal."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from explorer.core.redaction import MASK

if TYPE_CHECKING:
    from explorer.core.cookies import CookieRecord

COLUMNS = ("Name", "Value", "Domain", "Path", "Expires", "HttpOnly", "Secure", "SameSite")
VALUE = COLUMNS.index("Value")


class CookieTable(QTableWidget):
    """Rows of ``CookieRecord``s; ``record(row)`` gives a row's cookie back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        self._records: list[CookieRecord] = []
        self._secret: list[bool] = []
        self._revealed = False

    def show_records(self, records: Sequence[CookieRecord], secrets: Iterable[str] = ()) -> None:
        """``records``, masking each credential-looking value and any holding one of
        ``secrets`` (the send's secret values)."""
        known = [s for s in secrets if len(s) >= 3]
        self._records = list(records)
        self._secret = [r.secret or any(s in r.value for s in known) for r in self._records]
        self.setRowCount(len(self._records))
        for row, record in enumerate(self._records):
            cells = (
                record.name,
                "",
                record.domain,
                record.path,
                _expiry(record.expires),
                "✓" if record.http_only else "",
                "✓" if record.secure else "",
                record.same_site,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column != VALUE:
                    item.setToolTip(text)
                self.setItem(row, column, item)
        self._paint_values()
        self.resizeColumnsToContents()

    def set_revealed(self, revealed: bool) -> None:
        self._revealed = revealed
        self._paint_values()

    @property
    def has_secrets(self) -> bool:
        return any(self._secret)

    def record(self, row: int) -> CookieRecord:
        return self._records[row]

    def _paint_values(self) -> None:
        for row, record in enumerate(self._records):
            hidden = self._secret[row] and not self._revealed
            item = self.item(row, VALUE)
            if item is None:
                continue
            item.setText(MASK if hidden else record.value)
            item.setToolTip("Click Reveal to see this value" if hidden else record.value)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, "hidden" if hidden else record.value)


def _expiry(expires: float | None) -> str:
    if expires is None:
        return "Session"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(expires))
