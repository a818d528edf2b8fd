#!/usr/bin/env bash
# Installs, with apt, whatever of the given package groups is missing. Fast when everything is present.
# Usage: scripts/install-deps.sh build|lab|windows|package|lint|fuzz|systemd|bench ...
set -euo pipefail

declare -A groups=(
  [build]="cmake ninja-build ccache g++ pkg-config libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev doctest-dev libssl-dev libsystemd-dev"
  [lab]="docker.io iproute2 curl util-linux python3 debian-archive-keyring"
  [windows]="g++-mingw-w64-x86-64 wine wine64 wixl msitools dpkg-dev make perl debian-archive-keyring openssl"
  [package]="dpkg-dev file systemd shellcheck lintian help2man man-db"
  [lint]="clang-format shellcheck cloud-init nodejs"
  [fuzz]="clang-14 libfuzzer-14-dev libclang-rt-14-dev"
  [systemd]="systemd-container debootstrap zstd util-linux"
  [bench]="iptables gnuplot-nox python3"
)

missing=()
for group in "$@"; do
  [[ -n "${groups[$group]+x}" ]] || { echo "install-deps: unknown group '$group'" >&2; exit 2; }
  for pkg in ${groups[$group]}; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  # Debian's nodejs comes without npm (the lint group's PowerShell grammar is an npm package); other builds of
  # nodejs bring their own, and Debian's npm would conflict with them.
  if [[ $group == lint ]] && ! command -v npm >/dev/null; then
    missing+=(npm)
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
    exit 2
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # cloud-init is here only for `cloud-init schema` (lint): keep it from running at this machine's next boot.
  if [[ " ${missing[*]} " == *" cloud-init "* ]]; then
    mkdir -p /etc/cloud && touch /etc/cloud/cloud-init.disabled
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
