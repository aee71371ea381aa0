// Length-prefixed packet rewriting.
#include "common/dvstream/packet_rewriter.h"

#include "absl/strings/str_cat.h"
#include "common/hevc/length_prefixed.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {
namespace {
absl::Status AtPacket(const absl::Status& st, uint64_t index) {
  return absl::Status(st.code(), absl::StrCat("packet ", index, ": ", st.message()));
}
}  // namespace

absl::StatusOr<PacketRewriter> PacketRewriter::Create(absl::Span<const uint8_t> hvcc,
                                                      PacketRewriteOptions options) {
  ASSIGN_OR_RETURN(hevc::HvccConfig config, hevc::ParseHvcc(hvcc));
  PacketRewriter rewriter(config.nal_length_size, std::move(options));
  for (const hevc::HvccArray& array : config.arrays) {
    for (const std::vector<uint8_t>& nal : array.nal_units) {
      if (absl::Status st = rewriter.analyzer_.AddParameterSet(nal); !st.ok()) {
        return absl::Status(st.code(), absl::StrCat("hvcC: ", st.message()));
      }
    }
  }
  return rewriter;
}

absl::StatusOr<RewrittenPacket> PacketRewriter::Rewrite(absl::Span<const uint8_t> packet,
                                                        absl::Span<const uint8_t> missing_rpu) {
  return Process(packet, /*build=*/true, missing_rpu);
}

absl::StatusOr<RewrittenPacket> PacketRewriter::Inspect(absl::Span<const uint8_t> packet,
                                                        absl::Span<const uint8_t> missing_rpu) {
  return Process(packet, /*build=*/false, missing_rpu);
}

absl::StatusOr<RewrittenPacket> PacketRewriter::Process(absl::Span<const uint8_t> packet,
                                                        bool build,
                                                        absl::Span<const uint8_t> missing_rpu) {
  const uint64_t index = packets_++;
  absl::StatusOr<std::vector<absl::Span<const uint8_t>>> nals =
      hevc::SplitLengthPrefixed(packet, nal_length_size_);
  if (!nals.ok()) return AtPacket(nals.status(), index);
  RewrittenPacket out;
  if (build) out.data.reserve(packet.size());
  absl::Span<const uint8_t> rpu;
  bool has_rpu = false;
  analyzer_.BeginFrame();
  for (absl::Span<const uint8_t> nal : *nals) {
    if (nal.empty()) return AtPacket(absl::InvalidArgumentError("empty NAL"), index);
    if (absl::Status st = analyzer_.AddNal(nal); !st.ok()) return AtPacket(st, index);
    const uint8_t type = hevc::NalTypeOf(nal);
    if (type == hevc::kUnspec62) {
      if (has_rpu) {
        out.extra_rpus.emplace_back(nal.begin() + 2, nal.end());
      } else {
        has_rpu = true;
        rpu = nal.subspan(2);
      }
      continue;
    }
    if (type == hevc::kUnspec63 && options_.drop_el) continue;
    if (!build) continue;
    if (absl::Status st = hevc::AppendLengthPrefixed(nal, nal_length_size_, out.data); !st.ok()) {
      return AtPacket(st, index);
    }
  }
  out.frame = analyzer_.EndFrame();
  if (!has_rpu && !missing_rpu.empty()) {
    has_rpu = true;
    rpu = missing_rpu;
    out.rpu_inserted = true;
  }
  if (!has_rpu) return out;
  absl::StatusOr<std::vector<uint8_t>> converted = ApplyTransform(options_.transform, rpu);
  if (!converted.ok()) return AtPacket(converted.status(), index);
  if (build) {
    std::vector<uint8_t> nal(hevc::kRpuHeader, hevc::kRpuHeader + 2);
    nal.insert(nal.end(), converted->begin(), converted->end());
    if (absl::Status st = hevc::AppendLengthPrefixed(nal, nal_length_size_, out.data); !st.ok()) {
      return AtPacket(st, index);
    }
  }
  out.rpu = *std::move(converted);
  return out;
}

}  // namespace mkvfleet::dvstream
