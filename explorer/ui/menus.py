"""The window's menus beyond File's workspace actions and Run: File ▸ Quit, Edit (undo, redo,
cut, copy, paste, select all on the focused field; Settings…), View (theme, panes) and Help
(shortcuts, about, documentation), in the order File, Edit, View, Run, Help.

The Edit actions show their usual keys but leave the keys to the focused widget (a shortcut
on both would be ambiguous and fire neither); the menu entries act on whatever has focus.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHeaderView,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer import __version__
from explorer.ui import theme

if TYPE_CHECKING:
    from explorer.core.settings import AppSettings
    from explorer.ui.main_window import MainWindow
    from explorer.ui.settings_dialog import SettingsDialog

THEMES = (("System", "system"), ("Light", "light"), ("Dark", "dark"))

EDIT_ACTIONS = (
    ("undo", "&Undo", QKeySequence.StandardKey.Undo),
    ("redo", "&Redo", QKeySequence.StandardKey.Redo),
    ("cut", "Cu&t", QKeySequence.StandardKey.Cut),
    ("copy", "&Copy", QKeySequence.StandardKey.Copy),
    ("paste", "&Paste", QKeySequence.StandardKey.Paste),
    ("selectAll", "Select &All", QKeySequence.StandardKey.SelectAll),
)
#: What the window's own shortcuts (``QShortcut``s without a menu entry) do.
SHORTCUT_NAMES = {
    "Ctrl+Return": "Send the request",
    "Ctrl+Enter": "Send the request",
    "Esc": "Cancel the send; close the search",
    "Ctrl+F": "Find in the response",
    "Ctrl+L": "Go to the URL",
    "Ctrl+G": "Go to line in the response body",
}


def docs_url() -> QUrl:
    """The documentation beside the program (a source checkout's ``docs/``), else its README."""
    root = Path(__file__).resolve().parents[2]
    docs = root / "docs" / "architecture.md"
    return QUrl.fromLocalFile(str(docs if docs.is_file() else root / "README.md"))


def install_menus(window: MainWindow) -> None:
    """Add the menus to ``window`` around the File and Run menus it may already have."""
    bar = window.menuBar()
    titled = {a.text().replace("&", ""): a for a in bar.actions() if a.menu() is not None}
    file_menu = titled["File"].menu() if "File" in titled else bar.addMenu("&File")
    assert isinstance(file_menu, QMenu)
    file_menu.setObjectName("fileMenu")
    run = titled.get("Run")
    edit_menu = QMenu("&Edit", bar)
    view_menu = QMenu("&View", bar)
    for menu in (edit_menu, view_menu):
        if run is not None:
            bar.insertMenu(run, menu)
        else:
            bar.addMenu(menu)
    _fill_file(window, file_menu)
    _fill_edit(edit_menu, window)
    _fill_view(window, view_menu)
    _fill_help(window, bar.addMenu("&Help"))


def settings_dialog(window: MainWindow) -> SettingsDialog:
    """The window's ``settingsDialog`` (its pages are built when first opened)."""
    from explorer.ui.env_proxy_table import provider_choices
    from explorer.ui.settings_dialog import SettingsDialog

    services = window.services
    dialog = SettingsDialog(
        services.app_settings,
        window.ops,
        window,
        services.cookies,
        choices=lambda: provider_choices(window.provider_bar.providers),
    )
    dialog.applied.connect(lambda s: _on_settings_applied(window, s))
    return dialog


def _action(menu: QMenu, name: str, text: str, keys: QKeySequence | None = None) -> QAction:
    action = menu.addAction(text)
    action.setObjectName(name)
    if keys is not None:
        action.setShortcut(keys)
    return action


def _fill_file(window: MainWindow, menu: QMenu) -> None:
    menu.addSeparator()
    quit_action = _action(menu, "quitAction", "&Quit", QKeySequence("Ctrl+Q"))
    quit_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    quit_action.triggered.connect(window.close)


def _fill_edit(menu: QMenu, window: MainWindow) -> None:
    menu.setObjectName("editMenu")
    for slot, text, keys in EDIT_ACTIONS:
        action = _action(menu, f"editAction_{slot}", text, QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # shown, keys left alone
        action.triggered.connect(lambda _checked=False, s=slot: _on_focused(s))
    menu.addSeparator()
    settings = _action(menu, "settingsAction", "&Settings…", QKeySequence("Ctrl+,"))
    settings.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    settings.setMenuRole(QAction.MenuRole.PreferencesRole)
    settings.triggered.connect(window.open_settings)


def _on_focused(slot: str) -> None:
    """Call ``slot`` (copy, paste ...) on the focused widget, when it has one."""
    focused = QApplication.focusWidget()
    method = getattr(focused, slot, None)
    if callable(method):
        method()


def _fill_view(window: MainWindow, menu: QMenu) -> None:
    menu.setObjectName("viewMenu")
    themes = menu.addMenu("&Theme")
    themes.setObjectName("themeMenu")
    group = QActionGroup(themes)
    group.setExclusive(True)
    current = theme.current()
    for label, value in THEMES:
        action = _action(themes, f"themeAction_{value}", label)
        action.setCheckable(True)
        action.setChecked(value == current)
        group.addAction(action)
        action.triggered.connect(lambda _checked=False, v=value: _choose_theme(window, v))
    menu.addSeparator()
    panes = (
        ("viewAction_sidePane", "&Side pane", window.main_splitter.widget(0)),
        ("viewAction_responsePane", "&Response pane", window.response),
    )
    for name, text, pane in panes:
        if pane is None:
            continue
        action = _action(menu, name, text)
        action.setCheckable(True)
        action.setChecked(True)
        action.toggled.connect(pane.setVisible)


def _choose_theme(window: MainWindow, name: str) -> None:
    """Switch now and keep the choice in the settings."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme.apply(app, name)
    service = window.services.app_settings
    if service is None:
        return

    def keep(settings: AppSettings) -> None:
        from explorer.core.settings import Theme

        window.ops.run(
            service.save(replace(settings, theme=Theme(name)), None),
            lambda _saved: None,
            failure="The theme could not be saved",
        )

    window.ops.run(service.load(), keep, failure="The theme could not be saved")


def _on_settings_applied(window: MainWindow, settings: AppSettings) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and settings.theme.value != theme.current():
        theme.apply(app, settings.theme.value)
    for action in window.findChildren(QAction):
        if action.objectName().startswith("themeAction_"):
            action.setChecked(action.objectName() == f"themeAction_{settings.theme.value}")


def _fill_help(window: MainWindow, menu: QMenu) -> None:
    menu.setObjectName("helpMenu")
    shortcuts = _action(menu, "shortcutsAction", "&Keyboard shortcuts")
    dialog = ShortcutsDialog(window)
    shortcuts.triggered.connect(dialog.open_list)
    docs = _action(menu, "docsAction", "&Documentation")
    docs.triggered.connect(lambda: QDesktopServices.openUrl(docs_url()))
    menu.addSeparator()
    about = _action(menu, "aboutAction", "&About API Explorer")
    about.setMenuRole(QAction.MenuRole.AboutRole)
    about.triggered.connect(lambda: _show_about(window))


def _show_about(window: QWidget) -> None:
    box = QMessageBox(window)
    box.setObjectName("aboutDialog")
    box.setWindowTitle("About API Explorer")
    box.setText(
        f"API Explorer {__version__}\n\nA desktop client for vendor REST APIs: collections, "
        "environments, credentials in the OS keyring, and the same engine on the command line."
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class ShortcutsDialog(QDialog):
    """``shortcutsDialog``: every shortcut of the window, read from its actions and shortcuts
    when opened (so actions added later by other parts are listed too)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self._window = window
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.resize(480, 420)

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do), actions first, each key once."""
        found: dict[str, str] = {}
        for action in self._window.findChildren(QAction):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and action.text():
                found.setdefault(keys, action.text().replace("&", "").rstrip("…."))
        for shortcut in self._window.findChildren(QShortcut):
            keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
            portable = shortcut.key().toString(QKeySequence.SequenceFormat.PortableText)
            what = SHORTCUT_NAMES.get(portable) or shortcut.whatsThis()
            if keys and what:
                found.setdefault(keys, what)
        return sorted(found.items(), key=lambda row: row[1].lower())

    def open_list(self) -> None:
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for index, (keys, what) in enumerate(rows):
            self.table.setItem(index, 0, QTableWidgetItem(keys))
            self.table.setItem(index, 1, QTableWidgetItem(what))
        self.table.resizeColumnToContents(0)
        self.show()
