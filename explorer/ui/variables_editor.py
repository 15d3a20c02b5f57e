"""The environments and variables editor (``variablesEditor``): every place a ``{{variable}}``
gets its value, edited in the window instead of in YAML or with command-line flags.

Left, the scopes (``variablesScopes``): each collection's own variables, its folders', its
saved environments (an OpenAPI import's "Server 1"), and each provider environment's saved
values. Right, the scope's variables (``variablesTable``: name, value, secret), where the
selected names are used (``variablesWhereUsed``) and what a send there would resolve each name
to and from which layer (``variablesResolved``). A secret's value goes to the credential store
and is shown as bullets; ``variablesReveal`` shows it on an explicit click. Everything is read
and written by ``VariablesService`` off the UI thread; ``saved`` tells the window to refresh
the URL bar's scope and the environment list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.services.variables import (
    ENVIRONMENT,
    ENVIRONMENTS,
    FOLDER,
    MASK,
    ResolvedValue,
    ScopeNode,
    UsedBy,
    VariableEdit,
    VariableScope,
    VariableSheet,
    VariablesService,
)
from explorer.ui.operations import Failure, Operations

NAME, VALUE, SECRET = range(3)
SCOPE_ROLE = Qt.ItemDataRole.UserRole
Selection = Callable[[], tuple[str | None, str | None]]
@dataclass
class _Row:
    """What the table cannot hold in plain sight: a secret's value (known once typed or
    revealed), whether one is stored, and the row's name when read (to move a renamed one)."""

    was: str = ""
    value: str | None = ""
    stored: bool = False
    edited: bool = False
    revealed: bool = False


class _ValueDelegate(QStyledItemDelegate):
    """Edits the value column from the row's state; a secret is typed in a password field."""

    def __init__(self, editor: VariablesEditor) -> None:
        super().__init__(editor.table)
        self._editor = editor

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        field = QLineEdit(parent)
        if self._editor.is_secret(index.row()):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(self._editor.rows[index.row()].value or "")

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, QLineEdit):
            self._editor.set_value(index.row(), editor.text())


class VariablesEditor(QDialog):
    """Non-modal; built with the window (cheap: nothing is read until it is opened)."""

    saved = Signal()

    def __init__(
        self,
        service: VariablesService | None,
        ops: Operations,
        selection: Selection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("variablesEditor")
        self.setWindowTitle("Environments and variables")
        self.setModal(False)
        self.resize(980, 600)
        self._service, self._ops, self._selection = service, ops, selection
        self.scope: VariableScope | None = None
        #: The scope whose rows the table holds: None while they are being read, so no edit
        #: is made (and then wiped by the read) before they arrive.
        self.shown: VariableScope | None = None
        self.rows: list[_Row] = []
        self._wanted: VariableScope | None = None
        self._generation = 0
        self._reveal = False
        self._build()

    def _build(self) -> None:
        self.scopes = QTreeWidget(self)
        self.scopes.setObjectName("variablesScopes")
        self.scopes.setHeaderHidden(True)
        self.scopes.currentItemChanged.connect(self._on_scopes_current_changed)
        self.where = QLabel("Choose where the variables live.", self)
        self.where.setObjectName("variablesWhere")
        self.where.setWordWrap(True)
        self._build_table()
        self._build_buttons()
        self.used = QListWidget(self)
        self.used.setObjectName("variablesWhereUsed")
        self.resolved = QListWidget(self)
        self.resolved.setObjectName("variablesResolved")
        self._lay_out()
        self._enable()

    def _build_table(self) -> None:
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("variablesTable")
        self.table.setHorizontalHeaderLabels(["Name", "Value", "Secret"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SECRET, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(NAME, 180)
        self.table.verticalHeader().hide()
        self.table.setItemDelegateForColumn(VALUE, _ValueDelegate(self))
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.table.currentCellChanged.connect(lambda *_: self._refresh_used())

    def _build_buttons(self) -> None:
        self.buttons = buttons = QHBoxLayout()
        self.add_button = self._button("variablesAdd", "Add", self.add_row, buttons)
        self.remove_button = self._button("variablesRemove", "Remove", self.remove_row, buttons)
        self.reveal_button = self._button("variablesReveal", "Reveal", self.reveal, buttons)
        self.reveal_button.setToolTip("Show the stored values of secret variables (one click)")
        buttons.addStretch(1)
        self.new_env = self._button(
            "variablesAddEnvironment", "New environment…", self._ask_new_environment, buttons
        )
        self.rename_env = self._button(
            "variablesRenameEnvironment", "Rename…", self._ask_rename_environment, buttons
        )
        self.delete_env = self._button(
            "variablesDeleteEnvironment", "Delete", self.delete_environment, buttons
        )
        self.save_button = self._button("variablesSave", "Save", self.save, buttons)
        self.error = QLabel(self)
        self.error.setObjectName("variablesError")
        self.error.setWordWrap(True)
        self.error.hide()

    def _lay_out(self) -> None:
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.where)
        column.addWidget(self.table, 3)
        column.addLayout(self.buttons)
        column.addWidget(self.error)
        lists = QHBoxLayout()
        for title, widget in (
            ("Used by (the selected variable, else all)", self.used),
            ("What a send here resolves (value, layer)", self.resolved),
        ):
            box = QVBoxLayout()
            box.addWidget(QLabel(title, right))
            box.addWidget(widget)
            lists.addLayout(box)
        column.addLayout(lists, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.scopes)
        splitter.addWidget(right)
        splitter.setSizes([260, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _button(
        self, name: str, text: str, slot: Callable[[], object], row: QHBoxLayout
    ) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        row.addWidget(button)
        return button

    # -- opening --------------------------------------------------------------------------------
    def open_for(self, scope: VariableScope | None = None) -> None:
        """Show the editor (re-reading the scopes) on ``scope``, or on what it showed last."""
        self._wanted = scope or self.scope
        self.show()
        self.activateWindow()
        self.reload_scopes()

    def reload_scopes(self) -> None:
        if self._service is None:
            return
        self._ops.run(self._service.scopes(), self._on_service_scopes, on_failure=self._fail)

    def _on_service_scopes(self, nodes: list[ScopeNode]) -> None:
        self.scopes.blockSignals(True)
        self.scopes.clear()
        for node in nodes:
            self.scopes.addTopLevelItem(self._item(node))
        self.scopes.expandAll()
        self.scopes.blockSignals(False)
        found = self._find(self._wanted) if self._wanted is not None else None
        if found is not None:
            self.scopes.setCurrentItem(found)
        else:
            self.scopes.clearSelection()
            self._show_nothing()

    def _item(self, node: ScopeNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([node.label])
        item.setData(0, SCOPE_ROLE, node.scope)
        if node.scope is None:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
        for child in node.children:
            item.addChild(self._item(child))
        return item

    def _find(self, scope: VariableScope) -> QTreeWidgetItem | None:
        pending = [self.scopes.topLevelItem(i) for i in range(self.scopes.topLevelItemCount())]
        while pending:
            item = pending.pop()
            if item is None:
                continue
            data = item.data(0, SCOPE_ROLE)
            if isinstance(data, VariableScope) and _same(data, scope):
                return item
            pending.extend(item.child(i) for i in range(item.childCount()))
        return None

    def select(self, scope: VariableScope) -> bool:
        """Make ``scope`` the one edited (False when the tree does not list it)."""
        found = self._find(scope)
        if found is not None:
            self.scopes.setCurrentItem(found)
        return found is not None

    def _on_scopes_current_changed(self, item: QTreeWidgetItem | None) -> None:
        data = item.data(0, SCOPE_ROLE) if item is not None else None
        if not isinstance(data, VariableScope) or self._service is None:
            self._show_nothing()
            return
        self.scope, self.shown, self._reveal = data, None, False
        self._enable()
        self.reveal_button.setText("Reveal")
        self._generation += 1
        generation = self._generation
        self._ops.run(
            self._service.read(data),
            lambda sheet: self._on_service_read(generation, sheet),
            on_failure=self._fail,
        )

    def _show_nothing(self) -> None:
        self.scope = self.shown = None
        self.rows = []
        self.table.setRowCount(0)
        self.used.clear()
        self.resolved.clear()
        self.where.setText("Choose where the variables live.")
        self._enable()

    # -- the table ------------------------------------------------------------------------------
    def _on_service_read(self, generation: int, sheet: VariableSheet) -> None:
        if generation != self._generation:
            return
        self.error.hide()
        self.where.setText(sheet.where)
        self.rows = []
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for row in sheet.rows:
            value = None if row.secret else row.value
            self._append(row.name, row.secret, _Row(row.name, value, row.stored))
        self.table.blockSignals(False)
        self.shown = self.scope
        self._enable()
        self._refresh_used()
        self._refresh_resolved()

    def _append(self, name: str, secret: bool, state: _Row) -> int:
        index = self.table.rowCount()
        self.rows.append(state)
        self.table.insertRow(index)
        self.table.setItem(index, NAME, QTableWidgetItem(name))
        self.table.setItem(index, VALUE, QTableWidgetItem())
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        check.setCheckState(Qt.CheckState.Checked if secret else Qt.CheckState.Unchecked)
        check.setToolTip("Secret: the value goes to the credential store, never to a file")
        self.table.setItem(index, SECRET, check)
        self._show_value(index)
        return index

    def is_secret(self, row: int) -> bool:
        item = self.table.item(row, SECRET)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def _show_value(self, row: int) -> None:
        state, item = self.rows[row], self.table.item(row, VALUE)
        if item is None:
            return
        blocked = self.table.blockSignals(True)
        if not self.is_secret(row):
            item.setText(state.value or "")
            item.setToolTip("")
        elif state.revealed and state.value is not None:
            item.setText(state.value)
            item.setToolTip("Revealed: Hide or save to mask it again")
        else:
            item.setText(MASK if state.value or state.stored else "")
            item.setToolTip("Stored in the credential store" if state.stored else "Not set")
        self.table.blockSignals(blocked)

    def set_value(self, row: int, text: str) -> None:
        """The value typed into ``row`` (a secret's stays in memory until saved)."""
        state = self.rows[row]
        state.value, state.edited = text, True
        self._show_value(row)

    def set_row(self, row: int, name: str, value: str, secret: bool = False) -> None:
        """Fill ``row`` as a user would type it (name, value, the secret box)."""
        name_item, check = self.table.item(row, NAME), self.table.item(row, SECRET)
        if name_item is None or check is None:
            return
        name_item.setText(name)
        check.setCheckState(Qt.CheckState.Checked if secret else Qt.CheckState.Unchecked)
        self.set_value(row, value)

    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        row = item.row()
        if item.column() == SECRET and 0 <= row < len(self.rows):
            state = self.rows[row]
            if state.value:  # a typed (or plain) value moves with the box
                state.edited = True
            self._show_value(row)
        elif item.column() == NAME:
            self._refresh_used()

    def add_row(self) -> int:
        row = self._append("", False, _Row("", "", edited=True))
        self.table.setCurrentCell(row, NAME)
        item = self.table.item(row, NAME)
        if item is not None:
            self.table.editItem(item)
        return row

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.table.removeRow(row)
            del self.rows[row]

    def _name(self, row: int) -> str:
        item = self.table.item(row, NAME) if row >= 0 else None
        return item.text().strip() if item is not None else ""

    def edits(self) -> list[VariableEdit]:
        """The table as the service saves it."""
        found = []
        for row, state in enumerate(self.rows):
            secret = self.is_secret(row)
            value = state.value if (state.edited or not secret) else None
            found.append(VariableEdit(self._name(row), value, secret, state.was))
        return found

    # -- actions --------------------------------------------------------------------------------
    def save(self) -> None:
        scope = self.scope
        if scope is None or self._service is None:
            return
        self.save_button.setEnabled(False)
        self._generation += 1
        generation = self._generation

        def done(sheet: VariableSheet) -> None:
            self._on_service_read(generation, sheet)
            self.saved.emit()

        self._ops.run(self._service.save(scope, self.edits()), done, on_failure=self._fail)

    def reveal(self) -> None:
        """Show (or hide again) the secret values: the table's and the resolved preview's."""
        scope = self.scope
        if scope is None or self._service is None:
            return
        self._reveal = not self._reveal
        self.reveal_button.setText("Hide" if self._reveal else "Reveal")
        for row, state in enumerate(self.rows):
            if not self.is_secret(row):
                continue
            state.revealed = self._reveal
            if self._reveal and state.stored and not state.edited:
                self._ops.run(
                    self._service.reveal(scope, state.was),
                    self._revealer(row, state),
                    on_failure=self._fail,
                )
            self._show_value(row)
        self._refresh_resolved()

    def _revealer(self, row: int, state: _Row) -> Callable[[str | None], None]:
        """Shows the value the store gives for ``row``, if it is still that row, revealed."""

        def show(value: str | None) -> None:
            if row < len(self.rows) and self.rows[row] is state and state.revealed:
                state.value = value or ""
                self._show_value(row)

        return show

    def add_environment(self, name: str) -> None:
        """A new environment of the collection whose scope is shown."""
        scope = self.scope
        if scope is None or scope.directory is None or self._service is None:
            return
        collection, _listed = _collection_of(self.scopes.currentItem())
        if collection is None:
            return
        self._ops.run(
            self._service.add_environment(collection, name),
            self._on_environment_changed,
            on_failure=self._fail,
        )

    def rename_environment(self, name: str) -> None:
        scope = self.scope
        if scope is None or scope.kind != ENVIRONMENT or self._service is None:
            return
        self._ops.run(
            self._service.rename_environment(scope, name),
            self._on_environment_changed,
            on_failure=self._fail,
        )

    def delete_environment(self) -> None:
        scope = self.scope
        if scope is None or scope.kind != ENVIRONMENT or self._service is None:
            return
        self._ops.run(
            self._service.delete_environment(scope),
            lambda _none: self._on_environment_changed(VariableScope(FOLDER, scope.directory)),
            on_failure=self._fail,
        )

    def _on_environment_changed(self, scope: VariableScope) -> None:
        self._wanted = scope
        self.reload_scopes()
        self.saved.emit()

    def _ask_new_environment(self) -> None:
        name, ok = QInputDialog.getText(self, "New environment", "Name of the environment:")
        if ok:
            self.add_environment(name)

    def _ask_rename_environment(self) -> None:
        current = self.scope.environment if self.scope is not None else ""
        name, ok = QInputDialog.getText(self, "Rename environment", "New name:", text=current)
        if ok:
            self.rename_environment(name)

    def _fail(self, error: Failure) -> None:
        self.error.setText(str(error))
        self.error.show()
        self._enable()

    def _enable(self) -> None:
        scope = self.scope
        editable = scope is not None and self.shown == scope
        for button in (self.add_button, self.remove_button, self.reveal_button, self.save_button):
            button.setEnabled(editable)
        own = scope is not None and _collection_of(self.scopes.currentItem())[1]
        self.new_env.setEnabled(own)
        self.rename_env.setEnabled(scope is not None and scope.kind == ENVIRONMENT)
        self.delete_env.setEnabled(scope is not None and scope.kind == ENVIRONMENT)

    # -- where used and what resolves -----------------------------------------------------------
    def _refresh_used(self) -> None:
        scope = self.scope
        if scope is None or self._service is None:
            return
        every = [self._name(r) for r in range(self.table.rowCount())]
        current = self._name(self.table.currentRow())
        names = [current] if current else every
        generation = self._generation
        self._ops.run(
            self._service.where_used(scope, [n for n in names if n]),
            lambda used: self._on_service_used(generation, used),
            on_failure=self._fail,
        )

    def _on_service_used(self, generation: int, used: list[UsedBy]) -> None:
        if generation != self._generation:
            return
        self.used.clear()
        for usage in used:
            self.used.addItem(f"{{{{{usage.name}}}}}: {usage.request} ({', '.join(usage.places)})")
        if not used:
            self.used.addItem("No request here uses these variables.")

    def _refresh_resolved(self) -> None:
        scope = self.scope
        if scope is None or self._service is None:
            return
        generation = self._generation
        self._ops.run(
            self._service.resolved(scope, self._selection(), self._reveal),
            lambda values: self._on_service_resolved(generation, values),
            on_failure=self._fail,
        )

    def _on_service_resolved(self, generation: int, values: list[ResolvedValue]) -> None:
        if generation != self._generation:
            return
        self.resolved.clear()
        for value in values:
            shown = value.problem or value.value
            self.resolved.addItem(f"{value.name} → {shown}  ({value.layer})")


def _same(a: VariableScope, b: VariableScope) -> bool:
    """The same place (an environment's name in any case, as the core matches it)."""
    return (a.kind, a.directory, a.owner, a.environment.lower()) == (
        b.kind,
        b.directory,
        b.owner,
        b.environment.lower(),
    )


def _collection_of(item: QTreeWidgetItem | None) -> tuple[Path | None, bool]:
    """The collection folder above ``item`` in the scope tree (its "Collection variables"
    entry's) and whether it lists saved environments (it is bound to no provider)."""
    top = item
    while top is not None and top.parent() is not None:
        top = top.parent()
    if top is None or top.childCount() == 0:
        return None, False
    children = [child for i in range(top.childCount()) if (child := top.child(i)) is not None]
    first = children[0].data(0, SCOPE_ROLE) if children else None
    directory = first.directory if isinstance(first, VariableScope) else None
    return directory, any(child.text(0) == ENVIRONMENTS for child in children)
