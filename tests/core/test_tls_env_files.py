"""Where TLS files are written (issue 14 item 7): a preset environment's ``tls:`` and a
collection's ``collection.yaml`` ``tls:`` are read with located errors for unknown keys and
impossible combinations, round-trip unchanged, and become the reserved variables a send reads;
a PKCS#12 file's password is a secret variable of the collection."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from explorer.core.errors import FormatError
from explorer.core.provider_loader import load_profile
from explorer.core.tls import TlsFiles
from explorer.core.workspace import codec
from explorer.core.workspace.model import Folder, folder_layers


def _preset(folder: Path, tls: object) -> Path:
    path = folder / "providers" / "acme.yaml"
    path.parent.mkdir(parents=True)
    env = {"name": "Staging", "base_url": "https://api.acme.test", "tls": tls}
    path.write_text(yaml.safe_dump({"id": "acme", "name": "Acme", "environments": [env]}))
    return path


def test_a_preset_tls_is_read_relative_to_its_workspace(tmp_path: Path) -> None:
    tls = {"ca_bundle": "certs/ca.pem", "pkcs12": "{{certs}}/me.p12"}
    env = load_profile(_preset(tmp_path, tls)).environments[0]
    assert env.tls == TlsFiles(ca_bundle=str(tmp_path / "certs/ca.pem"), pkcs12="{{certs}}/me.p12")


@pytest.mark.parametrize(
    ("tls", "said"),
    [
        ({"client_crt": "x.pem"}, "key 'environments[0].tls.client_crt': expected one of"),
        (
            {"client_cert": "a.pem", "pkcs12": "a.p12"},
            "key 'environments[0].tls': expected client_cert (with client_key if separate) or "
            "pkcs12, got 'pkcs12 replaces client_cert and client_key; give one or the other'.",
        ),
    ],
)
def test_a_wrong_preset_tls_is_a_located_error(tmp_path: Path, tls: object, said: str) -> None:
    with pytest.raises(FormatError) as caught:
        load_profile(_preset(tmp_path, tls))
    assert said in str(caught.value)
    assert "acme.yaml:" in str(caught.value)


def test_a_collections_tls_round_trips_and_becomes_its_variables(tmp_path: Path) -> None:
    data = {
        "name": "Shop",
        "seq": 0,
        "secret_variables": ["api_key"],
        "tls": {"ca_bundle": "/etc/ssl/corp.pem", "pkcs12": "certs/me.p12"},
    }
    folder = codec.folder_from_data(data, "collection.yaml")
    assert codec.folder_to_data(folder, root=True) == data
    assert folder.secret_names() == ["api_key", "tls_password"]
    layer = folder_layers((Folder("Shop", tls=folder.tls, path=tmp_path),))[0]
    assert layer.values == {
        "tls_ca_bundle": "/etc/ssl/corp.pem",
        "tls_pkcs12": str(tmp_path / "certs/me.p12"),
    }
    assert "tls_password" in layer.secret


@pytest.mark.parametrize(
    ("tls", "said"),
    [
        ({"cert": "me.pem"}, "'tls.cert' must be one of ca_bundle, client_cert"),
        ({"client_key": "me.key"}, "'tls': client_key needs the client_cert it belongs to"),
    ],
)
def test_a_wrong_collection_tls_names_the_key(tls: dict[str, str], said: str) -> None:
    with pytest.raises(FormatError, match=said):
        codec.folder_from_data({"name": "Shop", "tls": tls}, "collection.yaml")
