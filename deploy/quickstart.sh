#!/usr/bin/env bash
# One-command trial of mkvfleet on this machine: installs the dependencies, builds, starts a
# coordinator (SQLite state in ./run/state) and one agent on loopback with freshly generated random
# tokens, enqueues the given files, follows progress until they finish, prints where each output is,
# then stops both daemons.
#
# Usage: ./deploy/quickstart.sh [FILE.mkv ...]
#
# With no file, it generates a tiny real Dolby Vision profile 7 MEL sample (mkvctl gen-sample) in
# ./run/sample/ and converts that. Outputs go beside each source as NAME.DV81.mkv; for each one the
# script prints the path and what `mkvctl dovi info` says about it.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-build}
RUN_DIR="$ROOT/run"

GENERATE_SAMPLE=0
if [ $# -eq 0 ]; then
  GENERATE_SAMPLE=1
  SAMPLE="$RUN_DIR/sample/p7-mel sample.mkv"   # a space in the name, on purpose
  rm -f "$SAMPLE" "${SAMPLE%.mkv}.DV81.mkv"
  mkdir -p "$RUN_DIR/sample"
  : >"$SAMPLE"   # placeholder so the input checks below pass; generated after the build
  set -- "$SAMPLE"
fi

# Check the inputs before installing or building anything.
FILES=()
LIBRARIES=()
for f in "$@"; do
  if [ ! -f "$f" ]; then
    echo "quickstart: $f does not exist or is not a file" >&2
    exit 2
  fi
  case "${f,,}" in
    *.mkv) ;;
    *) echo "quickstart: $f is not an .mkv file" >&2; exit 2 ;;
  esac
  abs=$(realpath -- "$f")
  FILES+=("$abs")
  dir=$(dirname -- "$abs")
  seen=0
  for l in "${LIBRARIES[@]+"${LIBRARIES[@]}"}"; do [ "$l" = "$dir" ] && seen=1; done
  [ $seen -eq 0 ] && LIBRARIES+=("$dir")
done

./deploy/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target mkv-coordinator mkv-agent mkvctl

COORDINATOR="$ROOT/$BUILD_DIR/server/mkv-coordinator"
AGENT="$ROOT/$BUILD_DIR/agent/mkv-agent"
MKVCTL="$ROOT/$BUILD_DIR/ctl/mkvctl"

if [ $GENERATE_SAMPLE -eq 1 ]; then
  echo "quickstart: no file given: generating a tiny Dolby Vision profile 7 MEL sample"
  rm -f "$SAMPLE"
  "$MKVCTL" gen-sample --kind p7-mel -o "$SAMPLE"
  "$MKVCTL" dovi info "$SAMPLE"
fi

mkdir -p "$RUN_DIR/state" "$RUN_DIR/work"
# Fresh random tokens for this run; never printed, only exported to our own children.
MKVFLEET_ADMIN_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
MKVFLEET_AGENT_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export MKVFLEET_ADMIN_TOKEN MKVFLEET_AGENT_TOKEN

COORD_PID=""
AGENT_PID=""
stop_daemons() {
  for pid in $AGENT_PID $COORD_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}
trap stop_daemons EXIT

LIB_ARGS=()
for l in "${LIBRARIES[@]}"; do LIB_ARGS+=(--library "$l"); done
"$COORDINATOR" --listen 127.0.0.1:0 --state-dir "$RUN_DIR/state" "${LIB_ARGS[@]}" \
  >"$RUN_DIR/coordinator.out" 2>"$RUN_DIR/coordinator.log" &
COORD_PID=$!

ADDRESS=""
for _ in $(seq 1 300); do
  ADDRESS=$(sed -n 's/^mkv-coordinator listening on //p' "$RUN_DIR/coordinator.out" | head -n1)
  [ -n "$ADDRESS" ] && break
  if ! kill -0 "$COORD_PID" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$ADDRESS" ]; then
  echo "quickstart: the coordinator did not start; its log ($RUN_DIR/coordinator.log):" >&2
  tail -n 20 "$RUN_DIR/coordinator.log" >&2
  exit 1
fi
echo "quickstart: coordinator listening on $ADDRESS (state in $RUN_DIR/state, log $RUN_DIR/coordinator.log)"

"$AGENT" --server "$ADDRESS" --name "quickstart-$(hostname -s)" --work-dir "$RUN_DIR/work" \
  2>"$RUN_DIR/agent.log" &
AGENT_PID=$!
echo "quickstart: agent started (log $RUN_DIR/agent.log)"

ctl() { "$MKVCTL" --server "$ADDRESS" "$@"; }

ENQUEUED=$(ctl enqueue "${FILES[@]}") || {
  echo "$ENQUEUED"
  echo "quickstart: enqueue refused (see the line above)" >&2
  exit 1
}
echo "$ENQUEUED"
JOB_IDS=$(echo "$ENQUEUED" | awk 'NR > 1 && ($1 == "created" || $1 == "requeued" || $1 == "duplicate") { print $2 }')

ctl watch --until-idle


echo
echo "quickstart: results"
status=0
for id in $JOB_IDS; do
  json=$(ctl --json show "$id")
  state=$(echo "$json" | sed -n 's/^  "state": "\(.*\)",\{0,1\}$/\1/p')
  output=$(echo "$json" | sed -n 's/^  "output": "\(.*\)",\{0,1\}$/\1/p')
  path=$(echo "$json" | sed -n 's/^  "path": "\(.*\)",\{0,1\}$/\1/p')
  error=$(echo "$json" | sed -n 's/^  "error": "\(.*\)",\{0,1\}$/\1/p')
  echo "  job $id: $state  $path"
  if [ -n "$output" ]; then
    echo "    output: $output"
    echo "    mkvctl dovi info:"
    "$MKVCTL" dovi info "$output" | sed 's/^/      /'
  else
    echo "    output: none"
  fi
  [ -n "$error" ] && echo "    error: $error"
  case "$state" in completed|skipped) ;; *) status=1 ;; esac
done
echo "quickstart: job history stays in $RUN_DIR/state (start the coordinator on it to inspect)"
echo "quickstart: stopping the agent and the coordinator"
exit $status
