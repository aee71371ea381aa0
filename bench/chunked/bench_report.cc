// See bench_report.h.
#include "bench/chunked/bench_report.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mkvfleet::bench {
namespace {

constexpr double kEfficiencyGoal = 0.8;  // issue 14: >= 0.8 at N = 2 on the 2-core box

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The median over runs of `f`, for runs that have what `has` asks for.
double MedianOf(const std::vector<RunPair>& runs, const std::function<bool(const RunPair&)>& has,
                const std::function<double(const RunPair&)>& f) {
  std::vector<double> v;
  for (const RunPair& r : runs) {
    if (has(r)) v.push_back(f(r));
  }
  return Median(v);
}

bool HasBaseline(const RunPair& r) { return r.baseline.has_value(); }
bool HasChunked(const RunPair& r) { return r.chunked.has_value(); }

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

// Chunked job: assemble start to the encode step's finish (the join and its checks).
double Assemble(const JobTiming& c) {
  for (const StepTiming& s : c.steps) {
    if (s.name == "encode") return Span(c.assemble_ms, s.finished_ms);
  }
  return 0;
}

std::string StepList(const JobTiming& t, std::initializer_list<const char*> names) {
  std::string out;
  for (const char* n : names) absl::StrAppendFormat(&out, " %s %.2f", n, t.step(n));
  return out;
}

void PrintBaselineLine(const JobTiming& b, int64_t frames) {
  std::printf("  baseline: queue %.2f |%s | encode %.2f (%.2f fps) |%s\n",
              Span(b.enqueued_ms, b.claimed_ms), StepList(b, {"probe", "plan", "rpu"}).c_str(),
              b.step("encode"), EncodeFps(b, frames),
              StepList(b, {"mux", "verify", "publish"}).c_str());
}

void PrintChunkedLines(const JobTiming& c) {
  const double wall = c.wall();
  std::printf(
      "  chunked: queue %.2f | prepare %.2f (%.3f of wall;%s, then frame index, cut plan, "
      "manifest) | hand-off %.2f | chunk phase %.2f (%.3f) | hand-off %.2f | assemble %.2f"
      "%s (after the chunks %.2f = %.3f)\n",
      Span(c.enqueued_ms, c.claimed_ms), c.prepare(), Ratio(c.prepare(), wall),
      StepList(c, {"probe", "plan", "rpu"}).c_str(), Span(c.split_ms, c.chunks_first_ms),
      c.chunk_phase(), Ratio(c.chunk_phase(), wall), Span(c.chunks_last_ms, c.assemble_ms),
      Assemble(c), StepList(c, {"mux", "verify", "publish"}).c_str(), c.tail(),
      Ratio(c.tail(), wall));
  std::string chunks;
  for (const ChunkTiming& ch : c.chunks) {
    absl::StrAppendFormat(&chunks, " #%d %df %s %.2fs", ch.index, ch.frames, ch.agent,
                          ch.seconds());
    if (ch.attempts > 1) absl::StrAppendFormat(&chunks, " (%d attempts)", ch.attempts);
  }
  std::printf("  chunks (frames, agent, claim to accepted):%s%s\n", chunks.c_str(),
              c.chunk_times_from_logs ? " [no chunk times in show: phase bounds from the log]"
                                      : "");
  if (c.retried_chunks() > 0) {
    std::printf("  WARNING: %d chunk(s) were retried; this run's times include the retries\n",
                c.retried_chunks());
  }
}

std::string Hours(double s) { return absl::StrFormat("%.2f", s / 3600); }

}  // namespace

double EncodeFps(const JobTiming& b, int64_t frames) {
  const double s = b.step("encode");
  return s > 0 ? static_cast<double>(frames) / s : 0;
}

bool HasBoth(const RunPair& r) { return r.baseline && r.chunked; }

RunCosts CostsOf(const RunPair& run, int64_t frames) {
  const JobTiming& b = *run.baseline;
  const JobTiming& c = *run.chunked;
  RunCosts r;
  r.serial.whole_other = b.wall() - b.step("encode");
  r.serial.before_chunks = Span(c.enqueued_ms ? c.enqueued_ms : c.claimed_ms, c.chunks_first_ms);
  r.serial.after_chunks = c.tail();
  r.encode_fps = EncodeFps(b, frames);
  double extra = 0;
  for (const ChunkTiming& ch : c.chunks) {
    extra += ch.seconds() - (r.encode_fps > 0 ? static_cast<double>(ch.frames) / r.encode_fps : 0);
  }
  r.chunk_overhead = c.chunks.empty() ? 0 : extra / static_cast<double>(c.chunks.size());
  return r;
}

RunCosts MedianCosts(const std::vector<RunPair>& runs, int64_t frames) {
  auto med = [&](const std::function<double(const RunCosts&)>& f) {
    return MedianOf(runs, HasBoth, [&](const RunPair& r) { return f(CostsOf(r, frames)); });
  };
  RunCosts m;
  m.serial.whole_other = med([](const RunCosts& c) { return c.serial.whole_other; });
  m.serial.before_chunks = med([](const RunCosts& c) { return c.serial.before_chunks; });
  m.serial.after_chunks = med([](const RunCosts& c) { return c.serial.after_chunks; });
  m.encode_fps = med([](const RunCosts& c) { return c.encode_fps; });
  m.chunk_overhead = med([](const RunCosts& c) { return c.chunk_overhead; });
  return m;
}

void PrintRun(int number, const RunPair& run, const BenchShape& shape, const std::string& label) {
  std::string head = label.empty() ? absl::StrCat("run ", number) : label;
  if (HasBoth(run)) {
    absl::StrAppend(&head, run.baseline_first ? " (baseline first)" : " (chunked first)");
  }
  absl::StrAppend(&head, ":");
  if (run.baseline) absl::StrAppendFormat(&head, " baseline %.2f s", run.baseline->wall());
  if (run.chunked) {
    absl::StrAppendFormat(&head, "%s chunked %.2f s (%d chunks, %d agents)",
                          run.baseline ? "," : "", run.chunked->wall(),
                          static_cast<int>(run.chunked->chunks.size()), shape.agents);
  }
  if (HasBoth(run)) {
    const double speedup = Ratio(run.baseline->wall(), run.chunked->wall());
    absl::StrAppendFormat(&head, ", speed-up %.3f, efficiency %.3f", speedup,
                          speedup / shape.agents);
  }
  std::printf("%s\n", head.c_str());
  if (run.baseline) PrintBaselineLine(*run.baseline, shape.frames);
  if (run.chunked) PrintChunkedLines(*run.chunked);
  std::fflush(stdout);
}

void PrintSummary(const std::vector<RunPair>& runs, const BenchShape& shape) {
  int n_both = 0;
  for (const RunPair& r : runs) n_both += HasBoth(r) ? 1 : 0;
  std::printf("%-52s %10s %8s\n", absl::StrFormat("measure (median of %d runs)", runs.size()).c_str(),
              "value", "goal");
  auto line = [](const std::string& what, double v, const char* goal = "") {
    std::printf("%-52s %10.3f %8s\n", what.c_str(), v, goal);
  };
  if (std::any_of(runs.begin(), runs.end(), HasBaseline)) {
    line("baseline wall, 1 agent on 1 core (s)",
         MedianOf(runs, HasBaseline, [](const RunPair& r) { return r.baseline->wall(); }));
  }
  if (std::any_of(runs.begin(), runs.end(), HasChunked)) {
    line(absl::StrFormat("chunked wall, %d agents on 1 core each (s)", shape.agents),
         MedianOf(runs, HasChunked, [](const RunPair& r) { return r.chunked->wall(); }));
    line("  share: queue + prepare + hand-off",
         MedianOf(runs, HasChunked, [](const RunPair& r) {
           const JobTiming& c = *r.chunked;
           return Ratio(Span(c.enqueued_ms, c.chunks_first_ms), c.wall());
         }));
    line("  share: chunk phase", MedianOf(runs, HasChunked, [](const RunPair& r) {
           return Ratio(r.chunked->chunk_phase(), r.chunked->wall());
         }));
    line("  share: after the chunks (assemble..publish)",
         MedianOf(runs, HasChunked,
                  [](const RunPair& r) { return Ratio(r.chunked->tail(), r.chunked->wall()); }));
  }
  if (n_both == 0) return;
  auto speedup = [](const RunPair& r) { return Ratio(r.baseline->wall(), r.chunked->wall()); };
  line("speed-up = baseline / chunked", MedianOf(runs, HasBoth, speedup));
  line(absl::StrFormat("efficiency = speed-up / %d", shape.agents),
       MedianOf(runs, HasBoth, [&](const RunPair& r) { return speedup(r) / shape.agents; }),
       shape.agents == 2 ? ">= 0.8" : "");
  std::string per_run;
  for (const RunPair& r : runs) {
    if (HasBoth(r)) absl::StrAppendFormat(&per_run, " %.3f", speedup(r) / shape.agents);
  }
  const double eff = MedianOf(runs, HasBoth, [&](const RunPair& r) { return speedup(r) / shape.agents; });
  std::printf("efficiency per run:%s; goal %s at N = 2: %s\n", per_run.c_str(),
              absl::StrFormat("%.1f", kEfficiencyGoal).c_str(),
              shape.agents != 2 ? "not applicable (N != 2)"
                                : (eff >= kEfficiencyGoal ? "met" : "NOT met"));
}

void PrintCosts(const std::vector<RunPair>& runs, const BenchShape& shape,
                const MeasuredCosts& costs, int64_t fit_frames) {
  const int64_t f = shape.frames;
  const double fps = MedianOf(runs, HasBaseline,
                              [&](const RunPair& r) { return EncodeFps(*r.baseline, f); });
  std::printf("costs (%lld frames %dx%d, medians):\n", static_cast<long long>(f), shape.width,
              shape.height);
  std::printf("  whole-file encode step: %.2f fps on one core = %.2f ms/frame\n", fps,
              fps > 0 ? 1000 / fps : 0);
  if (std::none_of(runs.begin(), runs.end(), HasBoth)) return;
  const RunCosts m = MedianCosts(runs, f);
  const double frames = static_cast<double>(f);
  auto serial = [&](const char* what, double total, const SerialCost& fit, const char* parts) {
    std::printf("  %-30s %7.2f s = %7.3f ms/frame", what, total, 1000 * total / frames);
    if (fit_frames > 0) {
      std::printf("; fit: %.2f s fixed + %.3f ms/frame", fit.fixed, 1000 * fit.per_frame);
    }
    std::printf(" (%s)\n", parts);
  };
  serial("whole-file job, not encode:", m.serial.whole_other, costs.whole_other,
         "queue, probe, plan, rpu, mux, verify, publish");
  serial("chunked, before the chunks:", m.serial.before_chunks, costs.before_chunks,
         "queue, probe, plan, rpu, frame index, cut plan, manifest, hand-off");
  serial("chunked, after the chunks:", m.serial.after_chunks, costs.after_chunks,
         "hand-off, join + checks, mux, verify, publish");
  std::printf("  chunk overhead: %.3f s per chunk (claim to accepted, minus its frames at the "
              "whole-file encode speed)\n",
              m.chunk_overhead);
  if (fit_frames > 0) {
    std::printf("  (fit: a straight line through this title and the %lld-frame one)\n",
                static_cast<long long>(fit_frames));
  }
  const double measured =
      MedianOf(runs, HasChunked, [](const RunPair& r) { return r.chunked->chunk_phase(); });
  const double ideal = MedianOf(runs, HasChunked, [&](const RunPair& r) {
    std::vector<double> secs;
    for (const ChunkTiming& c : r.chunked->chunks) secs.push_back(c.seconds());
    return ListScheduleMakespan(secs, shape.agents);
  });
  std::printf("  chunk phase: %.2f s measured; %.2f s with each agent taking the next chunk at "
              "once (the measured chunk times, list-scheduled): %.2f s of dispatch gaps\n",
              measured, ideal, measured - ideal);
}

void PrintFilmModel(const MeasuredCosts& m, const BenchShape& shape, const FilmSpec& film,
                    int film_width, int film_height, const std::vector<int>& vms, double scale) {
  const double film_seconds =
      static_cast<double>(film.frames) * film.fps_den / static_cast<double>(film.fps_num);
  std::printf(
      "film model: %lld frames at %lld/%lld = %.2f h, %dx%d; x265 at %.2f fps per VM (ASSUMED, "
      "--film-fps-per-vm); chunks as chunk::PlanCuts auto makes them (%d per VM, %g-%g s), "
      "each VM taking the next when free; serial costs: the fixed parts as measured, the "
      "per-frame parts as measured on the %dx%d title (x1)%s\n",
      static_cast<long long>(film.frames), static_cast<long long>(film.fps_num),
      static_cast<long long>(film.fps_den), film_seconds / 3600, film_width, film_height,
      film.encode_fps_per_vm, film.chunks_per_vm, film.min_chunk_seconds, film.max_chunk_seconds,
      shape.width, shape.height,
      scale != 1 ? absl::StrFormat(" and times %.2f (the film's pixels over the title's, as if "
                                   "all of it were per-pixel work), chunk overhead too",
                                   scale)
                       .c_str()
                 : "");
  std::printf("%-7s %4s %6s %8s %8s %9s %9s %8s %9s %10s\n", "scale", "VMs", "chunks", "1 VM h",
              "N VMs h", "before h", "chunks h", "after h", "speed-up", "efficiency");
  std::vector<double> scales = {1};
  if (scale != 1) scales.push_back(scale);
  for (double s : scales) {
    for (int v : vms) {
      absl::StatusOr<FilmPrediction> p = PredictFilm(m, film, v, s);
      const std::string tag = absl::StrFormat("x%.2f", s);
      if (!p.ok()) {
        std::printf("%-7s %4d  model failed: %s\n", tag.c_str(), v,
                    std::string(p.status().message()).c_str());
        continue;
      }
      std::printf("%-7s %4d %6d %8s %8s %9s %9s %8s %9.3f %10.3f\n", tag.c_str(), v, p->chunks,
                  Hours(p->one_vm_seconds).c_str(), Hours(p->seconds).c_str(),
                  Hours(p->before_chunks).c_str(), Hours(p->chunk_phase).c_str(),
                  Hours(p->after_chunks).c_str(), p->speedup(), p->efficiency());
    }
  }
}

}  // namespace mkvfleet::bench
