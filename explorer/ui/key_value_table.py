"""An editable name/value table with an enable checkbox per row (params, headers, form fields).

Disabled rows are kept and saved, not sent, as in Posting and Postman. There is always one empty
row at the end to type into; "Bulk edit" switches to ``name: value`` lines for pasting.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.core.models import KeyValue
from explorer.ui.header_completion import HeaderDelegate


class KeyValueTable(QWidget):
    changed = Signal()

    def __init__(
        self,
        object_name: str,
        separator: str = ": ",
        parent: QWidget | None = None,
        *,
        header_completion: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._separator = separator
        self._filling = False
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName(f"{object_name}Grid")
        self.table.setHorizontalHeaderLabels(["Name", "Value"])
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 220)
        header.setStretchLastSection(True)
        if header_completion:
            self.table.setItemDelegate(HeaderDelegate(self.table))
        self.bulk = QPlainTextEdit(self)
        self.bulk.setPlaceholderText(f"One per line: name{separator}value; # disables a line")
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.bulk)
        self.bulk_button = QPushButton("Bulk edit", self)
        self.bulk_button.setCheckable(True)
        self.bulk_button.setFlat(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addStretch(1)
        bar.addWidget(self.bulk_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bar)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.bulk_button.toggled.connect(self._on_bulk_button_toggled)
        self.load(())

    def load(self, rows: tuple[KeyValue, ...]) -> None:
        self._filling = True
        self.table.setRowCount(0)
        for row in (*rows, KeyValue("", "", True)):
            self._append(row)
        if self.bulk_button.isChecked():
            self.bulk.setPlainText(self._bulk_text(rows))
        self._filling = False

    def flag_values(self, rows: frozenset[int], reason: str) -> None:
        """Mark the value cells of ``rows`` (as loaded) with ``reason``: a value that has to be
        re-entered. The mark goes when the value is edited."""
        for index in rows:
            item = self.table.item(index, 1)
            if item is not None:
                item.setToolTip(reason)
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, reason)
                item.setBackground(self.palette().toolTipBase())

    def to_rows(self) -> tuple[KeyValue, ...]:
        if self.bulk_button.isChecked():
            return self._parse_bulk()
        rows = []
        for index in range(self.table.rowCount()):
            name_item, value_item = self.table.item(index, 0), self.table.item(index, 1)
            name = name_item.text() if name_item else ""
            value = value_item.text() if value_item else ""
            if not name and not value:
                continue
            enabled = name_item is not None and name_item.checkState() == Qt.CheckState.Checked
            rows.append(KeyValue(name, value, enabled))
        return tuple(rows)

    def _append(self, row: KeyValue) -> None:
        index = self.table.rowCount()
        self.table.insertRow(index)
        name = QTableWidgetItem(row.name)
        name.setFlags(name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        name.setCheckState(Qt.CheckState.Checked if row.enabled else Qt.CheckState.Unchecked)
        self.table.setItem(index, 0, name)
        self.table.setItem(index, 1, QTableWidgetItem(row.value))
        self._dim(index)

    def _dim(self, index: int) -> None:
        """A disabled row (unchecked: not sent) is drawn in the palette's disabled text colour,
        so it reads as off in either theme, not only by its checkbox."""
        name = self.table.item(index, 0)
        if name is None:
            return
        off = name.checkState() != Qt.CheckState.Checked
        colour = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for column in (0, 1):
            item = self.table.item(index, column)
            if item is not None:
                item.setForeground(colour if off else self.palette().text())

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        if item.column() == 0:
            self._filling = True  # the colour change is no edit
            self._dim(item.row())
            self._filling = False
        if item.column() == 1 and item.text() and item.toolTip():
            self._filling = True  # the flag's own changes are no edit
            item.setToolTip("")
            item.setData(Qt.ItemDataRole.BackgroundRole, None)
            self._filling = False
        last = self.table.rowCount() - 1
        if item.row() == last and item.text():
            self._filling = True
            self._append(KeyValue("", "", True))
            self._filling = False
        self.changed.emit()

    def _parse_bulk(self) -> tuple[KeyValue, ...]:
        rows = []
        for line in self.bulk.toPlainText().splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            enabled = not stripped.startswith("#")
            stripped = stripped.lstrip("#").strip()
            name, _, value = stripped.partition(self._separator.strip())
            rows.append(KeyValue(name.strip(), value.strip(), enabled))
        return tuple(rows)

    def _on_bulk_button_toggled(self, bulk: bool) -> None:
        if bulk:
            self.bulk.setPlainText(self._bulk_text(self.to_rows_from_table()))
            self.pages.setCurrentWidget(self.bulk)
        else:
            self.load(self._parse_bulk())
            self.pages.setCurrentWidget(self.table)
        self.changed.emit()

    def _bulk_text(self, rows: tuple[KeyValue, ...]) -> str:
        return "\n".join(
            f"{'' if r.enabled else '# '}{r.name}{self._separator}{r.value}" for r in rows
        )

    def to_rows_from_table(self) -> tuple[KeyValue, ...]:
        checked = self.bulk_button.isChecked()
        self.bulk_button.blockSignals(True)
        self.bulk_button.setChecked(False)
        rows = self.to_rows()
        self.bulk_button.setChecked(checked)
        self.bulk_button.blockSignals(False)
        return rows
