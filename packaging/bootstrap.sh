#!/usr/bin/env bash
# Set-up and run, idempotent: `bash packaging/bootstrap.sh demo` opens the app on the embedded
# sandbox; `bash packaging/bootstrap.sh test` runs every quality gate and the whole test suite.
# It creates .venv, installs the Python packages, the Debian libraries Qt needs (when missing;
# as root or with password-less sudo, else it prints the command to run) and, for tests, the npm
# test peers from tests/interop/package-lock.json. Re-running skips whatever is already in place.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=${1:-}
[ $# -gt 0 ] && shift
VENV=${API_EXPLORER_VENV:-$ROOT/.venv}

QT_LIBS=(libgl1 libegl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3)
XCB_LIBS=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
          libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxkbcommon-x11-0)
TEST_TOOLS=(dbus-daemon dbus-bin gnome-keyring xvfb xauth binutils)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: bash packaging/bootstrap.sh demo [APP ARGS...]   install, then open the app on the sandbox
       bash packaging/bootstrap.sh app  [APP ARGS...]   install, then run api-explorer with ARGS
       bash packaging/bootstrap.sh test [PYTEST ARGS...] install, then run the quality gates and tests
EOF
    exit 2
}

missing_debs() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
    done
}

install_debs() {
    command -v dpkg-query >/dev/null || { say "not a Debian system: make sure Qt's runtime libraries ($*) are installed"; return 0; }
    local missing
    missing=$(missing_debs "$@" | tr '\n' ' ')
    [ -z "${missing// /}" ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            die "these Debian packages are missing: ${missing}
Install them once with:  sudo apt-get install -y ${missing}
then run this command again."
        fi
    fi
    say "installing Debian packages: ${missing}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing} >/dev/null
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null || continue
        if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    local extras=$1 stamp="$VENV/.bootstrap-$1"
    local want
    want=$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)
    if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        local python
        python=$(find_python) || {
            install_debs python3 python3-venv python3-pip
            python=$(find_python) || die "Python 3.11 or newer with venv is needed; install python3 and python3-venv."
        }
        say "creating $VENV with $python"
        "$python" -m venv "$VENV"
    fi
    say "installing Python packages ($extras)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    local target="$ROOT"
    [ "$extras" = app ] || target="$ROOT[$extras]"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$target"
    echo "$want" > "$stamp"
}

ensure_npm_peers() {
    local dir="$ROOT/tests/interop" stamp="$ROOT/tests/interop/node_modules/.bootstrap"
    if ! command -v npm >/dev/null; then
        install_debs nodejs npm
    fi
    local want
    want=$(sha256sum "$dir/package-lock.json" | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "installing npm test peers (oauth2-mock-server, newman, postman-collection, httpyac)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
}

case "$MODE" in
    demo|app)
        install_debs "${QT_LIBS[@]}" "${XCB_LIBS[@]}"
        ensure_venv app
        if [ "$MODE" = demo ]; then set -- --demo "$@"; fi
        if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
            die "no display found (DISPLAY and WAYLAND_DISPLAY are empty); run this on a desktop session, or under 'xvfb-run -a'."
        fi
        exec "$VENV/bin/api-explorer" "$@"
        ;;
    test)
        install_debs "${QT_LIBS[@]}" "${XCB_LIBS[@]}" "${TEST_TOOLS[@]}"
        ensure_venv test,dev
        ensure_npm_peers
        exec "$VENV/bin/python" "$ROOT/tests/run_suite.py" "$@"
        ;;
    *)
        usage
        ;;
esac
