#!/usr/bin/env bash
# Builds every tests/fuzz/*_fuzz.cc as a libFuzzer binary (clang++-14, ASan + UBSan) and runs
# each for a bounded time, seeded with tests/data/dovi and the kept corpus tests/data/fuzz/<target>
# (docs/fuzzing.md). Not part of CI.
# A target names the sources it needs on a line "// fuzz-sources: <globs relative to the repo>",
# and extra compiler/linker flags, if any, on a line "// fuzz-flags: ..." (e.g. $(pkg-config ...)).
# Usage: bench/fuzz.sh [seconds per target, default 60] [substring of target names to run]
# Inputs are capped at $FUZZ_MAX_LEN bytes (default 1024: a few RPUs, fast executions).
# Crashing inputs land in $FUZZ_OUT/artifacts-<target>/ (default build-fuzz/); copy them into
# tests/data/dovi/fuzz-regressions/ with a unit test that parses them.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
FILTER=${2:-}
OUT=${FUZZ_OUT:-build-fuzz}
CXX=${FUZZ_CXX:-clang++-14}
ABSL_LIBS=$(pkg-config --libs absl_status absl_statusor absl_strings absl_str_format)
mkdir -p "$OUT"

failed=()
for src in tests/fuzz/*_fuzz.cc; do
  [[ -e "$src" ]] || continue
  name=$(basename "$src" .cc)
  [[ -n "$FILTER" && "$name" != *"$FILTER"* ]] && continue
  globs=$(sed -n 's#^// fuzz-sources: ##p' "$src")
  flags=$(eval echo "$(sed -n 's#^// fuzz-flags: ##p' "$src")")
  sources=()
  for pattern in $globs; do
    for f in $pattern; do [[ -e "$f" ]] && sources+=("$f"); done
  done
  echo "== building $name (${#sources[@]} sources)"
  "$CXX" -std=c++20 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I. "$src" "${sources[@]}" $flags $ABSL_LIBS -o "$OUT/$name"
  corpus="$OUT/corpus-$name"
  artifacts="$OUT/artifacts-$name/"
  mkdir -p "$corpus" "$artifacts"
  echo "== running $name for ${SECONDS_PER_TARGET}s"
  if ! "$OUT/$name" -max_total_time="$SECONDS_PER_TARGET" -max_len="${FUZZ_MAX_LEN:-1024}" -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$artifacts" -print_final_stats=1 \
      "$corpus" tests/data/dovi $( [[ -d tests/data/fuzz/$name ]] && echo "tests/data/fuzz/$name" ); then
    failed+=("$name")
  fi
done

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]} (inputs in $OUT/artifacts-*/)"
  exit 1
fi
echo "all fuzz targets ran clean"
