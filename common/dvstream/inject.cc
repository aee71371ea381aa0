// RPU injection: a BL stream plus an RPU file (display order) become BL + RPU per access unit.
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/annexb_writer.h"
#include "common/dvstream/operations.h"
#include "common/hevc/display_order.h"
#include "common/hevc/nal_unit.h"

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
    absl::StatusOr<bool> more = reader.Next(&au);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const uint64_t index = reader.count() - 1;
    absl::StatusOr<hevc::FrameInfo> frame = AnalyzeAccessUnit(analyzer, au, index);
    if (!frame.ok()) return frame.status();
    if (!frame->has_picture) {
      return AtAccessUnit(absl::InvalidArgumentError("access unit holds no picture"), index);
    }
    order.display_of_decode.push_back(0);
    order.pic_type.push_back(frame->pic_type);
    if (absl::Status st = reorder.Push(frame->key, static_cast<uint32_t>(index), emit); !st.ok()) {
      return AtAccessUnit(st, index);
    }
  }
  if (absl::Status st = reorder.Flush(emit); !st.ok()) return st;
  return order;
}

absl::StatusOr<uint64_t> CountRpus(ByteSource& rpus) {
  RpuFileReader reader(rpus);
  std::vector<uint8_t> payload;
  uint64_t n = 0;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&payload);
    if (!more.ok()) return more.status();
    if (!*more) return n;
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
      absl::StatusOr<bool> more = reader_.Next(&payload);
      if (!more.ok()) return more.status();
      if (!*more) return absl::DataLossError("RPU file shrank while being read");
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
    absl::StatusOr<bool> more = reader.Next(&au);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const uint64_t index = reader.count() - 1;
    if (index >= frames) return absl::DataLossError("BL stream changed between passes");
    absl::StatusOr<std::vector<uint8_t>> rpu = rpus.Take(order.display_of_decode[index]);
    if (!rpu.ok()) return rpu.status();
    w.BeginAccessUnit();
    if (options.add_aud && au.type(0) != hevc::kAud) {
      if (absl::Status st = w.Write(hevc::MakeAudNal(order.pic_type[index])); !st.ok()) return st;
    }
    for (size_t i = 0; i < au.size(); ++i) {
      if (au.type(i) == hevc::kUnspec62) continue;
      if (absl::Status st = w.Write(au.nal(i)); !st.ok()) return st;
    }
    if (absl::Status st = w.WriteRpu(*rpu); !st.ok()) return st;
    ++stats.access_units;
    ++stats.rpus;
  }
  if (stats.access_units != frames) return absl::DataLossError("BL stream changed between passes");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StreamStats> InjectRpus(const SourceOpener& open_bl, const SourceOpener& open_rpus,
                                       ByteSink& out, const InjectOptions& options) {
  absl::StatusOr<std::unique_ptr<ByteSource>> bl = open_bl();
  if (!bl.ok()) return bl.status();
  absl::StatusOr<FrameOrder> order = ScanFrameOrder(**bl);
  if (!order.ok()) return order.status();
  absl::StatusOr<std::unique_ptr<ByteSource>> rpu_source = open_rpus();
  if (!rpu_source.ok()) return rpu_source.status();
  absl::StatusOr<uint64_t> rpu_count = CountRpus(**rpu_source);
  if (!rpu_count.ok()) return rpu_count.status();

  const uint64_t frames = order->display_of_decode.size();
  if (*rpu_count == 0 || (*rpu_count < frames && !options.allow_padding)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the RPU file has ", *rpu_count, " RPUs but the BL has ", frames,
                     " frames; allow padding to repeat the last RPU"));
  }
  StreamStats stats;
  stats.rpus_padded = frames > *rpu_count ? frames - *rpu_count : 0;
  stats.rpus_unused = *rpu_count > frames ? *rpu_count - frames : 0;

  bl = open_bl();
  if (!bl.ok()) return bl.status();
  rpu_source = open_rpus();
  if (!rpu_source.ok()) return rpu_source.status();
  RpuWindow window(**rpu_source, *rpu_count);
  AnnexBWriter w(out, options.style);
  absl::Status st = WriteFrames(**bl, window, *order, options, w, stats);
  absl::Status fin = w.Finish();
  if (!st.ok()) return st;
  if (!fin.ok()) return fin;
  return stats;
}

}  // namespace mkvfleet::dvstream
