#!/bin/sh
# Installs the Debian packages ember builds with, only those that are missing (idempotent).
set -eu
PKGS="build-essential cmake llvm-19-dev lld-19 liblld-19-dev libzstd-dev zlib1g-dev libxsimd-dev \
libgtest-dev rocm-device-libs python3-venv"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing
