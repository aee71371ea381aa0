// NAL header parsing and type names.
#include "common/hevc/nal_unit.h"

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::hevc {

absl::StatusOr<NalHeader> ParseNalHeader(absl::Span<const uint8_t> nal) {
  if (nal.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("NAL unit of ", nal.size(), " bytes is shorter than its 2-byte header"));
  }
  if (nal[0] & 0x80) return absl::InvalidArgumentError("NAL header has forbidden_zero_bit set");
  NalHeader h;
  h.nal_unit_type = (nal[0] >> 1) & 0x3F;
  h.nuh_layer_id = static_cast<uint8_t>(((nal[0] & 1) << 5) | (nal[1] >> 3));
  const int tid_plus1 = nal[1] & 7;
  if (tid_plus1 == 0) return absl::InvalidArgumentError("NAL header has nuh_temporal_id_plus1 0");
  h.temporal_id = static_cast<uint8_t>(tid_plus1 - 1);
  return h;
}

absl::string_view NalTypeName(uint8_t t) {
  static const std::array<std::string, 64> kNames = [] {
    std::array<std::string, 64> n;
    for (int i = 0; i < 64; ++i) n[i] = absl::StrCat("RSV_", i);
    const char* vcl[] = {"TRAIL_N", "TRAIL_R", "TSA_N",  "TSA_R",  "STSA_N",
                         "STSA_R",  "RADL_N",  "RADL_R", "RASL_N", "RASL_R"};
    for (int i = 0; i < 10; ++i) n[i] = vcl[i];
    const char* irap[] = {"BLA_W_LP",   "BLA_W_RADL", "BLA_N_LP",
                          "IDR_W_RADL", "IDR_N_LP",   "CRA_NUT"};
    for (int i = 0; i < 6; ++i) n[16 + i] = irap[i];
    const char* non_vcl[] = {"VPS", "SPS", "PPS",        "AUD",       "EOS",
                             "EOB", "FD",  "SEI_PREFIX", "SEI_SUFFIX"};
    for (int i = 0; i < 9; ++i) n[32 + i] = non_vcl[i];
    for (int i = 48; i < 64; ++i) n[i] = absl::StrCat("UNSPEC", i);
    return n;
  }();
  return kNames[t & 0x3F];
}

bool StartsAccessUnit(uint8_t t) {
  return (t >= kVps && t <= kAud) || t == kSeiPrefix || (t >= 41 && t <= 44) ||
         (t >= 48 && t <= 55);
}

}  // namespace mkvfleet::hevc
