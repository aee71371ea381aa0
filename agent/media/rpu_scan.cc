// RPU checks over a Matroska video track (see the header).
#include "agent/media/rpu_scan.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu.h"
#include "common/dovi/rpu_profile.h"
#include "common/dvstream/packet_rewriter.h"
#include "common/libav/matroska_reader.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

constexpr int kElNalType = 63;

struct OpenTrack {
  std::unique_ptr<libav::MatroskaReader> reader;
  std::optional<dvstream::PacketRewriter> rewriter;  // unset when not HEVC
};

absl::StatusOr<OpenTrack> Open(const std::string& path) {
  OpenTrack t;
  ASSIGN_OR_RETURN(t.reader, libav::MatroskaReader::Open(path));
  if (!t.reader->video().is_hevc) return t;
  dvstream::PacketRewriteOptions opts;
  opts.drop_el = false;
  absl::StatusOr<dvstream::PacketRewriter> rw =
      dvstream::PacketRewriter::Create(t.reader->video().codec_private, opts);
  if (!rw.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unusable HEVC configuration (hvcC): ", rw.status().message()));
  }
  t.rewriter.emplace(*std::move(rw));
  return t;
}

}  // namespace

bool HasElNal(absl::Span<const uint8_t> packet, int nal_length_size) {
  size_t pos = 0;
  while (pos + nal_length_size <= packet.size()) {
    uint64_t len = 0;
    for (int i = 0; i < nal_length_size; ++i) len = (len << 8) | packet[pos + i];
    pos += nal_length_size;
    if (len == 0 || pos + len > packet.size()) return false;
    if (((packet[pos] >> 1) & 0x3f) == kElNalType) return true;
    pos += len;
  }
  return false;
}

absl::StatusOr<RpuCheck> CheckFirstRpus(const std::string& path, int max_packets) {
  ASSIGN_OR_RETURN(OpenTrack t, Open(path));
  RpuCheck check;
  if (!t.rewriter) return check;
  check.checked = true;
  libav::PacketPtr pkt = libav::MakePacket();
  while (check.packets_seen < max_packets) {
    ASSIGN_OR_RETURN(const bool got, t.reader->ReadVideoPacket(*pkt));
    if (!got) break;
    absl::Span<const uint8_t> data(pkt->data, pkt->size);
    ++check.packets_seen;
    if (HasElNal(data, t.rewriter->nal_length_size())) check.el_nals = true;
    absl::StatusOr<dvstream::RewrittenPacket> r = t.rewriter->Inspect(data);
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": video packet ", check.packets_seen, ": ", r.status().message()));
    }
    if (!r->rpu) continue;
    if (++check.rpus_seen > 1) continue;
    absl::StatusOr<dovi::Rpu> rpu = dovi::ParseRpu(*r->rpu);
    if (!rpu.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": first RPU does not parse: ", rpu.status().message()));
    }
    check.profile = dovi::DetectProfile(rpu->header);
    check.el_type = dovi::ElTypeName(dovi::DetectElType(*rpu));
  }
  return check;
}

absl::StatusOr<RpuScanTotals> ScanAllRpus(const std::string& path, const std::atomic<bool>* cancel,
                                          const std::function<void(int64_t)>& on_packet) {
  ASSIGN_OR_RETURN(OpenTrack t, Open(path));
  RpuScanTotals totals;
  if (!t.rewriter) return totals;
  libav::PacketPtr pkt = libav::MakePacket();
  while (true) {
    if (cancel != nullptr && cancel->load()) {
      return absl::CancelledError(absl::StrCat("RPU scan of ", path, " cancelled"));
    }
    ASSIGN_OR_RETURN(const bool got, t.reader->ReadVideoPacket(*pkt));
    if (!got) break;
    absl::Span<const uint8_t> data(pkt->data, pkt->size);
    ++totals.packets;
    if (HasElNal(data, t.rewriter->nal_length_size())) ++totals.packets_with_el;
    absl::StatusOr<dvstream::RewrittenPacket> r = t.rewriter->Inspect(data);
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": video packet ", totals.packets, ": ", r.status().message()));
    }
    if (on_packet) on_packet(totals.packets);
    if (!r->rpu) continue;
    ++totals.packets_with_rpu;
    if (!r->extra_rpus.empty()) ++totals.packets_with_several_rpus;
    absl::StatusOr<dovi::Rpu> rpu = dovi::ParseRpu(*r->rpu);
    if (!rpu.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": RPU of video packet ", totals.packets,
                                                     " does not parse: ", rpu.status().message()));
    }
    const int profile = dovi::DetectProfile(rpu->header);
    if (totals.packets_with_rpu == 1) totals.first_rpu_profile = profile;
    if (profile != 8) ++totals.rpus_not_profile8;
  }
  return totals;
}

absl::StatusOr<dvstream::FrameRpuTable> ReadFrameRpus(
    const std::string& path, const std::atomic<bool>* cancel,
    const std::function<void(int64_t)>& on_packet) {
  ASSIGN_OR_RETURN(OpenTrack t, Open(path));
  if (!t.rewriter) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": the video track is not HEVC"));
  }
  dvstream::FrameRpuCollector collector;
  libav::PacketPtr pkt = libav::MakePacket();
  for (int64_t packets = 1;; ++packets) {
    if (cancel != nullptr && cancel->load()) {
      return absl::CancelledError(absl::StrCat("RPU census of ", path, " cancelled"));
    }
    ASSIGN_OR_RETURN(const bool got, t.reader->ReadVideoPacket(*pkt));
    if (!got) break;
    absl::StatusOr<dvstream::RewrittenPacket> r =
        t.rewriter->Inspect(absl::Span<const uint8_t>(pkt->data, pkt->size));
    if (r.ok()) {
      std::vector<std::vector<uint8_t>> rpus;
      if (r->rpu) rpus.push_back(*std::move(r->rpu));
      for (std::vector<uint8_t>& extra : r->extra_rpus) rpus.push_back(std::move(extra));
      if (absl::Status s = collector.Add(r->frame, std::move(rpus)); !s.ok()) r = s;
    }
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": video packet ", packets, ": ", r.status().message()));
    }
    if (on_packet) on_packet(packets);
  }
  return std::move(collector).Finish();
}

absl::StatusOr<RpuRepairPlan> PlanRpuRepair(const dvstream::FrameRpuTable& table) {
  ASSIGN_OR_RETURN(dovi::RepairedRpus repaired, dovi::RepairRpus(table.frames));
  RpuRepairPlan plan;
  for (const dovi::RpuRepairNote& n : repaired.notes) {
    if (n.kind != dovi::RpuRepairNote::Kind::kMissing) continue;
    const size_t frame = static_cast<size_t>(n.frame);
    plan.patches[table.packet_of_frame[frame]] = std::move(repaired.rpus[frame]);
  }
  plan.notes = std::move(repaired.notes);
  return plan;
}

}  // namespace mkvfleet::agent::media
