// A whole Dolby Vision RPU (the payload of an HEVC NAL of type 62) as plain structs, and the two
// functions that turn escaped bytes into an Rpu and back, bit-exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dovi/dm_data.h"
#include "common/dovi/rpu_header.h"
#include "common/dovi/rpu_mapping.h"

namespace mkvfleet::dovi {

inline constexpr uint8_t kRpuNalPrefix = 0x19;
inline constexpr uint8_t kRpuFinalByte = 0x80;

// One parsed RPU. Everything needed to write it back byte for byte is kept, including data the
// parser does not interpret (`remaining`, unknown extension levels, trailing zero bytes).
struct Rpu {
  RpuHeader header;
  std::optional<RpuMapping> mapping;     // absent when header.use_prev_vdr_rpu_flag
  std::optional<VdrDmData> vdr_dm_data;  // present when header.vdr_dm_metadata_present_flag
  // Whole bytes between the aligned end of the DM data and the CRC (kept verbatim).
  std::vector<uint8_t> remaining;
  // The CRC read from the payload (WriteRpu recomputes it).
  uint32_t rpu_data_crc32 = 0;
  // Zero bytes after the final 0x80 in the unescaped payload (kept verbatim).
  size_t trailing_zero_bytes = 0;
};

// Parses one RPU payload: the bytes after the start code in an RPU file, or after the 2-byte NAL
// header 7C 01 in a stream. It starts with 0x19, is still escaped (emulation-prevention bytes),
// and ends with the CRC32 and 0x80 (optionally followed by zero bytes).
// On success the CRC matched. On malformed input returns InvalidArgument or OutOfRange with a
// message naming what is wrong, e.g. "RPU: CRC mismatch: stored 0x... computed 0x...". Never
// reads outside `payload`, never allocates more than a small multiple of its size. Thread-safe.
absl::StatusOr<Rpu> ParseRpu(absl::Span<const uint8_t> payload);

// Writes `rpu` as an escaped payload (0x19 ... CRC 0x80 [zeros]), with the CRC recomputed over the
// unescaped body and the emulation-prevention bytes added after. For a parsed, unmodified Rpu the
// bytes equal the parsed payload (given it was escaped correctly). Returns InvalidArgument when
// the structs contradict each other (e.g. NLQ data with disable_residual_flag set, a missing
// mapping or DM section the header announces, a curve whose pieces do not match its pivots).
absl::StatusOr<std::vector<uint8_t>> WriteRpu(const Rpu& rpu);

// Sets the level 1 (per-frame brightness) values of `rpu`, adding a level 1 block when there is
// none; WriteRpu then writes them with a correct CRC. Returns FailedPrecondition when the RPU has
// no DM data, InvalidArgument when a value does not fit 12 bits; `rpu` is then unchanged.
absl::Status SetLevel1(Rpu& rpu, uint16_t min_pq, uint16_t max_pq, uint16_t avg_pq);

}  // namespace mkvfleet::dovi
