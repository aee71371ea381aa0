// Chunking decision, cuts and manifest (see the header).
#include "agent/encode/chunk_plan.h"

#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/encode/x265_args.h"
#include "common/chunk/rpu_slice.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {

std::string ChunkSliceName(int index) { return absl::StrFormat("slice-%04d.bin", index); }
std::string ChunkOutputName(int index) { return absl::StrFormat("chunk-%04d.hevc", index); }

ChunkingDecision DecideChunking(const ChunkingRequest& request, bool has_shared_work_dir,
                                double title_seconds) {
  ChunkingDecision d;
  if (request.chunks == 1) {
    d.reason = "chunking off for this job (--chunks 1)";
    return d;
  }
  if (!has_shared_work_dir) {
    d.reason = "this agent has no shared work dir (set shared_work_dir to chunk)";
    return d;
  }
  if (request.chunks >= 2) {
    d.chunk = true;
    d.forced = true;
    d.cuts = chunk::CutRequest::Forced(request.chunks);
    d.reason = absl::StrCat("forced: ", request.chunks, " chunks (--chunks ", request.chunks, ")");
    return d;
  }
  if (request.chunks < 0) {
    d.reason = absl::StrCat("chunk count ", request.chunks, " is not a request; encoding whole");
    return d;
  }
  if (request.agents < 2) {
    d.reason = absl::StrCat("auto: ", request.agents, " agent(s) can take chunks now (2 needed)");
    return d;
  }
  if (!(title_seconds > request.min_seconds)) {
    d.reason = absl::StrFormat("auto: the title (%.1f s) is not longer than min_seconds (%.1f s)",
                               title_seconds, request.min_seconds);
    return d;
  }
  d.chunk = true;
  d.cuts = chunk::CutRequest::Auto(request.agents);
  d.cuts.chunks_per_agent = request.chunks_per_agent;
  d.cuts.min_chunk_seconds = request.min_chunk_seconds;
  d.cuts.max_chunk_seconds = request.max_chunk_seconds;
  d.reason = absl::StrFormat("auto: %d agents can take chunks, title %.1f s > %.1f s",
                             request.agents, title_seconds, request.min_seconds);
  return d;
}

double TitleSeconds(const media::MediaInfo& info) {
  if (info.frame_count > 0 && info.fps() > 0) {
    return static_cast<double>(info.frame_count) / info.fps();
  }
  return info.duration_s > 0 ? info.duration_s : 0;
}

absl::StatusOr<CutPlan> PlanChunkCuts(absl::Span<const absl::Span<const uint8_t>> rpus,
                                      const media::MediaInfo& info,
                                      const chunk::CutRequest& request) {
  if (info.fps_num <= 0 || info.fps_den <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the source's frame rate is unknown (", info.fps_num, "/", info.fps_den,
                     "): chunks cannot seek to their first frame"));
  }
  CutPlan plan;
  const int64_t g = std::gcd<int64_t>(info.fps_num, info.fps_den);
  plan.fps_num = info.fps_num / g;
  plan.fps_den = info.fps_den / g;
  ASSIGN_OR_RETURN(plan.scene_starts, chunk::SceneStartsFromRpus(rpus));
  ASSIGN_OR_RETURN(plan.ranges, chunk::PlanCuts(static_cast<int64_t>(rpus.size()), plan.fps_num,
                                                plan.fps_den, plan.scene_starts, request));
  return plan;
}

absl::StatusOr<PreparedManifest> BuildChunkManifest(
    const std::string& source_path, const media::MediaInfo& info, const EncodeProfile& profile,
    const CutPlan& plan, absl::Span<const uint8_t> rpu_file,
    absl::Span<const absl::Span<const uint8_t>> rpus) {
  PreparedManifest out;
  chunk::ChunkManifest& m = out.manifest;
  m.source_path = source_path;
  m.frame_count = static_cast<int64_t>(rpus.size());
  m.fps_num = plan.fps_num;
  m.fps_den = plan.fps_den;
  m.rpu_file = kChunkRpuFileName;
  ASSIGN_OR_RETURN(m.rpu_sha256, chunk::Sha256Hex(rpu_file));
  m.decoder_args = DecoderGlobalArgs();
  const Argv output = DecoderOutputArgs(ChoosePictureFormat(info, /*dolby_vision=*/true).pix_fmt);
  m.decoder_args.insert(m.decoder_args.end(), output.begin(), output.end());
  ASSIGN_OR_RETURN(m.x265_args, X265CommonArgs(info, profile, /*dolby_vision=*/true));
  const VbvKbps vbv = ChooseVbv(info, profile, /*dolby_vision=*/true);
  m.vbv.maxrate_kbps = vbv.maxrate;
  m.vbv.bufsize_kbps = vbv.bufsize;
  for (const chunk::ChunkRange& r : plan.ranges) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> slice, chunk::SliceRpus(rpus, r.first_frame, r.frames));
    chunk::ManifestChunk c;
    c.index = r.index;
    c.first_frame = r.first_frame;
    c.frames = r.frames;
    c.rpu_slice = ChunkSliceName(r.index);
    ASSIGN_OR_RETURN(c.rpu_slice_sha256, chunk::Sha256Hex(slice));
    c.output = ChunkOutputName(r.index);
    m.chunks.push_back(std::move(c));
    out.slices.push_back(std::move(slice));
  }
  if (absl::Status s = chunk::ValidateManifest(m); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot chunk with the x265 profile's settings: ", s.message()));
  }
  return out;
}

std::vector<std::string> DescribePlan(const CutPlan& plan) {
  std::vector<std::string> lines;
  for (const chunk::ChunkRange& r : plan.ranges) {
    lines.push_back(absl::StrCat("chunk ", r.index, ": frames [", r.first_frame, ", ",
                                 r.first_frame + r.frames, ") (", r.frames, "), ",
                                 r.first_frame == 0 ? "the title's start"
                                 : r.starts_on_scene_cut
                                     ? "starts on a scene start"
                                     : "starts MID-SCENE (no scene start near the ideal cut)"));
  }
  return lines;
}

}  // namespace mkvfleet::agent::encode
