"""The Auth tab: fields come from the auth schema, and an auth it cannot edit is shown
read-only and saved back exactly as loaded."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit

from explorer.core.models import AuthSpec
from explorer.ui.auth_tab import AuthTab

KEPT = [
    AuthSpec("ntlm", (("username", "u"), ("password", "SK"), ("domain", "corp"))),
    AuthSpec("hawk", (("authId", "id"), ("authKey", "{{hawk_key}}"), ("algorithm", "sha256"))),
]


@pytest.fixture
def tab(qtbot) -> AuthTab:  # type: ignore[no-untyped-def]
    widget = AuthTab()
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("auth", KEPT, ids=[a.type for a in KEPT])
def test_an_auth_the_tab_cannot_edit_is_read_only_and_kept_on_save(
    tab: AuthTab, auth: AuthSpec
) -> None:
    tab.load(auth)
    assert tab.kind.currentData() == auth.type
    assert tab.kind.currentText() != "Inherit"
    assert tab.hint.text() == (
        f"API Explorer cannot send {auth.type} auth yet; it is kept as imported and "
        "exported unchanged."
    )
    assert tab.to_auth() == auth
    assert "SK" not in tab.kept_view.text()  # a literal secret is not shown


def test_opening_another_request_drops_the_kept_entry(tab: AuthTab) -> None:
    tab.load(KEPT[0])
    tab.load(None)
    assert tab.to_auth() is None
    assert tab.kind.findData("ntlm") == -1


def test_api_key_fields_come_from_the_schema(tab: AuthTab) -> None:
    tab.kind.setCurrentIndex(tab.kind.findData("api-key"))
    key, value, where = (tab.field("api-key", n) for n in ("key", "value", "in"))
    assert isinstance(key, QLineEdit)
    assert isinstance(value, QLineEdit)
    assert isinstance(where, QComboBox)
    assert [where.itemText(i) for i in range(where.count())] == ["header", "query", "cookie"]
    assert value.echoMode() == QLineEdit.EchoMode.PasswordEchoOnEdit
    key.setText("subscription-key")
    value.setText("{{apim_key}}")
    where.setCurrentText("query")
    expected = AuthSpec(
        "api-key", (("key", "subscription-key"), ("value", "{{apim_key}}"), ("in", "query"))
    )
    assert tab.to_auth() == expected
    tab.load(None)
    tab.load(expected)
    assert tab.to_auth() == expected
