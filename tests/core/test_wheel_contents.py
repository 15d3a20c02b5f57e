"""The wheel carries the provider presets and icons (issue 16): ``pip install``/``pipx install``
gave an app that reported "known providers: none" because ``resources/`` stayed behind.

The wheel is built from a copy of the sources (so the working tree gets no ``build/``), not
installed; ``docs/packaging.md`` describes the install-and-self-test check.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"
]["setuptools"]["packages"]


def test_every_package_and_resource_folder_is_listed() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "explorer").rglob("__init__.py")
    }
    resources = {
        "explorer._resources." + folder.name
        for folder in (ROOT / "resources").iterdir()
        if folder.is_dir()
    }
    assert set(PACKAGES) == on_disk | resources | {"explorer._resources"}


def test_the_wheel_carries_the_resources(tmp_path: Path) -> None:
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("explorer", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "out"),
         str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "out").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "explorer/_resources/" + path.relative_to(ROOT / "resources").as_posix()
        for path in (ROOT / "resources").rglob("*")
        if path.is_file()
    }
    assert {"explorer/_resources/providers/priceedge.yaml", "explorer/py.typed"} <= names
    assert expected <= names
    assert "explorer/core/resources.py" in names
