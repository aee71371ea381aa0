// RPU extraction from an Annex B stream to an RPU file, in display order.
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/operations.h"
#include "common/hevc/nal_unit.h"

namespace mkvfleet::dvstream {

absl::StatusOr<StreamStats> ExtractRpus(ByteSource& in, ByteSink& rpu_out,
                                        const RpuTransform& transform) {
  StreamStats stats;
  AccessUnitReader reader(in);
  hevc::FrameOrderAnalyzer analyzer;
  DisplayOrderRpuWriter writer(rpu_out);
  hevc::AccessUnit au;
  absl::Status st;
  while (st.ok()) {
    absl::StatusOr<bool> more = reader.Next(&au);
    if (!more.ok() || !*more) {
      st = more.status();
      break;
    }
    const uint64_t index = stats.access_units++;
    absl::StatusOr<hevc::FrameInfo> frame = AnalyzeAccessUnit(analyzer, au, index);
    if (!frame.ok()) {
      st = frame.status();
      break;
    }
    int found = -1;
    for (size_t i = 0; i < au.size(); ++i) {
      if (au.type(i) != hevc::kUnspec62) continue;
      if (found >= 0) {
        st = AtAccessUnit(absl::InvalidArgumentError("more than one RPU NAL"), index);
        break;
      }
      found = static_cast<int>(i);
    }
    if (!st.ok() || found < 0) continue;
    if (!frame->has_picture) {
      st = AtAccessUnit(absl::InvalidArgumentError("RPU NAL in an access unit without a picture"),
                        index);
      break;
    }
    absl::StatusOr<std::vector<uint8_t>> rpu = ApplyTransform(transform, au.nal(found).subspan(2));
    if (!rpu.ok()) {
      st = AtAccessUnit(rpu.status(), index);
      break;
    }
    st = writer.Add(frame->key, *std::move(rpu));
    if (!st.ok()) st = AtAccessUnit(st, index);
  }
  absl::Status fin = writer.Finish();
  if (!st.ok()) return st;
  if (!fin.ok()) return fin;
  stats.rpus = writer.written();
  return stats;
}

}  // namespace mkvfleet::dvstream
