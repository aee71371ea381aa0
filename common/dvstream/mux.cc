// Interleaving a BL stream and an EL stream into the dual-layer layout.
#include "absl/strings/str_cat.h"
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/annexb_writer.h"
#include "common/dvstream/operations.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {
namespace {

bool IsEndOfStream(uint8_t type) { return type == hevc::kEos || type == hevc::kEob; }

// Counts the access units left in a stream (after a length mismatch).
absl::StatusOr<uint64_t> CountRest(AccessUnitReader& reader, hevc::AccessUnit& au) {
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&au));
    if (!more) return reader.count();
  }
}

// `pic_type` is used for an added AUD.
absl::Status WriteBl(const hevc::AccessUnit& au, uint8_t pic_type, const MuxOptions& options,
                     AnnexBWriter& w) {
  if (options.add_aud && (au.empty() || au.type(0) != hevc::kAud)) {
    RETURN_IF_ERROR(w.Write(hevc::MakeAudNal(pic_type)));
  }
  for (size_t i = 0; i < au.size(); ++i) {
    const uint8_t t = au.type(i);
    if (t == hevc::kUnspec62 || t == hevc::kUnspec63) continue;
    if (options.drop_eos && IsEndOfStream(t)) continue;
    RETURN_IF_ERROR(w.Write(au.nal(i)));
  }
  return absl::OkStatus();
}

absl::Status WriteEl(const hevc::AccessUnit& au, uint64_t index, const MuxOptions& options,
                     AnnexBWriter& w) {
  for (size_t i = 0; i < au.size(); ++i) {
    const uint8_t t = au.type(i);
    if (t == hevc::kUnspec62 || (options.drop_eos && IsEndOfStream(t))) continue;
    RETURN_IF_ERROR(w.WriteWrappedEl(au.nal(i)));
  }
  for (size_t i = 0; i < au.size(); ++i) {
    if (au.type(i) != hevc::kUnspec62) continue;
    absl::StatusOr<std::vector<uint8_t>> rpu =
        ApplyTransform(options.transform, au.nal(i).subspan(2));
    if (!rpu.ok()) return AtAccessUnit(rpu.status(), index);
    RETURN_IF_ERROR(w.WriteRpu(*rpu));
  }
  return absl::OkStatus();
}

absl::Status MuxLoop(AccessUnitReader& bl_reader, AccessUnitReader& el_reader,
                     const MuxOptions& options, AnnexBWriter& w, StreamStats& stats) {
  hevc::FrameOrderAnalyzer analyzer;
  hevc::AccessUnit bl_au, el_au;
  while (true) {
    ASSIGN_OR_RETURN(bool bl_more, bl_reader.Next(&bl_au));
    ASSIGN_OR_RETURN(bool el_more, el_reader.Next(&el_au));
    if (bl_more != el_more) {
      ASSIGN_OR_RETURN(uint64_t bl_frames, CountRest(bl_reader, bl_au));
      ASSIGN_OR_RETURN(uint64_t el_frames, CountRest(el_reader, el_au));
      return absl::FailedPreconditionError(absl::StrCat("BL and EL differ in length: BL has ",
                                                        bl_frames, " frames, EL has ", el_frames,
                                                        " (", bl_frames, " vs ", el_frames, ")"));
    }
    if (!bl_more) return absl::OkStatus();
    const uint64_t index = stats.access_units++;
    uint8_t pic_type = 0;
    if (options.add_aud) {  // slice types are needed for AUDs only
      ASSIGN_OR_RETURN(hevc::FrameInfo frame, AnalyzeAccessUnit(analyzer, bl_au, index));
      pic_type = frame.pic_type;
    }
    w.BeginAccessUnit();
    RETURN_IF_ERROR(WriteBl(bl_au, pic_type, options, w));
    RETURN_IF_ERROR(WriteEl(el_au, index, options, w));
    for (size_t i = 0; i < el_au.size(); ++i) stats.rpus += el_au.type(i) == hevc::kUnspec62;
  }
}

}  // namespace

absl::StatusOr<StreamStats> Mux(ByteSource& bl, ByteSource& el, ByteSink& out,
                                const MuxOptions& options) {
  StreamStats stats;
  AccessUnitReader bl_reader(bl);
  AccessUnitReader el_reader(el);
  AnnexBWriter w(out, options.style);
  absl::Status st = MuxLoop(bl_reader, el_reader, options, w, stats);
  absl::Status fin = w.Finish();
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(fin);
  return stats;
}

}  // namespace mkvfleet::dvstream
