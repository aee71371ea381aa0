// chunk_bench's flag parsing (see bench_options.h).
#include "bench/chunked/bench_options.h"

#include <stdlib.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#ifndef MKVFLEET_BENCH_BINARY_DIR
#define MKVFLEET_BENCH_BINARY_DIR "."
#endif

namespace mkvfleet::bench {
namespace {

absl::Status ParseSize(const std::string& v, int& w, int& h) {
  std::vector<std::string> p = absl::StrSplit(v, 'x');
  if (p.size() != 2 || !absl::SimpleAtoi(p[0], &w) || !absl::SimpleAtoi(p[1], &h) || w < 16 ||
      h < 16) {
    return absl::InvalidArgumentError("bad size " + v + " (WIDTHxHEIGHT)");
  }
  return absl::OkStatus();
}

}  // namespace

std::string DefaultBinDir() { return MKVFLEET_BENCH_BINARY_DIR; }

absl::Status ParseFlags(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i], value;
    if (flag == "--keep") {
      o.keep = true;
      continue;
    }
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(flag + " needs a value");
    }
    bool ok = true;
    if (flag == "--size") {
      if (absl::Status s = ParseSize(value, o.width, o.height); !s.ok()) return s;
    } else if (flag == "--seconds") {
      ok = absl::SimpleAtoi(value, &o.seconds) && o.seconds > 0;
    } else if (flag == "--scene-every") {
      ok = absl::SimpleAtoi(value, &o.scene_every) && o.scene_every >= 0;
    } else if (flag == "--preset") {
      o.agent.preset = value;
    } else if (flag == "--crf") {
      ok = absl::SimpleAtod(value, &o.agent.crf);
    } else if (flag == "--x265-params") {
      o.agent.x265_params = value;
    } else if (flag == "--agents") {
      ok = absl::SimpleAtoi(value, &o.agents) && o.agents >= 1;
    } else if (flag == "--chunks") {
      int n = 0;
      ok = value == "auto" || (absl::SimpleAtoi(value, &n) && n >= 2);
      o.chunks = value;
    } else if (flag == "--repeat") {
      ok = absl::SimpleAtoi(value, &o.repeat) && o.repeat >= 1;
    } else if (flag == "--only") {
      ok = value == "baseline" || value == "chunked";
      o.only = value;
    } else if (flag == "--fit-seconds") {
      ok = absl::SimpleAtoi(value, &o.fit_seconds) && o.fit_seconds >= 0;
    } else if (flag == "--ceiling-pairs") {
      ok = absl::SimpleAtoi(value, &o.ceiling_pairs) && o.ceiling_pairs >= 0;
    } else if (flag == "--timeout-minutes") {
      ok = absl::SimpleAtoi(value, &o.timeout_minutes) && o.timeout_minutes > 0;
    } else if (flag == "--dir") {
      o.dir = value;
    } else if (flag == "--bin-dir") {
      o.bin_dir = value;
    } else if (flag == "--film-fps-per-vm") {
      ok = absl::SimpleAtod(value, &o.film.encode_fps_per_vm) && o.film.encode_fps_per_vm > 0;
    } else if (flag == "--film-vms") {
      o.film_vms.clear();
      for (absl::string_view part : absl::StrSplit(value, ',')) {
        int v = 0;
        ok = ok && absl::SimpleAtoi(part, &v) && v >= 1;
        o.film_vms.push_back(v);
      }
    } else if (flag == "--film-frames") {
      ok = absl::SimpleAtoi(value, &o.film.frames) && o.film.frames > 0;
    } else if (flag == "--film-fps") {
      std::vector<std::string> p = absl::StrSplit(value, '/');
      ok = p.size() == 2 && absl::SimpleAtoi(p[0], &o.film.fps_num) &&
           absl::SimpleAtoi(p[1], &o.film.fps_den) && o.film.fps_num > 0 && o.film.fps_den > 0;
    } else if (flag == "--film-size") {
      if (absl::Status s = ParseSize(value, o.film_width, o.film_height); !s.ok()) return s;
    } else if (flag == "--film-chunks-per-vm") {
      ok = absl::SimpleAtoi(value, &o.film.chunks_per_vm) && o.film.chunks_per_vm >= 1;
    } else if (flag == "--film-serial-scale") {
      ok = absl::SimpleAtod(value, &o.film_serial_scale) && o.film_serial_scale > 0;
    } else if (flag == "--server") {
      o.server = value;
    } else if (flag == "--title") {
      o.title = value;
    } else if (flag == "--baseline-job") {
      ok = absl::SimpleAtoi(value, &o.baseline_job) && o.baseline_job > 0;
    } else if (flag == "--chunked-job") {
      ok = absl::SimpleAtoi(value, &o.chunked_job) && o.chunked_job > 0;
    } else {
      return absl::InvalidArgumentError("unknown flag " + flag + " (see the top of chunk_bench.cc)");
    }
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("bad value for ", flag, ": ", value));
  }
  if (o.chunks.empty()) o.chunks = absl::StrCat(3 * o.agents);
  if (o.fit_seconds < 0) o.fit_seconds = std::max(2, o.seconds / 4);
  if (o.fit_seconds >= o.seconds || !o.only.empty() || !o.server.empty()) o.fit_seconds = 0;
  if (o.dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    o.dir = tmp != nullptr && *tmp != '\0' ? tmp : "/var/tmp";
  }
  if (!o.server.empty()) {
    const bool runs_something = !o.only.empty();
    if (runs_something && o.title.empty()) {
      return absl::InvalidArgumentError("--server with --only needs --title PATH");
    }
    if (!runs_something && (o.baseline_job == 0 || o.chunked_job == 0)) {
      return absl::InvalidArgumentError(
          "--server: say which side to run (--only baseline|chunked, with only the agents that "
          "side needs running) or give --baseline-job and --chunked-job");
    }
    if (o.repeat != 1) return absl::InvalidArgumentError("--server runs each side once");
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::bench
