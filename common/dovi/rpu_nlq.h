// rpu_data_nlq(): the non-linear quantization of the profile 7 enhancement layer residual. Its
// values tell a full enhancement layer (FEL) from a minimal one (MEL, neutral NLQ).
#pragma once

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"
#include "common/dovi/rpu_header.h"

namespace mkvfleet::dovi {

inline constexpr int kNumComponents = 3;

// NLQ method and pivots (coded with the mapping pivots) and the per-component linear-deadzone
// parameters (coded after the mapping curves). One NLQ pivot interval, as every real stream has.
struct RpuNlq {
  uint8_t nlq_method_idc = 0;  // 0 = linear deadzone, the only method defined
  std::array<uint16_t, 2> nlq_pred_pivot_value{};
  std::array<uint16_t, kNumComponents> nlq_offset{};
  std::array<uint64_t, kNumComponents> vdr_in_max_int{};
  std::array<uint64_t, kNumComponents> vdr_in_max{};
  std::array<uint64_t, kNumComponents> linear_deadzone_slope_int{};
  std::array<uint64_t, kNumComponents> linear_deadzone_slope{};
  std::array<uint64_t, kNumComponents> linear_deadzone_threshold_int{};
  std::array<uint64_t, kNumComponents> linear_deadzone_threshold{};

  // True when the residual is neutral (offset 0, vdr_in_max 1.0, zero deadzone): a MEL.
  bool IsNeutral() const;
  // Makes the residual neutral (MEL) and sets the pivots to the whole 10-bit range.
  void MakeNeutral();

  bool operator==(const RpuNlq&) const = default;
};

// Reads/writes the NLQ fields coded among the mapping pivots (method and pivot values).
absl::Status ParseNlqPivots(bits::BitReader& reader, const RpuHeader& header, RpuNlq& nlq);
void WriteNlqPivots(const RpuNlq& nlq, const RpuHeader& header, bits::BitWriter& writer);
// Reads/writes the per-component NLQ parameters coded after the mapping curves.
absl::Status ParseNlqParams(bits::BitReader& reader, const RpuHeader& header, RpuNlq& nlq);
void WriteNlqParams(const RpuNlq& nlq, const RpuHeader& header, bits::BitWriter& writer);

}  // namespace mkvfleet::dovi
