#!/usr/bin/env bash
# The installed layout, two ways. (1) `cmake --install` with DESTDIR and a prefix: binaries that
# run, units, docs and every example config where the README says. (2) deploy/install.sh staged
# into a folder (DESTDIR, --no-build), which uses (1) and adds /etc/mkvfleet: token files 0600,
# and a second run (an upgrade) keeps the admin's edited config; with a prefix systemd does not
# search, the units are linked from /etc/systemd/system. Usage: install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?SOURCE_DIR}
build=${2:?BUILD_DIR}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# (1) cmake --install --prefix /usr into a staging folder.
DESTDIR="$stage/cmake" cmake --install "$build" --prefix /usr >/dev/null
for f in usr/bin/mkv-coordinator usr/bin/mkv-agent usr/bin/mkvctl \
         usr/lib/systemd/system/mkv-coordinator.service usr/lib/systemd/system/mkv-agent.service \
         usr/share/doc/mkvfleet/README.md usr/share/doc/mkvfleet/operations.md \
         usr/share/doc/mkvfleet/examples/coordinator.toml usr/share/doc/mkvfleet/examples/agent.toml \
         usr/share/doc/mkvfleet/examples/coordinator.env usr/share/doc/mkvfleet/examples/agent.env; do
  [ -e "$stage/cmake/$f" ] || fail "cmake --install: missing $f"
done
for bin in mkv-coordinator mkv-agent mkvctl; do
  "$stage/cmake/usr/bin/$bin" --help >/dev/null || fail "installed $bin --help fails"
done
cmp -s "$src/deploy/systemd/mkv-agent.service" "$stage/cmake/usr/lib/systemd/system/mkv-agent.service" ||
  fail "installed unit differs from deploy/systemd"

# (2) deploy/install.sh with the default prefix.
run() { DESTDIR="$stage/sh" BUILD_DIR="$build" "$src/deploy/install.sh" --no-build "$@" >/dev/null; }
run
for f in usr/local/bin/mkv-coordinator usr/local/bin/mkv-agent usr/local/bin/mkvctl \
         usr/local/lib/systemd/system/mkv-coordinator.service \
         usr/local/lib/systemd/system/mkv-agent.service \
         etc/mkvfleet/coordinator.toml etc/mkvfleet/agent.toml \
         etc/mkvfleet/coordinator.env etc/mkvfleet/agent.env \
         usr/local/share/doc/mkvfleet/operations.md \
         usr/local/share/doc/mkvfleet/examples/coordinator.toml; do
  [ -e "$stage/sh/$f" ] || fail "install.sh: missing $f"
done
[ -x "$stage/sh/usr/local/bin/mkv-coordinator" ] || fail "mkv-coordinator not executable"
for env in coordinator.env agent.env; do
  mode=$(stat -c %a "$stage/sh/etc/mkvfleet/$env")
  [ "$mode" = 600 ] || fail "$env has mode $mode, want 600"
done

echo 'log_level = "debug"  # edited by the admin' >> "$stage/sh/etc/mkvfleet/coordinator.toml"
echo 'MKVFLEET_ADMIN_TOKEN=kept' >> "$stage/sh/etc/mkvfleet/coordinator.env"
chmod 0644 "$stage/sh/etc/mkvfleet/coordinator.env"
run
grep -q 'edited by the admin' "$stage/sh/etc/mkvfleet/coordinator.toml" || fail "upgrade overwrote coordinator.toml"
grep -q 'MKVFLEET_ADMIN_TOKEN=kept' "$stage/sh/etc/mkvfleet/coordinator.env" || fail "upgrade overwrote coordinator.env"
[ "$(stat -c %a "$stage/sh/etc/mkvfleet/coordinator.env")" = 600 ] || fail "upgrade left coordinator.env readable"

# (3) A prefix systemd does not search: the units are linked from /etc/systemd/system.
DESTDIR="$stage/opt" BUILD_DIR="$build" "$src/deploy/install.sh" --no-build --prefix /opt/mkvfleet >/dev/null
[ -x "$stage/opt/opt/mkvfleet/bin/mkv-agent" ] || fail "--prefix /opt/mkvfleet: no bin/mkv-agent"
[ "$(readlink "$stage/opt/etc/systemd/system/mkv-agent.service")" = \
  /opt/mkvfleet/lib/systemd/system/mkv-agent.service ] || fail "--prefix /opt/mkvfleet: unit not linked"
echo "install_test: cmake --install, staged install.sh and upgrade behave"
