// Per-packet Dolby Vision operations for containers that store HEVC length-prefixed (Matroska
// blocks, hvcC in CodecPrivate): drop the EL and transform the RPU in place, or pull out the RPU.
// Packets arrive in decode order; each result carries the frame's display key so RPUs can be put
// in display order with DisplayOrderRpuWriter (rpu_file.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dvstream/rpu_file.h"
#include "common/hevc/picture_order.h"

namespace mkvfleet::dvstream {

struct PacketRewriteOptions {
  bool drop_el = true;     // remove the type-63 EL NALs
  RpuTransform transform;  // applied to the packet's RPU, if set
};

// What one packet turned into.
struct RewrittenPacket {
  std::vector<uint8_t> data;                // the new packet, same NAL length size
  std::optional<std::vector<uint8_t>> rpu;  // the RPU payload (transformed), if the packet had one
  // The packet's later RPU NALs (a defect of some rips), untransformed and left out of `data`.
  std::vector<std::vector<uint8_t>> extra_rpus;
  bool rpu_inserted = false;                // `rpu` is the `missing_rpu` given, not the packet's
  hevc::FrameInfo frame;                    // picture order of the packet's frame
};

// One per video track, fed every packet in decode order (the POC state depends on it).
// Not thread-safe.
class PacketRewriter {
 public:
  // Reads the NAL length size and the parameter sets of an hvcC record.
  // Errors: those of ParseHvcc, and unparsable SPS/PPS in it.
  static absl::StatusOr<PacketRewriter> Create(absl::Span<const uint8_t> hvcc,
                                               PacketRewriteOptions options = {});
  // For a stream without hvcC: just the NAL length size (1, 2 or 4).
  PacketRewriter(int nal_length_size, PacketRewriteOptions options)
      : nal_length_size_(nal_length_size), options_(std::move(options)) {}

  // Rewrites one packet: NALs kept in order, EL NALs dropped if asked, the first RPU (type 62)
  // replaced by its transform and moved last, later RPUs dropped (see extra_rpus). A packet
  // without an RPU gets `missing_rpu` (an untransformed payload) when it is not empty, as if it
  // had carried it. Errors: malformed lengths, unparsable slice headers, the transform's error;
  // all name the packet index.
  absl::StatusOr<RewrittenPacket> Rewrite(absl::Span<const uint8_t> packet,
                                          absl::Span<const uint8_t> missing_rpu = {});
  // Like Rewrite() but leaves `data` empty: for RPU extraction.
  absl::StatusOr<RewrittenPacket> Inspect(absl::Span<const uint8_t> packet,
                                          absl::Span<const uint8_t> missing_rpu = {});

  int nal_length_size() const { return nal_length_size_; }
  uint64_t packets() const { return packets_; }

 private:
  absl::StatusOr<RewrittenPacket> Process(absl::Span<const uint8_t> packet, bool build,
                                          absl::Span<const uint8_t> missing_rpu);

  int nal_length_size_;
  PacketRewriteOptions options_;
  hevc::FrameOrderAnalyzer analyzer_;
  uint64_t packets_ = 0;
};

}  // namespace mkvfleet::dvstream
