// Parsing of the [media.x265.NAME] profiles (see the header).
#include "agent/encode/encode_profile.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

const std::set<std::string>& Presets() {
  static const auto* presets =
      new std::set<std::string>{"ultrafast", "superfast", "veryfast", "faster",   "fast",
                                "medium",    "slow",      "slower",   "veryslow", "placebo"};
  return *presets;
}

absl::Status BadKey(const std::string& key, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("[media.x265] ", key, ": ", what));
}

absl::Status ParseKbps(const std::string& key, const std::string& value, int* out) {
  int v = 0;
  if (!absl::SimpleAtoi(value, &v) || v < 0 || v > 1000000) {
    return BadKey(key, absl::StrCat("\"", value, "\" is not a bit rate in kbit/s (0..1000000)"));
  }
  *out = v;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParamsToArgs(const std::string& params) {
  std::vector<std::string> args;
  for (absl::string_view item : absl::StrSplit(params, ':', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    std::string key(absl::StripAsciiWhitespace(kv.first));
    if (key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("empty x265 option in \"", params, "\""));
    }
    for (char c : key) {
      if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
        return absl::InvalidArgumentError(
            absl::StrCat("x265 option \"", key, "\" in \"", params, "\" is not a valid name"));
      }
    }
    args.push_back("--" + key);
    const std::string value(absl::StripAsciiWhitespace(kv.second));
    if (!value.empty()) args.push_back(value);
  }
  return args;
}

absl::StatusOr<std::map<std::string, EncodeProfile>> ParseEncodeProfiles(
    const std::map<std::string, std::string>& table) {
  std::map<std::string, EncodeProfile> profiles;
  profiles["default"] = EncodeProfile{};
  for (const auto& [key, value] : table) {
    std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('.', 1));
    if (parts.size() != 2 || parts[0].empty()) {
      return BadKey(key,
                    "expected [media.x265.NAME] tables with preset, crf, vbv_maxrate, "
                    "vbv_bufsize, params");
    }
    EncodeProfile& p = profiles[parts[0]];
    const std::string& field = parts[1];
    if (field == "preset") {
      if (!Presets().contains(value)) {
        return BadKey(key, absl::StrCat("unknown preset \"", value, "\" (one of ",
                                        absl::StrJoin(Presets(), ", "), ")"));
      }
      p.preset = value;
    } else if (field == "crf") {
      if (!absl::SimpleAtod(value, &p.crf) || p.crf < 0 || p.crf > 51) {
        return BadKey(key, absl::StrCat("\"", value, "\" is not a CRF between 0 and 51"));
      }
    } else if (field == "vbv_maxrate") {
      RETURN_IF_ERROR(ParseKbps(key, value, &p.vbv_maxrate_kbps));
    } else if (field == "vbv_bufsize") {
      RETURN_IF_ERROR(ParseKbps(key, value, &p.vbv_bufsize_kbps));
    } else if (field == "params") {
      absl::StatusOr<std::vector<std::string>> args = ParamsToArgs(value);
      if (!args.ok()) return BadKey(key, std::string(args.status().message()));
      p.extra_args = *std::move(args);
    } else {
      return BadKey(key, "unknown key (use preset, crf, vbv_maxrate, vbv_bufsize, params)");
    }
  }
  return profiles;
}

}  // namespace mkvfleet::agent::encode
