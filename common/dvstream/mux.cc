// Interleaving a BL stream and an EL stream into the dual-layer layout.
#include "absl/strings/str_cat.h"
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/annexb_writer.h"
#include "common/dvstream/operations.h"
#include "common/hevc/nal_unit.h"

namespace mkvfleet::dvstream {
namespace {

bool IsEndOfStream(uint8_t type) { return type == hevc::kEos || type == hevc::kEob; }

// Counts the access units left in a stream (after a length mismatch).
absl::StatusOr<uint64_t> CountRest(AccessUnitReader& reader, hevc::AccessUnit& au) {
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&au);
    if (!more.ok()) return more.status();
    if (!*more) return reader.count();
  }
}

// `pic_type` is used for an added AUD.
absl::Status WriteBl(const hevc::AccessUnit& au, uint8_t pic_type, const MuxOptions& options,
                     AnnexBWriter& w) {
  if (options.add_aud && (au.empty() || au.type(0) != hevc::kAud)) {
    if (absl::Status st = w.Write(hevc::MakeAudNal(pic_type)); !st.ok()) return st;
  }
  for (size_t i = 0; i < au.size(); ++i) {
    const uint8_t t = au.type(i);
    if (t == hevc::kUnspec62 || t == hevc::kUnspec63) continue;
    if (options.drop_eos && IsEndOfStream(t)) continue;
    if (absl::Status st = w.Write(au.nal(i)); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status WriteEl(const hevc::AccessUnit& au, uint64_t index, const MuxOptions& options,
                     AnnexBWriter& w) {
  for (size_t i = 0; i < au.size(); ++i) {
    const uint8_t t = au.type(i);
    if (t == hevc::kUnspec62 || (options.drop_eos && IsEndOfStream(t))) continue;
    if (absl::Status st = w.WriteWrappedEl(au.nal(i)); !st.ok()) return st;
  }
  for (size_t i = 0; i < au.size(); ++i) {
    if (au.type(i) != hevc::kUnspec62) continue;
    absl::StatusOr<std::vector<uint8_t>> rpu =
        ApplyTransform(options.transform, au.nal(i).subspan(2));
    if (!rpu.ok()) return AtAccessUnit(rpu.status(), index);
    if (absl::Status st = w.WriteRpu(*rpu); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status MuxLoop(AccessUnitReader& bl_reader, AccessUnitReader& el_reader,
                     const MuxOptions& options, AnnexBWriter& w, StreamStats& stats) {
  hevc::FrameOrderAnalyzer analyzer;
  hevc::AccessUnit bl_au, el_au;
  while (true) {
    absl::StatusOr<bool> bl_more = bl_reader.Next(&bl_au);
    if (!bl_more.ok()) return bl_more.status();
    absl::StatusOr<bool> el_more = el_reader.Next(&el_au);
    if (!el_more.ok()) return el_more.status();
    if (*bl_more != *el_more) {
      absl::StatusOr<uint64_t> bl_frames = CountRest(bl_reader, bl_au);
      if (!bl_frames.ok()) return bl_frames.status();
      absl::StatusOr<uint64_t> el_frames = CountRest(el_reader, el_au);
      if (!el_frames.ok()) return el_frames.status();
      return absl::FailedPreconditionError(absl::StrCat("BL and EL differ in length: BL has ",
                                                        *bl_frames, " frames, EL has ", *el_frames,
                                                        " (", *bl_frames, " vs ", *el_frames, ")"));
    }
    if (!*bl_more) return absl::OkStatus();
    const uint64_t index = stats.access_units++;
    uint8_t pic_type = 0;
    if (options.add_aud) {  // slice types are needed for AUDs only
      absl::StatusOr<hevc::FrameInfo> frame = AnalyzeAccessUnit(analyzer, bl_au, index);
      if (!frame.ok()) return frame.status();
      pic_type = frame->pic_type;
    }
    w.BeginAccessUnit();
    if (absl::Status st = WriteBl(bl_au, pic_type, options, w); !st.ok()) return st;
    if (absl::Status st = WriteEl(el_au, index, options, w); !st.ok()) return st;
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
  if (!st.ok()) return st;
  if (!fin.ok()) return fin;
  return stats;
}

}  // namespace mkvfleet::dvstream
