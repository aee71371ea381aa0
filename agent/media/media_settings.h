// The media pipeline's settings, read from the agent's config (TOML table [media], env
// MKVFLEET_MEDIA_<KEY>; the table cannot be called [pipeline] because the agent's top-level key
// `pipeline` names the pipeline to run). Keys:
//   fel_policy       skip (default) | convert | reencode      profile 7 FEL sources
//   standard_policy  skip (default) | reencode                HDR10/HLG/SDR sources
//   rpu_mismatch     fail (default) | repair    a Dolby Vision source whose frames do not carry
//                    exactly one RPU each: fail at probe naming the frames, or repair (a frame
//                    without an RPU gets its neighbour's, a frame with several keeps the first;
//                    the job log lists every frame). A job enqueued with --repair-rpus repairs.
//   copy_source      false (default): read the source in place; true: copy it to the work dir first
//   direct_rewrite   true (default): dv-convert rewrites the Matroska file element by element
//                    (remux/matroska_rewriter.h), falling back to the libavformat remux for a
//                    layout it does not handle; false: always the libavformat remux
//   checkpoint_encoded_video  false (default): x265's output is muxed as it comes; true: it is
//                    written to the work dir first, so a crash during mux does not redo the encode
//   ssim_floor       0.98: minimum sampled SSIM of a re-encode against its source
//   overwrite        false: an existing destination fails the job; true: replace it
//   replace          false; true: after publishing, move the source to backup_dir
//   backup_dir       folder for replaced sources (required with replace)
//   tool_timeout_minutes  240: limit for one run of an external tool
//   x265_profile     "default": the [media.x265.NAME] profile re-encodes use
//   [media.x265.NAME] preset, crf, params   named x265 settings (read by the re-encode steps)
// Tool paths come from the agent's [tools] table.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/media/plan_policy.h"
#include "agent/encode/encode_profile.h"
#include "agent/media/publish.h"
#include "common/config/config_layers.h"

namespace mkvfleet::agent::media {

// What the probe does with a Dolby Vision source whose frames do not carry one RPU each.
enum class RpuMismatchPolicy {
  kFail,    // fail the job at probe, listing the frames (nothing is written)
  kRepair,  // repair with dovi::RepairRpus and go on
};

struct MediaSettings {
  PlanPolicy plan;
  RpuMismatchPolicy rpu_mismatch = RpuMismatchPolicy::kFail;
  PublishPolicy publish;
  bool copy_source = false;
  bool direct_rewrite = true;
  bool checkpoint_encoded_video = false;
  double ssim_floor = 0.98;
  absl::Duration tool_timeout = absl::Hours(4);
  std::string x265_profile = "default";
  // The [media.x265.NAME] profiles (encode::ParseEncodeProfiles); always holds "default" and
  // the one x265_profile names.
  std::map<std::string, encode::EncodeProfile> x265_profiles;
  std::map<std::string, std::string> tool_paths;     // "ffprobe" -> "/usr/bin/ffprobe"

  // The program to run for `tool` (a configured path, else the bare name for a PATH search).
  std::string Tool(const std::string& tool) const;
};

// Reads the keys above. InvalidArgument naming the key and its origin for a bad value, for
// replace without backup_dir, for an unknown x265 profile name.
absl::StatusOr<MediaSettings> LoadMediaSettings(const config::ConfigLayers& layers);

}  // namespace mkvfleet::agent::media
