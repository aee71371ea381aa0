// Verification of encoded chunks and of their join. x265 exits 0 on every RPU misalignment
// (chunking.md §4), so a chunk is accepted only after its own stream has been read back: frame
// count, IDR start, parameter sets, one RPU per frame equal to its slice in display order; and
// the joined stream once more against the manifest and the whole RPU file, plus a VBV simulation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/chunk/manifest.h"
#include "common/dvstream/byte_io.h"

namespace mkvfleet::chunk {

// NALs (header first, escaped, without start code), in stream order.
using ParameterSetNals = std::vector<std::vector<uint8_t>>;

// What one Annex B HEVC stream holds, as far as the chunk checks need it.
struct StreamReport {
  int64_t access_units = 0;
  // Bytes of each access unit in decode order: its NALs with their start codes (the trailing
  // zero bytes Annex B allows between NALs are not counted).
  std::vector<uint64_t> au_bytes;
  // Decode indices (0-based) of the access units whose picture is an IDR (NAL types 19/20).
  std::vector<int64_t> idr_decode_indices;
  // The VPS, SPS and PPS NALs of the first access unit.
  ParameterSetNals parameter_sets;
  // Access units with no RPU NAL (type 62), and with more than one; first_* are decode indices,
  // -1 when the count is 0.
  int64_t aus_without_rpu = 0;
  int64_t first_au_without_rpu = -1;
  int64_t aus_with_several_rpus = 0;
  int64_t first_au_with_several_rpus = -1;
  // The RPUs in display order as an RPU file (00 00 00 01 + payload each), as
  // dvstream::ExtractRpus writes it; empty when display_order_error is set.
  std::vector<uint8_t> display_rpus;
  // Why the RPUs could not be put in display order (ExtractRpus's error, e.g. an access unit
  // with two RPUs, a slice header that does not parse), or empty.
  std::string display_order_error;

  bool one_rpu_per_au() const { return aus_without_rpu == 0 && aus_with_several_rpus == 0; }
};

// Reads `in` to its end once (flat memory apart from the report) and describes it. A stream that
// is broken above the NAL level (no display order, missing RPUs) still gives a report: the
// checks below turn it into reasons.
// Errors: the source's; InvalidArgument from the Annex B splitter (bytes before the first start
// code, an empty NAL); ResourceExhausted for a NAL over the splitter's size limit.
absl::StatusOr<StreamReport> AnalyzeStream(dvstream::ByteSource& in);

// Checks one encoded chunk. OK when: access_units == expected_frames; the first access unit is
// an IDR; it carries a VPS, an SPS and a PPS, equal byte for byte to *reference_parameter_sets
// when that is not null (another chunk's, so the chunks join); every access unit has exactly one
// RPU; and the display-ordered RPUs equal `expected_rpu_slice_file` (an RPU file: the slice).
// Errors: DataLoss whose message lists every failed check, one per line, e.g.
//   "access units: 258, expected 259"
//   "RPU of frame 17 (display order) differs from the RPU slice";
// InvalidArgument when `expected_rpu_slice_file` is not an RPU file.
absl::Status CheckChunk(const StreamReport& report, int64_t expected_frames,
                        absl::Span<const uint8_t> expected_rpu_slice_file,
                        const ParameterSetNals* reference_parameter_sets);

// Checks the concatenation of all chunks in manifest order. OK when: access_units ==
// frame_count; an IDR sits at every chunk's first frame (its decode index is first_frame, as each
// chunk starts with an IDR); every access unit has exactly one RPU; the display-ordered RPUs equal
// `whole_rpu_file` (the converted RPU file of the title); and, when the manifest has VBV, a
// simulation (vbv_sim.h, initial fullness 0.9 as the first chunk's x265 default) finds no
// underflow. Errors: DataLoss listing every failed check, one per line; InvalidArgument when the
// manifest is invalid or `whole_rpu_file` is not an RPU file.
absl::Status CheckJoined(const StreamReport& report, const ChunkManifest& manifest,
                         absl::Span<const uint8_t> whole_rpu_file);

}  // namespace mkvfleet::chunk
