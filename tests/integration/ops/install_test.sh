#!/usr/bin/env bash
# deploy/install.sh staged into a folder (DESTDIR, --no-build): binaries, units, configs and doc
# land where the docs say, token files are 0600, and a second run (an upgrade) keeps the admin's
# edited config. Usage: install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?SOURCE_DIR}
build=${2:?BUILD_DIR}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

run() { DESTDIR="$stage" BUILD_DIR="$build" "$src/deploy/install.sh" --no-build >/dev/null; }
run
for f in usr/local/bin/mkv-coordinator usr/local/bin/mkv-agent usr/local/bin/mkvctl \
         etc/systemd/system/mkv-coordinator.service etc/systemd/system/mkv-agent.service \
         etc/mkvfleet/coordinator.toml etc/mkvfleet/agent.toml \
         etc/mkvfleet/coordinator.env etc/mkvfleet/agent.env \
         usr/local/share/doc/mkvfleet/operations.md \
         usr/local/share/doc/mkvfleet/examples/coordinator.toml; do
  [ -e "$stage/$f" ] || fail "missing $f"
done
[ -x "$stage/usr/local/bin/mkv-coordinator" ] || fail "mkv-coordinator not executable"
for env in coordinator.env agent.env; do
  mode=$(stat -c %a "$stage/etc/mkvfleet/$env")
  [ "$mode" = 600 ] || fail "$env has mode $mode, want 600"
done
cmp -s "$src/deploy/systemd/mkv-agent.service" "$stage/etc/systemd/system/mkv-agent.service" ||
  fail "installed unit differs from deploy/systemd"

echo 'log_level = "debug"  # edited by the admin' >> "$stage/etc/mkvfleet/coordinator.toml"
echo 'MKVFLEET_ADMIN_TOKEN=kept' >> "$stage/etc/mkvfleet/coordinator.env"
chmod 0644 "$stage/etc/mkvfleet/coordinator.env"
run
grep -q 'edited by the admin' "$stage/etc/mkvfleet/coordinator.toml" || fail "upgrade overwrote coordinator.toml"
grep -q 'MKVFLEET_ADMIN_TOKEN=kept' "$stage/etc/mkvfleet/coordinator.env" || fail "upgrade overwrote coordinator.env"
[ "$(stat -c %a "$stage/etc/mkvfleet/coordinator.env")" = 600 ] || fail "upgrade left coordinator.env readable"
echo "install_test: staged install and upgrade behave"
