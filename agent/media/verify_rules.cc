// The verification rules (see the header).
#include "agent/media/verify_rules.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mkvfleet::agent::media {
namespace {

std::string DescribeTrack(const TrackInfo& t) {
  return absl::StrCat(t.type, " ", t.codec_id, " lang=", t.language, " name=\"", t.name,
                      "\" default=", t.default_track ? 1 : 0, " forced=", t.forced_track ? 1 : 0);
}

CheckResult Check(std::string name, bool passed, std::string detail) {
  return CheckResult{std::move(name), passed, std::move(detail)};
}

// frame_count: the output has the source's `frames`; source_frame_count (when the mux counted):
// the source's header agrees with what the mux read.
void AddFrameCountChecks(const MediaInfo& source, const MediaInfo& output,
                         const VerifyTarget& target, int64_t frames,
                         std::vector<CheckResult>& out) {
  out.push_back(
      Check("frame_count", output.frame_count == frames,
            absl::StrCat("output has ", output.frame_count, " video frames, ", "source ", frames)));
  if (source.frame_count > 0 && target.source_frames > 0) {
    out.push_back(Check("source_frame_count", source.frame_count == target.source_frames,
                        absl::StrCat("source header says ", source.frame_count,
                                     " frames, the mux read ", target.source_frames)));
  }
}

// Dolby Vision 8.1: one profile 8 RPU on each of the `frames` frames, no EL left, and the video
// track's configuration record `d` saying profile 8, compatibility 1, no EL.
void AddDolbyVision81Checks(const RpuScanTotals& scan, const DoviInfo& d, int64_t frames,
                            std::vector<CheckResult>& out) {
  out.push_back(Check("rpu_per_frame",
                      scan.packets == frames && scan.packets_with_rpu == scan.packets &&
                          scan.packets_with_several_rpus == 0,
                      absl::StrCat(scan.packets_with_rpu, " of ", scan.packets,
                                   " output frames carry an RPU (", scan.packets_with_several_rpus,
                                   " more than one), source has ", frames, " frames")));
  out.push_back(Check("rpu_profile", scan.rpus_not_profile8 == 0 && scan.first_rpu_profile == 8,
                      absl::StrCat("first RPU profile ", scan.first_rpu_profile, ", ",
                                   scan.rpus_not_profile8, " RPUs not profile 8")));
  out.push_back(Check("no_enhancement_layer", scan.packets_with_el == 0,
                      absl::StrCat(scan.packets_with_el, " output frames still carry EL NALs")));
  out.push_back(
      Check("dovi_config",
            d.present && d.profile == 8 && d.bl_compat_id == 1 && !d.el_present && d.rpu_present &&
                d.bl_present,
            d.present ? absl::StrCat("configuration record: profile ", d.profile, " compat ",
                                     d.bl_compat_id, " rpu=", d.rpu_present, " el=", d.el_present,
                                     " bl=", d.bl_present, "; expected profile 8 compat 1, no EL")
                      : "no Dolby Vision configuration record on the output's video track"));
}

// The source's HDR10 static metadata (mastering display, content light levels), unchanged on the
// output; nothing when the source has none.
void AddHdr10Checks(const MediaInfo& source, const MediaInfo& output,
                    std::vector<CheckResult>& out) {
  if (source.hdr10.mastering_display) {
    out.push_back(
        Check("hdr10_mastering_display",
              output.hdr10.mastering_display &&
                  output.hdr10.mastering_text == source.hdr10.mastering_text,
              absl::StrCat("source ", source.hdr10.mastering_text, ", output ",
                           output.hdr10.mastering_display ? output.hdr10.mastering_text : "none")));
  }
  if (source.hdr10.content_light) {
    out.push_back(
        Check("hdr10_content_light",
              output.hdr10.content_light && output.hdr10.max_cll == source.hdr10.max_cll &&
                  output.hdr10.max_fall == source.hdr10.max_fall,
              absl::StrCat("source MaxCLL/MaxFALL ", source.hdr10.max_cll, "/",
                           source.hdr10.max_fall, ", output ",
                           output.hdr10.content_light
                               ? absl::StrCat(output.hdr10.max_cll, "/", output.hdr10.max_fall)
                               : "none")));
  }
}

// colour: the same primaries, transfer and matrix as the source.
CheckResult ColourCheck(const MediaInfo& source, const MediaInfo& output) {
  return Check("colour",
               output.color_primaries == source.color_primaries &&
                   output.color_transfer == source.color_transfer &&
                   output.color_space == source.color_space,
               absl::StrCat("source ", source.color_primaries, "/", source.color_transfer, "/",
                            source.color_space, ", output ", output.color_primaries, "/",
                            output.color_transfer, "/", output.color_space));
}

// video_size: the same picture width and height as the source.
CheckResult VideoSizeCheck(const MediaInfo& source, const MediaInfo& output) {
  return Check("video_size", output.width == source.width && output.height == source.height,
               absl::StrCat("source ", source.width, "x", source.height, ", output ", output.width,
                            "x", output.height));
}

// duration: within one source frame (0.05 s when the frame rate is unknown) of the source's.
CheckResult DurationCheck(const MediaInfo& source, const MediaInfo& output) {
  const double frame_s = source.fps() > 0 ? 1.0 / source.fps() : 0.05;
  return Check("duration", std::fabs(output.duration_s - source.duration_s) <= frame_s + 1e-3,
               absl::StrCat("source ", source.duration_s, " s, output ", output.duration_s,
                            " s (allowed: one frame, ", frame_s, " s)"));
}

// timing: the output's video starts at the source's video's first timestamp, and every other
// track keeps its own start and (where both files state one) duration. Starts must agree to a
// Matroska tick (1 ms at the usual timestamp scale), durations to one source frame.
CheckResult TimingCheck(const MediaInfo& source, const MediaInfo& output) {
  constexpr int64_t kTickNs = 1'000'000;
  const double frame_s = source.fps() > 0 ? 1.0 / source.fps() : 0.05;
  std::vector<std::string> problems;
  auto compare = [&](const TrackInfo& a, const TrackInfo& b, bool with_duration) {
    const std::string what = absl::StrCat(a.type, " track ", a.id);
    if (a.start_ns >= 0 && std::llabs(a.start_ns - b.start_ns) > kTickNs) {
      problems.push_back(absl::StrCat(what, " starts at ", a.start_ns / 1e9, " s in the source, ",
                                      b.start_ns / 1e9, " s in the output"));
    }
    if (with_duration && a.duration_s >= 0 && b.duration_s >= 0 &&
        std::fabs(a.duration_s - b.duration_s) > frame_s + 1e-3) {
      problems.push_back(absl::StrCat(what, " lasts ", a.duration_s, " s in the source, ",
                                      b.duration_s, " s in the output"));
    }
  };
  auto first_video = [](const MediaInfo& m) -> const TrackInfo* {
    for (const TrackInfo& t : m.tracks) {
      if (t.type == "video") return &t;
    }
    return nullptr;
  };
  const TrackInfo* src_video = first_video(source);
  const TrackInfo* out_video = first_video(output);
  if (src_video != nullptr && out_video != nullptr) compare(*src_video, *out_video, false);
  const std::vector<TrackInfo> src_tracks = source.NonVideoTracks();
  const std::vector<TrackInfo> out_tracks = output.NonVideoTracks();
  for (size_t i = 0; i < src_tracks.size() && i < out_tracks.size(); ++i) {
    compare(src_tracks[i], out_tracks[i], true);
  }
  return Check("timing", problems.empty(),
               problems.empty() ? "video start and every track's start and duration kept"
                                : absl::StrJoin(problems, "; "));
}

// tracks: the source's non-video tracks in the same order with the same properties (ids may
// shift); one_video_track: exactly one video track in the output.
void AddTrackChecks(const MediaInfo& source, const MediaInfo& output,
                    std::vector<CheckResult>& out) {
  const std::vector<TrackInfo> src_tracks = source.NonVideoTracks();
  const std::vector<TrackInfo> out_tracks = output.NonVideoTracks();
  std::vector<std::string> track_problems;
  if (src_tracks.size() != out_tracks.size()) {
    track_problems.push_back(absl::StrCat("source has ", src_tracks.size(),
                                          " non-video tracks, output ", out_tracks.size()));
  }
  for (size_t i = 0; i < src_tracks.size() && i < out_tracks.size(); ++i) {
    TrackInfo a = src_tracks[i], b = out_tracks[i];
    a.id = b.id = 0;  // ids may shift; order, kind and properties must not
    a.start_ns = b.start_ns = -1;  // timing has its own check
    a.duration_s = b.duration_s = -1;
    if (!(a == b)) {
      track_problems.push_back(absl::StrCat("track ", i + 1, ": source {", DescribeTrack(a),
                                            "} output {", DescribeTrack(b), "}"));
    }
  }
  out.push_back(Check("tracks", track_problems.empty(),
                      track_problems.empty()
                          ? absl::StrCat(src_tracks.size(), " non-video tracks match")
                          : absl::StrJoin(track_problems, "; ")));
  const int video_tracks_out = static_cast<int>(output.tracks.size() - out_tracks.size());
  out.push_back(Check("one_video_track", video_tracks_out == 1,
                      absl::StrCat("output has ", video_tracks_out, " video tracks")));
}

// chapters and attachments: the same as the source's.
void AddChapterAndAttachmentChecks(const MediaInfo& source, const MediaInfo& output,
                                   std::vector<CheckResult>& out) {
  out.push_back(
      Check("chapters", output.chapters == source.chapters,
            absl::StrCat("source ", source.chapters, " chapters, output ", output.chapters)));
  out.push_back(
      Check("attachments", output.attachments == source.attachments,
            absl::StrCat("source ", source.attachments.size(), " attachments, output ",
                         output.attachments.size(), " (names, types and sizes must match)")));
}

}  // namespace

std::vector<CheckResult> CheckOutput(const MediaInfo& source, const MediaInfo& output,
                                     const RpuScanTotals& scan, const VerifyTarget& target) {
  std::vector<CheckResult> out;
  const int64_t frames = target.source_frames > 0 ? target.source_frames : source.frame_count;
  AddFrameCountChecks(source, output, target, frames, out);
  if (target.dolby_vision_81) AddDolbyVision81Checks(scan, output.dovi, frames, out);
  AddHdr10Checks(source, output, out);
  out.push_back(ColourCheck(source, output));
  if (target.same_video_size) out.push_back(VideoSizeCheck(source, output));
  out.push_back(DurationCheck(source, output));
  out.push_back(TimingCheck(source, output));
  AddTrackChecks(source, output, out);
  AddChapterAndAttachmentChecks(source, output, out);
  return out;
}

absl::Status Verdict(const std::vector<CheckResult>& checks, const std::string& file) {
  std::vector<std::string> failed;
  for (const auto& c : checks) {
    if (!c.passed) failed.push_back(absl::StrCat(c.name, ": ", c.detail));
  }
  if (failed.empty()) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("verification of ", file, " failed: ", absl::StrJoin(failed, "; ")));
}

}  // namespace mkvfleet::agent::media
