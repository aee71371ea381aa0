// Our own look at the Dolby Vision inside a Matroska video track, independent of what the
// container's configuration record claims: the first RPUs of a source (profile, MEL or FEL, EL
// NAL units present) for planning, every frame's RPUs of a source (one per frame, or what to
// repair), and every packet of an output (one RPU per frame, all profile 8, no EL left) for
// verification.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "agent/media/media_info.h"
#include "agent/media/verify_rules.h"
#include "common/dovi/rpu_repair.h"
#include "common/dvstream/frame_rpus.h"

namespace mkvfleet::agent::media {

// How many packets the planning check looks at.
inline constexpr int kFirstRpuPackets = 24;

// Reads up to `max_packets` video packets of `path`. Not HEVC: checked = false. Errors: those of
// libav::MatroskaReader::Open (NotFound, InvalidArgument for a non-Matroska file,
// FailedPrecondition without video); DataLoss for unreadable packets; InvalidArgument for an
// unparsable first RPU.
absl::StatusOr<RpuCheck> CheckFirstRpus(const std::string& path,
                                        int max_packets = kFirstRpuPackets);

// Reads every video packet of `path`. `on_packet` (optional) gets the count so far. Errors as
// above, plus InvalidArgument for a malformed packet or RPU (naming the packet), Cancelled.
absl::StatusOr<RpuScanTotals> ScanAllRpus(const std::string& path, const std::atomic<bool>* cancel,
                                          const std::function<void(int64_t)>& on_packet);

// The RPUs of every video frame of `path` in display order (one read of the file). `on_packet`
// (optional) gets the count so far. Errors as ScanAllRpus (FailedPrecondition for a video track
// that is not HEVC).
absl::StatusOr<dvstream::FrameRpuTable> ReadFrameRpus(
    const std::string& path, const std::atomic<bool>* cancel,
    const std::function<void(int64_t)>& on_packet);

// RPUs to give source packets (by index in decode order) that carry none.
using RpuPatches = absl::flat_hash_map<uint64_t, std::vector<uint8_t>>;
struct RpuRepairPlan {
  RpuPatches patches;                      // the repaired RPU of each packet without one
  std::vector<dovi::RpuRepairNote> notes;  // every frame repaired (dovi::RepairRpus)
};
// Applies dovi::RepairRpus to `table`. Errors: those of RepairRpus.
absl::StatusOr<RpuRepairPlan> PlanRpuRepair(const dvstream::FrameRpuTable& table);

// True when a length-prefixed packet holds a NAL unit of type 63 (Dolby Vision EL). Malformed
// lengths end the walk (false for what follows).
bool HasElNal(absl::Span<const uint8_t> packet, int nal_length_size);

}  // namespace mkvfleet::agent::media
