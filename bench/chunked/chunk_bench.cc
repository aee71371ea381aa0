// Chunked re-encode against a whole-file re-encode of the same title with the same x265 settings,
// side by side in one run, through the real daemons (issue 14's benchmark; docs/benchmarks.md):
//   baseline: one mkv-agent pinned to one core (`taskset`), x265 single-threaded
//             (params "pools=1:frame-threads=1"), `mkvctl enqueue --plan dv-reencode --chunks 1`
//   chunked:  N agents, agent i pinned to core i mod nproc, same settings, one shared work dir,
//             `--chunks M` (default 3 N) or `--chunks auto`
// Wall time is enqueue to completed; the chunked job's time is split (from `mkvctl --json show`
// and `logs`) into prepare, chunk phase and assemble..publish. Printed: each run, the medians
// (speed-up = baseline / chunked, efficiency = speed-up / N, goal >= 0.8 at N = 2), the costs per
// frame and per chunk, and a model of a 2-hour 4K film on 4 and 8 VMs built from them (the serial
// costs split into fixed and per-frame parts by one more pair on a shorter title, --fit-seconds,
// default a quarter of --seconds, at least 2; 0 = none: all per frame, an upper bound). Each
// run starts its own coordinator and agents under a temp folder; everything started is stopped
// and the folder removed at the end, also on failure or Ctrl-C. Runs alternate the order
// (baseline first on odd runs). The title is made by `mkvctl gen-sample --kind p7-mel`.
//
// On a real fleet (--server HOST:PORT, nothing started here): --only baseline|chunked runs one
// side on --title (a path the coordinator knows), --baseline-job / --chunked-job read jobs that
// ran before; with both sides the ratios and the model are printed.
//
// Usage: chunk_bench [--size 640x360] [--seconds 20] [--scene-every 48] [--preset medium]
//   [--crf 20] [--x265-params pools=1:frame-threads=1] [--agents 2] [--chunks 6|auto]
//   [--repeat 1] [--only baseline|chunked] [--fit-seconds 5] [--timeout-minutes 60]
//   [--dir /var/tmp] [--keep] [--ceiling-pairs 3]
//   [--bin-dir BUILD] [--film-fps-per-vm 2.0] [--film-vms 4,8] [--film-frames 172646]
//   [--film-fps 24000/1001] [--film-size 3840x2160] [--film-chunks-per-vm 3]
//   [--film-serial-scale X] [--server HOST:PORT --title PATH] [--baseline-job ID]
//   [--chunked-job ID]
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/chunked/bench_options.h"
#include "bench/chunked/bench_report.h"
#include "bench/chunked/fleet_ctl.h"
#include "bench/chunked/local_fleet.h"
#include "bench/chunked/raw_ceiling.h"
#include "common/process/subprocess.h"

namespace mkvfleet::bench {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted.store(true); }

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "chunk_bench: %s\n", s.ToString().c_str());
  return 1;
}

// A folder removed (recursively) when this goes out of scope, unless kept.
class TempFolder {
 public:
  static absl::StatusOr<TempFolder> Make(const std::string& parent) {
    std::string templ = parent + "/chunk-bench-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      return absl::InternalError("cannot create a temp folder under " + parent);
    }
    return TempFolder(templ);
  }
  TempFolder(TempFolder&& o) noexcept : path_(std::move(o.path_)), keep_(o.keep_) { o.path_.clear(); }
  ~TempFolder() {
    if (path_.empty()) return;
    if (keep_) {
      std::fprintf(stderr, "chunk_bench: kept %s\n", path_.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  explicit TempFolder(std::string p) : path_(std::move(p)) {}
  std::string path_;
  bool keep_ = false;
};

// The CPUs this process may run on, in order (agent i gets cpus[i % size]).
std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

absl::Status GenerateTitle(const Options& o, int seconds, const std::string& mkvctl,
                           const std::string& path) {
  process::ProcessSpec spec;
  spec.argv = {mkvctl, "gen-sample", "--kind", "p7-mel", "--size",
               absl::StrCat(o.width, "x", o.height), "--seconds", absl::StrCat(seconds),
               "--scene-every", absl::StrCat(o.scene_every), "--quiet", "-o", path};
  spec.timeout = absl::Hours(1);
  spec.cancel = &g_interrupted;
  absl::StatusOr<process::ProcessResult> r = process::RunProcess(std::move(spec));
  if (!r.ok()) return r.status();
  if (!r->success()) {
    return absl::InternalError("mkvctl gen-sample: " + r->Describe() + ": " + r->stderr_tail);
  }
  return absl::OkStatus();
}

// One timed job on a fresh local fleet under `run_dir`.
absl::StatusOr<JobTiming> RunLocal(const Options& o, const FleetPrograms& programs,
                                   const std::string& library, const std::string& title,
                                   const std::string& run_dir, bool chunked) {
  absl::StatusOr<std::unique_ptr<LocalFleet>> fleet =
      LocalFleet::Start(programs, run_dir, library, &g_interrupted);
  if (!fleet.ok()) return fleet.status();
  const std::vector<int> cpus = AllowedCpus();
  const int agents = chunked ? o.agents : 1;
  for (int i = 0; i < agents; ++i) {
    const int core = cpus[static_cast<size_t>(i) % cpus.size()];
    if (absl::Status s = (*fleet)->StartAgent(absl::StrCat("a", i), core, o.agent, chunked);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = (*fleet)->WaitAgentsRegistered(); !s.ok()) return s;
  ::sync();  // no run pays for the writeback of what came before it
  const CtlTarget ctl{programs.mkvctl, (*fleet)->address(), run_dir + "/logs/watch"};
  const int64_t enqueued_ms = absl::ToUnixMillis(absl::Now());
  absl::StatusOr<int64_t> id =
      EnqueueReencode(ctl, title, chunked ? o.chunks : "1", &g_interrupted);
  if (!id.ok()) return id.status();
  LocalFleet* f = fleet->get();
  absl::StatusOr<FinishedJob> job =
      FollowJob(ctl, *id, absl::Minutes(o.timeout_minutes), [f] { return f->CheckAlive(); },
                &g_interrupted);
  if (!job.ok()) return job.status();
  absl::StatusOr<JobTiming> t =
      ParseJobTiming(job->show, job->logs, enqueued_ms, job->observed_done_ms);
  if (!t.ok()) return t.status();
  if (chunked && !t->chunked()) {
    std::string why;  // the encode step says why it did not chunk ("encode: not chunking: ...")
    for (const nlohmann::json& l : job->logs) {
      const std::string text = l.value("text", "");
      if (text.find("chunking") != std::string::npos) absl::StrAppend(&why, "\n  ", text);
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "job ", *id, " ran whole, not in chunks; its log lines about chunking:", why));
  }
  return t;
}

// The same ffmpeg | x265 work with no mkvfleet (raw_ceiling.h), against the runs' medians.
absl::Status PrintRawCeiling(const Options& o, const std::string& title, const std::string& dir,
                             int64_t frames, const std::vector<RunPair>& runs) {
  std::vector<double> efficiencies;
  size_t ranges = 0;
  for (const RunPair& r : runs) {
    if (!r.baseline || !r.chunked) continue;
    efficiencies.push_back(r.baseline->wall() / (o.agents * r.chunked->wall()));
    ranges = std::max(ranges, r.chunked->chunks.size());
  }
  if (efficiencies.empty() || o.agents < 2 || o.ceiling_pairs == 0) return absl::OkStatus();
  std::sort(efficiencies.begin(), efficiencies.end());
  const double ours = efficiencies[efficiencies.size() / 2];
  RawCeilingSpec spec;
  spec.title = title;
  spec.work_dir = dir;
  spec.frames = frames;
  spec.ranges = static_cast<int>(ranges);
  const std::vector<int> cpus = AllowedCpus();
  for (int i = 0; i < o.agents; ++i) spec.cpus.push_back(cpus[static_cast<size_t>(i) % cpus.size()]);
  spec.preset = o.agent.preset;
  spec.crf = o.agent.crf;
  spec.x265_params = o.agent.x265_params;
  spec.repeats = o.ceiling_pairs;
  spec.cancel = &g_interrupted;
  std::printf("raw ceiling: the same ffmpeg | x265 work without mkvfleet (whole title on one "
              "core against %d equal ranges on %d cores, %d pairs alternating)...\n",
              spec.ranges, o.agents, spec.repeats);
  std::fflush(stdout);
  absl::StatusOr<RawCeiling> c = MeasureRawCeiling(spec);
  if (!c.ok()) return c.status();
  const std::vector<double> pairs = c->efficiencies();
  for (size_t i = 0; i < pairs.size(); ++i) {
    std::printf("raw ceiling pair %zu (%s first): whole %.2f s, ranges in parallel %.2f s: %.3f\n",
                i + 1, i % 2 == 0 ? "whole" : "parallel", c->whole_seconds[i],
                c->parallel_seconds[i], pairs[i]);
  }
  std::printf("raw ceiling: efficiency %.3f (median of %zu pairs); mkvfleet %.3f = %.3f of the "
              "ceiling\n",
              c->efficiency(), pairs.size(), ours, ours / c->efficiency());
  return absl::OkStatus();
}

// One job on a real fleet: run on --title, or read an earlier one.
absl::StatusOr<JobTiming> RunExternal(const Options& o, const CtlTarget& ctl, bool chunked,
                                      int64_t existing) {
  int64_t enqueued_ms = 0;
  int64_t id = existing;
  absl::StatusOr<FinishedJob> job;
  if (id == 0) {
    enqueued_ms = absl::ToUnixMillis(absl::Now());
    absl::StatusOr<int64_t> created =
        EnqueueReencode(ctl, o.title, chunked ? o.chunks : "1", &g_interrupted);
    if (!created.ok()) return created.status();
    id = *created;
    std::printf("enqueued job %lld (%s)\n", static_cast<long long>(id),
                chunked ? "chunked" : "baseline");
    std::fflush(stdout);
    job = FollowJob(ctl, id, absl::Minutes(o.timeout_minutes), {}, &g_interrupted);
  } else {
    job = ReadJob(ctl, id, &g_interrupted);
  }
  if (!job.ok()) return job.status();
  return ParseJobTiming(job->show, job->logs, enqueued_ms, job->observed_done_ms);
}

int Main(int argc, char** argv) {
  Options o;
  if (absl::Status s = ParseFlags(argc, argv, o); !s.ok()) return Fail(s);
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);

  const FleetPrograms programs = FleetPrograms::In(o.bin_dir);
  for (const std::string& p : {programs.coordinator, programs.agent, programs.mkvctl}) {
    if (o.server.empty() && !fs::exists(p)) {
      return Fail(absl::NotFoundError(p + " missing: build it or pass --bin-dir"));
    }
  }
  absl::StatusOr<TempFolder> tmp = TempFolder::Make(o.dir);
  if (!tmp.ok()) return Fail(tmp.status());
  if (o.keep) tmp->keep();
  const std::vector<int> cpus = AllowedCpus();
  const bool do_baseline = o.only != "chunked";
  const bool do_chunked = o.only != "baseline";
  std::vector<RunPair> runs;
  int64_t fit_frames = 0;
  SerialTotals fit_totals;
  BenchShape shape{static_cast<int64_t>(o.seconds) * 24, o.width, o.height, o.agents};

  std::printf("chunk_bench: load average %s, %zu cores usable; x265 preset %s crf %g params "
              "\"%s\"; %d agents, --chunks %s\n",
              LoadAverage().c_str(), cpus.size(), o.agent.preset.c_str(), o.agent.crf,
              o.agent.x265_params.c_str(), o.agents, o.chunks.c_str());
  if (o.server.empty()) {
    const std::string library = tmp->path() + "/library";
    fs::create_directories(library);
    const std::string title = library + "/title.mkv";
    std::printf("generating %dx%d %d s p7-mel, scene every %d frames (%lld frames)...\n",
                o.width, o.height, o.seconds, o.scene_every, static_cast<long long>(shape.frames));
    std::fflush(stdout);
    if (absl::Status s = GenerateTitle(o, o.seconds, programs.mkvctl, title); !s.ok()) {
      return Fail(s);
    }
    // One baseline + chunked pair; `label` names its folder.
    auto run_pair = [&](const std::string& label, const std::string& path,
                        bool baseline_first) -> absl::StatusOr<RunPair> {
      RunPair run;
      run.baseline_first = baseline_first;
      for (bool chunked : {!baseline_first, baseline_first}) {
        if (chunked ? !do_chunked : !do_baseline) continue;
        const std::string run_dir =
            absl::StrCat(tmp->path(), "/", label, "-", chunked ? "chunked" : "baseline");
        absl::StatusOr<JobTiming> t = RunLocal(o, programs, library, path, run_dir, chunked);
        if (!t.ok()) return t.status();
        (chunked ? run.chunked : run.baseline) = *std::move(t);
        std::error_code ec;
        if (!o.keep) fs::remove_all(run_dir, ec);  // its output and work files
      }
      return run;
    };
    for (int rep = 0; rep < o.repeat; ++rep) {
      absl::StatusOr<RunPair> run = run_pair(absl::StrCat("run-", rep + 1), title, rep % 2 == 0);
      if (!run.ok()) return Fail(run.status());
      PrintRun(rep + 1, *run, shape);
      runs.push_back(*std::move(run));
    }
    if (o.fit_seconds > 0) {
      // A shorter title, to split the serial costs into fixed and per-frame parts.
      fit_frames = static_cast<int64_t>(o.fit_seconds) * 24;
      const std::string short_title = library + "/short.mkv";
      if (absl::Status s = GenerateTitle(o, o.fit_seconds, programs.mkvctl, short_title);
          !s.ok()) {
        return Fail(s);
      }
      absl::StatusOr<RunPair> run = run_pair("fit", short_title, true);
      if (!run.ok()) return Fail(run.status());
      BenchShape short_shape = shape;
      short_shape.frames = fit_frames;
      PrintRun(0, *run, short_shape,
               absl::StrFormat("fit run, %d s title (%lld frames)", o.fit_seconds,
                               static_cast<long long>(fit_frames)));
      fit_totals = CostsOf(*run, fit_frames).serial;
    }
    if (absl::Status s = PrintRawCeiling(o, title, tmp->path(), shape.frames, runs); !s.ok()) {
      return Fail(s);
    }
  } else {
    const CtlTarget ctl{programs.mkvctl, o.server, tmp->path() + "/watch"};
    RunPair run;
    if (o.baseline_job != 0 || o.only == "baseline") {
      absl::StatusOr<JobTiming> t = RunExternal(o, ctl, false, o.baseline_job);
      if (!t.ok()) return Fail(t.status());
      run.baseline = *std::move(t);
    }
    if (o.chunked_job != 0 || o.only == "chunked") {
      absl::StatusOr<JobTiming> t = RunExternal(o, ctl, true, o.chunked_job);
      if (!t.ok()) return Fail(t.status());
      run.chunked = *std::move(t);
    }
    // The title's frames from the jobs (the chunks' sum, else the encode step's total).
    shape.frames = run.chunked && run.chunked->frames > 0 ? run.chunked->frames
                   : run.baseline                         ? run.baseline->frames
                                                          : 0;
    if (shape.frames <= 0) return Fail(absl::FailedPreconditionError("the jobs show no frame count"));
    PrintRun(1, run, shape);
    runs.push_back(std::move(run));
  }
  std::printf("title: %lld frames %dx%d; load average after: %s\n",
              static_cast<long long>(shape.frames), shape.width, shape.height,
              LoadAverage().c_str());
  PrintSummary(runs, shape);
  if (std::none_of(runs.begin(), runs.end(), HasBoth)) {
    PrintCosts(runs, shape, MeasuredCosts(), 0);
    return 0;
  }
  const RunCosts medians = MedianCosts(runs, shape.frames);
  const MeasuredCosts costs = FitCosts(medians.serial, shape.frames, fit_totals, fit_frames,
                                       medians.chunk_overhead);
  PrintCosts(runs, shape, costs, fit_frames);
  const double scale = o.film_serial_scale > 0
                           ? o.film_serial_scale
                           : static_cast<double>(o.film_width) * o.film_height /
                                 (static_cast<double>(o.width) * o.height);
  PrintFilmModel(costs, shape, o.film, o.film_width, o.film_height, o.film_vms, scale);
  return 0;
}

}  // namespace
}  // namespace mkvfleet::bench

int main(int argc, char** argv) { return mkvfleet::bench::Main(argc, argv); }
