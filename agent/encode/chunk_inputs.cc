// Manifest and RPU slice of a chunk task (see the header).
#include "agent/encode/chunk_inputs.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/chunk/rpu_slice.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

namespace fs = std::filesystem;

// The bytes of `path`, or nullopt when it cannot be opened or read.
std::optional<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

std::string ChunkName(int index) { return absl::StrCat("chunk ", index); }

absl::Status CheckAssignment(const chunk::ChunkManifest& manifest,
                             const ChunkAssignment& assignment, const std::string& path) {
  const std::string who = ChunkName(assignment.index);
  if (assignment.index < 0 || static_cast<size_t>(assignment.index) >= manifest.chunks.size()) {
    return absl::InvalidArgumentError(absl::StrCat(who, ": manifest ", path, " has ",
                                                   manifest.chunks.size(), " chunks, no chunk ",
                                                   assignment.index));
  }
  const chunk::ManifestChunk& c = manifest.chunks[assignment.index];
  if (c.first_frame != assignment.first_frame || c.frames != assignment.frames) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, ": manifest ", path, " has frames [", c.first_frame, ", ", c.first_frame + c.frames,
        ") but the coordinator assigned [", assignment.first_frame, ", ",
        assignment.first_frame + assignment.frames, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ChunkInputs> LoadChunkInputs(
    const ChunkAssignment& assignment, const std::string& agent_name,
    const std::function<std::string(absl::string_view)>& to_local) {
  const std::string who = ChunkName(assignment.index);
  const std::string manifest_path = to_local(assignment.manifest_path);
  std::optional<std::string> text = ReadBytes(manifest_path);
  if (!text) {
    return absl::UnavailableError(absl::StrCat(
        who, ": cannot read the chunk manifest ", manifest_path, " (coordinator path ",
        assignment.manifest_path, "): is the shared work dir mounted here, and path_map right?"));
  }
  absl::StatusOr<chunk::ChunkManifest> manifest = chunk::ParseManifest(*text);
  if (!manifest.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, ": chunk manifest ", manifest_path, ": ", manifest.status().message()));
  }
  RETURN_IF_ERROR(CheckAssignment(*manifest, assignment, manifest_path));

  ChunkInputs in;
  in.manifest = *std::move(manifest);
  in.index = assignment.index;
  in.folder = fs::path(manifest_path).parent_path().string();
  in.source = to_local(in.manifest.source_path);
  const chunk::ManifestChunk& c = in.chunk();
  in.slice_path = (fs::path(in.folder) / c.rpu_slice).string();
  in.output_path = (fs::path(in.folder) / c.output).string();
  in.part_path = absl::StrCat(in.output_path, ".", FileNameSafe(agent_name), ".part");

  std::optional<std::string> slice = ReadBytes(in.slice_path);
  if (!slice) {
    return absl::DataLossError(absl::StrCat(who, ": RPU slice ", in.slice_path,
                                            " is missing or unreadable (manifest ", manifest_path,
                                            ")"));
  }
  in.slice.assign(slice->begin(), slice->end());
  ASSIGN_OR_RETURN(const std::string sha, chunk::Sha256Hex(in.slice));
  if (sha != c.rpu_slice_sha256) {
    return absl::DataLossError(absl::StrCat(who, ": RPU slice ", in.slice_path, " has sha256 ", sha,
                                            ", the manifest ", manifest_path, " says ",
                                            c.rpu_slice_sha256));
  }
  std::error_code ec;
  if (!fs::exists(in.source, ec)) {
    return absl::UnavailableError(absl::StrCat(who, ": source ", in.source, " (coordinator path ",
                                               in.manifest.source_path,
                                               ") is not reachable from this agent"));
  }
  return in;
}

std::string FileNameSafe(const std::string& agent_name) {
  std::string out = agent_name.empty() ? "agent" : agent_name;
  for (char& ch : out) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
    if (!ok) ch = '_';
  }
  return out;
}

absl::StatusOr<std::string> WriteShiftedSlice(const ChunkInputs& in) {
  const std::string whole_path = (fs::path(in.folder) / in.manifest.rpu_file).string();
  std::optional<std::string> whole = ReadBytes(whole_path);
  if (!whole) {
    return absl::DataLossError(absl::StrCat("cannot read the RPU file ", whole_path));
  }
  const absl::Span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(whole->data()),
                                        whole->size());
  absl::StatusOr<std::vector<absl::Span<const uint8_t>>> rpus = dovi::ParseRpuFile(bytes);
  if (!rpus.ok()) {
    return absl::DataLossError(
        absl::StrCat("RPU file ", whole_path, ": ", rpus.status().message()));
  }
  const chunk::ManifestChunk& c = in.chunk();
  const int64_t count = static_cast<int64_t>(rpus->size());
  const int64_t first = c.first_frame + c.frames < count ? c.first_frame + 1 : c.first_frame - 1;
  ASSIGN_OR_RETURN(const std::vector<uint8_t> shifted, chunk::SliceRpus(*rpus, first, c.frames));
  const std::string path = in.slice_path + ".test-shift";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(shifted.data()),
            static_cast<std::streamsize>(shifted.size()));
  if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", path));
  return path;
}

}  // namespace mkvfleet::agent::encode
