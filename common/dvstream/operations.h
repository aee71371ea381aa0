// The dual-layer Dolby Vision stream operations on Annex B HEVC, each one streaming pass (inject:
// two over the base layer) from sources to sinks with flat memory. Layout handled: per access
// unit the base-layer (BL) NALs, then each enhancement-layer (EL) NAL wrapped whole in a type-63
// NAL (7E 01 + EL NAL), then the RPU (type 62, 7C 01 + payload) as the last NAL.
//
// Every operation returns counts on success. On error the sink holds what was written before the
// error (flushed); the message says what is wrong and at which access unit or stream offset.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/rpu_file.h"
#include "common/hevc/start_code.h"

namespace mkvfleet::dvstream {

struct StreamStats {
  uint64_t access_units = 0;  // access units read (from the BL for mux/inject)
  uint64_t rpus = 0;          // RPUs written
  uint64_t rpus_padded = 0;   // inject: frames that got a repeated RPU
  uint64_t rpus_unused = 0;   // inject: RPUs left over at the end of the RPU file
};

// Extracts every access unit's RPU (its first type-62 NAL) to an RPU file in display order,
// transformed by `transform` if set. Access units without an RPU are skipped; a second RPU in
// one unit is an error. Errors also: slice headers that cannot be parsed (needed for POC),
// duplicate POCs, and the transform's errors (naming the access unit).
absl::StatusOr<StreamStats> ExtractRpus(ByteSource& in, ByteSink& rpu_out,
                                        const RpuTransform& transform = nullptr);

struct LayerOptions {
  hevc::StartCodeStyle style = hevc::StartCodeStyle::kFourByte;
  RpuTransform transform;  // applied to every RPU written, if set
};

// Splits a dual-layer stream: BL NALs to bl_out; unwrapped EL NALs followed by the RPU to el_out.
// With el_out == nullptr this removes RPUs and the EL (BL only).
absl::StatusOr<StreamStats> Demux(ByteSource& in, ByteSink& bl_out, ByteSink* el_out,
                                  const LayerOptions& options = {});

// Drops the EL and keeps BL + RPU (RPU transformed): the lossless profile 7 -> 8 stream step.
absl::StatusOr<StreamStats> DropEnhancementLayer(ByteSource& in, ByteSink& out,
                                                 const LayerOptions& options = {});

// Rewrites every NAL unchanged with the given start-code style.
absl::StatusOr<StreamStats> ConvertStartCodes(ByteSource& in, ByteSink& out,
                                              hevc::StartCodeStyle style);

struct MuxOptions {
  hevc::StartCodeStyle style = hevc::StartCodeStyle::kFourByte;
  // Give each BL access unit that lacks one an AUD (pic_type from its slices).
  bool add_aud = true;
  // Drop end-of-sequence and end-of-bitstream NALs from both layers.
  bool drop_eos = false;
  RpuTransform transform;  // applied to the EL's RPUs, if set
};

// Interleaves a BL stream and an EL stream (whose RPUs become the muxed RPUs), access unit by
// access unit: BL NALs (existing RPUs and type-63 NALs dropped), the EL's NALs wrapped in type 63,
// then the EL's RPUs. Errors: FailedPrecondition naming both frame counts ("BL has 258 frames,
// EL has 259") when the streams differ in length; the sink then holds every frame muxed before
// the shorter stream ended.
absl::StatusOr<StreamStats> Mux(ByteSource& bl, ByteSource& el, ByteSink& out,
                                const MuxOptions& options = {});

// Opens a fresh source over the same bytes each time it is called (operations that need two
// passes over an input take one of these).
using SourceOpener = std::function<absl::StatusOr<std::unique_ptr<ByteSource>>()>;

struct InjectOptions {
  hevc::StartCodeStyle style = hevc::StartCodeStyle::kFourByte;
  // Give each access unit that lacks one an AUD (pic_type from its slices).
  bool add_aud = true;
  // With fewer RPUs than frames, frames past the end of the RPU file (in display order) get the
  // file's last RPU instead of failing.
  bool allow_padding = false;
  // How many copies of its RPU the frame at a display index gets (unset: one each). Test media
  // only: 0 and 2 make the defective samples of `mkvctl gen-sample --drop-rpus/--duplicate-rpus`.
  std::function<int(uint64_t display_index)> rpu_copies;
};

// Puts the RPU file's RPUs (display order) into a BL stream: frame k in display order gets RPU k
// as the last NAL of its access unit; existing RPUs are replaced. Reads the BL twice (frame order
// first) and the RPU file twice (count first). Errors: FailedPrecondition naming both counts if
// the RPU file has fewer RPUs than the BL has frames (unless allow_padding) or is empty;
// parse errors as ExtractRpus. Extra RPUs are ignored and counted in rpus_unused.
absl::StatusOr<StreamStats> InjectRpus(const SourceOpener& bl, const SourceOpener& rpus,
                                       ByteSink& out, const InjectOptions& options = {});

}  // namespace mkvfleet::dvstream
