// chunk_bench's command line: the options struct and the flag parser, kept apart from the run
// loop in chunk_bench.cc (whose top comment lists the flags and what each run does).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bench/chunked/film_model.h"
#include "bench/chunked/local_fleet.h"

namespace mkvfleet::bench {

// Where the coordinator, agent and mkvctl are looked for without --bin-dir: the build tree this
// bench was built in (MKVFLEET_BENCH_BINARY_DIR), else ".".
std::string DefaultBinDir();

struct Options {
  int width = 640, height = 360, seconds = 20, scene_every = 48;
  AgentSettings agent;
  int agents = 2;
  std::string chunks;  // "" = 3 * agents
  int repeat = 1;
  std::string only;  // "", "baseline", "chunked"
  int timeout_minutes = 60;
  int fit_seconds = -1;  // -1 = seconds / 4 (at least 2); 0 = no short title
  int ceiling_pairs = 3;  // raw ffmpeg | x265 ceiling pairs (raw_ceiling.h); 0 = none
  std::string dir;
  bool keep = false;
  std::string bin_dir = DefaultBinDir();
  FilmSpec film;
  int film_width = 3840, film_height = 2160;
  std::vector<int> film_vms = {4, 8};
  double film_serial_scale = 0;  // 0 = film pixels / title pixels
  std::string server, title;     // external mode
  int64_t baseline_job = 0, chunked_job = 0;
};

// Reads argv[1..] ("--flag value" or "--flag=value"; --keep takes none) into `o`, then fills the
// defaults that depend on other flags (chunks, fit_seconds, dir from $TMPDIR else /var/tmp).
// InvalidArgument for an unknown flag, a flag without a value, a bad value, or a --server run
// that says neither which side to run nor which jobs to read. Reads the environment only.
absl::Status ParseFlags(int argc, char** argv, Options& o);

}  // namespace mkvfleet::bench
