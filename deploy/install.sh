#!/usr/bin/env bash
# Installs mkvfleet on this machine: builds (unless --no-build), installs the binaries, the
# systemd units and example configs, creates the `mkvfleet` system user. Idempotent: configs and
# env files that exist are never overwritten, so it is also the upgrade command.
#
# Binaries, units and examples go through `cmake --install` (the build's install rules); this
# script adds what install rules should not do: live configs, the user, systemctl.
#
# Usage: sudo ./deploy/install.sh [--coordinator] [--agent] [--no-build] [--prefix DIR]
#   --coordinator / --agent  which service to enable (both: a single-machine setup; neither:
#                            install everything, enable nothing)
#   --prefix DIR             where binaries go (default /usr/local; the units find them on
#                            systemd's service PATH, which covers /usr/local/bin and /usr/bin,
#                            so another prefix needs PATH in a drop-in)
#   --no-build               install from an existing build (BUILD_DIR, default ./build)
# Environment: BUILD_DIR, DESTDIR (stage into a folder instead of /, e.g. for packaging; then
# no user is created and systemctl is not called).
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=/usr/local
BUILD=1
ENABLE_COORDINATOR=0
ENABLE_AGENT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --coordinator) ENABLE_COORDINATOR=1 ;;
    --agent) ENABLE_AGENT=1 ;;
    --no-build) BUILD=0 ;;
    --prefix) PREFIX=${2:?--prefix needs a folder}; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

BUILD_DIR=${BUILD_DIR:-build}
DESTDIR=${DESTDIR:-}
BINARIES=(mkv-coordinator mkv-agent mkvctl)

if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo), or set DESTDIR to stage into a folder" >&2
  exit 1
fi

if [ "$BUILD" -eq 1 ]; then
  ./deploy/install-deps.sh
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMKVFLEET_BUILD_TESTS=OFF \
    -DMKVFLEET_BUILD_BENCH=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${BINARIES[@]}"
fi

# Binaries, units, docs and example configs: the build's install rules (top-level CMakeLists.txt):
# PREFIX/bin, PREFIX/lib/systemd/system, PREFIX/share/doc/mkvfleet.
DESTDIR="$DESTDIR" cmake --install "$BUILD_DIR" --prefix "$PREFIX" >/dev/null
for bin in "${BINARIES[@]}"; do
  [ -x "$DESTDIR$PREFIX/bin/$bin" ] || { echo "install.sh: $bin was not installed (build it first)" >&2; exit 1; }
done
# systemd looks in /usr/local/lib/systemd/system and /usr/lib/systemd/system; for another prefix
# the units are linked from /etc/systemd/system.
case "$PREFIX" in
  /usr|/usr/local)
    for unit in mkv-coordinator.service mkv-agent.service; do
      if [ -f "$DESTDIR/etc/systemd/system/$unit" ] && [ ! -L "$DESTDIR/etc/systemd/system/$unit" ]; then
        echo "note: /etc/systemd/system/$unit (from an older install) shadows" \
          "$PREFIX/lib/systemd/system/$unit: remove it unless you edited it (use drop-ins instead)"
      fi
    done ;;
  *)
    install -d -m 0755 "$DESTDIR/etc/systemd/system"
    for unit in mkv-coordinator.service mkv-agent.service; do
      ln -sfn "$PREFIX/lib/systemd/system/$unit" "$DESTDIR/etc/systemd/system/$unit"
    done ;;
esac

# Live configs: copies of the examples only where none exist yet (upgrades keep edited ones).
install -d -m 0755 "$DESTDIR/etc/mkvfleet"
for f in coordinator.toml agent.toml coordinator.env agent.env; do
  case "$f" in *.env) mode=0600 ;; *) mode=0644 ;; esac
  if [ ! -e "$DESTDIR/etc/mkvfleet/$f" ]; then
    install -m "$mode" "deploy/config/$f" "$DESTDIR/etc/mkvfleet/$f"
    echo "created /etc/mkvfleet/$f (edit it)"
  fi
done
# Token files stay private even if someone loosened them.
chmod 0600 "$DESTDIR/etc/mkvfleet/coordinator.env" "$DESTDIR/etc/mkvfleet/agent.env"

[ -n "$DESTDIR" ] && { echo "staged into $DESTDIR"; exit 0; }

# The service user: no login, no home; state directories are made by systemd (StateDirectory=).
if ! getent passwd mkvfleet >/dev/null; then
  useradd --system --user-group --no-create-home --home-dir /var/lib/mkvfleet \
    --shell /usr/sbin/nologin mkvfleet
  echo "created system user mkvfleet"
fi

if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  [ "$ENABLE_COORDINATOR" -eq 1 ] && systemctl enable --now mkv-coordinator.service
  [ "$ENABLE_AGENT" -eq 1 ] && systemctl enable --now mkv-agent.service
  echo "done: see docs/operations.md (systemctl status mkv-coordinator / mkv-agent)"
else
  echo "done (systemd is not running here: units installed, nothing started)"
fi
