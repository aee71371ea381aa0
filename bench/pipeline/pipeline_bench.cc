// Speed of whole media-pipeline jobs against the floors they cannot beat, measured side by side
// in one run on generated Dolby Vision profile 7 media:
//   dv-reencode job wall time / a bare `ffmpeg | x265` encode of the same frames, same settings
//   dv-convert job wall time  / `cp` of the source on the same disk, and / `cp` + `sync FILE`
//   bytes written per job     / output size
// Jobs run in-process, every step of the media pipeline (probe .. publish) in order as the
// agent's StepRunner runs them. dv-convert runs on a film-sized source: a generated clip
// appended --copies times by mkvmerge, measured with the source in the page cache ("cached")
// and evicted before each timed run ("cold": fsync + POSIX_FADV_DONTNEED); dv-reencode on a
// --seconds long generated film, job and bare encode alternating (job first on even runs, bare
// first on odd ones) --repeat times. `sync` runs before every timed run, so no run pays for the
// writeback of what came before it. With --repeat 2 or more the reencode ratios are also
// printed order-balanced (geometric mean over job-first/bare-first pairs). Usage:
//   pipeline_bench [--size 1920x1080] [--seconds 20] [--clip-seconds 2] [--copies 100]
//                  [--preset ultrafast] [--crf 20] [--repeat 1] [--only convert|reencode]
//                  [--dir /var/tmp/x] [--compare-libav]
// --compare-libav: each dv-convert run also runs the job with direct_rewrite = false (the
// libavformat remux), printed beside it.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/encode/encoder_pipe.h"
#include "agent/encode/reencode_steps.h"
#include "agent/encode/x265_args.h"
#include "agent/media/media_info.h"
#include "agent/media/step_support.h"
#include "bench/pipeline/bench_support.h"
#include "common/samplegen/sample_generator.h"

namespace mkvfleet::bench {
namespace {

namespace fs = std::filesystem;
using agent::encode::EncodeProfile;

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "pipeline_bench: %s\n", s.ToString().c_str());
  return 1;
}

struct Options {
  samplegen::SampleSpec spec;
  int clip_seconds = 2;
  int copies = 100;
  int repeat = 1;
  std::string only;  // "", "convert" or "reencode"
  bool compare_lavf = false;  // also run dv-convert with the libavformat remux
  EncodeProfile profile;
  std::string dir = "/var/tmp/mkvfleet-pipeline-bench";
};

void PrintRatio(const char* what, double job, double floor, const char* goal) {
  std::printf("%-44s %9.2fs %9.2fs %8.3f %6s\n", what, job, floor, job / floor, goal);
}
void PrintBytes(const char* what, const JobRun& run, int64_t output) {
  std::printf("%-44s %10lld %10lld %8.3f %6s\n", what, static_cast<long long>(run.bytes_written),
              static_cast<long long>(output), static_cast<double>(run.bytes_written) / output,
              "1.1");
}

// cp of `source`, optionally followed by `sync COPY` (what the job pays for safety), timed
// together (wall, and CPU of the tools in `cpu`); the copy is written back and removed untimed.
absl::StatusOr<double> TimeCopy(const std::string& source, const std::string& copy, bool fsync,
                                double& cpu) {
  const CpuTimes c0 = CpuNow();
  absl::StatusOr<double> cp = TimeProcess({"cp", source, copy});
  if (!cp.ok()) return cp.status();
  double total = *cp;
  const CpuTimes c1 = CpuNow();
  absl::StatusOr<double> sync = TimeProcess({"sync", copy});
  if (!sync.ok()) return sync.status();
  if (fsync) total += *sync;
  cpu = ((fsync ? CpuNow() : c1) - c0).children;
  fs::remove(copy);
  return total;
}

// dv-convert, cached and cold, against cp and cp + sync.
int ConvertBench(const Options& o) {
  samplegen::SampleSpec clip = o.spec;
  clip.seconds = o.clip_seconds;
  const std::string clip_path = o.dir + "/clip.mkv";
  std::printf("generating %dx%d %ds p7-mel clip, appending it %d times...\n", clip.width,
              clip.height, clip.seconds, o.copies);
  std::fflush(stdout);
  if (auto s = samplegen::GenerateSample(clip, clip_path); !s.ok()) return Fail(s);
  const std::string big = o.dir + "/lib/big.mkv";
  // mkvmerge cannot append FLAC: the appended film keeps video, AC-3 and subtitles.
  std::vector<std::string> append = {"mkvmerge", "-q", "-o", big, "-a", "1", clip_path};
  for (int i = 1; i < o.copies; ++i) append.insert(append.end(), {"+", "-a", "1", clip_path});
  if (absl::StatusOr<double> t = TimeProcess(append); !t.ok()) return Fail(t.status());
  fs::remove(clip_path);
  const int64_t big_bytes = static_cast<int64_t>(fs::file_size(big));
  const std::string copy = o.dir + "/copy.mkv";

  struct Variant {
    const char* name;
    bool cold;
    std::vector<double> cp, cp_sync, job, lavf_job;
    double cp_cpu = 0, cp_sync_cpu = 0, job_cpu = 0, lavf_cpu = 0;  // of the last run
  } variants[] = {{"cached", false, {}, {}, {}, {}}, {"cold", true, {}, {}, {}, {}}};
  JobRun last;
  int64_t output_bytes = 0;
  for (int rep = 0; rep < o.repeat; ++rep) {
    for (Variant& v : variants) {
      auto prepare = [&]() -> absl::Status {
        ::sync();
        return v.cold ? DropFromCache(big) : WarmCache(big);
      };
      for (bool with_sync : {false, true}) {
        if (auto s = prepare(); !s.ok()) return Fail(s);
        absl::StatusOr<double> t =
            TimeCopy(big, copy, with_sync, with_sync ? v.cp_sync_cpu : v.cp_cpu);
        if (!t.ok()) return Fail(t.status());
        (with_sync ? v.cp_sync : v.cp).push_back(*t);
      }
      if (auto s = prepare(); !s.ok()) return Fail(s);
      const CpuTimes c0 = CpuNow();
      absl::StatusOr<JobRun> job = RunJob(big, o.dir + "/work-convert", "dv-convert", o.profile);
      if (!job.ok()) return Fail(job.status());
      const CpuTimes used = CpuNow() - c0;
      v.job_cpu = used.self + used.children;
      v.job.push_back(job->seconds);
      output_bytes = static_cast<int64_t>(fs::file_size(job->output));
      std::printf("run %d %-6s: cp %.2fs (cpu %.2f), cp+sync %.2fs (cpu %.2f), job %.2fs (cpu %.2f),"
                  " steps (s, cpu self+tools):%s\n",
                  rep + 1, v.name, v.cp.back(), v.cp_cpu, v.cp_sync.back(), v.cp_sync_cpu,
                  v.job.back(), v.job_cpu, StepTimes(*job).c_str());
      std::fflush(stdout);
      fs::remove(job->output);
      fs::remove_all(o.dir + "/work-convert");
      last = *std::move(job);
      if (!o.compare_lavf) continue;
      // The same job with the libavformat remux (direct_rewrite = false), for comparison.
      if (auto s = prepare(); !s.ok()) return Fail(s);
      const CpuTimes l0 = CpuNow();
      absl::StatusOr<JobRun> lavf = RunJob(big, o.dir + "/work-convert", "dv-convert",
                                           o.profile, /*direct_rewrite=*/false);
      if (!lavf.ok()) return Fail(lavf.status());
      const CpuTimes lused = CpuNow() - l0;
      v.lavf_cpu = lused.self + lused.children;
      v.lavf_job.push_back(lavf->seconds);
      std::printf("run %d %-6s: libav-remux job %.2fs (cpu %.2f), steps:%s\n", rep + 1, v.name,
                  lavf->seconds, v.lavf_cpu, StepTimes(*lavf).c_str());
      std::fflush(stdout);
      fs::remove(lavf->output);
      fs::remove_all(o.dir + "/work-convert");
    }
  }
  std::printf("dv-convert source: %d x %ds clips appended, %lld bytes, %d frames %dx%d\n",
              o.copies, o.clip_seconds, static_cast<long long>(big_bytes),
              o.copies * clip.frame_count(), clip.width, clip.height);
  std::printf("%-44s %10s %10s %8s %6s\n", "measure (median of runs)", "job", "floor", "ratio",
              "goal");
  for (const Variant& v : variants) {
    PrintRatio(absl::StrCat("dv-convert job / cp (", v.name, ")").c_str(), Median(v.job),
               Median(v.cp), "1.2");
    PrintRatio(absl::StrCat("dv-convert job / cp+sync (", v.name, ")").c_str(), Median(v.job),
               Median(v.cp_sync), "1.2");
    if (!v.lavf_job.empty()) {
      PrintRatio(absl::StrCat("  libav-remux job / cp+sync (", v.name, ")").c_str(),
                 Median(v.lavf_job), Median(v.cp_sync), "");
    }
  }
  PrintBytes("dv-convert bytes written / output", last, output_bytes);
  std::printf("bytes written in-process per the kernel (/proc/self/io): dv-convert %lld\n",
              static_cast<long long>(last.kernel_write_bytes));
  fs::remove(big);
  return 0;
}

// The RPU file and the probed info of a finished re-encode job, for the bare encode.
absl::StatusOr<agent::encode::EncodeCommands> BareCommands(const JobRun& run, const Options& o,
                                                           const std::string& source,
                                                           const std::string& rpu_copy) {
  std::string rpu;
  for (const auto& s : run.steps) {
    for (const auto& a : s.checkpoint.artifacts) {
      if (a.name == agent::encode::kArtifactRpu) rpu = a.path;
    }
  }
  if (rpu.empty()) return absl::InternalError("the job recorded no RPU file");
  fs::copy_file(rpu, rpu_copy, fs::copy_options::overwrite_existing);
  absl::StatusOr<agent::media::MediaInfo> info = agent::media::MediaInfoFromJson(
      run.steps[0].checkpoint.facts.at(agent::media::kFactMediaInfo));
  if (!info.ok()) return info.status();
  agent::encode::EncodeJob job{"ffmpeg", "x265", source, o.dir + "/bare.hevc", rpu_copy};
  return agent::encode::BuildEncodeCommands(*info, o.profile, job);
}

struct BareRun {
  double seconds = 0;
  CpuTimes cpu;
};

absl::StatusOr<BareRun> RunBare(const agent::encode::EncodeCommands& cmds) {
  agent::encode::PipeRequest req;
  req.decode = cmds.decode;
  req.encode = cmds.encode;
  req.timeout = absl::Hours(2);
  const absl::Time start = absl::Now();
  const CpuTimes c0 = CpuNow();
  absl::StatusOr<agent::encode::PipeResult> bare = agent::encode::RunDecodeEncodePipe(req);
  if (!bare.ok()) return bare.status();
  if (auto s = agent::encode::PipeStatus(*bare); !s.ok()) return s;
  return BareRun{absl::ToDoubleSeconds(absl::Now() - start), CpuNow() - c0};
}

// dv-reencode against a bare ffmpeg | x265 with the same arguments and the same RPUs.
int ReencodeBench(const Options& o) {
  const std::string source = o.dir + "/lib/film.mkv";
  std::printf("generating %dx%d %ds p7-mel (%d frames)...\n", o.spec.width, o.spec.height,
              o.spec.seconds, o.spec.frame_count());
  std::fflush(stdout);
  if (auto s = samplegen::GenerateSample(o.spec, source); !s.ok()) return Fail(s);
  const int64_t source_bytes = static_cast<int64_t>(fs::file_size(source));
  std::vector<double> job_s, bare_s, ratios, step_ratios;
  JobRun last;
  int64_t output_bytes = 0;
  std::optional<agent::encode::EncodeCommands> cmds;
  auto run_job = [&]() -> absl::Status {
    ::sync();
    absl::StatusOr<JobRun> job = RunJob(source, o.dir + "/work-reencode", "dv-reencode", o.profile);
    if (!job.ok()) return job.status();
    if (!cmds) {
      absl::StatusOr<agent::encode::EncodeCommands> c =
          BareCommands(*job, o, source, o.dir + "/bare.rpu");
      if (!c.ok()) return c.status();
      cmds = *std::move(c);
    }
    output_bytes = static_cast<int64_t>(fs::file_size(job->output));
    fs::remove(job->output);
    fs::remove_all(o.dir + "/work-reencode");
    last = *std::move(job);
    return absl::OkStatus();
  };
  for (int rep = 0; rep < o.repeat; ++rep) {
    // The bare encode needs the job's RPU file, so the first run is always the job's.
    const bool job_first = rep % 2 == 0;
    BareRun bare;
    if (job_first) {
      if (auto s = run_job(); !s.ok()) return Fail(s);
    }
    ::sync();
    absl::StatusOr<BareRun> b = RunBare(*cmds);
    if (!b.ok()) return Fail(b.status());
    bare = *b;
    fs::remove(o.dir + "/bare.hevc");
    if (!job_first) {
      if (auto s = run_job(); !s.ok()) return Fail(s);
    }
    const StepTiming& enc = last.steps_timing["encode"];
    job_s.push_back(last.seconds);
    bare_s.push_back(bare.seconds);
    ratios.push_back(last.seconds / bare.seconds);
    step_ratios.push_back(enc.seconds / bare.seconds);
    std::printf("run %d (%s first): job %.2fs, bare %.2fs (cpu tools %.2f), job/bare %.3f, "
                "encode step/bare %.3f; steps (s, cpu self+tools):%s\n",
                rep + 1, job_first ? "job" : "bare", last.seconds, bare.seconds,
                bare.cpu.children, last.seconds / bare.seconds, enc.seconds / bare.seconds,
                StepTimes(last).c_str());
    std::fflush(stdout);
  }
  std::printf("dv-reencode source: %lld bytes, %d frames %dx%d, x265 preset %s crf %g, %d cores\n",
              static_cast<long long>(source_bytes), o.spec.frame_count(), o.spec.width,
              o.spec.height, o.profile.preset.c_str(), o.profile.crf,
              static_cast<int>(std::thread::hardware_concurrency()));
  std::printf("%-44s %10s %10s %8s %6s\n", "measure", "job", "floor", "ratio", "goal");
  PrintRatio("dv-reencode job / bare ffmpeg|x265 (run 1)", job_s[0], bare_s[0], "1.05");
  if (o.repeat > 1) {
    PrintRatio("dv-reencode job / bare (medians)", Median(job_s), Median(bare_s), "1.05");
    std::printf("job/bare per run:");
    for (double r : ratios) std::printf(" %.3f", r);
    std::printf("; median %.3f\n", Median(ratios));
    std::printf("%-44s %10s %10s %8.3f %6s\n", "dv-reencode job / bare (order-balanced)", "", "",
                OrderBalancedRatio(ratios), "1.05");
    std::printf("%-44s %10s %10s %8.3f\n", "  encode step / bare (order-balanced)", "", "",
                OrderBalancedRatio(step_ratios));
  }
  PrintBytes("dv-reencode bytes written / output", last, output_bytes);
  std::printf("bytes written in-process per the kernel (/proc/self/io): dv-reencode %lld\n",
              static_cast<long long>(last.kernel_write_bytes));
  return 0;
}

int Main(int argc, char** argv) {
  Options o;
  o.spec.kind = samplegen::SampleKind::kP7Mel;
  o.spec.width = 1920;
  o.spec.height = 1080;
  o.spec.seconds = 20;
  o.profile.preset = "ultrafast";
  o.profile.crf = 20;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--compare-libav") {  // the one flag without a value
      o.compare_lavf = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) return Fail(absl::InvalidArgumentError(flag + " needs a value"));
    const std::string value = argv[i + 1];
    bool ok = true;
    if (flag == "--size") {
      if (auto s = samplegen::ParseFrameSize(value, o.spec.width, o.spec.height); !s.ok()) {
        return Fail(s);
      }
    } else if (flag == "--seconds") {
      ok = absl::SimpleAtoi(value, &o.spec.seconds) && o.spec.seconds > 0;
    } else if (flag == "--clip-seconds") {
      ok = absl::SimpleAtoi(value, &o.clip_seconds) && o.clip_seconds > 0;
    } else if (flag == "--copies") {
      ok = absl::SimpleAtoi(value, &o.copies) && o.copies >= 1;
    } else if (flag == "--repeat") {
      ok = absl::SimpleAtoi(value, &o.repeat) && o.repeat >= 1;
    } else if (flag == "--preset") {
      o.profile.preset = value;
    } else if (flag == "--crf") {
      ok = absl::SimpleAtod(value, &o.profile.crf);
    } else if (flag == "--only") {
      o.only = value;
      ok = value == "convert" || value == "reencode";
    } else if (flag == "--dir") {
      o.dir = value;
    } else {
      return Fail(absl::InvalidArgumentError("unknown flag " + flag));
    }
    if (!ok) return Fail(absl::InvalidArgumentError(absl::StrCat("bad value for ", flag, ": ",
                                                                 value)));
  }
  fs::remove_all(o.dir);
  fs::create_directories(o.dir + "/lib");
  int rc = 0;
  if (o.only != "reencode") rc = ConvertBench(o);
  if (rc == 0 && o.only != "convert") rc = ReencodeBench(o);
  fs::remove_all(o.dir);
  return rc;
}

}  // namespace
}  // namespace mkvfleet::bench

int main(int argc, char** argv) { return mkvfleet::bench::Main(argc, argv); }
