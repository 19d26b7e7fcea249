#!/bin/sh
# Runs pytest modules under other CPythons that pyenv has (3.12, 3.13, ...): for each one a
# virtual environment .venv-py3XX, ember's Python modules built for it in build-py3XX/native,
# and the tests run against those modules (EMBER_NATIVE_DIR) with the checkout on PYTHONPATH.
# The core libraries (ember_runtime, ember_compiler with LLVM, ember_cuda) hold no Python: they
# are built once, in the main build folder, and each CPython's modules link them there
# (CMake's EMBER_LIBS_FROM), so another CPython costs the bindings' compile only.
#
#   tools/test-pythons.sh [pytest arguments...]    default: tests/python -q
#
# Environment: EMBER_PYTHONS  the minor versions, default "12 13"
#              EMBER_REQUIREMENTS  what pip installs in each venv, default requirements-dev.txt
#              BUILD  the main build folder, default build;  JOBS  parallel compiles, default nproc
# A version that pyenv does not have is reported and skipped; any failure fails the script.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- tests/python -q
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
jobs=${JOBS:-$(nproc)}
main_build=$(pwd)/${BUILD:-build}
requirements=${EMBER_REQUIREMENTS:-requirements-dev.txt}
if [ ! -f "$main_build/CMakeCache.txt" ]; then
  echo "tools/test-pythons.sh: $main_build is not configured: run \`make build\` first" >&2
  exit 1
fi
# Up to date with the sources (nothing to do after `make build`).
cmake --build "$main_build" -j "$jobs" --target ember_runtime ember_compiler ember_cuda
status=0
for minor in ${EMBER_PYTHONS:-12 13}; do
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
  # Installed again (pip skips what is there) whenever the requirements file changed.
  stamp="$venv/.stamp-$(basename "$requirements")"
  if [ ! -f "$stamp" ] || [ "$requirements" -nt "$stamp" ]; then
    "$venv/bin/python" -m pip install -q -r "$requirements"
    touch "$stamp"
  fi
  mkdir -p "$build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DEMBER_BUILD_TESTS=OFF \
    -DEMBER_LIBS_FROM="$main_build" \
    -DEMBER_MODULE_DIR="$(pwd)/$build/native" -DPython_EXECUTABLE="$(pwd)/$venv/bin/python" \
    > "$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
  cmake --build "$build" -j "$jobs" --target _ember _compiler _cuda _shared_code \
    >> "$build/build.log" 2>&1 || { tail -n 50 "$build/build.log"; exit 1; }
  EMBER_NATIVE_DIR="$(pwd)/$build/native" PYTHONPATH="$(pwd)" \
    "$venv/bin/python" -m pytest -p no:cacheprovider "$@" || status=1
done
exit $status
