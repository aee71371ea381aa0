#!/usr/bin/env bash
# Installs every build, test and runtime dependency of mkvfleet from Debian 12 packages.
# Idempotent: packages already present are left alone; safe to run on every build.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config git
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libsqlite3-dev libspdlog-dev libfmt-dev catch2 libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libcpp-httplib-dev libsystemd-dev libbenchmark-dev
  libavformat-dev libavcodec-dev libavutil-dev
  # media tools the agent drives and the tests judge with
  ffmpeg x265 mkvtoolnix mediainfo
  # fuzzing (bench/fuzz.sh) and misc test helpers
  clang-14 libclang-rt-14-dev sqlite3 procps xxd openssl libssl-dev
  # operations: systemd-analyze verify on the units (tests/integration/ops), headless browser
  # for the dashboard test (tests/browser, label browser)
  systemd chromium
  # packaging: man pages, the .deb test (tests/integration/ops/package_test.sh)
  help2man lintian jq
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
