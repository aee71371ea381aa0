// RPU injection: a BL stream plus an RPU file (display order) become BL + RPU per access unit.
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/annexb_writer.h"
#include "common/dvstream/operations.h"
#include "common/hevc/display_order.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {
namespace {

// Pass 1 over the BL: the display position of every frame, indexed by decode position, and the
// pic_type of each access unit (for added AUDs). 5 bytes per frame.
struct FrameOrder {
  std::vector<uint32_t> display_of_decode;
  std::vector<uint8_t> pic_type;
};

absl::StatusOr<FrameOrder> ScanFrameOrder(ByteSource& bl) {
  FrameOrder order;
  AccessUnitReader reader(bl);
  hevc::FrameOrderAnalyzer analyzer;
  hevc::DisplayOrderBuffer<uint32_t> reorder;
  uint32_t next_display = 0;
  auto emit = [&](uint32_t&& decode) {
    order.display_of_decode[decode] = next_display++;
    return absl::OkStatus();
  };
  hevc::AccessUnit au;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&au));
    if (!more) break;
    const uint64_t index = reader.count() - 1;
    ASSIGN_OR_RETURN(hevc::FrameInfo frame, AnalyzeAccessUnit(analyzer, au, index));
    if (!frame.has_picture) {
      return AtAccessUnit(absl::InvalidArgumentError("access unit holds no picture"), index);
    }
    order.display_of_decode.push_back(0);
    order.pic_type.push_back(frame.pic_type);
    if (absl::Status st = reorder.Push(frame.key, static_cast<uint32_t>(index), emit); !st.ok()) {
      return AtAccessUnit(st, index);
    }
  }
  RETURN_IF_ERROR(reorder.Flush(emit));
  return order;
}

absl::StatusOr<uint64_t> CountRpus(ByteSource& rpus) {
  RpuFileReader reader(rpus);
  std::vector<uint8_t> payload;
  uint64_t n = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&payload));
    if (!more) return n;
    ++n;
  }
}

// Serves RPUs by display index from a file read once in order, holding only those read ahead of
// use (bounded by the stream's reorder depth).
class RpuWindow {
 public:
  RpuWindow(ByteSource& source, uint64_t count) : reader_(source), count_(count) {}

  // The RPU for display index i; indexes past the end get the last RPU (padding).
  absl::StatusOr<std::vector<uint8_t>> Take(uint64_t i) {
    const uint64_t want = i < count_ ? i : count_ - 1;
    while (read_ <= want) {
      std::vector<uint8_t> payload;
      ASSIGN_OR_RETURN(bool more, reader_.Next(&payload));
      if (!more) return absl::DataLossError("RPU file shrank while being read");
      held_[read_++] = std::move(payload);
    }
    auto it = held_.find(want);
    if (it == held_.end()) return absl::InternalError(absl::StrCat("RPU ", want, " used twice"));
    if (want == count_ - 1) return it->second;  // the last RPU may pad several frames
    std::vector<uint8_t> out = std::move(it->second);
    held_.erase(it);
    return out;
  }

 private:
  RpuFileReader reader_;
  uint64_t count_;
  uint64_t read_ = 0;
  absl::flat_hash_map<uint64_t, std::vector<uint8_t>> held_;
};

absl::Status WriteFrames(ByteSource& bl, RpuWindow& rpus, const FrameOrder& order,
                         const InjectOptions& options, AnnexBWriter& w, StreamStats& stats) {
  AccessUnitReader reader(bl);
  hevc::AccessUnit au;
  const uint64_t frames = order.display_of_decode.size();
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&au));
    if (!more) break;
    const uint64_t index = reader.count() - 1;
    if (index >= frames) return absl::DataLossError("BL stream changed between passes");
    const uint32_t display = order.display_of_decode[index];
    ASSIGN_OR_RETURN(std::vector<uint8_t> rpu, rpus.Take(display));
    w.BeginAccessUnit();
    if (options.add_aud && au.type(0) != hevc::kAud) {
      RETURN_IF_ERROR(w.Write(hevc::MakeAudNal(order.pic_type[index])));
    }
    for (size_t i = 0; i < au.size(); ++i) {
      if (au.type(i) == hevc::kUnspec62) continue;
      RETURN_IF_ERROR(w.Write(au.nal(i)));
    }
    const int copies = options.rpu_copies ? options.rpu_copies(display) : 1;
    for (int c = 0; c < copies; ++c) RETURN_IF_ERROR(w.WriteRpu(rpu));
    ++stats.access_units;
    stats.rpus += static_cast<uint64_t>(copies);
  }
  if (stats.access_units != frames) return absl::DataLossError("BL stream changed between passes");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StreamStats> InjectRpus(const SourceOpener& open_bl, const SourceOpener& open_rpus,
                                       ByteSink& out, const InjectOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> bl, open_bl());
  ASSIGN_OR_RETURN(FrameOrder order, ScanFrameOrder(*bl));
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> rpu_source, open_rpus());
  ASSIGN_OR_RETURN(uint64_t rpu_count, CountRpus(*rpu_source));

  const uint64_t frames = order.display_of_decode.size();
  if (rpu_count == 0 || (rpu_count < frames && !options.allow_padding)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the RPU file has ", rpu_count, " RPUs but the BL has ", frames,
                     " frames; allow padding to repeat the last RPU"));
  }
  StreamStats stats;
  stats.rpus_padded = frames > rpu_count ? frames - rpu_count : 0;
  stats.rpus_unused = rpu_count > frames ? rpu_count - frames : 0;

  ASSIGN_OR_RETURN(bl, open_bl());
  ASSIGN_OR_RETURN(rpu_source, open_rpus());
  RpuWindow window(*rpu_source, rpu_count);
  AnnexBWriter w(out, options.style);
  absl::Status st = WriteFrames(*bl, window, order, options, w, stats);
  absl::Status fin = w.Finish();
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(fin);
  return stats;
}

}  // namespace mkvfleet::dvstream
