// Parsing of `mkvctl enqueue --chunks` (see chunks_option.h).
#include "ctl/chunks_option.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::ctl {

absl::StatusOr<int32_t> ParseChunksOption(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "auto")) return 0;
  int32_t n = 0;
  const bool digits_only =
      !text.empty() && text.find_first_not_of("0123456789") == absl::string_view::npos;
  if (digits_only && absl::SimpleAtoi(text, &n) && n >= 1) return n;
  return absl::InvalidArgumentError(
      absl::StrCat("expected \"auto\" (chunk when several agents can share the work), "
                   "1 (never chunk) or a number of chunks >= 2; got \"",
                   text, "\""));
}

CLI::Validator ChunksOptionValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        absl::StatusOr<int32_t> n = ParseChunksOption(value);
        if (!n.ok()) return std::string(n.status().message());
        value = absl::StrCat(*n);
        return std::string();
      },
      /*validator_desc=*/"", "CHUNKS");
}

}  // namespace mkvfleet::ctl
