// Start-code splitting of RPU files.
#include "common/dovi/rpu_file_bytes.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mkvfleet::dovi {
namespace {

constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};

// Offset of the next start code at or after `from`, or file.size().
size_t FindStartCode(absl::Span<const uint8_t> file, size_t from) {
  for (size_t i = from; i + 4 <= file.size(); ++i) {
    if (file[i + 3] > 1) {  // cannot be inside a start code ending at i + 3
      i += 3;
      continue;
    }
    if (std::memcmp(file.data() + i, kStartCode, 4) == 0) return i;
  }
  return file.size();
}

}  // namespace

absl::StatusOr<std::vector<absl::Span<const uint8_t>>> ParseRpuFile(
    absl::Span<const uint8_t> file) {
  std::vector<absl::Span<const uint8_t>> out;
  if (file.empty()) return out;
  if (file.size() < 4 || std::memcmp(file.data(), kStartCode, 4) != 0) {
    return absl::InvalidArgumentError("RPU file: does not start with the start code 00 00 00 01");
  }
  size_t start = 4;
  while (start <= file.size()) {
    const size_t next = FindStartCode(file, start);
    if (next == start) {
      return absl::InvalidArgumentError(
          absl::StrCat("RPU file: empty RPU at offset ", start - 4, " (", out.size(), " before)"));
    }
    out.push_back(file.subspan(start, next - start));
    start = next + 4;
  }
  return out;
}

void AppendRpuToFile(std::vector<uint8_t>& file, absl::Span<const uint8_t> payload) {
  file.insert(file.end(), std::begin(kStartCode), std::end(kStartCode));
  file.insert(file.end(), payload.begin(), payload.end());
}

}  // namespace mkvfleet::dovi
