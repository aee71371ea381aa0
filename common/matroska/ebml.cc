// EBML element headers and integers (see ebml.h).
#include "common/matroska/ebml.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::matroska {
namespace {

// Length of a variable-length integer from its first byte's leading zeros (1..8), 0 if invalid.
int VintLength(uint8_t first) {
  for (int len = 1; len <= 8; ++len) {
    if (first & (0x80 >> (len - 1))) return len;
  }
  return 0;
}

}  // namespace

absl::StatusOr<ElementHeader> ParseElementHeader(absl::Span<const uint8_t> bytes) {
  if (bytes.empty()) return absl::OutOfRangeError("element header: no bytes left");
  const int id_len = VintLength(bytes[0]);
  if (id_len == 0 || id_len > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("element header: invalid ID marker byte 0x", absl::Hex(bytes[0])));
  }
  if (bytes.size() < static_cast<size_t>(id_len) + 1) {
    return absl::OutOfRangeError("element header: truncated ID");
  }
  ElementHeader h;
  for (int i = 0; i < id_len; ++i) h.id = (h.id << 8) | bytes[i];
  const uint8_t first = bytes[id_len];
  const int size_len = VintLength(first);
  if (size_len == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("element 0x", absl::Hex(h.id), ": invalid size marker byte 0x00"));
  }
  if (bytes.size() < static_cast<size_t>(id_len + size_len)) {
    return absl::OutOfRangeError(absl::StrCat("element 0x", absl::Hex(h.id), ": truncated size"));
  }
  uint64_t size = first & (0xFF >> size_len);
  for (int i = 1; i < size_len; ++i) size = (size << 8) | bytes[id_len + i];
  h.header_size = id_len + size_len;
  h.unknown_size = size == MaxSizeForWidth(size_len) + 1;
  h.data_size = h.unknown_size ? 0 : size;
  return h;
}

absl::StatusOr<uint64_t> ReadUnsigned(absl::Span<const uint8_t> data) {
  if (data.size() > 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsigned integer of ", data.size(), " bytes (at most 8)"));
  }
  uint64_t v = 0;
  for (uint8_t b : data) v = (v << 8) | b;
  return v;
}

int UnsignedWidth(uint64_t value) {
  int width = 1;
  while (width < 8 && (value >> (8 * width)) != 0) ++width;
  return width;
}

int SizeWidth(const ElementHeader& h) {
  int id_len = 1;
  while (id_len < 4 && (h.id >> (8 * id_len)) != 0) ++id_len;
  return h.header_size - id_len;
}

int FitWidth(uint64_t size, int preferred) {
  if (preferred >= 1 && preferred <= 8 && size <= MaxSizeForWidth(preferred)) return preferred;
  int width = 1;
  while (size > MaxSizeForWidth(width)) ++width;
  return width;
}

uint64_t MaxSizeForWidth(int width) { return (uint64_t{1} << (7 * width)) - 2; }

void AppendId(std::vector<uint8_t>& out, uint32_t id) {
  int len = 1;
  while (len < 4 && (id >> (8 * len)) != 0) ++len;
  for (int i = len - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(id >> (8 * i)));
}

void AppendSize(std::vector<uint8_t>& out, uint64_t size, int width) {
  if (width == 0) {
    width = 1;
    while (size > MaxSizeForWidth(width)) ++width;
  }
  const uint64_t marked = size | (uint64_t{1} << (7 * width));
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(marked >> (8 * i)));
}

void AppendUnsignedBytes(std::vector<uint8_t>& out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void AppendUnsignedElement(std::vector<uint8_t>& out, uint32_t id, uint64_t value) {
  const int width = UnsignedWidth(value);
  AppendId(out, id);
  AppendSize(out, static_cast<uint64_t>(width));
  AppendUnsignedBytes(out, value, width);
}

void AppendElement(std::vector<uint8_t>& out, uint32_t id, absl::Span<const uint8_t> data) {
  AppendId(out, id);
  AppendSize(out, data.size());
  out.insert(out.end(), data.begin(), data.end());
}

}  // namespace mkvfleet::matroska
