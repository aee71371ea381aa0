// Tool runs behind ProbeMedia (see the header).
#include "agent/media/media_probe.h"

#include <filesystem>
#include <future>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/media/media_info_parse.h"
#include "agent/media/rpu_scan.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

// Most of a failing tool's stderr goes to the log, but not megabytes of it.
constexpr size_t kLoggedStderrBytes = 2000;

std::string Tail(const std::string& s) {
  return s.size() <= kLoggedStderrBytes ? s : "..." + s.substr(s.size() - kLoggedStderrBytes);
}

// Runs a probing tool that must succeed; its failure means the file is not what we need.
absl::StatusOr<std::string> ProbeTool(const StepContext& ctx, const MediaSettings& settings,
                                      std::vector<std::string> argv, const std::string& file) {
  ASSIGN_OR_RETURN(process::ProcessResult r, RunLoggedTool(ctx, argv, settings.tool_timeout));
  // mkvmerge -J exits 2 for unrecognised files but still prints JSON describing why.
  if (!r.success() && !(r.exit_code == 2 && !r.stdout_data.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", argv[0], " cannot read it (",
                                                   r.Describe(), "): ", Tail(r.stderr_tail)));
  }
  return std::move(r.stdout_data);
}

}  // namespace

absl::StatusOr<process::ProcessResult> RunLoggedTool(const StepContext& ctx,
                                                     const std::vector<std::string>& argv,
                                                     absl::Duration timeout) {
  process::ProcessSpec spec;
  spec.argv = argv;
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  spec.timeout = timeout;
  spec.cancel = ctx.cancel_flag();
  ctx.Log(LogLevel::kInfo, absl::StrCat("run: ", process::FormatArgv(argv)));
  absl::StatusOr<process::ProcessResult> r = process::RunProcess(std::move(spec));
  if (!r.ok()) {
    ctx.Log(LogLevel::kError, absl::StrCat("could not run ", argv[0], ": ", r.status().message()));
    if (r.status().code() == absl::StatusCode::kNotFound) {
      return absl::UnavailableError(
          absl::StrCat(argv[0], " is not installed on this agent (", r.status().message(), ")"));
    }
    return r.status();
  }
  std::string line = absl::StrFormat("%s: %s in %.2fs", argv[0], r->Describe(),
                                     absl::ToDoubleSeconds(r->duration));
  if (!r->stderr_tail.empty()) absl::StrAppend(&line, "; stderr: ", Tail(r->stderr_tail));
  ctx.Log(r->success() ? LogLevel::kInfo : LogLevel::kWarn, line);
  if (r->cancelled) return absl::CancelledError(absl::StrCat(argv[0], " cancelled"));
  return r;
}

absl::StatusOr<MediaInfo> ProbeMedia(const StepContext& ctx, const MediaSettings& settings,
                                     const std::string& path, const ProbeOptions& options) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (!std::filesystem::exists(path)) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read size: ", ec.message()));
  }
  if (size == 0) return absl::InvalidArgumentError(absl::StrCat(path, ": empty file (0 bytes)"));
  MediaInfo info;
  info.size_bytes = static_cast<int64_t>(size);

  // The tools (each mostly process start-up and a header read) and our RPU check run at once;
  // their results are then applied in a fixed order, so the first failure reported is the same
  // as when they ran one after another. Runs whose result turns out not to be needed (the frame
  // probe of a file without video) are only waited for.
  auto tool = [&](std::vector<std::string> argv) {
    return std::async(std::launch::async, [&ctx, &settings, &path, argv = std::move(argv)] {
      return ProbeTool(ctx, settings, argv, path);
    });
  };
  auto identify =
      tool({settings.Tool("mkvmerge"), "--identification-format", "json", "--identify", path});
  auto streams = tool({settings.Tool("ffprobe"), "-v", "error", "-show_streams", "-show_format",
                       "-show_chapters", "-of", "json", path});
  auto first_frame = tool({settings.Tool("ffprobe"), "-v", "error", "-select_streams", "v:0",
                           "-read_intervals", "%+#1", "-show_frames", "-of", "json", path});
  // clang-format off
  const std::vector<std::string> count_argv = {
      settings.Tool("ffprobe"), "-v", "error", "-select_streams", "v:0", "-count_packets",
      "-show_entries", "stream=nb_read_packets", "-of", "json", path};
  // clang-format on
  std::future<absl::StatusOr<std::string>> count;
  if (options.count_packets) count = tool(count_argv);
  std::future<absl::StatusOr<RpuCheck>> rpus;
  if (options.first_rpus) {
    rpus = std::async(std::launch::async, [&path] { return CheckFirstRpus(path); });
  }

  ASSIGN_OR_RETURN(const std::string identify_json, identify.get());
  RETURN_IF_ERROR(ApplyMkvmergeIdentify(identify_json, path, info));

  ASSIGN_OR_RETURN(const std::string streams_json, streams.get());
  RETURN_IF_ERROR(ApplyFfprobeStreams(streams_json, path, info));
  if (!info.has_video) return info;

  ASSIGN_OR_RETURN(const std::string first_frame_json, first_frame.get());
  RETURN_IF_ERROR(ApplyFfprobeFirstFrame(first_frame_json, path, info));

  if (options.count_packets || (options.count_if_unknown && info.frame_count == 0)) {
    ASSIGN_OR_RETURN(const std::string count_json,
                     count.valid() ? count.get() : ProbeTool(ctx, settings, count_argv, path));
    RETURN_IF_ERROR(ApplyFfprobePacketCount(count_json, path, info));
  }
  if (options.first_rpus) {
    absl::StatusOr<RpuCheck> rpu = rpus.get();
    if (!rpu.ok()) {
      return rpu.status().code() == absl::StatusCode::kDataLoss
                 ? absl::InvalidArgumentError(rpu.status().message())
                 : rpu.status();
    }
    info.rpu = *rpu;
  }
  return info;
}

}  // namespace mkvfleet::agent::media
