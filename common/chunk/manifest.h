// The chunk manifest: everything fixed once at prepare time so that chunks encoded by different
// agents (with different local configs) join frame-exactly: ranges, RPU slices and their hashes,
// decoder and x265 arguments, VBV continuity values. Stored as JSON next to the chunk files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::chunk {

inline constexpr int kManifestVersion = 1;

// VBV settings shared by all chunks, and the fullness targets that keep the buffer continuous
// across joins (chunking.md §5: chunks compliant alone underflowed 98 times once joined).
struct VbvSettings {
  int64_t maxrate_kbps = 0;  // --vbv-maxrate; 0 (with bufsize 0) = no VBV
  int64_t bufsize_kbps = 0;  // --vbv-bufsize
  double end = 0.9;          // --vbv-end on all chunks but the last
  double end_fr_adj = 0.8;   // --vbv-end-fr-adj on all chunks but the last
  double init = 0.75;        // --vbv-init on all chunks but the first (below `end`: x265 misses it)

  bool enabled() const { return maxrate_kbps > 0; }
  bool operator==(const VbvSettings&) const = default;
};

// One chunk: source frames [first_frame, first_frame + frames). File names are plain names (no
// directory) in the job's shared work directory.
struct ManifestChunk {
  int index = 0;
  int64_t first_frame = 0;
  int64_t frames = 0;
  std::string rpu_slice;         // RPU file with the RPUs of exactly these frames
  std::string rpu_slice_sha256;  // lowercase hex
  std::string output;            // the chunk's Annex B HEVC output

  bool operator==(const ManifestChunk&) const = default;
};

struct ChunkManifest {
  int version = kManifestVersion;
  std::string source_path;  // as the coordinator sees it (agents translate it with path_map)
  int64_t frame_count = 0;  // decoded frames of the source = RPUs in rpu_file
  int64_t fps_num = 0;
  int64_t fps_den = 0;
  std::string rpu_file;    // the whole converted (8.1) RPU file, one RPU per frame
  std::string rpu_sha256;  // of rpu_file's bytes, lowercase hex
  // ffmpeg output options fixed at prepare, e.g. -map 0:v:0 -pix_fmt yuv420p10le -strict -1
  // -f yuv4mpegpipe (no -ss, -i, -frames:v, -vframes, -t, -to: the argv builder owns those).
  std::vector<std::string> decoder_args;
  // x265 options common to all chunks (none of the per-chunk options ChunkEncoderArgv adds:
  // input/output, frame count and rate, GOP/header, Dolby Vision, VBV, seek and chunk options).
  std::vector<std::string> x265_args;
  VbvSettings vbv;
  std::vector<ManifestChunk> chunks;

  bool operator==(const ChunkManifest&) const = default;
};

// OK when `manifest` is usable. Errors: InvalidArgument naming the field and what is wrong:
// an unsupported version; an empty source_path; frame_count < 1; fps_num or fps_den < 1; a file
// name that is empty, ".", ".." or holds a '/'; a hash that is not 64 lowercase hex digits;
// decoder_args or x265_args holding an option the argv builders own; maxrate/bufsize negative or
// only one of them set; end, end_fr_adj or init outside (0, 1]; no chunks; a chunk whose index
// is not its position, whose frames < 1, that does not start where the previous one ended (the
// first at 0) or that runs past frame_count; chunks not adding up to frame_count; a string that
// is not valid UTF-8.
absl::Status ValidateManifest(const ChunkManifest& manifest);

// The manifest as a JSON object (2-space indent): {version, source_path, frame_count, fps_num,
// fps_den, rpu_file, rpu_sha256, decoder_args[], x265_args[], vbv{maxrate_kbps, bufsize_kbps,
// end, end_fr_adj, init}, chunks[{index, first_frame, frames, rpu_slice, rpu_slice_sha256,
// output}]}. Errors: those of ValidateManifest (an invalid manifest is never written).
absl::StatusOr<std::string> ToJson(const ChunkManifest& manifest);

// Parses what ToJson wrote. Strict: every field above is required with its JSON type (integers
// for counts and rates, numbers for the VBV fractions); unknown fields are refused.
// Errors: InvalidArgument "manifest: ..." naming the field ("chunks[2].frames is missing",
// "fps_den must be an integer") or the JSON syntax error, then those of ValidateManifest.
absl::StatusOr<ChunkManifest> ParseManifest(absl::string_view json_text);

}  // namespace mkvfleet::chunk
