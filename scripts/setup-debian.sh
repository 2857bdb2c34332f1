#!/usr/bin/env bash
# Checks for the Debian packages Expunge needs; installs the missing ones when run as root,
# otherwise prints the exact command to run and stops. Packages given as arguments are checked
# instead of the build's (`make check-report` passes `chromium`).
set -euo pipefail
packages=(pkg-config libopenblas-dev liblapacke-dev libsqlite3-dev zlib1g-dev dataset-fashion-mnist)
if [ $# -gt 0 ]; then packages=("$@"); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: missing Debian packages. Run:"
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  exit 1
fi
