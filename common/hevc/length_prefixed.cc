// hvcC parsing and length-prefixed NAL framing.
#include "common/hevc/length_prefixed.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::hevc {
namespace {
constexpr size_t kHvccFixedSize = 23;

absl::Status CheckLengthSize(int n) {
  if (n < 1 || n > 4) {
    return absl::InvalidArgumentError(absl::StrCat("NAL length size ", n, " is not 1..4"));
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<HvccConfig> ParseHvcc(absl::Span<const uint8_t> d) {
  if (d.size() < kHvccFixedSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("hvcC of ", d.size(), " bytes is shorter than its 23-byte header"));
  }
  HvccConfig c;
  c.configuration_version = d[0];
  if (c.configuration_version != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("hvcC configurationVersion is ", d[0], ", expected 1"));
  }
  c.nal_length_size = (d[21] & 3) + 1;
  if (c.nal_length_size == 3) {
    return absl::InvalidArgumentError("hvcC lengthSizeMinusOne is 2, which is not allowed");
  }
  const int num_arrays = d[22];
  size_t pos = kHvccFixedSize;
  auto need = [&](size_t n) -> absl::Status {
    if (d.size() - pos < n) {
      return absl::InvalidArgumentError(
          absl::StrCat("hvcC NAL arrays run past its end at byte ", pos));
    }
    return absl::OkStatus();
  };
  for (int i = 0; i < num_arrays; ++i) {
    RETURN_IF_ERROR(need(3));
    HvccArray a;
    a.array_completeness = d[pos] & 0x80;
    a.nal_unit_type = d[pos] & 0x3F;
    const int num_nalus = (d[pos + 1] << 8) | d[pos + 2];
    pos += 3;
    for (int j = 0; j < num_nalus; ++j) {
      RETURN_IF_ERROR(need(2));
      const size_t len = (d[pos] << 8) | d[pos + 1];
      pos += 2;
      RETURN_IF_ERROR(need(len));
      a.nal_units.emplace_back(d.begin() + pos, d.begin() + pos + len);
      pos += len;
    }
    c.arrays.push_back(std::move(a));
  }
  return c;
}

absl::StatusOr<std::vector<absl::Span<const uint8_t>>> SplitLengthPrefixed(
    absl::Span<const uint8_t> packet, int nal_length_size) {
  RETURN_IF_ERROR(CheckLengthSize(nal_length_size));
  std::vector<absl::Span<const uint8_t>> nals;
  size_t pos = 0;
  while (pos < packet.size()) {
    if (packet.size() - pos < static_cast<size_t>(nal_length_size)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "packet of ", packet.size(), " bytes ends inside a NAL length at byte ", pos));
    }
    size_t len = 0;
    for (int i = 0; i < nal_length_size; ++i) len = (len << 8) | packet[pos + i];
    pos += nal_length_size;
    if (packet.size() - pos < len) {
      return absl::InvalidArgumentError(absl::StrCat("NAL length ", len, " at byte ",
                                                     pos - nal_length_size, " runs past the ",
                                                     packet.size(), "-byte packet"));
    }
    nals.push_back(packet.subspan(pos, len));
    pos += len;
  }
  return nals;
}

absl::Status AppendLengthPrefixed(absl::Span<const uint8_t> nal, int nal_length_size,
                                  std::vector<uint8_t>& out) {
  RETURN_IF_ERROR(CheckLengthSize(nal_length_size));
  if (nal_length_size < 4 && nal.size() >> (8 * nal_length_size) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("NAL of ", nal.size(), " bytes does not fit a ",
                                                   nal_length_size, "-byte length"));
  }
  if (nal.size() > 0xFFFFFFFFu) return absl::InvalidArgumentError("NAL larger than 4 GiB");
  for (int i = nal_length_size - 1; i >= 0; --i) {
    out.push_back(static_cast<uint8_t>(nal.size() >> (8 * i)));
  }
  out.insert(out.end(), nal.begin(), nal.end());
  return absl::OkStatus();
}

}  // namespace mkvfleet::hevc
