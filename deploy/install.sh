#!/usr/bin/env bash
# Builds the portal's wheel from this source tree and installs it into a virtualenv: the one way the
# portal is installed. The Dockerfile runs it; deploy/install-and-check.sh runs it and then the site.
#
#   deploy/install.sh VENV [WHEEL_DIR]
#   deploy/install.sh --build-only WHEEL_DIR     (the wheel alone; tests/deploy/test_wheel.py)
#
# PORTAL_EXTRAS names optional extras to install with it (e.g. "demo", for `portal load_demo_data`).
# VENV is created if missing (with $PYTHON, python3 by default). The wheel is built from a clean copy
# of the tree (the files git tracks, or everything outside a git checkout, as in an image build), so a
# stale build/ folder can never slip deleted files into it. WHEEL_DIR, if given, keeps a copy of it.
set -euo pipefail

if [ $# -lt 1 ] || { [ "$1" = --build-only ] && [ $# -lt 2 ]; }; then
    echo "usage: $0 VENV [WHEEL_DIR] | $0 --build-only WHEEL_DIR" >&2
    exit 2
fi
venv="$1"
wheel_dir="${2:-}"
src="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/src" "$work/dist"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked and new (not ignored) files, as they are on disk now; deleted ones are left out.
    (cd "$src" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf -) | tar -xf - -C "$work/src"
else
    tar -C "$src" --exclude=./.venv --exclude=./build --exclude=./dist --exclude='*.egg-info' \
        --exclude=__pycache__ --exclude=node_modules -cf - . | tar -xf - -C "$work/src"
fi

echo "== Building the wheel =="
if [ "$venv" = --build-only ]; then
    "$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
    mkdir -p "$wheel_dir"
    cp "$work/dist"/*.whl "$wheel_dir/"
    exit 0
fi
test -x "$venv/bin/python" || "$python" -m venv "$venv"
"$venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
wheel="$(ls "$work/dist"/*.whl)"
echo "== Installing $(basename "$wheel") into $venv =="
"$venv/bin/python" -m pip install --quiet --progress-bar off "$wheel${PORTAL_EXTRAS:+[$PORTAL_EXTRAS]}"
if [ -n "$wheel_dir" ]; then
    mkdir -p "$wheel_dir"
    cp "$wheel" "$wheel_dir/"
fi
"$venv/bin/portal" --version >/dev/null
echo "== Installed: $venv/bin/portal =="
