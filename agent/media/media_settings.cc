// [media] settings from config layers (see the header).
#include "agent/media/media_settings.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

absl::Status WithOrigin(const absl::Status& s, const config::ConfigLayers& layers,
                        const std::string& key) {
  return absl::InvalidArgumentError(
      absl::StrCat(s.message(), " (", key, " from ", layers.OriginOf(key), ")"));
}

}  // namespace

std::string MediaSettings::Tool(const std::string& tool) const {
  auto it = tool_paths.find(tool);
  return it == tool_paths.end() || it->second.empty() ? tool : it->second;
}

absl::StatusOr<MediaSettings> LoadMediaSettings(const config::ConfigLayers& layers) {
  MediaSettings m;
  std::string text;
  ASSIGN_OR_RETURN(text, layers.GetString("media.fel_policy", "skip"));
  if (auto p = ParseFelPolicy(text); p.ok()) {
    m.plan.fel = *p;
  } else {
    return WithOrigin(p.status(), layers, "media.fel_policy");
  }
  ASSIGN_OR_RETURN(text, layers.GetString("media.standard_policy", "skip"));
  if (auto p = ParseStandardPolicy(text); p.ok()) {
    m.plan.standard = *p;
  } else {
    return WithOrigin(p.status(), layers, "media.standard_policy");
  }
  ASSIGN_OR_RETURN(text, layers.GetString("media.rpu_mismatch", "fail"));
  if (text == "fail" || text == "repair") {
    m.rpu_mismatch = text == "fail" ? RpuMismatchPolicy::kFail : RpuMismatchPolicy::kRepair;
  } else {
    return WithOrigin(absl::InvalidArgumentError(absl::StrCat(
                          "rpu_mismatch must be \"fail\" or \"repair\", not \"", text, "\"")),
                      layers, "media.rpu_mismatch");
  }
  ASSIGN_OR_RETURN(m.copy_source, layers.GetBool("media.copy_source", false));
  ASSIGN_OR_RETURN(m.direct_rewrite, layers.GetBool("media.direct_rewrite", true));
  ASSIGN_OR_RETURN(m.checkpoint_encoded_video,
                   layers.GetBool("media.checkpoint_encoded_video", false));
  ASSIGN_OR_RETURN(m.ssim_floor, layers.GetDouble("media.ssim_floor", 0.98));
  if (m.ssim_floor < 0 || m.ssim_floor > 1) {
    return WithOrigin(absl::InvalidArgumentError("ssim_floor must be between 0 and 1"), layers,
                      "media.ssim_floor");
  }
  ASSIGN_OR_RETURN(m.publish.overwrite, layers.GetBool("media.overwrite", false));
  ASSIGN_OR_RETURN(m.publish.replace, layers.GetBool("media.replace", false));
  ASSIGN_OR_RETURN(m.publish.backup_dir, layers.GetString("media.backup_dir"));
  if (m.publish.replace && m.publish.backup_dir.empty()) {
    return WithOrigin(absl::InvalidArgumentError(
                          "replace = true needs backup_dir: the folder replaced sources move to"),
                      layers, "media.replace");
  }
  int64_t minutes = 0;
  ASSIGN_OR_RETURN(minutes, layers.GetInt("media.tool_timeout_minutes", 240));
  if (minutes <= 0) {
    return WithOrigin(absl::InvalidArgumentError("tool_timeout_minutes must be positive"), layers,
                      "media.tool_timeout_minutes");
  }
  m.tool_timeout = absl::Minutes(minutes);
  ASSIGN_OR_RETURN(m.x265_profile, layers.GetString("media.x265_profile", "default"));

  std::map<std::string, std::string> table;
  ASSIGN_OR_RETURN(table, layers.GetTable("media.x265"));
  ASSIGN_OR_RETURN(m.x265_profiles, encode::ParseEncodeProfiles(table));
  if (!m.x265_profiles.contains(m.x265_profile)) {
    return WithOrigin(absl::InvalidArgumentError(absl::StrCat("no [media.x265.", m.x265_profile,
                                                              "] profile is configured")),
                      layers, "media.x265_profile");
  }
  ASSIGN_OR_RETURN(m.tool_paths, layers.GetTable("tools"));
  return m;
}

}  // namespace mkvfleet::agent::media
