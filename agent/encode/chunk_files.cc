// Whole-file reads and temp + fsync + rename writes (see the header).
#include "agent/encode/chunk_files.h"


#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "agent/media/publish.h"
#include "common/fs/scratch_files.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {

absl::StatusOr<std::vector<uint8_t>> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::UnavailableError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return absl::UnavailableError(absl::StrCat("read error on ", path));
  return bytes;
}

absl::Status WriteFileAtomically(const std::string& path, absl::Span<const uint8_t> bytes) {
  absl::StatusOr<std::unique_ptr<fs::AtomicOutput>> out = fs::AtomicOutput::Create(path);
  if (!out.ok()) {
    return absl::InternalError(absl::StrCat("cannot create ", path, ": ", out.status().message()));
  }
  {
    std::ofstream f((*out)->temp_path(), std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) return absl::InternalError(absl::StrCat("cannot write ", (*out)->temp_path()));
  }
  RETURN_IF_ERROR(media::SyncFile((*out)->temp_path()));
  return (*out)->Commit();
}

}  // namespace mkvfleet::agent::encode
