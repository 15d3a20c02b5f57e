#!/usr/bin/env bash
# Build the one-folder desktop bundle with PyInstaller and run its self-test:
#   bash packaging/build.sh            -> packaging/dist/api-explorer/api-explorer
# Uses the project's .venv (run `bash packaging/bootstrap.sh test` once first); installs
# PyInstaller into it when missing. The self-test runs the bundle offscreen and fails the build
# when a preset, lexer, keyring backend, Qt plugin or the HTTP stack is missing from it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${API_EXPLORER_VENV:-$ROOT/.venv}
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "build: no venv at $VENV; run 'bash packaging/bootstrap.sh test' first" >&2; exit 1; }
command -v objdump >/dev/null || { echo "build: PyInstaller needs objdump: apt-get install -y binutils" >&2; exit 1; }
"$PY" -c 'import PyInstaller' 2>/dev/null || "$PY" -m pip install -q --disable-pip-version-check 'pyinstaller>=6.10'
WORK="$ROOT/packaging/build"
DIST="$ROOT/packaging/dist"
started=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath "$WORK" --distpath "$DIST" "$ROOT/packaging/api-explorer.spec"
built=$(date +%s)
size=$(du -sm "$DIST/api-explorer" | cut -f1)
echo "built $DIST/api-explorer in $((built - started)) s, ${size} MB"
QT_QPA_PLATFORM=offscreen "$DIST/api-explorer/api-explorer" --selftest
