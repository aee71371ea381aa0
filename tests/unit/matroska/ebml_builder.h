// Test-side EBML writer, independent of common/matroska: elements are built from the Matroska
// spec (ID bytes as stored, size vint with its length marker, then data) so the library's
// parsers and editors are checked against bytes they did not produce.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mkvfleet::matroska::testing {

using Bytes = std::vector<uint8_t>;

// Element IDs from the Matroska spec (RFC 9559), written here rather than taken from ebml.h.
namespace id {
inline constexpr uint32_t kSeekHead = 0x114D9B74, kSeek = 0x4DBB, kSeekId = 0x53AB,
                          kSeekPosition = 0x53AC;
inline constexpr uint32_t kInfo = 0x1549A966, kTracks = 0x1654AE6B, kTrackEntry = 0xAE,
                          kTrackNumber = 0xD7, kTrackUid = 0x73C5, kTrackType = 0x83,
                          kFlagLacing = 0x9C, kLanguage = 0x22B59C, kCodecId = 0x86,
                          kCodecPrivate = 0x63A2, kVideo = 0xE0, kPixelWidth = 0xB0,
                          kPixelHeight = 0xBA, kAudio = 0xE1, kChannels = 0x9F,
                          kContentEncodings = 0x6D80, kContentEncoding = 0x6240,
                          kBlockAdditionMapping = 0x41E4, kBlockAddIdValue = 0x41F0,
                          kBlockAddIdName = 0x41A4, kBlockAddIdType = 0x41E7,
                          kBlockAddIdExtraData = 0x41ED;
inline constexpr uint32_t kCluster = 0x1F43B675, kTimestamp = 0xE7, kPosition = 0xA7,
                          kPrevSize = 0xAB, kSimpleBlock = 0xA3, kBlockGroup = 0xA0, kBlock = 0xA1,
                          kReferenceBlock = 0xFB, kBlockDuration = 0x9B, kVoid = 0xEC,
                          kCrc32 = 0xBF;
inline constexpr uint32_t kCues = 0x1C53BB6B, kCuePoint = 0xBB, kCueTime = 0xB3,
                          kCueTrackPositions = 0xB7, kCueTrack = 0xF7, kCueClusterPosition = 0xF1,
                          kCueRelativePosition = 0xF0, kCueDuration = 0xB2,
                          kCueBlockNumber = 0x5378, kCueCodecState = 0xEA, kCueReference = 0xDB,
                          kCueRefTime = 0x96;
inline constexpr uint32_t kTags = 0x1254C367, kTag = 0x7373, kTargets = 0x63C0,
                          kTargetTypeValue = 0x68CA, kTagTrackUid = 0x63C5, kSimpleTag = 0x67C8,
                          kTagName = 0x45A3, kTagLanguage = 0x447A, kTagDefault = 0x4484,
                          kTagString = 0x4487;
}  // namespace id

// The ID's bytes as stored: its value without leading zero bytes.
inline Bytes IdBytes(uint32_t element_id) {
  Bytes out;
  bool started = false;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const uint8_t b = static_cast<uint8_t>(element_id >> shift);
    if (b != 0 || started || shift == 0) {
      out.push_back(b);
      started = true;
    }
  }
  return out;
}

// A size vint of `width` bytes (0: shortest): the marker bit 1 << (7 * width) ORed into the value.
inline Bytes SizeBytes(uint64_t size, int width = 0) {
  if (width == 0) {
    width = 1;
    while (size >= (uint64_t{1} << (7 * width)) - 1) ++width;
  }
  const uint64_t marked = size | (uint64_t{1} << (7 * width));
  Bytes out;
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(marked >> (8 * i)));
  return out;
}

inline Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A whole element: ID, size (of `size_width` bytes, 0: shortest), data.
inline Bytes El(uint32_t element_id, const Bytes& data, int size_width = 0) {
  return Cat({IdBytes(element_id), SizeBytes(data.size(), size_width), data});
}

// A master element from its children, in order.
inline Bytes Master(uint32_t element_id, std::initializer_list<Bytes> children,
                    int size_width = 0) {
  return El(element_id, Cat(children), size_width);
}

// An unsigned-integer element; `width` 0 stores `value` in the fewest bytes (at least 1).
inline Bytes Uint(uint32_t element_id, uint64_t value, int width = 0) {
  if (width == 0) {
    width = 1;
    while (width < 8 && (value >> (8 * width)) != 0) ++width;
  }
  Bytes data;
  for (int i = width - 1; i >= 0; --i) data.push_back(static_cast<uint8_t>(value >> (8 * i)));
  return El(element_id, data);
}

inline Bytes Str(uint32_t element_id, const std::string& text) {
  return El(element_id, Bytes(text.begin(), text.end()));
}

// Block / SimpleBlock data: track number vint (1 byte), 16-bit relative timestamp, flags, frame.
inline Bytes BlockData(uint8_t track, int16_t timestamp, uint8_t flags, const Bytes& frame) {
  Bytes out = {static_cast<uint8_t>(0x80 | track), static_cast<uint8_t>(timestamp >> 8),
               static_cast<uint8_t>(timestamp & 0xFF), flags};
  out.insert(out.end(), frame.begin(), frame.end());
  return out;
}

// `n` bytes counting up from `first`: frames whose contents show where they went.
inline Bytes Pattern(size_t n, uint8_t first) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(first + i);
  return out;
}

// EBML CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit from the definition: an oracle for
// the library's table-driven one.
inline uint32_t BitwiseCrc32(const Bytes& data) {
  uint32_t crc = 0xFFFFFFFF;
  for (uint8_t b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFF;
}

// A CRC-32 element over `covered` (what follows it in its parent), value little-endian.
inline Bytes Crc32El(const Bytes& covered) {
  const uint32_t crc = BitwiseCrc32(covered);
  return El(id::kCrc32, Bytes{static_cast<uint8_t>(crc), static_cast<uint8_t>(crc >> 8),
                              static_cast<uint8_t>(crc >> 16), static_cast<uint8_t>(crc >> 24)});
}

}  // namespace mkvfleet::matroska::testing
