// EBML, the binary format under Matroska: variable-length element IDs and sizes, big-endian
// unsigned integers, and the IDs of the elements a lossless rewrite has to look into. Pure
// functions over byte spans; everything a rewrite does not understand it copies as bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::matroska {

// Element IDs (with their length marker bits, as written in the file).
enum : uint32_t {
  kIdEbml = 0x1A45DFA3,
  kIdEbmlMaxIdLength = 0x42F2,
  kIdEbmlMaxSizeLength = 0x42F3,
  kIdSegment = 0x18538067,
  kIdSeekHead = 0x114D9B74,
  kIdSeek = 0x4DBB,
  kIdSeekId = 0x53AB,
  kIdSeekPosition = 0x53AC,
  kIdInfo = 0x1549A966,
  kIdTracks = 0x1654AE6B,
  kIdTrackEntry = 0xAE,
  kIdTrackNumber = 0xD7,
  kIdTrackUid = 0x73C5,
  kIdTrackType = 0x83,
  kIdCodecId = 0x86,
  kIdCodecPrivate = 0x63A2,
  kIdContentEncodings = 0x6D80,
  kIdBlockAdditionMapping = 0x41E4,
  kIdBlockAddIdType = 0x41E7,
  kIdBlockAddIdExtraData = 0x41ED,
  kIdCluster = 0x1F43B675,
  kIdTimestamp = 0xE7,
  kIdPosition = 0xA7,
  kIdPrevSize = 0xAB,
  kIdSimpleBlock = 0xA3,
  kIdBlockGroup = 0xA0,
  kIdBlock = 0xA1,
  kIdCues = 0x1C53BB6B,
  kIdCuePoint = 0xBB,
  kIdCueTrackPositions = 0xB7,
  kIdCueClusterPosition = 0xF1,
  kIdCueRelativePosition = 0xF0,
  kIdCueCodecState = 0xEA,
  kIdCueReference = 0xDB,
  kIdTags = 0x1254C367,
  kIdTag = 0x7373,
  kIdTargets = 0x63C0,
  kIdTagTrackUid = 0x63C5,
  kIdSimpleTag = 0x67C8,
  kIdTagName = 0x45A3,
  kIdTagString = 0x4487,
  kIdCrc32 = 0xBF,
  kIdVoid = 0xEC,
};

// An element's header: its ID, how many bytes ID + size take, and the size of its data.
struct ElementHeader {
  uint32_t id = 0;
  int header_size = 0;
  uint64_t data_size = 0;
  bool unknown_size = false;  // size field all ones: "until the parent (or a sibling) ends"
};

// Reads the header at the start of `bytes`. Errors: InvalidArgument for an invalid ID or size
// marker, OutOfRange when `bytes` ends inside the header.
absl::StatusOr<ElementHeader> ParseElementHeader(absl::Span<const uint8_t> bytes);

// Bytes of the size field of an element whose header was parsed into `h`.
int SizeWidth(const ElementHeader& h);

// The size field width to write for `size`: `preferred` (a source's width, to keep its layout)
// when it can state `size`, else the shortest that can.
int FitWidth(uint64_t size, int preferred);

// The big-endian unsigned integer stored in an element's data (0 to 8 bytes).
// Errors: InvalidArgument for more than 8 bytes.
absl::StatusOr<uint64_t> ReadUnsigned(absl::Span<const uint8_t> data);

// Bytes an unsigned value needs (at least 1).
int UnsignedWidth(uint64_t value);

// Appends an element ID as stored (1 to 4 bytes).
void AppendId(std::vector<uint8_t>& out, uint32_t id);
// Appends a size field of `width` bytes (1 to 8), or the shortest that holds `size` when 0.
// REQUIRES: `size` fits in `width` bytes (7 * width bits, not all ones).
void AppendSize(std::vector<uint8_t>& out, uint64_t size, int width = 0);
// Appends `value` big-endian in exactly `width` bytes. REQUIRES: it fits.
void AppendUnsignedBytes(std::vector<uint8_t>& out, uint64_t value, int width);
// Appends a whole unsigned-integer element in its shortest form.
void AppendUnsignedElement(std::vector<uint8_t>& out, uint32_t id, uint64_t value);
// Appends a master/binary element: header (shortest size) then `data`.
void AppendElement(std::vector<uint8_t>& out, uint32_t id, absl::Span<const uint8_t> data);

// The largest size a `width`-byte size field can state.
uint64_t MaxSizeForWidth(int width);

}  // namespace mkvfleet::matroska
