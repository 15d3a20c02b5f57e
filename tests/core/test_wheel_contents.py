"""The wheel carries the provider presets and icons (issue 16): ``pip install``/``pipx install``
gave an app that reported "known providers: none" because ``resources/`` stayed behind.

The wheel is built from a copy of the sources (so the working tree gets no ``build/``), not
installed; ``docs/packaging.md`` describes the install-and-self-test check.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]["packages"]


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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``pip wheel`` builds from a copy of the sources."""
    tmp_path = tmp_path_factory.mktemp("wheel")
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
    (built_wheel,) = (tmp_path / "out").glob("*.whl")
    return built_wheel


def test_the_wheel_carries_the_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "explorer/_resources/" + path.relative_to(ROOT / "resources").as_posix()
        for path in (ROOT / "resources").rglob("*")
        if path.is_file()
    }
    assert {"explorer/_resources/providers/priceedge.yaml", "explorer/py.typed"} <= names
    assert expected <= names
    assert "explorer/core/resources.py" in names


def test_the_wheel_installed_in_a_fresh_venv_passes_its_self_test(
    wheel: Path, tmp_path: Path
) -> None:
    """``pip install`` of the wheel into a new venv, then ``api-explorer --selftest`` there,
    from a folder outside the sources (so nothing is imported from the checkout). The
    dependencies come from this environment through a ``.pth`` line, not the network: the
    point is what the wheel itself carries (presets, icons, themes, entry point)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(target) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "API_EXPLORER_HOME": str(tmp_path / "app-home"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = subprocess.run(
        [str(venv / "bin" / "api-explorer"), "--selftest"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test passed" in done.stdout + done.stderr
    located = subprocess.run(
        [str(python), "-c", "import explorer; print(explorer.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert located.startswith(str(venv)), located
