#!/usr/bin/env bash
# Extract + convert (mode 2) of every RPU of a dual-layer MKV through libavformat
# (`mkvctl dovi extract-rpu IN.mkv --mode 2`), against `cat IN.mkv > /dev/null` on the same
# page-cached file in the same run, at two stream lengths; prints wall/CPU ratios, peak RSS
# (memory must not grow with the file) and mkvctl's own start-up time (`mkvctl --help`),
# which a short file cannot amortise. Each command runs REPEAT times; the best run is printed.
# Not run in CI.
#   usage: bench/dovi_stream/mkv_extract_bench.sh BUILD_DIR [STREAM.hevc [COPIES [REPEAT]]]
# STREAM.hevc: a dual-layer Annex B stream muxed into the MKVs (once, and COPIES times appended,
# default 4), e.g. the UHD-sized large-slices stream that
#   BUILD_DIR/bench/hevc/hevc_stream_bench --kinds=large-slices --ops=extract --repeat=1 --keep
# leaves behind. Without it, a 1280x720 `gen-sample --kind p7-mel` of 60 s and 240 s is used
# (tiny, very compressible frames: the ratio then mostly shows start-up).
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [STREAM.hevc [COPIES [REPEAT]]]}
stream=${2:-}
copies=${3:-4}
repeat=${4:-5}
mkvctl="$build/ctl/mkvctl"
[[ -x $mkvctl ]] || { echo "no $mkvctl: build target mkvctl first" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dovi-stream-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Best of $repeat runs of a command under GNU time; prints "wall cpu maxrss_kib".
measure() {
  local best=""
  for ((i = 0; i < repeat; i++)); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null
    best+=$(awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/time")$'\n'
  done
  printf '%s' "$best" | sort -n | head -1
}

inputs=()
if [[ -n $stream ]]; then
  mkvmerge -q -o "$work/x1.mkv" --default-duration 0:24p "$stream"
  parts=("$stream")
  for ((i = 1; i < copies; i++)); do parts+=(+ "$stream"); done
  mkvmerge -q -o "$work/x$copies.mkv" --default-duration 0:24p "${parts[@]}"
  inputs=("$work/x1.mkv" "$work/x$copies.mkv")
else
  for seconds in 60 240; do
    "$mkvctl" gen-sample --kind p7-mel --size 1280x720 --seconds "$seconds" \
      -o "$work/p7-mel-$seconds.mkv" --quiet
    inputs+=("$work/p7-mel-$seconds.mkv")
  done
fi

read -r up_wall up_cpu up_rss < <(measure "$mkvctl" --help)
echo "mkvctl start-up (--help): $up_wall s wall, $up_cpu s CPU, peak RSS $up_rss KiB"
for mkv in "${inputs[@]}"; do
  bytes=$(stat -c %s "$mkv")
  cat "$mkv" > /dev/null  # warm the page cache
  read -r cat_wall cat_cpu cat_rss < <(measure cat "$mkv")
  read -r ex_wall ex_cpu ex_rss < <(measure "$mkvctl" dovi extract-rpu "$mkv" -o "$work/rpu.bin" --mode 2)
  rpus=$("$mkvctl" dovi info --json "$work/rpu.bin" | awk -F': ' '/"rpus"/ {gsub(",", "", $2); print $2}')
  awk -v name="$(basename "$mkv")" -v b="$bytes" -v r="$rpus" -v cw="$cat_wall" -v cc="$cat_cpu" \
      -v cr="$cat_rss" -v ew="$ex_wall" -v ec="$ex_cpu" -v er="$ex_rss" -v uw="$up_wall" \
      -v n="$repeat" 'BEGIN {
    mib = b / 1048576
    printf "%s, %.1f MiB, %d RPUs, best of %d\n", name, mib, r, n
    printf "  cat          %6.2f s wall %6.2f s CPU  peak RSS %6d KiB\n", cw, cc, cr
    printf "  extract -m2  %6.2f s wall %6.2f s CPU  peak RSS %6d KiB  %.0f RPUs/s\n", ew, ec, er, (ew > 0 ? r / ew : 0)
    printf "  ratio (cat time / extract time): %.2f wall, %.2f CPU; without start-up: %.2f wall\n",
      (ew > 0 ? cw / ew : 0), (ec > 0 ? cc / ec : 0), (ew > uw ? cw / (ew - uw) : 0)
  }'
done
