// What a chunk task reads before it encodes: the job's chunk manifest (in the shared work dir),
// the chunk's entry in it, checked against the coordinator's assignment, and the chunk's RPU
// slice, checked against the manifest's hash. A manifest or slice that is wrong is a permanent
// failure (retrying reads the same bytes); a folder this agent cannot reach right now is not.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/task.h"
#include "common/chunk/manifest.h"

namespace mkvfleet::agent::encode {

// Everything the chunk runner needs, with local paths.
struct ChunkInputs {
  chunk::ChunkManifest manifest;
  int index = 0;               // of the chunk in manifest.chunks
  std::string folder;          // the manifest's folder (the job's chunk folder)
  std::string source;          // manifest.source_path on this agent
  std::string slice_path;      // folder / the chunk's rpu_slice
  std::vector<uint8_t> slice;  // its bytes (hash checked)
  std::string output_path;     // folder / the chunk's output
  // x265 writes here: output_path + "." + agent + ".part", one name per agent, so an agent still
  // finishing a chunk whose lease moved on never touches the new holder's file.
  std::string part_path;

  const chunk::ManifestChunk& chunk() const { return manifest.chunks[index]; }
};

// Reads and checks the inputs of `assignment` for agent `agent_name`; `to_local` maps a
// coordinator path to this agent's (path_map). Errors, each naming the chunk and the file:
//   Unavailable: the manifest cannot be read (the shared folder may not be mounted here), or the
//     source is not reachable from this agent;
//   InvalidArgument: the manifest does not parse or validate, has no chunk `index`, or its range
//     differs from the assignment's;
//   DataLoss: the RPU slice is missing, unreadable or its sha256 differs from the manifest's.
absl::StatusOr<ChunkInputs> LoadChunkInputs(
    const ChunkAssignment& assignment, const std::string& agent_name,
    const std::function<std::string(absl::string_view)>& to_local);

// `agent_name` made safe for a file name: characters other than [A-Za-z0-9._-] become '_'.
std::string FileNameSafe(const std::string& agent_name);

// Test hook (MKVFLEET_TEST_CHUNK_RPU_SHIFT): writes "<slice_path>.test-shift" holding the RPUs of
// the chunk's range shifted one frame later (one frame earlier when that runs past the title)
// from the manifest's whole RPU file, and returns its path. x265 fed this file attaches every
// RPU to the wrong frame, which the chunk check must refuse.
// Errors: DataLoss when the whole RPU file cannot be read or split; SliceRpus' OutOfRange.
absl::StatusOr<std::string> WriteShiftedSlice(const ChunkInputs& inputs);

}  // namespace mkvfleet::agent::encode
