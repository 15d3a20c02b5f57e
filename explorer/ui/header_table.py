"""The read-only Name/Value table of HTTP headers, as the response and the sent request show
them: names sized to their content, values taking the rest, one line per header."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget


def header_table(object_name: str, parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, 2, parent)
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(["Name", "Value"])
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    return table


def fill_headers(table: QTableWidget, headers: list[tuple[str, str]]) -> None:
    table.setRowCount(len(headers))
    for index, (name, value) in enumerate(headers):
        table.setItem(index, 0, QTableWidgetItem(name))
        table.setItem(index, 1, QTableWidgetItem(value))
