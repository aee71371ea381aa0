// MediaInfo: what the media pipeline knows about one Matroska file, gathered once at probe time
// from independent tools (ffprobe for the video stream, colour, HDR10 and Dolby Vision
// configuration; mkvmerge -J for tracks, flags, chapters and attachments) plus our own look at the
// first RPUs. Stored as JSON in the probe step's checkpoint so later steps and later agents never
// probe again, and gathered the same way from an output for verification.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::agent::media {

// One track (video, audio, subtitles) as mkvmerge -J describes it.
struct TrackInfo {
  int id = 0;                 // mkvmerge track id (0-based, file order)
  std::string type;           // "video", "audio", "subtitles", "buttons"
  std::string codec_id;       // Matroska codec id, e.g. "A_AC3"
  std::string language;       // ISO 639-2 as stored, e.g. "eng" ("und" when unset)
  std::string name;           // track name, "" when none
  bool default_track = false;
  bool forced_track = false;
  // Timing (verify keeps it exactly): the track's first timestamp (mkvmerge -J
  // minimum_timestamp) and its duration (ffprobe, the muxer's DURATION statistic); -1 = unknown.
  int64_t start_ns = -1;
  double duration_s = -1;
  bool operator==(const TrackInfo&) const = default;
};

// One attachment (fonts, cover art).
struct AttachmentInfo {
  std::string file_name;
  std::string content_type;
  int64_t size = 0;
  bool operator==(const AttachmentInfo&) const = default;
};

// The container's Dolby Vision configuration record of the video track.
struct DoviInfo {
  bool present = false;
  int profile = 0;
  int level = 0;
  bool rpu_present = false;
  bool el_present = false;
  bool bl_present = false;
  int bl_compat_id = 0;
  bool operator==(const DoviInfo&) const = default;
};

// HDR10 static metadata carried by the first video frame (SEI) or the container.
struct Hdr10Info {
  bool mastering_display = false;
  std::string mastering_text;  // e.g. "R(34000/50000,16000/50000)... L(10000000/10000,1/10000)"
  bool content_light = false;
  int max_cll = 0;
  int max_fall = 0;
  bool operator==(const Hdr10Info&) const = default;
};

// What our own parser says about the first RPUs of the video track.
struct RpuCheck {
  bool checked = false;       // false when the file has no HEVC video to look into
  int rpus_seen = 0;          // RPUs found in the packets looked at
  int packets_seen = 0;
  int profile = 0;            // dovi::DetectProfile of the first RPU (0 = none / unknown)
  std::string el_type;        // "MEL", "FEL" or "" (no enhancement layer data)
  bool el_nals = false;       // the packets carry EL NAL units (type 63)
  bool operator==(const RpuCheck&) const = default;
};

// Everything the pipeline decides and verifies on.
struct MediaInfo {
  int64_t size_bytes = 0;
  std::string container;  // "Matroska" when mkvmerge recognised it
  std::vector<TrackInfo> tracks;
  std::vector<AttachmentInfo> attachments;
  int chapters = 0;       // chapter entries (all editions)

  // First video stream (ffprobe).
  bool has_video = false;
  std::string video_codec;  // ffprobe codec_name: "hevc", "h264", ...
  int width = 0;
  int height = 0;
  std::string pix_fmt;
  std::string color_primaries;  // "bt2020", "bt709", "" unknown
  std::string color_transfer;   // "smpte2084", "arib-std-b67", ...
  std::string color_space;      // matrix: "bt2020nc", ...
  int fps_num = 0;              // average frame rate
  int fps_den = 1;
  int64_t frame_count = 0;      // 0 when unknown
  double duration_s = 0;        // container duration
  DoviInfo dovi;
  Hdr10Info hdr10;
  RpuCheck rpu;

  bool operator==(const MediaInfo&) const = default;
  double fps() const { return fps_den == 0 ? 0.0 : static_cast<double>(fps_num) / fps_den; }
  // Tracks other than video, in file order.
  std::vector<TrackInfo> NonVideoTracks() const;
};

// The JSON stored in checkpoints (stable field names). FromJson errors: InvalidArgument naming
// what is wrong.
std::string MediaInfoToJson(const MediaInfo& info);
absl::StatusOr<MediaInfo> MediaInfoFromJson(absl::string_view json);

}  // namespace mkvfleet::agent::media
