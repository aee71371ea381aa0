// [media] settings from config layers (see the header).
#include "agent/media/media_settings.h"

#include <vector>

#include "absl/strings/str_cat.h"

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
#define MEDIA_GET(var, expr)            \
  do {                                  \
    auto got_ = (expr);                 \
    if (!got_.ok()) return got_.status(); \
    var = *got_;                        \
  } while (0)
  std::string text;
  MEDIA_GET(text, layers.GetString("media.fel_policy", "skip"));
  if (auto p = ParseFelPolicy(text); p.ok()) {
    m.plan.fel = *p;
  } else {
    return WithOrigin(p.status(), layers, "media.fel_policy");
  }
  MEDIA_GET(text, layers.GetString("media.standard_policy", "skip"));
  if (auto p = ParseStandardPolicy(text); p.ok()) {
    m.plan.standard = *p;
  } else {
    return WithOrigin(p.status(), layers, "media.standard_policy");
  }
  MEDIA_GET(m.copy_source, layers.GetBool("media.copy_source", false));
  MEDIA_GET(m.direct_rewrite, layers.GetBool("media.direct_rewrite", true));
  MEDIA_GET(m.checkpoint_encoded_video, layers.GetBool("media.checkpoint_encoded_video", false));
  MEDIA_GET(m.ssim_floor, layers.GetDouble("media.ssim_floor", 0.98));
  if (m.ssim_floor < 0 || m.ssim_floor > 1) {
    return WithOrigin(absl::InvalidArgumentError("ssim_floor must be between 0 and 1"), layers,
                      "media.ssim_floor");
  }
  MEDIA_GET(m.publish.overwrite, layers.GetBool("media.overwrite", false));
  MEDIA_GET(m.publish.replace, layers.GetBool("media.replace", false));
  MEDIA_GET(m.publish.backup_dir, layers.GetString("media.backup_dir"));
  if (m.publish.replace && m.publish.backup_dir.empty()) {
    return WithOrigin(absl::InvalidArgumentError(
                          "replace = true needs backup_dir: the folder replaced sources move to"),
                      layers, "media.replace");
  }
  int64_t minutes = 0;
  MEDIA_GET(minutes, layers.GetInt("media.tool_timeout_minutes", 240));
  if (minutes <= 0) {
    return WithOrigin(absl::InvalidArgumentError("tool_timeout_minutes must be positive"), layers,
                      "media.tool_timeout_minutes");
  }
  m.tool_timeout = absl::Minutes(minutes);
  MEDIA_GET(m.x265_profile, layers.GetString("media.x265_profile", "default"));

  std::map<std::string, std::string> table;
  MEDIA_GET(table, layers.GetTable("media.x265"));
  MEDIA_GET(m.x265_profiles, encode::ParseEncodeProfiles(table));
  if (!m.x265_profiles.contains(m.x265_profile)) {
    return WithOrigin(absl::InvalidArgumentError(absl::StrCat("no [media.x265.", m.x265_profile,
                                                              "] profile is configured")),
                      layers, "media.x265_profile");
  }
  MEDIA_GET(m.tool_paths, layers.GetTable("tools"));
#undef MEDIA_GET
  return m;
}

}  // namespace mkvfleet::agent::media
