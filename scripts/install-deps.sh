#!/usr/bin/env bash
# Install the Debian 12 packages Shoal needs, and only those that are missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config python3 git
  verilator libsystemc-dev
  libfdt-dev device-tree-compiler
  catch2 libcli11-dev nlohmann-json3-dev
  yosys nextpnr-ice40
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  qemu-system-misc
  libtomlplusplus-dev nlohmann-json3-dev zlib1g-dev gnuplot-nox libsodium-dev libssl-dev
  etcd-server etcd-client openssl libcurl4-openssl-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages are present"
  exit 0
fi

echo "install-deps: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo)
  else
    echo "install-deps: error: installing packages needs root. Run as root, or run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=()
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} package(s)"
