"""The environments and variables editor (``variablesEditor``) in the real window: its object
names exist once the window is shown; a collection variable and a secret variable set there
are saved where they live (the secret in the OS keyring, no file holding it) and the next send
resolves both (httpbin's ``/headers`` echoes them); the newcomer path imports an OpenAPI file,
fills its "Server 1" environment and its secret in the editor, and sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QPushButton, QWidget

from explorer.core.models import KeyValue, RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import SendOutcome, Services
from explorer.services.variables import ENVIRONMENT, FOLDER, MASK, VariableScope
from explorer.ui.variables_editor import VariablesEditor
from explorer.ui.window_text import for_window
from tests.services.test_variables_service import (  # noqa: F401 - the fixture
    _service_name,
    file_text,
    keyring_services,
)
from tests.ui.conftest import OFFSCREEN_NOISE, open_window
from tests.ui.test_collection_environments import click, tree

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SECRET = "tok-FROM-the-editor-7"
NAMES = (
    "variablesEditor",
    "variablesButton",
    "variablesScopes",
    "variablesTable",
    "variablesReveal",
    "variablesAdd",
    "variablesRemove",
    "variablesSave",
    "variablesError",
    "variablesWhereUsed",
    "variablesResolved",
)


def test_every_object_name_exists_once_the_window_is_shown(window) -> None:  # type: ignore[no-untyped-def]
    for name in NAMES:
        assert window.findChild(QWidget, name) is not None, name
    action = window.findChild(QAction, "variablesAction")
    assert action is not None
    assert action.shortcut().toString() == "Ctrl+Shift+E"


def editor_of(window) -> VariablesEditor:  # type: ignore[no-untyped-def]
    found = window.findChild(VariablesEditor, "variablesEditor")
    assert found is not None
    return found


def texts(widget: QListWidget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def send(qtbot, window) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Send the open request to httpbin's ``/headers``: the headers it received."""
    with qtbot.waitSignal(window.request_finished, timeout=20_000) as finished:
        window.editor.send_button.click()
    outcome = finished.args[0]
    assert isinstance(outcome, SendOutcome)
    echoed: dict[str, str] = json.loads(outcome.exchange.response.body.head(1 << 20))["headers"]
    return echoed


def save(qtbot, editor: VariablesEditor) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        editor.findChild(QPushButton, "variablesSave").click()


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    """A provider-less collection whose request needs ``{{base_url}}`` and ``{{token}}``."""
    store = WorkspaceStore(tmp_path / "workspace")
    collection = store.create_collection("Shop")
    spec = RequestSpec(
        name="echo", url="{{base_url}}/headers", headers=(KeyValue("X-Token", "{{token}}"),)
    )
    return collection, store.create_request(collection, spec)


def test_a_secret_set_in_the_editor_is_kept_in_the_keyring_and_sent(  # type: ignore[no-untyped-def]
    qtbot,
    shop,
    keyring_services: Services,  # noqa: F811 - the fixture imported above
    secret_service_keyring,
    httpbin_url,
    tmp_path,
) -> None:
    collection, request = shop
    window = open_window(qtbot, keyring_services)
    try:
        qtbot.waitUntil(lambda: tree(window).index_of(request).isValid(), timeout=10_000)
        click(qtbot, window, request)
        window.findChild(QPushButton, "variablesButton").click()
        editor = editor_of(window)
        assert editor.isVisible()
        assert not editor.isModal()
        qtbot.waitUntil(lambda: editor.shown == VariableScope(FOLDER, collection), timeout=10_000)
        used = editor.findChild(QListWidget, "variablesWhereUsed")
        qtbot.waitUntil(lambda: "No request here" in " ".join(texts(used)), timeout=10_000)

        editor.set_row(editor.add_row(), "base_url", httpbin_url)
        editor.set_row(editor.add_row(), "token", SECRET, secret=True)
        assert editor.table.item(1, 1).text() == MASK  # typed, and masked at once
        save(qtbot, editor)
        assert editor.rows[1].stored
        assert secret_service_keyring.get_password(_service_name(tmp_path), "token") == SECRET
        assert editor.table.item(1, 1).text() == MASK
        qtbot.waitUntil(
            lambda: texts(used) == ["{{base_url}}: echo (url)", "{{token}}: echo (headers)"],
            timeout=10_000,
        )
        resolved = editor.findChild(QListWidget, "variablesResolved")
        qtbot.waitUntil(
            lambda: f"token → {MASK}  (collection secrets shop)" in texts(resolved),
            timeout=10_000,
        )
        assert not any(SECRET in line for line in texts(resolved))

        editor.findChild(QPushButton, "variablesReveal").click()  # one explicit click
        qtbot.waitUntil(lambda: editor.table.item(1, 1).text() == SECRET, timeout=10_000)
        qtbot.waitUntil(
            lambda: any(line.startswith(f"token → {SECRET}") for line in texts(resolved)),
            timeout=10_000,
        )

        # the window's scope follows: the URL bar colours base_url as defined, the send uses both
        qtbot.waitUntil(
            lambda: window.editor.url._scope.lookup("base_url") == (httpbin_url, False),
            timeout=10_000,
        )
        echoed = send(qtbot, window)
        assert echoed["X-Token"] == SECRET
        assert SECRET not in file_text(tmp_path / "workspace")
        assert SECRET not in file_text(tmp_path / "home")
    finally:
        window.close()


def test_a_bad_name_is_one_sentence_in_the_editor(qtbot, shop, services) -> None:  # type: ignore[no-untyped-def]
    collection, request = shop
    window = open_window(qtbot, services)
    try:
        qtbot.waitUntil(lambda: tree(window).index_of(request).isValid(), timeout=10_000)
        click(qtbot, window, request)
        editor = window.open_variables_editor()
        qtbot.waitUntil(lambda: editor.shown == VariableScope(FOLDER, collection), timeout=10_000)
        before = (collection / "collection.yaml").read_bytes()
        editor.set_row(editor.add_row(), "two words", "x")
        editor.findChild(QPushButton, "variablesSave").click()
        error = editor.findChild(QLabel, "variablesError")
        qtbot.waitUntil(lambda: "cannot be a variable name" in error.text(), timeout=10_000)
        assert (collection / "collection.yaml").read_bytes() == before
        assert editor.table.rowCount() == 1  # the row is still there to fix
    finally:
        window.close()


OPENAPI = """\
openapi: 3.0.3
info: {title: Echo, version: "1"}
servers:
  - url: http://{host}/
    variables:
      host: {default: "127.0.0.1:9"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security:
  - bearer: []
paths:
  /headers:
    get:
      summary: Echo headers
"""


def test_a_newcomer_imports_openapi_fills_its_server_and_secret_and_sends(  # type: ignore[no-untyped-def]
    qtbot, services: Services, httpbin_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "echo.yaml"
    source.write_text(OPENAPI)
    window = open_window(qtbot, services)
    try:
        assert window.workspace is not None
        dialog = window.workspace.open_import()
        dialog.choose(source)
        apply = dialog.findChild(QPushButton, "importApply")
        qtbot.waitUntil(apply.isEnabled, timeout=10_000)
        apply.click()
        collection = tmp_path / "workspace" / "collections" / "echo"
        qtbot.waitUntil((collection / "collection.yaml").is_file, timeout=10_000)
        (request,) = collection.glob("*.request.yaml")
        qtbot.waitUntil(lambda: tree(window).index_of(request).isValid(), timeout=10_000)
        click(qtbot, window, request)
        environments = window.findChild(QComboBox, "environmentCombo")
        qtbot.waitUntil(lambda: environments.findText("Server 1") >= 0, timeout=10_000)
        environments.setCurrentText("Server 1")

        editor = window.open_variables_editor()  # on the chosen environment
        server = VariableScope(ENVIRONMENT, collection, "echo", "Server 1")
        qtbot.waitUntil(lambda: editor.shown == server, timeout=10_000)
        qtbot.waitUntil(lambda: editor.table.rowCount() == 1, timeout=10_000)
        assert editor.table.item(0, 0).text() == "base_url"
        editor.set_value(0, httpbin_url)
        save(qtbot, editor)

        assert editor.select(VariableScope(FOLDER, collection))
        qtbot.waitUntil(lambda: editor.shown == VariableScope(FOLDER, collection), timeout=10_000)
        names = lambda: [editor.table.item(r, 0).text() for r in range(editor.table.rowCount())]  # noqa: E731
        qtbot.waitUntil(lambda: "token" in names(), timeout=10_000)
        row = names().index("token")
        assert editor.is_secret(row)
        editor.set_value(row, SECRET)
        save(qtbot, editor)
        # the credentials panel, listing the collection's secret variables, follows the editor
        stored = lambda: window.findChild(QLabel, "slotState_token")  # noqa: E731
        qtbot.waitUntil(lambda: stored() is not None and stored().text() == "stored")

        qtbot.waitUntil(
            lambda: window.editor.url._scope.lookup("base_url") == (httpbin_url, False),
            timeout=10_000,
        )
        echoed = send(qtbot, window)
        assert echoed["Authorization"] == f"Bearer {SECRET}"
        assert SECRET not in file_text(tmp_path / "workspace")
    finally:
        window.close()


def test_an_undefined_variable_points_to_the_editor_not_a_flag(qtbot, shop, services) -> None:  # type: ignore[no-untyped-def]
    _collection, request = shop
    window = open_window(qtbot, services)
    try:
        qtbot.waitUntil(lambda: tree(window).index_of(request).isValid(), timeout=10_000)
        click(qtbot, window, request)
        with qtbot.waitSignal(window.request_failed, timeout=20_000) as failed:
            window.editor.send_button.click()
        text = failed.args[0]
        assert "{{base_url}}" in text
        assert "Environments and variables… (Ctrl+Shift+E)" in text
        assert "--var" not in text
    finally:
        window.close()


def test_credential_advice_names_the_panel_in_the_window() -> None:
    cli = (
        "Flexiti needs client_secret; store it with 'api-explorer credentials set "
        '--provider flexiti --env "Sandbox (local)" --secret client_secret\'.'
    )
    assert for_window(cli) == "Flexiti needs client_secret; store it in the Credentials panel."
