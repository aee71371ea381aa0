#!/usr/bin/env bash
# Extract + convert (mode 2) of every RPU of a generated dual-layer MKV through libavformat
# (`mkvctl dovi extract-rpu IN.mkv --mode 2`), against `cat IN.mkv > /dev/null` on the same
# page-cached file in the same run, at two stream lengths; prints wall/CPU ratios and peak RSS
# (memory must not grow with the file). Not run in CI.
#   usage: bench/dovi_stream/mkv_extract_bench.sh BUILD_DIR [SIZE] [SECONDS_SMALL] [SECONDS_LARGE]
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [SIZE] [SECONDS_SMALL] [SECONDS_LARGE]}
size=${2:-1280x720}
short=${3:-60}
long=${4:-240}
mkvctl="$build/ctl/mkvctl"
[[ -x $mkvctl ]] || { echo "no $mkvctl: build target mkvctl first" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dovi-stream-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs a command under GNU time; prints "wall cpu maxrss_kib".
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/time"
}

for seconds in "$short" "$long"; do
  mkv="$work/p7-mel-$seconds.mkv"
  "$mkvctl" gen-sample --kind p7-mel --size "$size" --seconds "$seconds" -o "$mkv" --quiet
  bytes=$(stat -c %s "$mkv")
  cat "$mkv" > /dev/null  # warm the page cache
  read -r cat_wall cat_cpu cat_rss < <(measure cat "$mkv")
  read -r ex_wall ex_cpu ex_rss < <(measure "$mkvctl" dovi extract-rpu "$mkv" -o "$work/rpu.bin" --mode 2)
  rpus=$("$mkvctl" dovi info --json "$work/rpu.bin" | awk -F': ' '/"rpus"/ {gsub(",", "", $2); print $2}')
  awk -v n="$seconds" -v sz="$size" -v b="$bytes" -v r="$rpus" -v cw="$cat_wall" -v cc="$cat_cpu" \
      -v cr="$cat_rss" -v ew="$ex_wall" -v ec="$ex_cpu" -v er="$ex_rss" 'BEGIN {
    mib = b / 1048576
    printf "p7-mel %s, %d s, %.1f MiB, %d RPUs\n", sz, n, mib, r
    printf "  cat          %6.2f s wall %6.2f s CPU  peak RSS %6d KiB\n", cw, cc, cr
    printf "  extract -m2  %6.2f s wall %6.2f s CPU  peak RSS %6d KiB  %.0f RPUs/s\n", ew, ec, er, (ew > 0 ? r / ew : 0)
    printf "  ratio (cat time / extract time): %.2f wall, %.2f CPU\n", (ew > 0 ? cw / ew : 0), (ec > 0 ? cc / ec : 0)
  }'
done
