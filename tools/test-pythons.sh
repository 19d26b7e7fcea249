#!/bin/sh
# Runs pytest modules under every other CPython that pyenv has (3.12, 3.13, ...): for each one a
# virtual environment .venv-py3XX, ember's native modules built for it in build-py3XX/native
# (the compiler library is rebuilt there too: it is not shared between build folders), and the
# tests run against those modules (EMBER_NATIVE_DIR) with the checkout on PYTHONPATH.
#
#   tools/test-pythons.sh [pytest arguments...]    default: tests/python -q
#
# A version that pyenv does not have is reported and skipped; any failure fails the script.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- tests/python -q
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
jobs=$(nproc)
status=0
for minor in 12 13; do
  py=$(ls -d "$root"/versions/3.$minor.*/bin/python3 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$py" ]; then
    echo "== python 3.$minor: not installed, skipped"
    continue
  fi
  venv=.venv-py3$minor
  build=build-py3$minor
  echo "== python 3.$minor: $py"
  if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
  fi
  # Installed again (pip skips what is there) whenever requirements-dev.txt changed.
  if [ ! -f "$venv/.requirements-stamp" ] || [ requirements-dev.txt -nt "$venv/.requirements-stamp" ]; then
    "$venv/bin/python" -m pip install -q -r requirements-dev.txt
    touch "$venv/.requirements-stamp"
  fi
  mkdir -p "$build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DEMBER_BUILD_TESTS=OFF \
    -DEMBER_MODULE_DIR="$(pwd)/$build/native" -DPython_EXECUTABLE="$(pwd)/$venv/bin/python" \
    > "$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
  cmake --build "$build" -j "$jobs" --target _ember _compiler _cuda >> "$build/build.log" 2>&1 \
    || { tail -n 50 "$build/build.log"; exit 1; }
  EMBER_NATIVE_DIR="$(pwd)/$build/native" PYTHONPATH="$(pwd)" \
    "$venv/bin/python" -m pytest -p no:cacheprovider "$@" || status=1
done
exit $status
