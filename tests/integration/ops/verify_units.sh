#!/usr/bin/env bash
# Checks the shipped systemd units: `systemd-analyze verify` must pass with no diagnostics at all,
# and each unit must carry the directives issue 6 promises (notify + watchdog, dedicated user,
# state directory, 0600 token file, hardening, restart on failure).
#
# The units start the daemons through `/usr/bin/env NAME`, so verify (which checks that ExecStart
# is executable) passes on a machine where nothing is installed yet, exactly as an admin or CI
# would run it on the repository files; no generated copies with substituted paths are needed.
# Usage: verify_units.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: verify_units.sh SOURCE_DIR}
units=("$src/deploy/systemd/mkv-coordinator.service" "$src/deploy/systemd/mkv-agent.service")

if ! command -v systemd-analyze >/dev/null; then
  echo "FAIL: systemd-analyze not found (apt-get install systemd; deploy/install-deps.sh does)" >&2
  exit 1
fi

failed=0
for unit in "${units[@]}"; do
  out=$(systemd-analyze verify "$unit" 2>&1) || { echo "FAIL: verify $unit: $out" >&2; failed=1; continue; }
  if [ -n "$out" ]; then
    echo "FAIL: verify $unit printed diagnostics:" >&2
    echo "$out" >&2
    failed=1
  fi
  for want in '^Type=notify$' '^WatchdogSec=' '^User=mkvfleet$' '^Group=mkvfleet$' \
              '^StateDirectory=' '^EnvironmentFile=/etc/mkvfleet/[a-z]+\.env$' \
              '^NoNewPrivileges=yes$' '^ProtectSystem=strict$' '^ReadWritePaths=' \
              '^PrivateTmp=yes$' '^ProtectHome=' '^Restart=on-failure$'; do
    if ! grep -Eq "$want" "$unit"; then
      echo "FAIL: $unit lacks a line matching $want" >&2
      failed=1
    fi
  done
done

[ "$failed" -eq 0 ] && echo "verify_units: both units pass systemd-analyze verify"
exit "$failed"
