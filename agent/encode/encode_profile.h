// Named x265 settings for the re-encode plans, read from the agent's config tables
// [media.x265.NAME] (the same tables MediaSettings knows by name):
//   preset = "slow"          x265 --preset
//   crf = 18                 x265 --crf
//   vbv_maxrate = 0          kbit/s; 0 = automatic for Dolby Vision (x265 refuses DV without VBV)
//   vbv_bufsize = 0          kbit; 0 = automatic for Dolby Vision
//   params = "aq-mode=3:no-sao"   extra x265 options, x265-params style (key=value or key, ':' separated)
// Parsing is pure so it is tested on literal tables.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mkvfleet::agent::encode {

// One named profile.
struct EncodeProfile {
  std::string preset = "slow";
  double crf = 18;
  int vbv_maxrate_kbps = 0;  // 0 = not set (automatic when Dolby Vision needs it)
  int vbv_bufsize_kbps = 0;
  // Extra x265 command-line arguments, already split ("--aq-mode", "3", "--no-sao").
  std::vector<std::string> extra_args;
  bool operator==(const EncodeProfile&) const = default;
};

// Parses the flattened [media.x265] table ("NAME.preset" -> "slow", ...) into profiles by name.
// "default" is always present (with the defaults above unless configured). Errors:
// InvalidArgument naming the key, for a non-number crf/vbv, a negative or out-of-range value, a
// bad preset name, or an unknown key.
absl::StatusOr<std::map<std::string, EncodeProfile>> ParseEncodeProfiles(
    const std::map<std::string, std::string>& table);

// "aq-mode=3:no-sao" -> {"--aq-mode", "3", "--no-sao"}. Errors: InvalidArgument for an empty
// key or one that is not made of [a-z0-9-].
absl::StatusOr<std::vector<std::string>> ParamsToArgs(const std::string& params);

}  // namespace mkvfleet::agent::encode
