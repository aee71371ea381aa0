// The real Dolby Vision RPUs the generator repeats per frame (from the dovi_tool test assets in
// tests/data/dovi/rpu/, compiled into the binary so mkvctl gen-sample needs no data files).
#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace mkvfleet::samplegen {

// Each is an RPU file holding one RPU: 00 00 00 01 + escaped payload.
absl::Span<const uint8_t> MelRpuTemplate();       // mel_orig.bin: profile 7 MEL
absl::Span<const uint8_t> FelRpuTemplate();       // fel_orig.bin: profile 7 FEL
absl::Span<const uint8_t> Profile81RpuTemplate(); // profile8.bin: profile 8.1

}  // namespace mkvfleet::samplegen
