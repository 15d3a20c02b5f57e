"""Disabled rows of the params/headers tables read as off in either theme (#15: an unchecked
box alone was invisible in dark mode): drawn in the palette's disabled text colour, and back to
the normal colour when checked again, without counting as an edit of the values."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from explorer.core.models import KeyValue
from explorer.ui.key_value_table import KeyValueTable


def test_a_disabled_row_is_dimmed_and_undimmed(qtbot) -> None:  # type: ignore[no-untyped-def]
    table = KeyValueTable("Header")
    qtbot.addWidget(table)
    table.load((KeyValue("X-On", "1"), KeyValue("X-Off", "2", enabled=False)))
    dim = table.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    normal = table.palette().text().color()
    assert dim != normal
    colours = lambda row: [table.table.item(row, c).foreground().color() for c in (0, 1)]  # noqa: E731
    assert colours(0) == [normal, normal]
    assert colours(1) == [dim, dim]
    changed: list[bool] = []
    table.changed.connect(lambda: changed.append(True))
    table.table.item(1, 0).setCheckState(Qt.CheckState.Checked)
    assert colours(1) == [normal, normal]
    assert [r.enabled for r in table.to_rows()] == [True, True]
    assert changed  # the check itself is an edit (the row is now sent)
