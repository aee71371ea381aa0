// Bit layout of the Dolby Vision configuration record (24 bytes, only the first 5 carry data).
#include "common/dovi/config_record.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::dovi {

absl::StatusOr<DoviConfigRecord> ParseDoviConfigRecord(absl::Span<const uint8_t> b) {
  if (b.size() < 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Dolby Vision configuration record is ", b.size(), " bytes, needs at least 5"));
  }
  DoviConfigRecord r;
  r.dv_version_major = b[0];
  r.dv_version_minor = b[1];
  r.dv_profile = b[2] >> 1;
  r.dv_level = static_cast<uint8_t>(((b[2] & 1) << 5) | (b[3] >> 3));
  r.rpu_present_flag = (b[3] >> 2) & 1;
  r.el_present_flag = (b[3] >> 1) & 1;
  r.bl_present_flag = b[3] & 1;
  r.dv_bl_signal_compatibility_id = b[4] >> 4;
  return r;
}

DoviConfigRecord Profile81Record(int level) {
  DoviConfigRecord r;
  r.dv_profile = 8;
  r.dv_level = static_cast<uint8_t>(level);
  r.rpu_present_flag = true;
  r.el_present_flag = false;
  r.bl_present_flag = true;
  r.dv_bl_signal_compatibility_id = 1;
  return r;
}

std::vector<uint8_t> SerializeDoviConfigRecord(const DoviConfigRecord& r) {
  std::vector<uint8_t> b(24, 0);
  b[0] = r.dv_version_major;
  b[1] = r.dv_version_minor;
  b[2] = static_cast<uint8_t>((r.dv_profile << 1) | ((r.dv_level >> 5) & 1));
  b[3] = static_cast<uint8_t>(((r.dv_level & 0x1F) << 3) | (r.rpu_present_flag << 2) |
                              (r.el_present_flag << 1) | static_cast<int>(r.bl_present_flag));
  b[4] = static_cast<uint8_t>(r.dv_bl_signal_compatibility_id << 4);
  return b;
}

std::string DescribeDoviConfig(const DoviConfigRecord& r) {
  return absl::StrCat("profile ", r.dv_profile, " level ", r.dv_level,
                      r.rpu_present_flag ? " rpu" : "", r.el_present_flag ? " el" : "",
                      r.bl_present_flag ? " bl" : "", " compat ", r.dv_bl_signal_compatibility_id);
}

}  // namespace mkvfleet::dovi
