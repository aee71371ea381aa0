// Bearer token parsing and constant-time comparison.
#include "common/auth/token.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::auth {

std::string BearerValue(absl::string_view token) { return absl::StrCat("Bearer ", token); }

std::optional<absl::string_view> ParseBearer(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme)) {
    return std::nullopt;
  }
  absl::string_view token = absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

bool ConstantTimeEquals(absl::string_view given, absl::string_view expected) {
  // Walk `expected` fully whatever `given` holds, so the time depends only on expected's length.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0;
}

}  // namespace mkvfleet::auth
