// Speed of whole media-pipeline jobs against the floors they cannot beat, measured side by side
// in one run on one generated Dolby Vision profile 7 film:
//   dv-reencode job wall time / a bare `ffmpeg | x265` encode of the same frames, same settings
//   dv-convert job wall time  / `cp` of the source on the same disk
//   bytes written per job     / output size
// Jobs run in-process, every step of the media pipeline (probe .. publish) in order as the
// agent's StepRunner runs them. dv-convert runs on a film-sized source: a generated clip
// appended --copies times by mkvmerge; dv-reencode on a --seconds long generated film. Usage:
//   pipeline_bench [--size 1920x1080] [--seconds 20] [--clip-seconds 2] [--copies 100]
//                  [--preset ultrafast] [--dir /var/tmp/x]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "agent/encode/encoder_pipe.h"
#include "agent/encode/reencode_steps.h"
#include "agent/encode/x265_args.h"
#include "agent/media/media_pipeline.h"
#include "common/media/sample_generator.h"
#include "common/process/subprocess.h"

namespace mkvfleet {
namespace {

namespace fs = std::filesystem;
using agent::encode::EncodeProfile;

// This process's bytes written to storage so far (/proc/self/io write_bytes; -1 if unknown).
int64_t ProcessWriteBytes() {
  std::ifstream in("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return -1;
}

struct JobRun {
  int64_t kernel_write_bytes = -1;  // written by this process (the in-process remux), per kernel
  double seconds = 0;
  std::map<std::string, double> step_seconds;
  std::vector<agent::StepRecord> steps;
  std::string output;
  int64_t bytes_written = 0;  // sum of the steps' bytes_written facts
};

absl::StatusOr<JobRun> RunJob(const std::string& source, const std::string& work,
                              const std::string& plan, const EncodeProfile& profile) {
  agent::media::MediaSettings settings;
  settings.ssim_floor = 0.5;
  agent::encode::ReencodeOptions options;
  options.profile = profile;
  auto pipeline = agent::media::MakeMediaPipeline(
      settings, agent::encode::MakeReencodePlans(
                    std::make_shared<const agent::media::MediaSettings>(settings), options));
  agent::Task task;
  task.job_id = 1;
  task.source_path = source;
  task.plan_override = plan;
  fs::create_directories(work);
  std::atomic<bool> cancel{false};
  JobRun run;
  const int64_t written_before = ProcessWriteBytes();
  const absl::Time start = absl::Now();
  for (const auto& step : pipeline->steps()) {
    agent::StepContext::Hooks hooks;
    hooks.report_progress = [](const agent::Progress&) {};
    hooks.log = [](agent::LogLevel, const std::string&) {};
    agent::StepContext ctx(task, "bench", source, work, nullptr, run.steps, &cancel, hooks);
    const absl::Time t0 = absl::Now();
    absl::StatusOr<agent::StepResult> r = step->Run(ctx);
    run.step_seconds[step->name()] = absl::ToDoubleSeconds(absl::Now() - t0);
    if (!r.ok()) return r.status();
    agent::StepRecord rec;
    rec.name = step->name();
    rec.status = agent::StepStatus::kDone;
    rec.checkpoint = r->checkpoint;
    run.steps.push_back(rec);
    if (auto it = r->checkpoint.facts.find("bytes_written"); it != r->checkpoint.facts.end()) {
      int64_t b = 0;
      if (absl::SimpleAtoi(it->second, &b)) run.bytes_written += b;
    }
    if (r->outcome != agent::StepResult::Outcome::kContinue) {
      run.output = r->output_path;
      break;
    }
  }
  run.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (written_before >= 0) run.kernel_write_bytes = ProcessWriteBytes() - written_before;
  return run;
}

absl::StatusOr<double> TimeProcess(std::vector<std::string> argv) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = absl::Hours(2);
  absl::StatusOr<process::ProcessResult> r = process::RunProcess(std::move(spec));
  if (!r.ok()) return r.status();
  if (!r->success()) return absl::InternalError(r->Describe() + ": " + r->stderr_tail);
  return absl::ToDoubleSeconds(r->duration);
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "pipeline_bench: %s\n", s.ToString().c_str());
  return 1;
}

std::string StepTimes(const JobRun& r) {
  std::string out;
  for (const char* name : {"probe", "plan", "rpu", "encode", "mux", "verify", "publish"}) {
    auto it = r.step_seconds.find(name);
    if (it != r.step_seconds.end()) absl::StrAppendFormat(&out, " %s=%.2f", name, it->second);
  }
  return out;
}

int Main(int argc, char** argv) {
  media::SampleSpec spec;
  spec.kind = media::SampleKind::kP7Mel;
  spec.width = 1920;
  spec.height = 1080;
  spec.seconds = 20;
  int clip_seconds = 2;
  int copies = 100;
  EncodeProfile profile;
  profile.preset = "ultrafast";
  profile.crf = 20;
  std::string dir = "/var/tmp/mkvfleet-pipeline-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--size") {
      if (auto s = media::ParseFrameSize(value, spec.width, spec.height); !s.ok()) return Fail(s);
    } else if (flag == "--seconds") {
      if (!absl::SimpleAtoi(value, &spec.seconds)) return Fail(absl::InvalidArgumentError(value));
    } else if (flag == "--clip-seconds") {
      if (!absl::SimpleAtoi(value, &clip_seconds)) return Fail(absl::InvalidArgumentError(value));
    } else if (flag == "--copies") {
      if (!absl::SimpleAtoi(value, &copies) || copies < 1) {
        return Fail(absl::InvalidArgumentError(value));
      }
    } else if (flag == "--preset") {
      profile.preset = value;
    } else if (flag == "--dir") {
      dir = value;
    } else {
      return Fail(absl::InvalidArgumentError("unknown flag " + flag));
    }
  }
  fs::remove_all(dir);
  fs::create_directories(dir + "/lib");

  // dv-convert against cp, on `copies` appended clips.
  media::SampleSpec clip = spec;
  clip.seconds = clip_seconds;
  const std::string clip_path = dir + "/clip.mkv";
  std::printf("generating %dx%d %ds p7-mel clip, appending it %d times...\n", clip.width,
              clip.height, clip.seconds, copies);
  if (auto s = media::GenerateSample(clip, clip_path); !s.ok()) return Fail(s);
  const std::string big = dir + "/lib/big.mkv";
  // mkvmerge cannot append FLAC: the appended film keeps video, AC-3 and subtitles.
  std::vector<std::string> append = {"mkvmerge", "-q", "-o", big, "-a", "1", clip_path};
  for (int i = 1; i < copies; ++i) append.insert(append.end(), {"+", "-a", "1", clip_path});
  if (absl::StatusOr<double> t = TimeProcess(append); !t.ok()) return Fail(t.status());
  fs::remove(clip_path);
  const int64_t big_bytes = static_cast<int64_t>(fs::file_size(big));
  absl::StatusOr<double> cp = TimeProcess({"cp", big, dir + "/copy.mkv"});
  if (!cp.ok()) return Fail(cp.status());
  fs::remove(dir + "/copy.mkv");
  absl::StatusOr<JobRun> convert = RunJob(big, dir + "/work-convert", "dv-convert", profile);
  if (!convert.ok()) return Fail(convert.status());
  const int64_t convert_out = static_cast<int64_t>(fs::file_size(convert->output));
  fs::remove(convert->output);
  fs::remove(big);

  const std::string source = dir + "/lib/film.mkv";
  std::printf("generating %dx%d %ds p7-mel (%d frames)...\n", spec.width, spec.height,
              spec.seconds, spec.frame_count());
  if (auto s = media::GenerateSample(spec, source); !s.ok()) return Fail(s);
  const int64_t source_bytes = static_cast<int64_t>(fs::file_size(source));

  // dv-reencode against a bare ffmpeg | x265 with the same arguments and the same RPUs.
  absl::StatusOr<JobRun> reencode = RunJob(source, dir + "/work-reencode", "dv-reencode", profile);
  if (!reencode.ok()) return Fail(reencode.status());
  const int64_t reencode_out = static_cast<int64_t>(fs::file_size(reencode->output));
  std::string rpu;
  for (const auto& s : reencode->steps) {
    for (const auto& a : s.checkpoint.artifacts) {
      if (a.name == agent::encode::kArtifactRpu) rpu = a.path;
    }
  }
  absl::StatusOr<agent::media::MediaInfo> info = agent::media::MediaInfoFromJson(
      reencode->steps[0].checkpoint.facts.at(agent::media::kFactMediaInfo));
  if (!info.ok()) return Fail(info.status());
  agent::encode::EncodeJob job{"ffmpeg", "x265", source, dir + "/bare.hevc", rpu};
  absl::StatusOr<agent::encode::EncodeCommands> cmds =
      agent::encode::BuildEncodeCommands(*info, profile, job);
  if (!cmds.ok()) return Fail(cmds.status());
  const absl::Time bare_start = absl::Now();
  agent::encode::PipeRequest bare_request;
  bare_request.decode = cmds->decode;
  bare_request.encode = cmds->encode;
  bare_request.timeout = absl::Hours(2);
  absl::StatusOr<agent::encode::PipeResult> bare = agent::encode::RunDecodeEncodePipe(bare_request);
  if (!bare.ok()) return Fail(bare.status());
  if (auto s = agent::encode::PipeStatus(*bare); !s.ok()) return Fail(s);
  const double bare_seconds = absl::ToDoubleSeconds(absl::Now() - bare_start);

  std::printf("dv-convert source: %d x %ds clips appended, %lld bytes, %d frames %dx%d\n",
              copies, clip_seconds, static_cast<long long>(big_bytes),
              copies * clip.frame_count(), clip.width, clip.height);
  std::printf("dv-reencode source: %lld bytes, %d frames %dx%d, x265 preset %s crf %g, %d cores\n",
              static_cast<long long>(source_bytes), spec.frame_count(), spec.width, spec.height,
              profile.preset.c_str(), profile.crf,
              static_cast<int>(std::thread::hardware_concurrency()));
  std::printf("%-34s %10s %10s %8s %6s\n", "measure", "job", "floor", "ratio", "goal");
  std::printf("%-34s %9.2fs %9.2fs %8.3f %6s\n", "dv-reencode job / bare ffmpeg|x265",
              reencode->seconds, bare_seconds, reencode->seconds / bare_seconds, "1.05");
  std::printf("%-34s %9.2fs %9.2fs %8.3f %6s\n", "dv-convert job / cp", convert->seconds, *cp,
              convert->seconds / *cp, "1.2");
  std::printf("%-34s %10lld %10lld %8.3f %6s\n", "dv-convert bytes written / output",
              static_cast<long long>(convert->bytes_written), static_cast<long long>(convert_out),
              static_cast<double>(convert->bytes_written) / convert_out, "1.1");
  std::printf("%-34s %10lld %10lld %8.3f %6s\n", "dv-reencode bytes written / output",
              static_cast<long long>(reencode->bytes_written),
              static_cast<long long>(reencode_out),
              static_cast<double>(reencode->bytes_written) / reencode_out, "1.1");
  std::printf("bytes written in-process per the kernel (/proc/self/io): dv-convert %lld, "
              "dv-reencode %lld\n",
              static_cast<long long>(convert->kernel_write_bytes),
              static_cast<long long>(reencode->kernel_write_bytes));
  std::printf("dv-convert steps (s):%s\n", StepTimes(*convert).c_str());
  std::printf("dv-reencode steps (s):%s\n", StepTimes(*reencode).c_str());
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace mkvfleet

int main(int argc, char** argv) { return mkvfleet::Main(argc, argv); }
