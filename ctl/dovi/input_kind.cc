// Content sniffing for dovi verb inputs.
#include "ctl/dovi/input_kind.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::ctl {

absl::string_view InputKindName(InputKind kind) {
  switch (kind) {
    case InputKind::kRpuFile: return "RPU file";
    case InputKind::kAnnexB: return "HEVC stream";
    case InputKind::kMatroska: return "Matroska file";
  }
  return "unknown";
}

absl::StatusOr<InputKind> ClassifyInput(absl::string_view head) {
  auto b = [&head](size_t i) { return static_cast<uint8_t>(head[i]); };
  if (head.empty()) return absl::InvalidArgumentError("empty file");
  if (head.size() >= 4 && b(0) == 0x1A && b(1) == 0x45 && b(2) == 0xDF && b(3) == 0xA3) {
    return InputKind::kMatroska;
  }
  if (head.size() >= 5 && b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) == 1 && b(4) == 0x19) {
    return InputKind::kRpuFile;
  }
  // Annex B: leading zero bytes, 00 00 01, then forbidden_zero_bit 0 and nuh_temporal_id_plus1 > 0.
  size_t zeros = 0;
  while (zeros < head.size() && b(zeros) == 0) ++zeros;
  if (zeros >= 2 && zeros + 2 < head.size() && b(zeros) == 1 && (b(zeros + 1) & 0x80) == 0 &&
      (b(zeros + 2) & 0x07) != 0) {
    return InputKind::kAnnexB;
  }
  return absl::InvalidArgumentError("not an RPU file, HEVC stream or Matroska file");
}

absl::StatusOr<InputKind> DetectInputKind(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    return absl::PermissionDeniedError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  char buf[64];
  in.read(buf, sizeof(buf));
  absl::StatusOr<InputKind> kind = ClassifyInput(absl::string_view(buf, in.gcount()));
  if (!kind.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", kind.status().message()));
  return kind;
}

}  // namespace mkvfleet::ctl
