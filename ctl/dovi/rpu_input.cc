// RPU extraction from HEVC and Matroska inputs, and RPU iteration over every input kind.
#include "ctl/dovi/rpu_input.h"

#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/dvstream/operations.h"
#include "common/dvstream/packet_rewriter.h"
#include "common/hevc/nal_splitter.h"
#include "common/status/status_macros.h"

namespace mkvfleet::ctl {
namespace {

// Prefixes an error with the file it concerns, keeping its code.
absl::Status InFile(const std::string& path, const absl::Status& s) {
  if (s.ok() || absl::StrContains(s.message(), path)) return s;
  return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
}

absl::StatusOr<uint64_t> ExtractFromMatroska(const std::string& path, dvstream::ByteSink& out,
                                             const dvstream::RpuTransform& transform,
                                             std::optional<libav::VideoTrackInfo>* video,
                                             std::optional<dvstream::RpuCensus>* census) {
  ASSIGN_OR_RETURN(std::unique_ptr<libav::MatroskaReader> reader,
                   libav::MatroskaReader::Open(path));
  const libav::VideoTrackInfo& info = reader->video();
  if (video != nullptr) *video = info;
  if (!info.is_hevc) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": video track is ", info.codec_name, ", not HEVC"));
  }
  dvstream::PacketRewriteOptions options;
  options.drop_el = false;
  options.transform = transform;
  absl::StatusOr<dvstream::PacketRewriter> rewriter =
      dvstream::PacketRewriter::Create(info.codec_private, options);
  if (!rewriter.ok()) return InFile(path, rewriter.status());

  dvstream::DisplayOrderRpuWriter writer(out);
  dvstream::FrameRpuCollector frames;  // RPU counts only (empty payloads)
  libav::PacketPtr pkt = libav::MakePacket();
  absl::Status st;
  while (st.ok()) {
    absl::StatusOr<bool> got = reader->ReadVideoPacket(*pkt);
    if (!got.ok() || !*got) {
      st = got.status();
      break;
    }
    absl::StatusOr<dvstream::RewrittenPacket> r =
        rewriter->Inspect(absl::Span<const uint8_t>(pkt->data, pkt->size));
    if (!r.ok()) {
      st = r.status();
      break;
    }
    if (census != nullptr) {
      const size_t rpus = r->rpu ? 1 + r->extra_rpus.size() : 0;
      st = frames.Add(r->frame, std::vector<std::vector<uint8_t>>(rpus));
      if (!st.ok()) break;
    }
    if (!r->rpu) continue;
    if (!r->frame.has_picture) {
      st = absl::InvalidArgumentError(
          absl::StrCat("packet ", rewriter->packets(), " has an RPU but no picture"));
      break;
    }
    st = writer.Add(r->frame.key, *std::move(r->rpu));
  }
  absl::Status fin = writer.Finish();
  if (!st.ok()) return InFile(path, st);
  RETURN_IF_ERROR(fin);
  if (census != nullptr) *census = dvstream::CountFrameRpus(std::move(frames).Finish());
  return writer.written();
}

// A sink that receives an RPU file byte stream and hands each RPU payload to a visitor.
class RpuSplittingSink final : public dvstream::ByteSink {
 public:
  explicit RpuSplittingSink(absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> visit)
      : visit_(visit) {}
  absl::Status Write(absl::Span<const uint8_t> bytes) override {
    return splitter_.Feed(bytes, [this](const hevc::AnnexBNal& n) { return visit_(n.data); });
  }
  absl::Status Finish() {
    return splitter_.Finish([this](const hevc::AnnexBNal& n) { return visit_(n.data); });
  }

 private:
  absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> visit_;
  hevc::NalSplitter splitter_;
};

}  // namespace

absl::StatusOr<uint64_t> ExtractRpusTo(const std::string& path, InputKind kind,
                                       dvstream::ByteSink& out,
                                       const dvstream::RpuTransform& transform,
                                       std::optional<libav::VideoTrackInfo>* video,
                                       std::optional<dvstream::RpuCensus>* census) {
  switch (kind) {
    case InputKind::kRpuFile:
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": is already an RPU file (use `mkvctl dovi convert-rpu`)"));
    case InputKind::kMatroska:
      return ExtractFromMatroska(path, out, transform, video, census);
    case InputKind::kAnnexB: {
      ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSource> in, dvstream::FileSource::Open(path));
      absl::StatusOr<dvstream::StreamStats> stats = dvstream::ExtractRpus(*in, out, transform);
      if (!stats.ok()) return InFile(path, stats.status());
      return stats->rpus;
    }
  }
  return absl::InternalError("unknown input kind");
}

absl::Status ForEachRpu(const std::string& path, InputKind kind,
                        absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> visit,
                        std::optional<libav::VideoTrackInfo>* video,
                        std::optional<dvstream::RpuCensus>* census) {
  if (kind == InputKind::kRpuFile) {
    // RPU files are small (a two-hour film: ~30 MB); read whole so trailing bytes survive.
    ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSource> in, dvstream::FileSource::Open(path));
    std::vector<uint8_t> data;
    while (true) {
      ASSIGN_OR_RETURN(absl::Span<const uint8_t> chunk, in->Read());
      if (chunk.empty()) break;
      data.insert(data.end(), chunk.begin(), chunk.end());
    }
    absl::StatusOr<std::vector<absl::Span<const uint8_t>>> rpus = dovi::ParseRpuFile(data);
    if (!rpus.ok()) return InFile(path, rpus.status());
    for (absl::Span<const uint8_t> rpu : *rpus) {
      RETURN_IF_ERROR(visit(rpu));
    }
    return absl::OkStatus();
  }
  RpuSplittingSink sink(visit);
  RETURN_IF_ERROR(ExtractRpusTo(path, kind, sink, nullptr, video, census));
  return sink.Finish();
}

}  // namespace mkvfleet::ctl
