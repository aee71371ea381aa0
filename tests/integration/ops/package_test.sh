#!/usr/bin/env bash
# The Debian packages end to end, as an admin would use them: `cpack -G DEB` in the build folder,
# lintian (every remaining tag explained in deploy/debian/lintian-explained), `apt-get install`
# of the three .debs on this machine, then what got installed: units that `systemd-analyze verify`
# accepts, `mkvctl --version`, `mkv-agent --check --json` output shape, man pages, the bash
# completion, the system user, 0600 token files as conffiles that a reinstall keeps when edited;
# finally `apt-get purge` and nothing of ours left (the `mkvfleet` user stays, see postrm).
#
# Needs root and a machine where mkvfleet is not already installed from packages: otherwise it
# reports itself skipped (exit 77) rather than touch a real installation.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?SOURCE_DIR}
build=${2:?BUILD_DIR}
packages=(mkvfleet-coordinator mkvfleet-agent mkvfleet-ctl)
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (apt-get install / purge)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || skip "not a Debian system"
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    skip "$p is installed on this machine; not touching a real installation"
  fi
done
command -v lintian >/dev/null || fail "lintian not found (deploy/install-deps.sh installs it)"
command -v jq >/dev/null || fail "jq not found (deploy/install-deps.sh installs it)"

work=$(mktemp -d)
installed=0
cleanup() {
  if [ "$installed" -eq 1 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Build the packages from the build's install rules.
(cd "$build" && cpack -G DEB -B "$work/debs" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
debs=()
for p in "${packages[@]}"; do
  deb=$(ls "$work/debs/${p}_"*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || fail "cpack made no $p package (made: $(ls "$work/debs"))"
  debs+=("$deb")
done
deps=$(dpkg-deb -f "$work/debs/mkvfleet-agent_"*.deb Depends)
for want in ffmpeg x265 mkvtoolnix libgrpc; do
  [[ $deps == *"$want"* ]] || fail "mkvfleet-agent Depends lacks $want: $deps"
done
dpkg-deb -f "$work/debs/mkvfleet-coordinator_"*.deb Depends | grep -q ffmpeg &&
  fail "mkvfleet-coordinator should not depend on ffmpeg"
dpkg-deb -e "$work/debs/mkvfleet-coordinator_"*.deb "$work/control"
grep -qx /etc/mkvfleet/coordinator.env "$work/control/conffiles" || fail "coordinator.env is not a conffile"

# 2. lintian: no error or warning except the explained ones.
lintian --suppress-tags-from-file "$src/deploy/debian/lintian-explained" "${debs[@]}" \
  >"$work/lintian.log" 2>&1 || true
if grep -E '^[EW]: ' "$work/lintian.log"; then fail "lintian found the tags above"; fi

# 3. Install them as an admin would.
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get install failed"; }
unit_dir=$(dpkg -L mkvfleet-coordinator | grep 'systemd/system/mkv-coordinator.service$' | xargs dirname)
[ -n "$unit_dir" ] || fail "mkvfleet-coordinator installed no unit"
for unit in mkv-coordinator.service mkv-agent.service; do
  out=$(systemd-analyze verify "$unit_dir/$unit" 2>&1) || fail "systemd-analyze verify $unit: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $unit printed: $out"
done
version=$(mkvctl --version)
[[ $version =~ ^mkvctl\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "mkvctl --version printed '$version'"
for bin in mkv-coordinator mkv-agent; do
  "$bin" --version | grep -Eq "^$bin [0-9]+\.[0-9]+\.[0-9]+$" || fail "$bin --version"
  [ -f "/usr/share/man/man1/$bin.1.gz" ] || fail "no man page for $bin"
done
zcat /usr/share/man/man1/mkvctl.1.gz | grep -q 'enqueue' || fail "mkvctl man page lacks the verbs"
check=$(mkv-agent --config /etc/mkvfleet/agent.toml --check --json --work-dir "$work/agent-work" 2>/dev/null || true)
echo "$check" | jq -e '(.checks | type == "array" and length > 0)
  and all(.checks[]; (.check | type == "string") and (.status | IN("ok", "warning", "error"))
                     and (.message | type == "string") and has("advice"))
  and (.errors | type == "number") and (.ok | type == "number")' >/dev/null ||
  fail "mkv-agent --check --json output shape: $check"
[ -f /usr/share/bash-completion/completions/mkvctl ] || fail "no bash completion installed"
got=$(bash -c 'source /usr/share/bash-completion/completions/mkvctl
  COMP_WORDS=(mkvctl enq); COMP_CWORD=1; _mkvctl; echo "${COMPREPLY[*]}"')
[ "$got" = enqueue ] || fail "completion of 'mkvctl enq' gave '$got'"
getent passwd mkvfleet >/dev/null || fail "postinst made no mkvfleet user"
[ "$(stat -c %a /etc/mkvfleet/agent.env)" = 600 ] || fail "agent.env is not 0600"

# 4. An edited conffile survives a reinstall.
echo 'log_level = "debug"  # edited by the admin' >>/etc/mkvfleet/coordinator.toml
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "${debs[0]}" >>"$work/apt.log" 2>&1 ||
  fail "reinstall failed"
grep -q 'edited by the admin' /etc/mkvfleet/coordinator.toml || fail "reinstall overwrote coordinator.toml"

# 5. Purge: nothing of ours left.
mkdir -p /var/lib/mkvfleet /var/lib/mkvfleet-agent/work  # what the services would have made
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${packages[@]}" >>"$work/apt.log" 2>&1 ||
  fail "apt-get purge failed"
installed=0
for p in "${packages[@]}"; do
  ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed || fail "$p still installed"
done
for f in /usr/bin/mkv-coordinator /usr/bin/mkv-agent /usr/bin/mkvctl /etc/mkvfleet \
         "$unit_dir/mkv-coordinator.service" "$unit_dir/mkv-agent.service" \
         /usr/share/doc/mkvfleet-ctl /usr/share/man/man1/mkvctl.1.gz \
         /usr/share/bash-completion/completions/mkvctl /var/lib/mkvfleet /var/lib/mkvfleet-agent; do
  [ ! -e "$f" ] || fail "left after purge: $f"
done
echo "package_test: 3 packages built, lintian clean (explained tags aside), installed, checked, purged"
