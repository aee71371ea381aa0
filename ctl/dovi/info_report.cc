// InfoCollector and the JSON / text renderings of `mkvctl dovi info`.
#include "ctl/dovi/info_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dovi/rpu.h"

namespace mkvfleet::ctl {
namespace {

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

nlohmann::json StatsJson(const dovi::PqStats& s) {
  return {{"min", s.min}, {"max", s.max}, {"mean", Round2(s.mean)}};
}

std::string StatsText(const dovi::PqStats& s) {
  return absl::StrFormat("%u..%u (mean %.2f)", s.min, s.max, s.mean);
}

std::string ProfileText(const dovi::RpuSummary& s) {
  if (s.profile == 8 && s.profile8_compatibility != 0) {
    return absl::StrCat("8.", s.profile8_compatibility);
  }
  return absl::StrCat(s.profile);
}

}  // namespace

absl::Status InfoCollector::Add(absl::Span<const uint8_t> payload) {
  ++count_;
  absl::StatusOr<dovi::Rpu> rpu = dovi::ParseRpu(payload);
  if (!rpu.ok()) {
    return absl::Status(rpu.status().code(),
                        absl::StrCat("RPU ", count_, ": ", rpu.status().message()));
  }
  builder_.Add(*rpu);
  if (rpu->vdr_dm_data) {
    if (const dovi::DmLevel1* l1 = rpu->vdr_dm_data->level1()) {
      min_pq_.min = l1_count_ == 0 ? l1->min_pq : std::min(min_pq_.min, l1->min_pq);
      min_pq_.max = l1_count_ == 0 ? l1->min_pq : std::max(min_pq_.max, l1->min_pq);
      sum_min_pq_ += l1->min_pq;
      ++l1_count_;
    }
  }
  return absl::OkStatus();
}

void InfoCollector::Finish(InfoReport* report) const {
  report->summary = builder_.Summary();
  report->l1_min_pq = min_pq_;
  report->l1_min_pq.mean =
      l1_count_ == 0 ? 0.0 : static_cast<double>(sum_min_pq_) / static_cast<double>(l1_count_);
}

nlohmann::json InfoJson(const InfoReport& r) {
  const dovi::RpuSummary& s = r.summary;
  const bool any = s.rpu_count > 0;
  nlohmann::json j;
  j["file"] = r.file;
  j["input"] = std::string(InputKindName(r.kind));
  j["profile"] = any ? nlohmann::json(s.profile) : nlohmann::json(nullptr);
  if (any && s.profile == 8) j["profile8_compatibility"] = s.profile8_compatibility;
  j["el_type"] = s.el_type.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.el_type);
  j["rpus"] = s.rpu_count;
  if (r.census) {
    auto frame_list = [](const std::vector<int64_t>& frames) {
      const size_t n = std::min(frames.size(), kInfoFramesListed);
      return nlohmann::json{{"count", frames.size()},
                            {"first", std::vector<int64_t>(frames.begin(), frames.begin() + n)}};
    };
    j["frames"] = r.census->frames;
    j["rpus"] = r.census->rpus;
    j["frames_without_rpu"] = frame_list(r.census->without_rpu);
    j["frames_with_several_rpus"] = frame_list(r.census->with_several);
  }
  j["cm_version"] = any ? nlohmann::json(s.cm_version) : nlohmann::json(nullptr);
  j["scene_cuts"] = s.scene_cuts;
  if (s.l1_count > 0) {
    j["l1"] = {{"frames", s.l1_count},
               {"min_pq", StatsJson(r.l1_min_pq)},
               {"max_pq", StatsJson(s.l1_max_pq)},
               {"avg_pq", StatsJson(s.l1_avg_pq)}};
  } else {
    j["l1"] = nullptr;
  }
  if (r.video) {
    const libav::VideoTrackInfo& v = *r.video;
    nlohmann::json video = {{"codec", v.codec_name},
                            {"width", v.width},
                            {"height", v.height},
                            {"frame_rate", absl::StrCat(v.frame_rate.num, "/", v.frame_rate.den)}};
    if (v.dovi) {
      const dovi::DoviConfigRecord& d = *v.dovi;
      video["dovi_configuration"] = {
          {"version", absl::StrCat(d.dv_version_major, ".", d.dv_version_minor)},
          {"profile", d.dv_profile},
          {"level", d.dv_level},
          {"rpu_present", d.rpu_present_flag},
          {"el_present", d.el_present_flag},
          {"bl_present", d.bl_present_flag},
          {"bl_signal_compatibility_id", d.dv_bl_signal_compatibility_id}};
    } else {
      video["dovi_configuration"] = nullptr;
    }
    j["video"] = std::move(video);
  }
  return j;
}

std::string InfoText(const InfoReport& r) {
  const dovi::RpuSummary& s = r.summary;
  std::string out = absl::StrCat("file:        ", r.file, " (", InputKindName(r.kind), ")\n");
  if (r.video) {
    const libav::VideoTrackInfo& v = *r.video;
    absl::StrAppend(&out, "video:       ", v.codec_name, " ", v.width, "x", v.height, " @ ",
                    absl::StrFormat("%.3f", v.frame_rate.value()), " fps\n");
    absl::StrAppend(&out, "container:   ",
                    v.dovi ? absl::StrCat("Dolby Vision ", dovi::DescribeDoviConfig(*v.dovi))
                           : std::string("no Dolby Vision configuration"),
                    "\n");
  }
  if (r.census) {
    const dvstream::RpuCensus& c = *r.census;
    absl::StrAppend(&out, "frames:      ", c.frames, "\n");
    if (c.rpus > 0) {
      auto frame_list = [](const std::vector<int64_t>& frames) {
        return frames.empty()
                   ? std::string("0")
                   : absl::StrCat(frames.size(), " (",
                                  dvstream::FrameListText(frames, kInfoFramesListed), ")");
      };
      absl::StrAppend(&out, "frames_without_rpu: ", frame_list(c.without_rpu), "\n");
      if (!c.with_several.empty()) {
        absl::StrAppend(&out, "frames_with_several_rpus: ", frame_list(c.with_several), "\n");
      }
    }
  }
  if (s.rpu_count == 0) {
    absl::StrAppend(&out, "rpus:        0 (no Dolby Vision RPUs)\n");
    return out;
  }
  absl::StrAppend(&out, "profile:     ", ProfileText(s), "\n");
  absl::StrAppend(&out, "el_type:     ", s.el_type.empty() ? "none" : s.el_type, "\n");
  const int64_t rpus = r.census ? r.census->rpus : static_cast<int64_t>(s.rpu_count);
  absl::StrAppend(&out, "rpus:        ", rpus, "\n");
  absl::StrAppend(&out, "cm_version:  ", s.cm_version, "\n");
  absl::StrAppend(&out, "scene_cuts:  ", s.scene_cuts, "\n");
  if (s.l1_count > 0) {
    absl::StrAppend(&out, "l1 min_pq:   ", StatsText(r.l1_min_pq), "\n");
    absl::StrAppend(&out, "l1 max_pq:   ", StatsText(s.l1_max_pq), "\n");
    absl::StrAppend(&out, "l1 avg_pq:   ", StatsText(s.l1_avg_pq), " over ", s.l1_count,
                    " frames\n");
  } else {
    absl::StrAppend(&out, "l1:          none\n");
  }
  return out;
}

}  // namespace mkvfleet::ctl
