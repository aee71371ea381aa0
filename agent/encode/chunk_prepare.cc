// Prepare of a chunked re-encode: plan, frame index, files (see the header).
#include "agent/encode/chunk_prepare.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/encode/chunk_files.h"
#include "agent/encode/frame_index.h"
#include "agent/media/media_probe.h"
#include "agent/media/output_steps.h"
#include "agent/media/publish.h"
#include "agent/media/step_support.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

namespace fs = std::filesystem;
using Prepared = std::optional<StepResult>;

// The decoded frames of the source with the chunks' decoder (ffprobe decodes every frame), listed
// through a file in the job's work dir.
absl::StatusOr<FrameIndex> IndexFrames(const StepContext& ctx,
                                       const media::MediaSettings& settings) {
  const std::string list = (fs::path(ctx.work_dir()) / "frame-index.txt").string();
  const std::vector<std::string> argv =
      FrameIndexArgv(settings.Tool("ffprobe"), ctx.source_path(), list);
  ASSIGN_OR_RETURN(const process::ProcessResult r,
                   media::RunLoggedTool(ctx, argv, settings.tool_timeout));
  if (!r.success()) {
    return absl::InternalError(absl::StrCat("ffprobe could not index the frames of ",
                                            ctx.source_path(), " (", r.Describe(), ")"));
  }
  absl::StatusOr<std::vector<uint8_t>> text = ReadFileBytes(list);
  std::error_code ec;
  fs::remove(list, ec);
  if (!text.ok()) return text.status();
  return ParseFrameIndex(
      absl::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
}

// rpu.bin, the slices, then the manifest, into a fresh `folder`. Returns the bytes written.
absl::StatusOr<int64_t> WriteChunkFolder(const std::string& folder, const PreparedManifest& pm,
                                         absl::Span<const uint8_t> rpu_file) {
  std::error_code ec;
  fs::remove_all(folder, ec);  // an earlier prepare's files: none of them may be mixed in
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot empty chunk folder ", folder, ": ", ec.message()));
  }
  fs::create_directories(folder, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create chunk folder ", folder, ": ", ec.message()));
  }
  const fs::path dir(folder);
  int64_t bytes = static_cast<int64_t>(rpu_file.size());
  RETURN_IF_ERROR(WriteFileAtomically((dir / pm.manifest.rpu_file).string(), rpu_file));
  for (size_t i = 0; i < pm.slices.size(); ++i) {
    RETURN_IF_ERROR(
        WriteFileAtomically((dir / pm.manifest.chunks[i].rpu_slice).string(), pm.slices[i]));
    bytes += static_cast<int64_t>(pm.slices[i].size());
  }
  ASSIGN_OR_RETURN(const std::string json, chunk::ToJson(pm.manifest));
  RETURN_IF_ERROR(WriteFileAtomically(
      (dir / kChunkManifestName).string(),
      absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(json.data()), json.size())));
  RETURN_IF_ERROR(media::SyncFolder(folder));
  return bytes + static_cast<int64_t>(json.size());
}

void LogPlan(const StepContext& ctx, const CutPlan& plan, const ChunkingDecision& decision) {
  int64_t cuts = 0, on_scene = 0;
  for (const chunk::ChunkRange& r : plan.ranges) {
    if (r.first_frame == 0) continue;
    ++cuts;
    if (r.starts_on_scene_cut) ++on_scene;
  }
  const int64_t frames = plan.ranges.back().first_frame + plan.ranges.back().frames;
  ctx.Log(LogLevel::kInfo,
          absl::StrFormat("encode: chunk plan (%s): %d chunks over %d frames at %d/%d fps, %d "
                          "scene starts in the RPUs; %d of %d cuts on scene starts",
                          decision.reason, plan.ranges.size(), frames, plan.fps_num, plan.fps_den,
                          plan.scene_starts.size(), on_scene, cuts));
  for (const std::string& line : DescribePlan(plan)) ctx.Log(LogLevel::kInfo, "encode: " + line);
}

}  // namespace

absl::StatusOr<Prepared> PrepareChunkedEncode(StepContext& ctx, const media::MediaInfo& info,
                                              const ChunkPrepareRequest& req) {
  const ChunkingDecision& decision = req.decision;
  // Auto-chunking gives up on these and the job is encoded whole; a forced request fails.
  auto encode_whole = [&](absl::Status why) -> absl::StatusOr<Prepared> {
    if (decision.forced) return why;
    ctx.Log(LogLevel::kWarn, absl::StrCat("encode: not chunking after all: ", why.message(),
                                          "; encoding the whole title on this agent"));
    return Prepared();
  };

  ASSIGN_OR_RETURN(const std::vector<uint8_t> rpu_file, ReadFileBytes(req.rpu_path));
  absl::StatusOr<std::vector<absl::Span<const uint8_t>>> rpus = dovi::ParseRpuFile(rpu_file);
  if (!rpus.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("RPU file ", req.rpu_path, ": ", rpus.status().message()));
  }
  absl::StatusOr<CutPlan> planned = PlanChunkCuts(*rpus, info, decision.cuts);
  if (!planned.ok()) return encode_whole(planned.status());
  const CutPlan& plan = *planned;
  if (plan.ranges.size() < 2) {
    return encode_whole(absl::FailedPreconditionError(absl::StrFormat(
        "the title's %d frames make a single chunk within the chunk length limits", rpus->size())));
  }

  const std::string& shared = ctx.shared_work_dir();
  std::error_code ec;
  if (!fs::is_directory(shared, ec)) {
    return encode_whole(absl::UnavailableError(
        absl::StrCat("shared work dir ", shared, " is not a folder here (not mounted?)")));
  }
  const std::string folder = media::ChunkFolderFor(shared, ctx.task().job_id);
  // The chunk files and the joined stream, each about the source's size.
  const int64_t needed = 2 * info.size_bytes + media::kFreeSpaceMargin;
  if (absl::Status s =
          media::CheckFreeSpace(req.free_space, shared, needed, "the chunk files and their join");
      !s.ok()) {
    return encode_whole(s);
  }

  ASSIGN_OR_RETURN(const FrameIndex index, IndexFrames(ctx, *req.settings));
  if (ctx.cancelled()) return absl::CancelledError("encode cancelled");
  if (index.pts.size() != rpus->size()) {
    return encode_whole(absl::FailedPreconditionError(
        absl::StrCat(ctx.source_path(), ": the decoder gives ", index.pts.size(),
                     " frames but the RPU file has ", rpus->size(), " RPUs")));
  }
  if (absl::Status s = CheckConstantFrameRate(index, plan.fps_num, plan.fps_den); !s.ok()) {
    return encode_whole(
        absl::FailedPreconditionError(absl::StrCat(ctx.source_path(), ": ", s.message())));
  }
  ctx.Log(LogLevel::kInfo,
          absl::StrCat("encode: frame index: ", index.pts.size(), " decoded frames, constant ",
                       plan.fps_num, "/", plan.fps_den, " fps, one RPU each"));

  ASSIGN_OR_RETURN(
      const PreparedManifest pm,
      BuildChunkManifest(ctx.task().source_path, info, req.profile, plan, rpu_file, *rpus));
  ASSIGN_OR_RETURN(const int64_t bytes, WriteChunkFolder(folder, pm, rpu_file));
  LogPlan(ctx, plan, decision);
  const std::string manifest = (fs::path(folder) / kChunkManifestName).string();
  ctx.Log(LogLevel::kInfo, absl::StrCat("encode: wrote ", manifest, ", ", kChunkRpuFileName,
                                        " and ", pm.slices.size(), " RPU slices"));

  StepResult result;
  result.outcome = StepResult::Outcome::kChunked;
  result.chunk_manifest = manifest;
  for (const chunk::ChunkRange& r : plan.ranges) {
    ChunkRecord c;
    c.index = r.index;
    c.first_frame = r.first_frame;
    c.frames = r.frames;
    result.chunks.push_back(std::move(c));
  }
  result.checkpoint.facts["chunks"] = absl::StrCat(plan.ranges.size());
  result.checkpoint.facts["chunk_folder"] = ctx.ToCoordinator(folder);
  result.checkpoint.facts[media::kFactBytesWritten] = absl::StrCat(bytes);
  return Prepared(std::move(result));
}

}  // namespace mkvfleet::agent::encode
