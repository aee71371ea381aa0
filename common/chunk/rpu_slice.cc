// RPU slices (start-code framing) and SHA-256 over OpenSSL's EVP interface.
#include "common/chunk/rpu_slice.h"

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_file_bytes.h"

namespace mkvfleet::chunk {

absl::StatusOr<std::vector<uint8_t>> SliceRpus(absl::Span<const absl::Span<const uint8_t>> payloads,
                                               int64_t first, int64_t frames) {
  const int64_t count = static_cast<int64_t>(payloads.size());
  if (first < 0 || frames < 1 || first > count || frames > count - first) {
    return absl::OutOfRangeError(absl::StrCat("RPU slice [", first, ", ", first + frames,
                                              ") is not inside the ", count, " RPUs of the title"));
  }
  std::vector<uint8_t> file;
  for (int64_t i = first; i < first + frames; ++i) dovi::AppendRpuToFile(file, payloads[i]);
  return file;
}

absl::StatusOr<std::string> Sha256Hex(absl::Span<const uint8_t> bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("OpenSSL could not compute a SHA-256 digest");
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace mkvfleet::chunk
