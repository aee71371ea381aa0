// Sampling, MEL decision and FEL measurement over a FrameSampleSource.
#include "common/dovi/analyze/title_analysis.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dovi/compose/composer.h"
#include "common/dovi/rpu.h"
#include "common/dovi/rpu_summary.h"

namespace mkvfleet::dovi::analyze {
namespace {

absl::Status AtFrame(int64_t frame, const absl::Status& st) {
  return absl::Status(st.code(), absl::StrCat("frame ", frame, ": ", st.message()));
}

// Composes one decoded frame with and without its EL and measures the difference.
absl::StatusOr<FrameElChange> MeasureFrame(const DecodedSample& sample) {
  if (!sample.el) {
    return absl::FailedPreconditionError(
        absl::StrCat("frame ", sample.frame, ": the RPU is FEL but the frame has no EL picture"));
  }
  absl::StatusOr<Rpu> rpu = ParseRpu(sample.rpu);
  if (!rpu.ok()) return AtFrame(sample.frame, rpu.status());
  absl::StatusOr<compose::Composer> composer = compose::Composer::Create(*rpu);
  if (!composer.ok()) return AtFrame(sample.frame, composer.status());
  compose::Frame420 without_el;
  compose::Frame420 with_el;
  if (absl::Status st = composer->Compose(sample.bl, nullptr, without_el); !st.ok()) {
    return AtFrame(sample.frame, st);
  }
  if (absl::Status st = composer->Compose(sample.bl, &*sample.el, with_el); !st.ok()) {
    return AtFrame(sample.frame, st);
  }
  return FrameElChange{sample.frame, MeasureElChange(with_el.y, without_el.y)};
}

}  // namespace

std::vector<int64_t> SampleFrames(int64_t frame_count, int samples) {
  std::vector<int64_t> frames;
  if (frame_count <= 0 || samples <= 0) return frames;
  const int64_t n = std::min<int64_t>(samples, frame_count);
  for (int64_t i = 0; i < n; ++i) {
    // The middle of slice i of n: (2i + 1) * count / 2n, exact in integers.
    frames.push_back((2 * i + 1) * frame_count / (2 * n));
  }
  frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
  return frames;
}

absl::StatusOr<TitleAnalysis> AnalyzeTitle(FrameSampleSource& source, int samples) {
  TitleAnalysis result;
  result.frame_count = source.frame_count();
  RpuSummaryBuilder summary;
  int64_t with_rpu = 0;
  for (int64_t frame : SampleFrames(result.frame_count, samples)) {
    absl::StatusOr<SampledRpu> sampled = source.RpuAt(frame);
    if (!sampled.ok()) return sampled.status();
    result.frames_sampled.push_back(sampled->frame);
    if (!sampled->payload) continue;
    absl::StatusOr<Rpu> rpu = ParseRpu(*sampled->payload);
    if (!rpu.ok()) return AtFrame(sampled->frame, rpu.status());
    summary.Add(*rpu);
    ++with_rpu;
  }
  const RpuSummary s = summary.Summary();
  result.profile = s.profile;
  const auto sampled_count = static_cast<int64_t>(result.frames_sampled.size());
  if (with_rpu == 0) {
    result.reason = absl::StrCat("none of the ", sampled_count,
                                 " sampled frames carries a Dolby Vision RPU: not a Dolby Vision "
                                 "title, nothing to analyse");
    return result;
  }
  if (s.el_type.empty()) {
    result.reason = absl::StrCat("Dolby Vision profile ", s.profile,
                                 ": single layer, no enhancement layer to analyse");
    return result;
  }
  result.el_type = s.el_type;
  if (s.el_type == "MEL") {
    result.fel_class = FelClass::kMel;
    result.reason =
        absl::StrCat("the NLQ of all ", with_rpu,
                     " sampled RPUs is neutral (MEL): the EL adds nothing (decided from "
                     "the RPUs, no frame decoded)");
    return result;
  }
  result.frames_sampled.clear();
  for (int64_t frame : SampleFrames(result.frame_count, samples)) {
    absl::StatusOr<DecodedSample> sample = source.DecodeAt(frame);
    if (!sample.ok()) return sample.status();
    absl::StatusOr<FrameElChange> change = MeasureFrame(*sample);
    if (!change.ok()) return change.status();
    result.frames_sampled.push_back(sample->frame);
    result.total.Add(change->change);
    result.frames.push_back(*std::move(change));
  }
  result.decoded = true;
  FelVerdict verdict = ClassifyFel(result.frames);
  result.fel_class = verdict.fel_class;
  result.reason = std::move(verdict.reason);
  return result;
}

}  // namespace mkvfleet::dovi::analyze
