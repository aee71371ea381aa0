// An encoded chunk read back before it is accepted (x265 exits 0 on every RPU misalignment,
// chunking.md §4), the facts the coordinator records for it, and its move into place. A chunk that
// fails its check is a retryable failure: the input was checked before the encode, so the encode
// (a tool, a disk, a test hook) is what went wrong.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/chunk/stream_check.h"

namespace mkvfleet::agent::encode {

// What the coordinator records of an accepted chunk (checkpoint facts of the chunk report).
struct ChunkFacts {
  std::string sha256;                 // of the chunk file's bytes
  std::string parameter_sets_sha256;  // ParameterSetsSha256 of its first access unit
  int64_t frames = 0;                 // access units
  int64_t bytes = 0;                  // file size
};

// SHA-256 (lowercase hex) over the NALs in `nals`, each prefixed with 00 00 00 01, in order: the
// VPS/SPS/PPS of a chunk's first access unit. Chunks with equal hashes join.
// Errors: Internal if the digest fails.
absl::StatusOr<std::string> ParameterSetsSha256(const chunk::ParameterSetNals& nals);

// Reads chunk `index`'s Annex B file at `path` once (hashing it and chunk::AnalyzeStream), then
// checks it: chunk::CheckChunk against `expected_frames` and the RPU slice file `slice`, and,
// when `reference_parameter_sets_sha256` is not empty (the chunks accepted before), that the
// chunk's own parameter-set hash equals it.
// Errors, naming the chunk and the file: Internal (retryable) listing every failed check, or
// when the stream cannot be read or split; InvalidArgument when `slice` is not an RPU file.
absl::StatusOr<ChunkFacts> CheckChunkFile(int index, const std::string& path,
                                          int64_t expected_frames, absl::Span<const uint8_t> slice,
                                          const std::string& reference_parameter_sets_sha256);

// Makes the checked `part` file durable and visible as `final_path` (same folder): fsync(part),
// rename over final_path, fsync(folder). Errors: Internal naming the file and the reason.
absl::Status CommitChunkFile(const std::string& part, const std::string& final_path);

}  // namespace mkvfleet::agent::encode
