// Reads the RPUs of any dovi input in display order: an RPU file as it is, an HEVC stream through
// dvstream::ExtractRpus, a Matroska file packet by packet through libavformat and
// dvstream::PacketRewriter. Streams are read with flat memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/frame_rpus.h"
#include "common/dvstream/rpu_file.h"
#include "common/libav/matroska_reader.h"
#include "ctl/dovi/input_kind.h"

namespace mkvfleet::ctl {

// Writes the RPUs of an HEVC stream or Matroska file to `out` as an RPU file, in display order,
// each passed through `transform` when set. When `video` is given and the input is Matroska, it
// receives the video track description. Returns the number of RPUs written.
// Errors name `path`: unreadable input, a non-HEVC video track, malformed NALs or packets,
// duplicate POCs, the transform's error (naming the access unit / packet), FailedPrecondition for
// an RPU file (nothing to extract).
// When `census` is given and the input is Matroska, it receives how the RPUs match the frames
// (a frame with several RPUs contributes its first only).
absl::StatusOr<uint64_t> ExtractRpusTo(const std::string& path, InputKind kind,
                                       dvstream::ByteSink& out,
                                       const dvstream::RpuTransform& transform = nullptr,
                                       std::optional<libav::VideoTrackInfo>* video = nullptr,
                                       std::optional<dvstream::RpuCensus>* census = nullptr);

// Calls `visit` with every RPU payload (escaped, starting with 0x19) of `path` in display order:
// the RPUs of an RPU file in file order, or those ExtractRpusTo finds. Stops at the first error
// of `visit`, which is returned. Other errors as ExtractRpusTo, and InvalidArgument for an RPU
// file that does not start with a start code.
absl::Status ForEachRpu(const std::string& path, InputKind kind,
                        absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> visit,
                        std::optional<libav::VideoTrackInfo>* video = nullptr,
                        std::optional<dvstream::RpuCensus>* census = nullptr);

}  // namespace mkvfleet::ctl
