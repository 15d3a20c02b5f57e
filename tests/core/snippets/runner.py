"""Runs many generated snippets with one process per language where the language allows it.

bash (curl, HTTPie) runs every snippet in a subshell of one script; Python runs each with
``runpy`` in one interpreter; Node imports each ES module in turn from one driver. Go and
PowerShell run one process per snippet (a program each). Output is split at marker lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

MARK = "=====snippet "
TIMEOUT = 120

_PY_DRIVER = """
import runpy, sys
for path in sys.argv[1:]:
    print("=====snippet " + path, flush=True)
    try:
        runpy.run_path(path, run_name="__main__")
    except BaseException as exc:
        print("SNIPPET FAILED: %r" % (exc,), flush=True)
    sys.stdout.flush()
"""

_NODE_DRIVER = """
import { pathToFileURL } from "node:url";
for (const path of process.argv.slice(2)) {
  console.log("=====snippet " + path);
  try {
    await import(pathToFileURL(path).href);
  } catch (error) {
    console.log("SNIPPET FAILED: " + error);
  }
}
"""


def _split(stdout: str, paths: list[Path]) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines(keepends=True):
        if line.startswith(MARK):
            current = found.setdefault(line[len(MARK) :].strip(), [])
        elif current is not None:
            current.append(line)
    return {p.stem: "".join(found.get(str(p), [])) for p in paths}


def write(directory: Path, snippets: Mapping[str, str], extension: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in snippets.items():
        path = directory / f"{name}.{extension}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def run(
    lang: str, directory: Path, snippets: Mapping[str, str], env: Mapping[str, str]
) -> dict[str, str]:
    """Each snippet's stdout by name; a failure shows as its stderr in the output."""
    runner = {
        "curl": _bash,
        "httpie": _bash,
        "python": _python,
        "fetch": _node,
        "powershell": _each(["pwsh", "-NoProfile", "-File"], "ps1"),
        "go": _go,
    }[lang]
    return runner(directory, snippets, _env(env))


def _bash(directory: Path, snippets: Mapping[str, str], env: dict[str, str]) -> dict[str, str]:
    paths = write(directory, snippets, "sh")
    script = []
    for path in paths:
        script.append(f"echo; echo '{MARK}{path}'")
        script.append(
            f"( {path.read_text(encoding='utf-8')}\n) 2>{path}.err || "
            f"{{ echo 'SNIPPET FAILED'; cat {path}.err; }}"
        )
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return _split(done.stdout, paths)


def _python(directory: Path, snippets: Mapping[str, str], env: dict[str, str]) -> dict[str, str]:
    paths = write(directory, snippets, "py")
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _PY_DRIVER, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    return _split(done.stdout, paths)


def _node(directory: Path, snippets: Mapping[str, str], env: dict[str, str]) -> dict[str, str]:
    paths = write(directory, snippets, "mjs")
    driver = directory / "driver.mjs"
    driver.write_text(_NODE_DRIVER, encoding="utf-8")
    done = subprocess.run(
        ["node", str(driver), *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    return _split(done.stdout, paths)


_GO_DRIVER = """package main

import "fmt"

func run(name string, snippet func()) {
	fmt.Println("=====snippet " + name)
	defer func() {
		if failure := recover(); failure != nil {
			fmt.Println("SNIPPET FAILED:", failure)
		}
	}()
	snippet()
}

func main() {
%s
}
"""


def _go(directory: Path, snippets: Mapping[str, str], env: dict[str, str]) -> dict[str, str]:
    """One package, one compile: each snippet's ``main`` is renamed and called in turn."""
    directory.mkdir(parents=True, exist_ok=True)
    calls = []
    paths = []
    for i, (name, text) in enumerate(snippets.items()):
        assert text.count("func main() {") == 1
        path = directory / f"{name}.go"
        path.write_text(text.replace("func main() {", f"func snippet{i}() {{"), encoding="utf-8")
        paths.append(path)
        calls.append(f'\trun("{path}", snippet{i})')
    (directory / "zz_driver.go").write_text(_GO_DRIVER % "\n".join(calls), encoding="utf-8")
    (directory / "go.mod").write_text("module snippets\n\ngo 1.19\n", encoding="utf-8")
    env.setdefault("GOFLAGS", "-mod=mod")
    done = subprocess.run(
        ["go", "run", "."],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        cwd=directory,
        check=False,
    )
    if done.returncode != 0 and MARK not in done.stdout:
        return {p.stem: done.stderr for p in paths}
    return _split(done.stdout, paths)


def _each(command: list[str], extension: str):  # type: ignore[no-untyped-def]
    def run_each(
        directory: Path, snippets: Mapping[str, str], env: dict[str, str]
    ) -> dict[str, str]:
        out = {}
        for name, text in snippets.items():
            folder = directory / name
            (path,) = write(folder, {"main": text}, extension)
            done = subprocess.run(
                [*command, str(path)],
                capture_output=True,
                text=True,
                env=env,
                timeout=TIMEOUT,
                cwd=folder,
                check=False,
            )
            out[name] = done.stdout if done.returncode == 0 else done.stdout + done.stderr
        return out

    return run_each
